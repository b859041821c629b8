"""The counting rule over a real self-test run: the known-good simulated camera and a persona,
each hosted and audited by the suite in its own process, as `cctv-conformance selftest` does.

What counts is what the simulator's operation log shows it served and the verdict's evidence
rests on, never what a requirement cites: a case whose procedure needs an operation no check
sent stays "not implemented".
"""

from __future__ import annotations

from pathlib import Path

from conformance.catalogue import load_catalogue
from conformance.coverage.catalogue import DeviceTestCase
from conformance.coverage.model import Status, classify
from conformance.coverage.selftest_record import record_of
from conformance.selftest import GOOD, good_case, persona_case, run_cases
from fake_vms.personas import PERSONAS

CORE = "onvif-s-core"
TIME = "ONVIF-DEV-TIME-01"


def _case(case_id: str, *operations: str) -> DeviceTestCase:
    return DeviceTestCase(case_id, case_id, "Base", ("S",), True, "", operations)


def test_only_served_operations_of_broken_requirements_count(tmp_path: Path) -> None:
    resolved = load_catalogue().resolve(CORE)
    cases = [
        good_case(resolved, 10.0),
        persona_case(PERSONAS["time-needs-auth"], resolved, full=False, timeout=10.0),
    ]
    good, persona = run_cases(cases, tmp_path, jobs=2, reruns=0)
    assert good.ok and persona.ok, (good.problems, persona.problems)
    assert "GetSystemDateAndTime" in good.served  # the simulator's own operation log
    assert "SetSystemDateAndTime" not in good.served  # the run never set the clock

    record = record_of(cases, [good, persona], GOOD)
    assert "GetSystemDateAndTime" in record.of(TIME).operations
    assert record.of(TIME).broken_by == {persona.persona}
    assert record.of(TIME).operations <= good.served

    served_case = _case("DEVICE-X-1", "GetSystemDateAndTime")
    never_served = _case("DEVICE-X-2", "GetSystemDateAndTime", "SetSystemDateAndTime")
    coverage = classify([served_case, never_served], {TIME: ("DEVICE-X-1", "DEVICE-X-2")}, record)
    implemented, missing = coverage.statuses
    assert implemented.status is Status.IMPLEMENTED and implemented.requirements == (TIME,)
    assert missing.status is Status.NOT_IMPLEMENTED
    assert "SetSystemDateAndTime" in missing.why

    # A requirement the known-good camera passes but no persona of this run breaks counts for
    # nothing, whatever it exercised.
    unbroken = next(
        rid for rid, obs in record.requirements.items() if obs.operations and not obs.broken_by
    )
    operation = sorted(record.of(unbroken).operations)[0]
    cited = classify([_case("DEVICE-X-3", operation)], {unbroken: ("DEVICE-X-3",)}, record)
    assert cited.statuses[0].status is Status.NOT_IMPLEMENTED
