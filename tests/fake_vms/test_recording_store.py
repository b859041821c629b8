"""The recordings store: segments on disk, keyframe-aligned reads, gaps, events, retention, and
reopening a store over an earlier run's files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fake_vms.recording.store import RecordedEvent, RecordingStore, StoredAccessUnit

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FPS = 10.0


def _units(first: int, count: int, gop: int = 10) -> list[StoredAccessUnit]:
    return [
        StoredAccessUnit(
            T0 + timedelta(seconds=n / FPS),
            n,
            (n - first) % gop == 0,
            [bytes([5 if (n - first) % gop == 0 else 1]) + n.to_bytes(4, "big")],
        )
        for n in range(first, first + count)
    ]


def _store(tmp_path: Path, retention_s: float = 600.0) -> RecordingStore:
    store = RecordingStore(tmp_path, retention_s=retention_s, segment_s=1.0)
    store.create("rec-a", "cam-a", "H264", 1280, 720, FPS)
    return store


def test_gap_and_keyframe_aligned_reads(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.append_many("rec-a", _units(0, 30))  # 0.0 .. 2.9 s
    store.append_many("rec-a", _units(50, 20))  # 5.0 .. 6.9 s, after a 2 s gap
    recording = store.recording("rec-a")
    assert recording.start_utc == T0 and recording.end_utc == T0 + timedelta(seconds=6.9)
    assert recording.gaps == ((T0 + timedelta(seconds=2.9), T0 + timedelta(seconds=5)),)
    read = list(
        store.access_units("rec-a", T0 + timedelta(seconds=1.55), T0 + timedelta(seconds=5.2))
    )
    assert read[0].keyframe and read[0].frame_number == 10  # the keyframe before the start
    assert [u.frame_number for u in read][-3:] == [50, 51, 52]
    assert all(a.time_utc < b.time_utc for a, b in zip(read, read[1:], strict=False))


def test_events_and_reopen(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.append_many("rec-a", _units(0, 20))
    store.add_event("rec-a", RecordedEvent(T0 + timedelta(seconds=1), "tns1:X", {}, {"S": "1"}))
    reopened = RecordingStore(tmp_path)
    assert reopened.recordings() == store.recordings()
    assert [e.data for e in reopened.events("rec-a", T0, T0 + timedelta(seconds=2))] == [{"S": "1"}]
    assert len(list(reopened.access_units("rec-a", T0, T0 + timedelta(seconds=2)))) == 20


def test_retention_deletes_old_segments(tmp_path: Path) -> None:
    store = _store(tmp_path, retention_s=2.0)
    store.append_many("rec-a", _units(0, 60))  # 6 s in 1 s segments
    recording = store.recording("rec-a")
    assert recording.start_utc >= T0 + timedelta(seconds=3)
    assert len(list((tmp_path / "rec-a").glob("seg-*.bin"))) <= 4
