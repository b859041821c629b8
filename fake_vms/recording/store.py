"""The recordings store: access units of each recording in segment files on disk.

Layout under ``root``: one directory per recording token holding ``recording.json`` (codec, size,
rate, camera), ``events.jsonl`` (recorded events, one JSON object a line) and segment files
``seg-<first capture time in µs>.bin``. A segment always begins with a keyframe (with its
parameter sets), so replay from any time starts at the segment's keyframe at or before it. A
segment file is a sequence of records::

    >QQBH  capture time (µs since the Unix epoch, device clock, UTC), frame number, keyframe,
           NAL count; then per NAL: >I length and the NAL bytes (no start code)

Disk use is bounded by retention: segments whose last access unit is older than ``retention_s``
before the newest data are deleted, so each recording holds about ``retention_s`` of video
(bitrate x retention: 1.5 Mbit/s for 600 s is about 110 MB; the simulator's synthetic picture
encodes far below its nominal bitrate, typically a few MB per camera).

Gaps are not stored separately: a gap is wherever consecutive segments are further apart than
two frame periods, so what the store reports as a gap is exactly where it has no data.
"""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

_RECORD = struct.Struct(">QQBH")
_NAL_LEN = struct.Struct(">I")
_META = "recording.json"
_EVENTS = "events.jsonl"


def to_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of a tz-aware datetime."""
    return round(moment.timestamp() * 1_000_000)


def from_us(us: int) -> datetime:
    """A tz-aware UTC datetime from microseconds since the Unix epoch."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


@dataclass(frozen=True)
class StoredAccessUnit:
    """One access unit as recorded."""

    time_utc: datetime
    """Capture time (device clock), tz-aware UTC."""
    frame_number: int
    """The source frame counter (docs/frame-counter.md)."""
    keyframe: bool
    nals: list[bytes]
    """Without start codes; the SEI frame counter included; SPS/PPS(/VPS) before IDRs."""


@dataclass(frozen=True)
class RecordedEvent:
    """An event recorded with the video (motion, recording state changes)."""

    time_utc: datetime
    topic: str
    """ONVIF topic, e.g. ``tns1:RuleEngine/CellMotionDetector/Motion``."""
    source: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recording:
    """What one recording holds right now."""

    token: str
    camera: str
    codec: str
    width: int
    height: int
    fps: float
    start_utc: datetime
    end_utc: datetime
    gaps: tuple[tuple[datetime, datetime], ...]


@dataclass
class _Segment:
    path: Path
    start_us: int
    end_us: int
    count: int = 0


@dataclass
class _Track:
    meta: dict[str, object]
    segments: list[_Segment] = field(default_factory=list)
    events: list[RecordedEvent] = field(default_factory=list)
    writer: object | None = None


