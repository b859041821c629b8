"""The ONVIF device test-case catalogue (profiles/onvif/device-tests.yaml) and its importer.

The catalogue is generated, then hand-corrected through overrides; these tests keep both honest:
it loads, its IDs are unique, every exclusion says why, every operation is a real ONVIF operation
(or an RTSP method or one of a few named extras), and the importer still reproduces it exactly.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from conformance.coverage.catalogue import (
    DeviceTestCase,
    index_by_id,
    load_device_tests,
    missing_ids,
)
from conformance.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "profiles" / "onvif" / "device-tests.yaml"
IMPORTER = ROOT / "tools" / "import_onvif_test_index.py"
INDEX = ROOT.parent / "shared" / "research" / "onvif-device-test-index.md"  # the research notes
RTSP_METHODS = {
    "OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER",
}  # fmt: skip
EXTRAS = {"HTTP GET", "WS-Discovery Probe", "WS-Discovery Hello", "WS-Discovery Bye", "Notify"}
CITED_BUT_ABSENT = ["DEVICE-3-1-2", "MEDIA-2-1-1", "MEDIA-4-1-1", "RTSS-1-1-17", "RTSS-1-1-19"]


@pytest.fixture(scope="module")
def cases() -> list[DeviceTestCase]:
    return load_device_tests()


def wsdl_operations() -> set[str]:
    names: set[str] = set()
    for wsdl in (ROOT / "conformance" / "wsdl").rglob("*.wsdl"):
        names |= set(re.findall(r'<wsdl:operation name="(\w+)"', wsdl.read_text("utf-8")))
    return names


def test_catalogue_loads_from_the_default_path(cases: list[DeviceTestCase]) -> None:
    assert len(cases) > 900
    assert {c.spec for c in cases} >= {"Base", "Real_Time_Streaming", "Replay_Control"}
    assert all(set(c.profiles) <= {"S", "T", "G"} and c.profiles for c in cases)


def test_ids_are_unique(cases: list[DeviceTestCase]) -> None:
    assert len(index_by_id(cases)) == len(cases)


def test_every_exclusion_and_unknown_says_why(cases: list[DeviceTestCase]) -> None:
    assert all(c.reason.strip() for c in cases if not c.applicable)
    assert all(c.reason.strip() for c in cases if not c.operations)


def test_operations_are_onvif_operations_rtsp_methods_or_named_extras(
    cases: list[DeviceTestCase],
) -> None:
    allowed = wsdl_operations() | RTSP_METHODS | EXTRAS
    unknown = {(c.id, op) for c in cases for op in c.operations if op not in allowed}
    assert not unknown


def test_examples_from_the_brief(cases: list[DeviceTestCase]) -> None:
    by_id = index_by_id(cases)
    assert by_id["DEVICE-1-1-19"].operations == ("GetServices", "GetServiceCapabilities")
    keepalive = ("GetProfiles", "GetStreamUri", "DESCRIBE", "SETUP", "PLAY", "SET_PARAMETER")
    assert by_id["RTSS-1-1-32"].operations == (*keepalive, "TEARDOWN")


def test_ids_cited_but_absent_from_the_index_are_reported(cases: list[DeviceTestCase]) -> None:
    """The five IDs the requirements cited when this catalogue was built are not in the index
    (the requirements are being corrected separately, so today's citations are checked apart)."""
    assert missing_ids(["RTSS-1-1-32", *CITED_BUT_ABSENT, "MEDIA-2-1-1"]) == CITED_BUT_ABSENT
    cited: list[str] = []
    for path in sorted((ROOT / "profiles" / "requirements").glob("*.yaml")):
        for req in yaml.safe_load(path.read_text("utf-8")).get("requirements", []):
            cited += req.get("onvif_tests", [])
    missing = missing_ids(cited, cases)
    by_id = index_by_id(cases)
    assert all(case_id not in by_id for case_id in missing)
    assert all(case_id in by_id for case_id in set(cited) - set(missing))


def test_a_hand_edit_error_names_file_case_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "device-tests.yaml"
    case = {"id": "DEVICE-1-1-19", "title": "T", "spec": "Base", "profiles": ["S", "Q"]}
    case |= {"applicable": True, "reason": "", "operations": ["GetServices"]}
    unexplained = case | {"id": "DEVICE-1-1-18", "profiles": ["S"], "applicable": False}
    broken.write_text(yaml.safe_dump({"cases": [case, unexplained]}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_device_tests(broken)
    message = str(caught.value)
    assert str(broken) in message
    assert "cases[0] DEVICE-1-1-19.profiles[1]" in message
    assert "cases[1] DEVICE-1-1-18: " in message
    assert "reason is required when applicable is false" in message


@pytest.mark.skipif(not INDEX.is_file(), reason=f"the research index {INDEX} is not here")
def test_importer_reproduces_the_committed_yaml(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("import_onvif_test_index", IMPORTER)
    assert spec and spec.loader
    importer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(importer)
    out = tmp_path / "device-tests.yaml"
    assert importer.main(["--index", str(INDEX), "--out", str(out)]) == 0
    assert out.read_bytes() == CATALOGUE.read_bytes()
