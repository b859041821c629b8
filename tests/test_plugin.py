"""The pytest plugin: requirement markers, profile selection and the six outcomes.

The plugin is what makes a pytest result a conformance verdict, so it is tested by running real
pytest sessions on small fake conformance test files (in subprocesses: the catalogue is cached
per process, and each run needs its own profiles directory). One shared run against a simulated
camera checks the outcome mapping, the journal, junit.xml and results.json together; separate
small runs check what must stop a run at collection.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.catalogue import Catalogue
from conformance.outcomes import Outcome
from conformance.plugin import SUITES_DIR, ConformanceRun
from conformance.redaction import Redactor
from conformance.targets import single_device_target
from fake_vms.host import SimulatorThread, write_ready_file
from fake_vms.personas import get_persona
from fake_vms.site import CameraConfig, Site, apply_persona

pytest_plugins = ["pytester"]

PROFILES = Path(__file__).resolve().parent.parent / "profiles"
PROFILE_ID = "plugin-test"

# Each fake test checks one requirement so results.json shows each outcome on its own row.
PROFILE = {
    "id": PROFILE_ID,
    "version": "1",
    "title": "Plugin self-test",
    "requirements": [
        {"id": "ONVIF-DEV-TIME-01"},
        {"id": "ONVIF-DEV-TIME-02", "parameters": {"max_clock_skew_s": 1.5}},
        {"id": "ONVIF-DEV-INFO-01"},
        {"id": "ONVIF-DEV-SVC-01"},
        {"id": "ONVIF-DEV-XADDR-01"},
        {"id": "ONVIF-DEV-SCOPES-01"},
        {"id": "ONVIF-DEV-AUTH-01"},  # no fake test implements it
        {"id": "ONVIF-MEDIA-SNAP-01", "level": "conditional"},
        {"id": "ONVIF-MEDIA-PROF-01"},
        {"id": "ONVIF-MEDIA-ENC-01"},
        {"id": "ONVIF-MEDIA-URI-01"},
    ],
}

FAKE_TESTS = textwrap.dedent(
    '''
    """Fake conformance tests, one per outcome the plugin must produce."""
    import pytest

    from conformance.outcomes import not_tested

    @pytest.mark.requirement("ONVIF-DEV-TIME-01")
    def test_assertion_fails(device, evidence):
        evidence.measure("offset_s", 99)
        evidence.attach_text("reply", "<GetSystemDateAndTimeResponse/>")
        assert False, "clock is 99 s off"

    @pytest.mark.requirement("ONVIF-DEV-TIME-02")
    def test_measured_passes(device, evidence, params, conformance_run):
        assert params == {"max_clock_skew_s": 1.5}
        assert conformance_run.profile.id == "plugin-test"
        evidence.measure("offset_s", 0.2)
        evidence.attach_text("reply", "<GetSystemDateAndTimeResponse/>")

    @pytest.mark.requirement("ONVIF-DEV-INFO-01")
    def test_unreachable(device, evidence):
        raise ConnectionError("connection refused")

    @pytest.mark.requirement("ONVIF-DEV-SVC-01")
    def test_suite_bug(device, evidence):
        raise ValueError("bug in the check")

    @pytest.mark.requirement("ONVIF-DEV-XADDR-01")
    def test_not_tested(device, evidence):
        not_tested("needs a second network interface")

    @pytest.mark.requirement("ONVIF-DEV-SCOPES-01")
    def test_passes_without_evidence(device, evidence):
        pass

    @pytest.mark.requirement("ONVIF-MEDIA-SNAP-01")
    def test_conditional_snapshot(device, evidence):
        evidence.measure("ran", True)

    def _unreadable():
        from conformance.clients.onvif import OnvifProtocolError

        raise OnvifProtocolError("GetProfiles reply is unreadable")

    @pytest.mark.requirement("ONVIF-MEDIA-PROF-01")
    def test_blocked_by_cached_failure(device, evidence):
        device.cached("fake-profiles", _unreadable, judge="ONVIF-DEV-TIME-01")

    @pytest.mark.requirement("ONVIF-MEDIA-ENC-01")
    def test_blocked_outside_profile(device, evidence):
        device.cached("fake-schema", _unreadable, judge="ONVIF-DEV-SCHEMA-01")

    @pytest.mark.requirement("ONVIF-MEDIA-URI-01")
    def test_fails_without_evidence_file(device, evidence):
        evidence.measure("uri", "rtsp://example/")
        assert False, "the URI is wrong"

    @pytest.mark.requirement("STREAM-FPS-01")
    def test_not_in_profile(device, evidence):
        evidence.measure("ran", True)

    def test_plain_helper_test():
        """Outside the suites directory an unmarked test is an ordinary test."""
    '''
)

# nodeid suffix -> (outcome, cause, reason fragment)
EXPECTED = {
    "test_assertion_fails": (Outcome.FAIL, "device_fault", "clock is 99 s off"),
    "test_measured_passes": (Outcome.PASS, "passed", ""),
    "test_unreachable": (Outcome.INCONCLUSIVE, "unreachable", "ConnectionError"),
    "test_suite_bug": (Outcome.INCONCLUSIVE, "suite_error", "ValueError: bug in the check"),
    "test_not_tested": (Outcome.NOT_TESTED, "skipped", "needs a second network interface"),
    "test_passes_without_evidence": (
        Outcome.INCONCLUSIVE,
        "suite_error",
        "passed without attaching any evidence file",
    ),
    "test_conditional_snapshot": (Outcome.NOT_CLAIMED, "skipped", "'snapshot' is not claimed"),
    "test_blocked_by_cached_failure": (
        Outcome.INCONCLUSIVE,
        "blocked",
        "blocked by ONVIF-DEV-TIME-01: OnvifProtocolError: GetProfiles reply is unreadable",
    ),
    "test_blocked_outside_profile": (
        Outcome.INCONCLUSIVE,
        "blocked",
        "blocked by ONVIF-DEV-SCHEMA-01 (not in this profile): OnvifProtocolError",
    ),
    "test_fails_without_evidence_file": (
        Outcome.INCONCLUSIVE,
        "suite_error",
        "failed without attaching any evidence file",
    ),
}


def _profiles_copy(root: Path) -> Path:
    copy = root / "profiles"
    shutil.copytree(PROFILES, copy)
    (copy / f"{PROFILE_ID}.yaml").write_text(yaml.safe_dump(PROFILE), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def hidden_snapshot_camera(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A simulated camera whose capabilities deny snapshots (persona hidden-snapshot)."""
    camera = apply_persona(CameraConfig(name="cam"), get_persona("hidden-snapshot"))
    ready = tmp_path_factory.mktemp("sim") / "ready.json"
    with SimulatorThread(Site("plugin", (camera,))) as simulator:
        write_ready_file(ready, simulator.host.ready())
        yield ready


