"""VMS-RECOVERY-01's checks on recorded values: the gap shown at the drop, nothing claimed of
the outage, resumption within the bound, and an export that keeps the gap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conformance.checks.vms_recovery import ExportedTimeline, export_gap_problems, recovery_problems

T0 = datetime(2026, 12, 7, 3, 0, 0, tzinfo=UTC)


def _at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def test_zoneminder_like_recovery_passes() -> None:
    spans = [(_at(0), _at(10)), (_at(10), _at(12)), (_at(23), _at(39))]
    assert recovery_problems(_at(12.4), _at(22.4), spans, 1.0, 10.0) == []


def test_gap_papered_over_and_late_resume_fail() -> None:
    bridged = [(_at(0), _at(30))]
    problems = recovery_problems(_at(12), _at(22), bridged, 1.0, 10.0)
    assert any("claims 10.0 s of the 10 s outage" in p for p in problems)
    late = [(_at(0), _at(12)), (_at(45), _at(50))]
    assert recovery_problems(_at(12), _at(22), late, 1.0, 10.0) == [
        "recording resumed 23.0 s after the camera returned (allowed 10 s)"
    ]


def test_export_keeps_or_bridges_the_gap() -> None:
    two = [ExportedTimeline("a.mp4", 3.0, 0.04), ExportedTimeline("b.mp4", 5.0, 0.04)]
    assert export_gap_problems(two, 10.0, 1.0) == []
    jump = [ExportedTimeline("a.mp4", 18.0, 9.6)]
    assert export_gap_problems(jump, 10.0, 1.0) == []
    bridged = export_gap_problems([ExportedTimeline("a.mp4", 8.0, 0.04)], 10.0, 1.0)
    assert bridged and "the gap is bridged" in bridged[0]


def test_whole_second_times_are_compared_as_the_vms_states_them() -> None:
    spans = [(_at(0), _at(12)), (_at(23), _at(39))]  # ZoneMinder: whole seconds, truncated
    assert recovery_problems(_at(13.02), _at(23.02), spans, 1.0, 10.0, 1.0) == []
    assert recovery_problems(_at(13.02), _at(23.02), spans, 1.0, 10.0) == [
        "recording stopped 1.0 s before the camera dropped out (allowed 1 s)"
    ]


def test_a_file_of_a_recording_wholly_after_the_return_cannot_bridge() -> None:
    after_only = [ExportedTimeline("after.mp4", 3.0, 0.04)]
    assert export_gap_problems(after_only, 10.0, 1.0, recorded_apart=["after.mp4"]) == []
    assert export_gap_problems(after_only, 10.0, 1.0)  # unattributed: judged as bridging
