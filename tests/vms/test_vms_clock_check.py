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
    play = T  # the VMS's session began playing (UTC, from the camera's session list)
    assert clock_problems("vms", T + timedelta(seconds=1.2), play, 600.0, 1.0, 2.0) == []
    camera = clock_problems("camera", T + timedelta(seconds=601.3), play, 600.0, 1.0, 2.0)
    assert camera == []
    wrong = clock_problems("vms", T + timedelta(seconds=601), play, 600.0, 1.0, 2.0)
    assert wrong and "+600.0 s from where the VMS's clock puts it" in wrong[0]
    # A VMS whose own clock is 10 s ahead shows it on the good pair too: not this check's.
    assert clock_problems("vms", T + timedelta(seconds=11), play, 600.0, 10.5, 2.0) == []
    assert clock_problems(None, T, play, 600.0, 1.0, 2.0) == [
        "the export does not state which clock its times follow"
    ]
