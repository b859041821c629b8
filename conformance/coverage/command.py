"""``cctv-conformance coverage``: every ONVIF device test case of Profiles S, T and G, and
whether the suite implements it (by the counting rule of :mod:`conformance.coverage.model`).

Registered on the main parser by :func:`add_coverage_command`, as the planner's commands are.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from conformance.catalogue import load_catalogue
from conformance.coverage.catalogue import load_device_tests
from conformance.coverage.model import ONVIF_PROFILES, Coverage, classify
from conformance.coverage.observed import RecordError, load_record
from conformance.coverage.render import markdown, terminal
from conformance.errors import InputError

DEFAULT_PROFILE = "all-requirements"
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "onvif-coverage.md"
ONVIF_PROFILE_OF = {
    "onvif-profile-s": ("S",),
    "onvif-s-core": ("S",),
    "onvif-profile-t": ("T",),
    "onvif-profile-g": ("G",),
}
"""Suite profiles that stand for one ONVIF profile: their coverage counts only its cases."""


def coverage_of(profile_id: str = DEFAULT_PROFILE) -> Coverage:
    """The coverage of one suite profile: its requirements' citations against the index and
    the self-test's observed record."""
    resolved = load_catalogue().resolve(profile_id)
    citations = {e.id: tuple(e.requirement.onvif_tests) for e in resolved.requirements}
    try:
        record = load_record()
    except RecordError as exc:
        raise InputError("profiles/onvif/coverage-observed.yaml", None, str(exc)) from None
    wanted = ONVIF_PROFILE_OF.get(profile_id, ONVIF_PROFILES)
    return classify(load_device_tests(), citations, record, wanted)


def _coverage(args: argparse.Namespace) -> int:
    if args.write_doc and args.profile != DEFAULT_PROFILE:
        raise InputError("--write-doc", None, f"the document covers {DEFAULT_PROFILE} only")
    coverage = coverage_of(args.profile)
    if args.write_doc:
        DOC_PATH.write_text(markdown(coverage), encoding="utf-8")
        print(f"{coverage.first_line()}\nwrote {DOC_PATH}")
        return 0
    print(terminal(coverage, every_case=not args.summary), end="")
    return 0


def add_coverage_command(subparsers: Any) -> None:
    """Register ``coverage`` on the ``cctv-conformance`` subparsers."""
    command = subparsers.add_parser(
        "coverage",
        help="which ONVIF device test cases of Profiles S, T and G the suite implements",
        description=(
            "Every ONVIF device test case of the specifications behind Profiles S, T and G, "
            "with one status: implemented (by which requirements), not applicable (why) or not "
            "implemented yet (why). See docs/onvif-coverage.md for the counting rule."
        ),
    )
    command.add_argument(
        "--profile",
        default=DEFAULT_PROFILE,
        help="count only this profile's requirements (onvif-profile-s/t/g: only that "
        "profile's cases); default every requirement",
    )
    command.add_argument(
        "--summary", action="store_true", help="the first line and the per-specification table"
    )
    command.add_argument(
        "--write-doc", action="store_true", help=f"write {DOC_PATH.name} (maintainers)"
    )
    command.set_defaults(func=_coverage)
