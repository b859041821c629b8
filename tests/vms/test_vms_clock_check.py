"""VMS-CLOCK-01's check: the export's clock statement, and its times by that clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from conformance.checks.vms_clock import clock_problems, file_start, stated_clock

T = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def test_statement_and_start_are_read_from_a_json_manifest() -> None:
    text = json.dumps(
        {"clock": "vms", "files": [{"path": "a.mp4", "start_utc": "2026-12-07T03:00:00.5Z"}]}
    )
    assert stated_clock(text) == "vms"
    assert file_start(text, "a.mp4") == T + timedelta(seconds=0.5)
    assert stated_clock(json.dumps({"files": []})) is None


def test_times_are_judged_by_the_stated_clock() -> None:
    assert clock_problems("vms", T + timedelta(seconds=0.5), T, 600.0, 2.0) == []
    camera = clock_problems("camera", T + timedelta(seconds=600.4), T, 600.0, 2.0)
    assert camera == []
    wrong = clock_problems("vms", T + timedelta(seconds=600), T, 600.0, 2.0)
    assert wrong and "+600.0 s from its time by the VMS's clock (UTC)" in wrong[0]
    assert clock_problems(None, T, T, 600.0, 2.0) == [
        "the export does not state which clock its times follow"
    ]