@dataclass
class Run:
    returncode: int
    output: str
    results: dict[str, Any]
    journal: list[dict[str, Any]]
    junit: ET.Element


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, hidden_snapshot_camera: Path) -> Run:
    """One conformance session over FAKE_TESTS, shared by the checks below (a few seconds)."""
    root = tmp_path_factory.mktemp("plugin-run")
    profiles = _profiles_copy(root)
    (root / "test_fake_suite.py").write_text(FAKE_TESTS, encoding="utf-8")
    target = root / "target.yaml"
    target.write_text(
        yaml.safe_dump(
            {
                "supplier": "S",
                "product": "P",
                "simulator": {"ready_file": str(hidden_snapshot_camera)},
                "claims": {"features": []},
            }
        ),
        encoding="utf-8",
    )
    out = root / "out"
    env = {**os.environ, "CCTV_CONFORMANCE_PROFILES": str(profiles)}
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "test_fake_suite.py",
            "-p",
            "no:cacheprovider",
            "-rs",
            "--profile",
            PROFILE_ID,
            "--target",
            str(target),
            "--results-dir",
            str(out),
            "--junitxml",
            str(out / "junit.xml"),
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert (out / "results.json").exists(), output
    journal_lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return Run(
        proc.returncode,
        output,
        json.loads((out / "results.json").read_text(encoding="utf-8")),
        [json.loads(line) for line in journal_lines],
        ET.parse(out / "junit.xml").getroot(),
    )


