"""VMS-CONTINUITY-01's walk: frames of consecutive recordings along the camera's own sequence
(by picture digest): continuous, duplicated at a boundary, missing inside, looping sources."""

from __future__ import annotations

from conformance.checks.vms_continuity import continuity_problems, walk
from conformance.suites.vms_ingest.continuity import consecutive_window, picture_digest

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


def test_consecutive_window_needs_touching_recordings() -> None:
    from datetime import UTC, datetime, timedelta

    from conformance.clients.vms import RecordingSegment

    t = datetime(2026, 12, 7, tzinfo=UTC)
    segs = [RecordingSegment("1", t + timedelta(seconds=a), t + timedelta(seconds=b))
            for a, b in ((0, 10), (15, 25), (25, 35), (35, 45))]  # fmt: skip
    assert [s.start for s in consecutive_window(segs, 20.0)] == [s.start for s in segs[1:3]]
    assert consecutive_window(segs, 40.0) == []
