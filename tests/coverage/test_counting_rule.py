"""The counting rule of ONVIF coverage: citing a test case ID is not implementing it.

A case counts only when the requirements citing it were shown failing on a persona and together
exercised (in their evidence, and served by the simulator) every operation of its procedure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance.coverage.catalogue import DeviceTestCase
from conformance.coverage.model import Status, classify
from conformance.coverage.observed import ObservedRecord, RecordError, load_record
from conformance.coverage.selftest_record import reconcile, record_of


def _case(case_id: str, *operations: str, profiles: tuple[str, ...] = ("S",)) -> DeviceTestCase:
    return DeviceTestCase(case_id, case_id.title(), "Base", profiles, True, "", operations)


def _record(**observed: tuple[set[str], set[str]]) -> ObservedRecord:
    record = ObservedRecord()
    for rid, (operations, personas) in observed.items():
        record.note_known_good(
            [{"id": rid, "outcome": "pass", "operations": operations}], operations
        )
        for persona in personas:
            record.note_broken(persona, rid)
    return record


def test_cited_case_whose_operations_were_never_exercised_is_not_implemented() -> None:
    case = _case("DEVICE-1-1-1", "GetServices", "GetServiceCapabilities")
    record = _record(R1=({"GetServices"}, {"persona-a"}))
    status = classify([case], {"R1": ("DEVICE-1-1-1",)}, record).statuses[0]
    assert status.status is Status.NOT_IMPLEMENTED
    assert "GetServiceCapabilities" in status.why and "R1" in status.why


def test_cited_case_no_persona_breaks_is_not_implemented() -> None:
    case = _case("DEVICE-1-1-1", "GetServices")
    record = _record(R1=({"GetServices"}, set()))
    status = classify([case], {"R1": ("DEVICE-1-1-1",)}, record).statuses[0]
    assert status.status is Status.NOT_IMPLEMENTED and "no persona" in status.why


def test_exercised_and_broken_counts_and_names_the_requirements() -> None:
    case = _case("DEVICE-1-1-1", "GetServices", "GetServiceCapabilities")
    record = _record(
        R1=({"GetServices"}, {"persona-a"}),
        R2=({"device:GetServiceCapabilities", "GetCapabilities"}, {"persona-b"}),
        R3=({"GetDeviceInformation"}, {"persona-c"}),
    )
    citations = {"R1": ("DEVICE-1-1-1",), "R2": ("DEVICE-1-1-1",), "R3": ("DEVICE-1-1-1",)}
    coverage = classify([case], citations, record)
    status = coverage.statuses[0]
    assert status.status is Status.IMPLEMENTED and status.requirements == ("R1", "R2")
    assert coverage.first_line() == (
        "1 of 1 applicable ONVIF device test cases implemented (100 %); 1 cases in all"
    )


def test_uncited_undetermined_and_other_profiles() -> None:
    cases = [
        _case("A-1-1-1", "GetServices"),
        _case("A-1-1-2"),
        _case("A-1-1-3", "GetRecordings", profiles=("G",)),
        DeviceTestCase("A-1-1-4", "Q only", "Base", ("S",), False, "Profile Q only", ()),
    ]
    record = _record(R1=({"GetServices", "GetRecordings"}, {"p"}))
    citations = {"R1": ("A-1-1-2", "A-1-1-3")}
    coverage = classify(cases, citations, record, onvif_profiles=("S",))
    statuses = {s.case.id: s for s in coverage.statuses}
    assert statuses["A-1-1-1"].why == "no requirement checks it yet"
    assert "not determined" in statuses["A-1-1-2"].why
    assert statuses["A-1-1-3"].status is Status.NOT_APPLICABLE  # G only, counting S
    assert statuses["A-1-1-4"].why == "Profile Q only"
    assert coverage.first_line().startswith("0 of 2 applicable")


# -- the record built from self-test cases --------------------------------------------------


@dataclass
class _Result:
    persona: str
    rows: list[dict]
    served: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def test_record_counts_only_served_operations_and_as_expected_breaks() -> None:
    good = _Result(
        "good",
        [
            {"id": "R1", "outcome": "pass", "operations": ["GetServices", "GetWsdlUrl"]},
            {"id": "R2", "outcome": "fail", "operations": ["GetProfiles"]},
        ],
        served={"GetServices", "GetProfiles"},  # GetWsdlUrl only in a transcript: not served
    )
    breaker = _Result("breaker", [{"id": "R1", "outcome": "fail", "operations": []}])
    crashed = _Result("crashed", [{"id": "R2", "outcome": "fail"}], problems=["exit 3"])
    cases = [
        SimpleNamespace(hostile=False, breaks=frozenset()),
        SimpleNamespace(hostile=False, breaks=frozenset({"R1"})),
        SimpleNamespace(hostile=False, breaks=frozenset({"R2"})),
    ]
    record = record_of(cases, [good, breaker, crashed], "good")
    assert record.of("R1").operations == {"GetServices"}
    assert record.of("R1").broken_by == {"breaker"}
    assert record.of("R2").operations == set() and record.of("R2").broken_by == set()


def test_committed_record_may_not_claim_more_than_a_run_saw(tmp_path: Path) -> None:
    path = tmp_path / "coverage-observed.yaml"
    _record(R1=({"GetServices", "GetCapabilities"}, {"p"})).write(path)
    assert load_record(path).of("R1").operations == {"GetServices", "GetCapabilities"}
    problems = reconcile(_record(R1=({"GetServices"}, {"p"})), write=False, path=path)
    assert problems and "GetCapabilities" in problems[0] and "--write-coverage" in problems[0]
    assert (
        reconcile(_record(R1=({"GetServices", "GetCapabilities", "X"}, {"p", "q"})), False, path)
        == []
    )


def test_unreadable_record_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "coverage-observed.yaml"
    path.write_text("requirements:\n  R1: [GetServices]\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"coverage-observed.yaml: requirements.R1"):
        load_record(path)


def test_served_names_plain_http_gets_as_onvif_does_but_not_the_tunnel() -> None:
    from conformance.coverage.observed import served_operations
    from fake_vms.oplog import Operation

    def entry(protocol: str, operation: str) -> Operation:
        return Operation(0.0, "cam", protocol, operation, True, "200")

    tunnel = [entry("http", "GET /rtsp-over-http/stream1"), entry("rtsp", "DESCRIBE")]
    assert served_operations(tunnel) == {"GET /rtsp-over-http/stream1", "DESCRIBE"}
    snapshot = [*tunnel, entry("http", "GET /onvif/snapshot")]
    assert "HTTP GET" in served_operations(snapshot)


def test_an_operation_several_services_declare_counts_only_from_the_cases_service() -> None:
    """A Receiver case is not exercised because the Media service answered the same name."""
    receiver = DeviceTestCase(
        "RECEIVER-1-1-1", "t", "Receiver", ("G",), True, "", ("GetServiceCapabilities",)
    )
    ptz = DeviceTestCase("PTZ-1-1-1", "t", "PTZ", ("S",), True, "", ("GetProfiles",))
    record = _record(
        R1=({"GetServiceCapabilities", "media:GetServiceCapabilities"}, {"p"}),
        R2=({"GetProfiles", "media2:GetProfiles"}, {"p"}),
    )
    citations = {"R1": ("RECEIVER-1-1-1",), "R2": ("PTZ-1-1-1",)}
    first, second = classify([receiver, ptz], citations, record).statuses
    assert first.status is Status.NOT_IMPLEMENTED
    assert "receiver:GetServiceCapabilities" in first.why
    assert second.status is Status.IMPLEMENTED  # PTZ declares no GetProfiles: any service's


def test_served_qualifies_soap_operations_by_their_service() -> None:
    from conformance.coverage.observed import served_operations
    from fake_vms.oplog import Operation

    media2 = "http://www.onvif.org/ver20/media/wsdl"
    entry = Operation(0.0, "cam", "onvif", "GetProfiles", True, "200", media2)
    assert served_operations([entry]) == {"GetProfiles", "media2:GetProfiles"}
