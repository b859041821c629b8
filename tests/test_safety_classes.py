"""Safety classes in the plugin: intrusive needs lab mode, destructive needs lab mode AND the
explicit ``--allow-destructive`` flag; otherwise the test stays visible as ``not_tested`` with
the reason (issue 5, point 5). The collection hook is driven directly, as in test_plugin.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conformance.audit import pytest_args
from conformance.catalogue import Catalogue
from conformance.cli import build_parser
from conformance.plugin import SUITES_DIR, ConformanceRun
from conformance.redaction import Redactor
from conformance.targets import single_device_target

PROFILES = Path(__file__).resolve().parent.parent / "profiles"
REQ = "ONVIF-DEV-TIME-01"


class _Item:
    def __init__(self) -> None:
        self.path = SUITES_DIR / "device" / "test_x.py"
        self.nodeid = "test_x.py::test_x"
        self.added: list[Any] = []

    def get_closest_marker(self, name: str) -> Any:
        return pytest.mark.requirement(REQ).mark if name == "requirement" else None

    def add_marker(self, marker: Any) -> None:
        self.added.append(marker)


def _run(tmp_path: Path, safety: str, mode: str, allow: bool) -> ConformanceRun:
    catalogue = Catalogue(PROFILES)
    profile = catalogue.resolve("onvif-s-core")
    entry = profile.get(REQ)
    changed = replace(entry, requirement=entry.requirement.model_copy(update={"safety": safety}))
    run = ConformanceRun(
        profile=profile,
        target=single_device_target("http://127.0.0.1:9/onvif/device_service", None, None),
        mode=mode,
        results_dir=tmp_path,
        timeout=1.0,
        known_ids=set(catalogue.requirements),
        redactor=Redactor(),
        allow_destructive=allow,
    )
    run.profile = _Patched(profile, changed)  # type: ignore[assignment]
    return run


class _Patched:
    """The profile with one entry's safety class changed (no shipped requirement is destructive
    yet)."""

    def __init__(self, profile: Any, entry: Any) -> None:
        self._profile, self._entry = profile, entry

    def get(self, req_id: str) -> Any:
        return self._entry if req_id == self._entry.id else self._profile.get(req_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._profile, name)


def _skip_reason(run: ConformanceRun) -> str | None:
    item = _Item()
    run.pytest_collection_modifyitems([item])  # type: ignore[list-item]
    return item.added[0].mark.kwargs["reason"] if item.added else None


@pytest.mark.parametrize(
    ("safety", "mode", "allow", "expected"),
    [
        ("passive", "passive", False, None),
        ("intrusive", "passive", False, "not_tested: ONVIF-DEV-TIME-01 changes device settings"),
        ("intrusive", "lab", False, None),
        ("destructive", "passive", True, "not_tested: ONVIF-DEV-TIME-01 is destructive"),
        ("destructive", "lab", False, "not_tested: ONVIF-DEV-TIME-01 is destructive"),
        ("destructive", "lab", True, None),
    ],
)
def test_safety_gate(tmp_path: Path, safety: str, mode: str, allow: bool, expected: str) -> None:
    reason = _skip_reason(_run(tmp_path, safety, mode, allow))
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(expected), reason
        assert "--allow-destructive" in reason or safety == "intrusive"


def test_cli_passes_the_flag(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["run", "--profile", "onvif-s-core", "--device", "http://127.0.0.1:9/", "--mode", "lab"]
    )
    assert "--allow-destructive" not in pytest_args(args, tmp_path)
    args.allow_destructive = True
    assert "--allow-destructive" in pytest_args(args, tmp_path)