class RecordingStore:
    """Thread-safe store: recorders append, services and the export API read concurrently."""

    def __init__(self, root: Path, retention_s: float = 600.0, segment_s: float = 2.0) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.retention_s = retention_s
        self.segment_s = segment_s
        self._lock = threading.RLock()
        self._tracks: dict[str, _Track] = {}
        self._load()

    # --- writing ------------------------------------------------------------------------

    def create(
        self,
        token: str,
        camera: str,
        codec: str,
        width: int,
        height: int,
        fps: float,
        retention_s: float | None = None,
    ) -> None:
        """Declare a recording (idempotent); its directory and metadata are written at once.
        ``retention_s`` overrides the store's retention for this recording."""
        meta = {
            "token": token,
            "camera": camera,
            "codec": codec,
            "width": width,
            "height": height,
            "fps": fps,
            "retention_s": retention_s or self.retention_s,
        }
        with self._lock:
            directory = self.root / token
            directory.mkdir(parents=True, exist_ok=True)
            (directory / _META).write_text(json.dumps(meta), encoding="utf-8")
            track = self._tracks.get(token)
            if track is None:
                self._tracks[token] = _Track(meta)
            else:
                track.meta = meta

    def append(self, token: str, unit: StoredAccessUnit) -> None:
        """Append one access unit (see :meth:`append_many`)."""
        self.append_many(token, [unit])

    def append_many(self, token: str, units: list[StoredAccessUnit]) -> None:
        """Append access units in time order; a keyframe after ``segment_s`` (or after a gap)
        starts a new segment, and retention is applied whenever a segment is opened."""
        with self._lock:
            pending: list[bytes] = []
            segment: _Segment | None = None
            for unit in units:
                current = self._place(token, unit)
                if segment is not None and current is not segment and pending:
                    _write(segment.path, pending)
                    pending = []
                segment = current
                pending += _record(unit)
            if segment is not None and pending:
                _write(segment.path, pending)

    def _place(self, token: str, unit: StoredAccessUnit) -> _Segment:
        """The segment ``unit`` belongs to (opening a new one if due), its index updated."""
        us = to_us(unit.time_utc)
        track = self._tracks[token]
        fps = float(track.meta["fps"])  # type: ignore[arg-type]
        current = track.segments[-1] if track.segments else None
        gap = current is not None and us - current.end_us > 2_000_000 / fps
        if gap and not unit.keyframe:
            raise ValueError("recording must resume after a gap with a keyframe")
        rotate = (
            current is None
            or gap
            or (unit.keyframe and us - current.start_us >= self.segment_s * 1_000_000)
        )
        if rotate:
            if current is None and not unit.keyframe:
                raise ValueError("a recording must start with a keyframe")
            current = _Segment(self.root / token / f"seg-{us:016d}.bin", us, us)
            track.segments.append(current)
            self._apply_retention(track, us)
        current.end_us = us
        current.count += 1
        return current

    def add_event(self, token: str, event: RecordedEvent) -> None:
        """Record an event (kept in time order; persisted to ``events.jsonl``)."""
        line = {
            "time_us": to_us(event.time_utc),
            "topic": event.topic,
            "source": event.source,
            "data": event.data,
        }
        with self._lock:
            track = self._tracks[token]
            track.events.append(event)
            track.events.sort(key=lambda e: e.time_utc)
            with (self.root / token / _EVENTS).open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")

    def _apply_retention(self, track: _Track, now_us: int) -> None:
        retention = float(track.meta.get("retention_s") or self.retention_s)  # type: ignore[arg-type]
        horizon = now_us - retention * 1_000_000
        while len(track.segments) > 1 and track.segments[0].end_us < horizon:
            old = track.segments.pop(0)
            old.path.unlink(missing_ok=True)
        if track.segments:
            first = track.segments[0].start_us
            track.events = [e for e in track.events if to_us(e.time_utc) >= first]

    # --- reading ------------------------------------------------------------------------

    def recordings(self) -> list[Recording]:
        """Every recording that holds data, by token."""
        with self._lock:
            return [self._describe(t) for t in sorted(self._tracks) if self._tracks[t].segments]

    def recording(self, token: str) -> Recording:
        """One recording; KeyError if unknown or still empty."""
        with self._lock:
            track = self._tracks.get(token)
            if track is None or not track.segments:
                raise KeyError(token)
            return self._describe(token)

    def access_units(
        self, token: str, start: datetime, end: datetime
    ) -> Iterator[StoredAccessUnit]:
        """Access units from the keyframe at or before ``start`` up to ``end``, in time order."""
        start_us, end_us = to_us(start), to_us(end)
        with self._lock:
            track = self._tracks.get(token)
            if track is None:
                raise KeyError(token)
            chosen = [s for s in track.segments if s.end_us >= start_us and s.start_us <= end_us]
            if chosen and chosen[0].start_us > start_us:
                earlier = [s for s in track.segments if s.start_us <= start_us]
                if earlier and earlier[-1] is not chosen[0]:
                    chosen.insert(0, earlier[-1])
            snapshot = [(s.path, s.count) for s in chosen]
        pending: list[StoredAccessUnit] = []
        for path, count in snapshot:
            for unit in _read_segment(path, count):
                us = to_us(unit.time_utc)
                if us > end_us:
                    return
                if us <= start_us:
                    if unit.keyframe:
                        pending = [unit]
                    elif pending:
                        pending.append(unit)
                    continue
                if pending:
                    yield from pending
                    pending = []
                yield unit
        yield from pending

    def events(self, token: str, start: datetime, end: datetime) -> list[RecordedEvent]:
        """Recorded events with start <= time <= end, in time order."""
        with self._lock:
            track = self._tracks.get(token)
            if track is None:
                raise KeyError(token)
            return [e for e in track.events if start <= e.time_utc <= end]

    def _describe(self, token: str) -> Recording:
        track = self._tracks[token]
        meta = track.meta
        fps = float(meta["fps"])  # type: ignore[arg-type]
        gaps = []
        for before, after in zip(track.segments, track.segments[1:], strict=False):
            if after.start_us - before.end_us > 2_000_000 / fps:
                gaps.append((from_us(before.end_us), from_us(after.start_us)))
        return Recording(
            token=token,
            camera=str(meta["camera"]),
            codec=str(meta["codec"]),
            width=int(meta["width"]),  # type: ignore[call-overload]
            height=int(meta["height"]),  # type: ignore[call-overload]
            fps=fps,
            start_utc=from_us(track.segments[0].start_us),
            end_utc=from_us(track.segments[-1].end_us),
            gaps=tuple(gaps),
        )

    def _load(self) -> None:
        """Pick up recordings already on disk (a store reopened over an earlier run)."""
        for meta_path in sorted(self.root.glob(f"*/{_META}")):
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            track = _Track(meta)
            for path in sorted(meta_path.parent.glob("seg-*.bin")):
                units = list(_read_segment(path, None))
                if units:
                    track.segments.append(
                        _Segment(
                            path, to_us(units[0].time_utc), to_us(units[-1].time_utc), len(units)
                        )
                    )
            events_path = meta_path.parent / _EVENTS
            if events_path.exists():
                for line in events_path.read_text(encoding="utf-8").splitlines():
                    raw = json.loads(line)
                    track.events.append(
                        RecordedEvent(
                            from_us(raw["time_us"]), raw["topic"], raw["source"], raw["data"]
                        )
                    )
            self._tracks[str(meta["token"])] = track


def _record(unit: StoredAccessUnit) -> list[bytes]:
    us = to_us(unit.time_utc)
    parts = [_RECORD.pack(us, unit.frame_number, int(unit.keyframe), len(unit.nals))]
    for nal in unit.nals:
        parts += [_NAL_LEN.pack(len(nal)), nal]
    return parts


def _write(path: Path, parts: list[bytes]) -> None:
    with path.open("ab") as handle:
        handle.write(b"".join(parts))


def _read_segment(path: Path, count: int | None) -> Iterator[StoredAccessUnit]:
    """Up to ``count`` records of a segment (None: all complete ones); a vanished file (retention
    deleted it meanwhile) reads as empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    offset = 0
    read = 0
    while offset + _RECORD.size <= len(data) and (count is None or read < count):
        us, frame, key, nal_count = _RECORD.unpack_from(data, offset)
        offset += _RECORD.size
        nals = []
        for _ in range(nal_count):
            (length,) = _NAL_LEN.unpack_from(data, offset)
            offset += _NAL_LEN.size
            nals.append(data[offset : offset + length])
            offset += length
        if offset > len(data):
            return
        read += 1
        yield StoredAccessUnit(from_us(us), frame, bool(key), nals)
