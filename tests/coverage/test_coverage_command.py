"""``cctv-conformance coverage``: its first line, the generated document kept current, bad input,
and the sentence the compliance statement's scope takes from it."""

from __future__ import annotations

import re

import pytest

from conformance.cli import main
from conformance.coverage.command import DOC_PATH, coverage_of
from conformance.coverage.render import markdown
from reports.scope import onvif_coverage_sentence

FIRST_LINE = re.compile(
    r"^(\d+) of (\d+) applicable ONVIF device test cases implemented \((\d+(\.\d)?) %\); "
    r"(\d+) cases in all$"
)


def test_first_line_and_every_case_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage"]) == 0
    lines = capsys.readouterr().out.splitlines()
    match = FIRST_LINE.match(lines[0])
    assert match, lines[0]
    implemented, applicable, total = int(match[1]), int(match[2]), int(match[5])
    assert 0 <= implemented <= applicable <= total
    coverage = coverage_of()
    listed = [line.split()[0] for line in lines if re.match(r"^[A-Z0-9_]+-\d+-\d+-\d+ ", line)]
    assert listed == [s.case.id for s in coverage.statuses] and len(listed) == total


def test_generated_document_is_current() -> None:
    """The document is what `cctv-conformance coverage --write-doc` writes from the committed
    index, requirements and observed record (regenerate it after changing any of them)."""
    assert DOC_PATH.read_text(encoding="utf-8") == markdown(coverage_of()), (
        "docs/onvif-coverage.md is stale: run `cctv-conformance coverage --write-doc`"
    )


def test_profile_narrows_to_its_onvif_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--profile", "onvif-profile-g", "--summary"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    everything = coverage_of()
    profile_g = coverage_of("onvif-profile-g")
    assert first == profile_g.first_line()
    assert len(profile_g.applicable) < len(everything.applicable)
    assert all("G" in s.case.profiles for s in profile_g.applicable)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["coverage", "--profile", "no-such-profile"], "no-such-profile"),
        (["coverage", "--profile", "onvif-profile-t", "--write-doc"], "--write-doc"),
    ],
)
def test_bad_input_exits_2_naming_it(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_scope_sentence_names_the_profile_and_the_document() -> None:
    sentence = onvif_coverage_sentence("onvif-profile-t")
    coverage = coverage_of("onvif-profile-t")
    assert sentence == (
        f"ONVIF device tests: this profile checks {len(coverage.implemented)} of the "
        f"{len(coverage.applicable)} ONVIF device test cases applicable to Profile T; "
        "see docs/onvif-coverage.md."
    )
    assert onvif_coverage_sentence("vms-ingest") == ""  # cites no ONVIF device test case
