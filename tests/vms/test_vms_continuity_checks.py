"""VMS-CONTINUITY-01's walk: frames of consecutive recordings along the camera's own sequence
(by picture digest): continuous, duplicated at a boundary, missing inside, looping sources."""

from __future__ import annotations

from conformance.checks.vms_continuity import continuity_problems, walk, walk_runs
from conformance.suites.vms_ingest.continuity import (
    picture_digest,
    recording_window,
    touching_runs,
)

REFERENCE = [f"f{i}" for i in range(100)]


def test_continuous_recordings_pass() -> None:
    files = [("a", REFERENCE[10:40]), ("b", REFERENCE[40:70])]
    result = walk(REFERENCE, files)
    assert (result.matched, result.duplicated, result.missing) == (60, 0, 0)
    assert continuity_problems(result, "recordings") == []


def test_duplicates_and_holes_are_counted() -> None:
    overlap = walk(REFERENCE, [("a", REFERENCE[10:40]), ("b", REFERENCE[38:60])])
    assert overlap.duplicated == 2 and overlap.missing == 0
    hole = walk(REFERENCE, [("a", REFERENCE[10:40]), ("b", REFERENCE[43:60])])
    assert hole.missing == 3 and hole.duplicated == 0
    problems = continuity_problems(hole, "recordings")
    assert problems == ["3 missing frame(s) across the recordings (first: b frame 0: 3 frame(s) "
                        "missing before it)"]  # fmt: skip
    inside = walk(REFERENCE, [("a", REFERENCE[10:20] + REFERENCE[22:40]), ("b", REFERENCE[40:50])])
    assert (inside.missing, inside.duplicated) == (0, 0)  # inside one recording: VMS-MEDIA-01


def test_a_looping_source_is_walked_within_half_its_period() -> None:
    loop = [f"p{i % 50}" for i in range(400)]  # pictures repeat every 50 frames
    files = [("a", loop[0:75]), ("b", loop[75:150]), ("c", loop[150:225])]
    result = walk(loop, files)
    assert (result.duplicated, result.missing, result.unknown) == (0, 0, 0)
    again = walk(loop, [("a", loop[0:75]), ("b", loop[74:150])])
    assert again.duplicated == 1


def test_picture_digest_ignores_sei_and_parameter_sets_in_both_framings() -> None:
    sps, sei, idr = b"\x67\x42\x00\x1f", b"\x06\x05\x10counter", b"\x65\x88\x84\x80"
    annexb = b"".join(b"\x00\x00\x00\x01" + n for n in (sps, sei, idr))
    avcc = b"".join(len(n).to_bytes(4, "big") + n for n in (idr,))
    assert picture_digest(annexb, "h264") == picture_digest(avcc, "h264")


def test_window_and_runs_split_at_reported_holes() -> None:
    from datetime import UTC, datetime, timedelta

    from conformance.clients.vms import RecordingSegment

    t = datetime(2026, 12, 7, tzinfo=UTC)
    segs = [RecordingSegment("1", t + timedelta(seconds=a), t + timedelta(seconds=b))
            for a, b in ((0, 10), (15, 25), (25, 35), (35, 45))]  # fmt: skip
    window = recording_window(segs, 30.0)
    assert window == segs[:3]
    assert [len(r) for r in touching_runs(window)] == [1, 2]
    assert recording_window(segs, 60.0) == []


def test_a_hole_between_runs_is_not_counted_as_missing() -> None:
    runs = [[("a", REFERENCE[10:40])], [("b", REFERENCE[50:70]), ("c", REFERENCE[70:80])]]
    result = walk_runs(REFERENCE, runs)
    assert (result.matched, result.duplicated, result.missing) == (60, 0, 0)