def _by_test(run: Run) -> dict[str, dict[str, Any]]:
    return {r["nodeid"].split("::")[-1].split("[")[0]: r for r in run.journal}


@pytest.mark.parametrize("test_name", list(EXPECTED))
def test_outcome_mapping(run: Run, test_name: str) -> None:
    """Each way a check can end maps to exactly one of the six outcomes, with its cause."""
    outcome, cause, reason = EXPECTED[test_name]
    record = _by_test(run)[test_name]
    assert (record["outcome"], record["cause"]) == (outcome.value, cause), record
    assert reason in record["reason"]
    assert record["device"] == "cam"


def test_journal_has_one_line_per_test(run: Run) -> None:
    """The journal survives a crash mid-run: one JSON line per test of a profile requirement,
    in run order, none twice (tests outside the profile are reported by junit.xml only)."""
    nodeids = [r["nodeid"] for r in run.journal]
    assert nodeids == [f"test_fake_suite.py::{name}[cam]" for name in EXPECTED]
    assert "test_not_in_profile" not in " ".join(nodeids)
    assert "test_plain_helper_test" not in " ".join(nodeids)  # not a conformance test
    assert run.returncode == 1, run.output  # pytest saw real failures


def test_not_in_profile_is_deselected(run: Run) -> None:
    """Tests of requirements outside the profile are no outcome of the run: deselected (pytest
    says how many), absent from junit.xml, the journal and results.json, never a skipped test."""
    cases = {c.get("name"): c for c in run.junit.iter("testcase")}
    assert "test_not_in_profile[cam]" not in cases
    assert "1 deselected" in run.output
    # The helper test ran normally alongside.
    assert cases["test_plain_helper_test"].find("skipped") is None


def test_results_json_rows(run: Run) -> None:
    """Every profile requirement has a row; unimplemented ones say so; claimed is not a pass."""
    (device,) = run.results["devices"]
    rows = {r["id"]: r for r in device["requirements"]}
    assert list(rows) == [e["id"] for e in PROFILE["requirements"]]
    assert "STREAM-FPS-01" not in rows
    auth = rows["ONVIF-DEV-AUTH-01"]
    assert (auth["outcome"], auth["reason"]) == (
        "not_tested",
        "no test implements this requirement yet",
    )
    assert auth["tests"] == []
    snapshot = rows["ONVIF-MEDIA-SNAP-01"]
    assert snapshot["outcome"] == "not_claimed"
    assert "device reports it not supported" in snapshot["reason"]
    assert rows["ONVIF-DEV-TIME-02"]["outcome"] == "pass"
    assert rows["ONVIF-DEV-TIME-02"]["measured"] == {"offset_s": 0.2}
    assert rows["ONVIF-DEV-TIME-02"]["parameters"] == {"max_clock_skew_s": 1.5}
    assert rows["ONVIF-DEV-SCOPES-01"]["outcome"] == "inconclusive"  # zero evidence
    assert rows["ONVIF-MEDIA-PROF-01"]["blocked_by"] == "ONVIF-DEV-TIME-01"
    assert rows["ONVIF-MEDIA-ENC-01"]["blocked_by"] == "ONVIF-DEV-SCHEMA-01"
    assert rows["ONVIF-MEDIA-URI-01"]["blocked_by"] == ""
    assert device["root_causes"] == {
        "ONVIF-DEV-SCHEMA-01": ["ONVIF-MEDIA-ENC-01"],
        "ONVIF-DEV-TIME-01": ["ONVIF-MEDIA-PROF-01"],
    }
    assert run.results["verdict"] == "error"  # a suite_error invalidates the run
    assert sum(run.results["counts"].values()) == len(PROFILE["requirements"])


def test_unknown_requirement_id_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo in a requirement marker stops collection, naming the test and the bad ID."""
    monkeypatch.setenv("CCTV_CONFORMANCE_PROFILES", str(_profiles_copy(pytester.path)))
    pytester.makepyfile(
        test_typo="""
        import pytest

        @pytest.mark.requirement("ONVIF-DEV-TIEM-01")
        def test_typo(device, evidence):
            evidence.measure("x", 1)
        """
    )
    target = pytester.path / "target.yaml"
    target.write_text(
        "supplier: S\nproduct: P\ndevices:\n"
        "  - {name: cam, onvif: 'http://127.0.0.1:9/onvif/device_service'}\n",
        encoding="utf-8",
    )
    result = pytester.runpytest_subprocess(
        "--profile", PROFILE_ID, "--target", str(target), "--results-dir", "out"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stderr.str() + result.stdout.str()
    assert "test_typo.py::test_typo[cam]: unknown requirement ID 'ONVIF-DEV-TIEM-01'" in text
    assert "Traceback" not in text


def test_bad_target_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bad input through the plugin stops pytest with the file/field message, no traceback."""
    monkeypatch.setenv("CCTV_CONFORMANCE_PROFILES", str(_profiles_copy(pytester.path)))
    target = pytester.path / "target.yaml"
    target.write_text("supplier: S\nproduct: P\ndevices: []\ncolour: red\n", encoding="utf-8")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("--profile", PROFILE_ID, "--target", str(target))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"{target}: colour: Extra inputs are not permitted" in result.stderr.str()


# -- the collection hook, for tests inside the installed suites directory -------------------------
class _FakeItem:
    """Just enough of a pytest.Item for pytest_collection_modifyitems."""

    def __init__(self, path: Path, requirement: str | None) -> None:
        self.path = path
        self.nodeid = f"{path.name}::test_x"
        self._marker = pytest.mark.requirement(requirement).mark if requirement else None
        self.added: list[pytest.MarkDecorator] = []

    def get_closest_marker(self, name: str) -> Any:
        return self._marker if name == "requirement" else None

    def add_marker(self, marker: pytest.MarkDecorator) -> None:
        self.added.append(marker)


@pytest.fixture
def conformance_run(tmp_path: Path) -> ConformanceRun:
    catalogue = Catalogue(PROFILES)
    return ConformanceRun(
        profile=catalogue.resolve("onvif-s-core"),
        target=single_device_target("http://127.0.0.1:9/onvif/device_service", None, None),
        mode="passive",
        results_dir=tmp_path,
        timeout=1.0,
        known_ids=set(catalogue.requirements),
        redactor=Redactor(),
    )


def test_suite_test_without_marker_is_an_error(conformance_run: ConformanceRun) -> None:
    """In conformance/suites every test must name its requirement (pytester cannot put files
    there, so the hook is driven directly)."""
    unmarked = _FakeItem(SUITES_DIR / "device" / "test_new.py", None)
    elsewhere = _FakeItem(Path("/elsewhere/test_helper.py"), None)
    with pytest.raises(pytest.UsageError) as caught:
        conformance_run.pytest_collection_modifyitems([elsewhere, unmarked])
    assert "test_new.py::test_x: conformance test has no requirement marker" in str(caught.value)
    assert "test_helper" not in str(caught.value)


def test_collection_deselects_out_of_profile_tests(conformance_run: ConformanceRun) -> None:
    """Out-of-profile tests are removed from the items (deselected), without a marker; in-profile
    ones are recorded as implementing their requirement."""
    inside = _FakeItem(SUITES_DIR / "device" / "test_a.py", "ONVIF-DEV-TIME-01")
    outside = _FakeItem(SUITES_DIR / "streaming" / "test_b.py", "STREAM-FPS-01")
    plain = _FakeItem(Path("/elsewhere/test_helper.py"), None)
    items: list[Any] = [inside, outside, plain]
    conformance_run.pytest_collection_modifyitems(items)
    assert items == [inside, plain]
    assert inside.added == [] and plain.added == [] and outside.added == []
    assert conformance_run.implemented == {"ONVIF-DEV-TIME-01": [inside.nodeid]}
