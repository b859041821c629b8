"""The simulated VMS as the cameras' RTSP client: one capture thread per ingested camera.

Like ZoneMinder's FFmpeg capture, each thread opens the camera's stream with FFmpeg (PyAV),
demuxes it (no decoding) and records every access unit into the VMS's recordings store. The
capture time of a unit is the wall-clock time of the session's first packet plus the packet's
presentation-time offset (what a VMS knows; it cannot see the camera's clock), and its frame
number is the simulator's frame-counter SEI when the stream carries one, else a running count.

Recordings are closed clips, like ZoneMinder events: a clip closes at the first key frame after
``clip_s`` and the next one starts on that key frame, so every clip starts with a key frame and
consecutive clips touch. A dropped stream closes the open clip; the thread reconnects with
back-off. Everything is bounded: open and read timeouts, the back-off, the clip list, the number
of cameras, and stopping (a thread notices a stop request within one read timeout).

Credentials arrive separately from the URL and are put into it only in memory, for FFmpeg; they
never appear in a status, an error, a log line or the audit log (see :func:`redact`).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from fake_vms.recording.store import RecordingStore, StoredAccessUnit, from_us
from fake_vms.vms.ingest_media import (
    frame_counter,
    has_parameter_sets,
    nal_type,
    parameter_sets,
    split_annexb,
)

LOG = logging.getLogger("fake_vms.vms.ingest")
OPEN_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 5.0
BACKOFF_S = (0.5, 8.0)
"""First and longest wait before reconnecting (doubling in between)."""
FPS_WINDOW_S = 3.0
FPS_SAMPLE = 8
"""Access units measured for the recording's nominal rate before it is declared."""
MAX_CAMERAS = 32
MAX_CLIPS = 2000
STOP_JOIN_S = READ_TIMEOUT_S + 2.0
_CODECS = {"h264": "H264", "hevc": "H265"}
_KEY_TYPES = {"H264": {5}, "H265": set(range(16, 22))}


def with_credentials(url: str, username: str, password: str) -> str:
    """``url`` with user and password in its authority (in memory only, for FFmpeg)."""
    if not username:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    userinfo = quote(username, safe="") + (":" + quote(password, safe="") if password else "")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def redact(text: str, *secrets_: str) -> str:
    """``text`` without any of the secrets (raw or URL-quoted) and without URL userinfo."""
    for secret in secrets_:
        if secret:
            for form in {secret, quote(secret, safe="")}:
                text = text.replace(form, "***")
    import re

    return re.sub(r"(rtsps?://)[^/@\s]+@", r"\1***@", text)


@dataclass(frozen=True)
class IngestSpec:
    """A camera the VMS was asked to ingest (POST /api/cameras)."""

    name: str
    rtsp_url: str
    username: str = ""
    password: str = field(default="", repr=False)
    transport: str = "tcp"
    record: bool = True
    onvif_url: str = ""
    """The camera's ONVIF device service, when given: the VMS reads its identity there."""


@dataclass
class Clip:
    """One recording of an ingested camera; ``end`` is None while it is open."""

    id: str
    start: datetime
    end: datetime | None = None
    frames: int = 0
    last: datetime | None = None


class IngestedCamera:
    """One ingested camera: its capture thread, measured rate and clips."""

    def __init__(
        self,
        camera_id: str,
        spec: IngestSpec,
        store: RecordingStore,
        clip_s: float,
        knobs: Any,
        on_event: Callable[[str, dict[str, Any]], None] = lambda _a, _d: None,
    ) -> None:
        self.id = camera_id
        self.spec = spec
        self.store = store
        self.clip_s = clip_s
        self.knobs = knobs
        self.token = f"ingest-{camera_id}"
        self.on_event = on_event
        self.codec = ""
        self.width = self.height = 0
        self.fps = 0.0
        self.connected = False
        self.detail = "connecting"
        self.identity: dict[str, str] = {}
        """Manufacturer, model, serial, firmware from the camera's ONVIF GetDeviceInformation."""
        self._lock = threading.Lock()
        self._clips: list[Clip] = []
        self._arrivals: deque[float] = deque(maxlen=512)
        self._stop = threading.Event()
        self._declared = False
        self._pending: list[StoredAccessUnit] = []
        self._count = 0
        self._received = 0
        self._skip_until: datetime | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"vms-ingest-{camera_id}", daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = STOP_JOIN_S) -> bool:
        """Wait for the capture thread to end; True when it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- what the API reads ------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._arrivals if now - t <= FPS_WINDOW_S]
        fps = 0.0
        if self.connected and len(recent) >= 2 and recent[-1] > recent[0]:
            fps = (len(recent) - 1) / (recent[-1] - recent[0])
        if self.connected and self.knobs.vms_status_fps is not None:
            fps = float(self.knobs.vms_status_fps)
        return {"connected": self.connected, "capture_fps": round(fps, 2), "detail": self.detail}

    def closed_clips(self) -> list[Clip]:
        with self._lock:
            return [c for c in self._clips if c.end is not None]

    def clip(self, clip_id: str) -> Clip | None:
        with self._lock:
            return next((c for c in self._clips if c.id == clip_id and c.end is not None), None)

    # -- capture -----------------------------------------------------------------------------
    def _identify(self) -> None:
        """Read the camera's identity once over ONVIF (bounded; the stream does not wait on it
        succeeding: a camera without ONVIF is still recorded, only anonymously)."""
        from fake_vms.vms.onvif_probe import ProbeError, device_information

        if not self.spec.onvif_url:
            return
        try:
            self.identity = device_information(
                self.spec.onvif_url, self.spec.username, self.spec.password, self.knobs
            )
        except ProbeError as exc:
            LOG.info("camera %s: no identity over ONVIF (%s)", self.id, redact(str(exc)))

    def _run(self) -> None:
        self._identify()
        wait = BACKOFF_S[0]
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self._capture()
                detail = "stream ended"
            except Exception as exc:  # noqa: BLE001 - any failure means: reconnect later
                detail = f"{type(exc).__name__}: {exc}"
            self._disconnected(redact(detail, self.spec.password, self.spec.username))
            if time.monotonic() - started > 10.0:
                wait = BACKOFF_S[0]  # it ran a while: a fresh outage, start the back-off again
            # The quirk: a fixed, long wait before reconnecting (slow recovery after a drop).
            if self._stop.wait(max(wait, self.knobs.vms_reconnect_wait_s)):
                break
            wait = min(wait * 2, BACKOFF_S[1])
        self._disconnected("stopped")

    def _disconnected(self, detail: str) -> None:
        if self.connected or detail == "stopped":
            self.on_event("ingest.disconnected", {"camera": self.id, "detail": detail})
        self.connected = False
        self.detail = detail
        with self._lock:
            self._close_open(None)

    def _capture(self) -> None:
        import av

        url = with_credentials(self.spec.rtsp_url, self.spec.username, self.spec.password)
        # The quirk: asked for UDP, it silently takes TCP (and still reports what it was asked).
        used = "tcp" if self.knobs.vms_force_tcp else self.spec.transport
        options = {
            "rtsp_transport": used,
            "timeout": str(int(READ_TIMEOUT_S * 1_000_000)),
            "analyzeduration": "1000000",
            "probesize": "1000000",
        }
        self.detail = "connecting"
        with av.open(url, options=options, timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S)) as container:
            if not container.streams.video:
                raise ValueError("the stream has no video")
            stream = container.streams.video[0]
            codec = _CODECS.get(stream.codec_context.name)
            if codec is None:
                raise ValueError(f"unsupported codec {stream.codec_context.name}")
            extradata = split_annexb(bytes(stream.codec_context.extradata or b""))
            self.codec, self.width, self.height = codec, stream.width, stream.height
            tb = stream.time_base or Fraction(1, 90000)
            anchor = _Anchor(self.knobs.vms_clock_offset_s)
            for packet in container.demux(stream):
                if self._stop.is_set():
                    return
                if packet.size == 0:
                    continue
                pts = packet.pts if packet.pts is not None else packet.dts
                if pts is None:
                    continue
                if not self.connected:
                    self.connected = True
                    self.detail = f"capturing over {self.spec.transport.upper()}"
                    self.on_event("ingest.connected", {"camera": self.id})
                with self._lock:
                    self._arrivals.append(time.monotonic())
                held = (pts, split_annexb(bytes(packet)), bool(packet.is_keyframe))
                for nals, key, moment in anchor.place(held, tb):
                    self._received += 1
                    self._unit(codec, nals, from_us(moment), key, extradata)

    def _unit(
        self, codec: str, nals: list[bytes], moment: datetime, key: bool, extradata: list[bytes]
    ) -> None:
        if not self.spec.record:
            return  # capture only (status): nothing per frame to parse or keep
        key = key or any(nal_type(codec, n) in _KEY_TYPES[codec] for n in nals if n)
        drop = self.knobs.vms_drop_every
        if drop and not key and self._received % drop == 0:
            return  # the quirk: a frame lost at capture
        if key and not has_parameter_sets(codec, nals):
            nals = parameter_sets(codec, extradata) + nals
        counter = frame_counter(codec, nals)
        self._count += 1
        number = counter[0] if counter else self._count
        unit = StoredAccessUnit(moment, number, key, nals)
        with self._lock:
            self._record(unit)

    # -- recording (called with the lock held) -----------------------------------------------
    def _record(self, unit: StoredAccessUnit) -> None:
        if self._skip_until is not None:
            if unit.time_utc < self._skip_until or not unit.keyframe:
                return
            self._skip_until = None
        if not self._declared:
            if not self._pending and not unit.keyframe:
                return
            self._pending.append(unit)
            if len(self._pending) < FPS_SAMPLE:
                return
            self.fps = _measured_fps(self._pending)
            self.store.create(
                self.token, self.spec.name, self.codec, self.width, self.height, self.fps
            )
            self._declared = True
            pending, self._pending = self._pending, []
            for item in pending:
                self._append(item)
            return
        self._append(unit)

    def _append(self, unit: StoredAccessUnit) -> None:
        current = self._clips[-1] if self._clips and self._clips[-1].end is None else None
        period = timedelta(seconds=1.0 / self.fps)
        if current is not None and current.last is not None:
            if unit.time_utc - current.last > 2 * period:  # a hole in the stream
                self._close_open(current.last + period)
                current = None
            elif unit.keyframe and (unit.time_utc - current.start).total_seconds() >= self.clip_s:
                # The quirk: the closing clip also keeps the next clip's first frames (and
                # counts them: its metadata stays true to what the clip holds).
                overlap = self.knobs.vms_clip_overlap_frames
                current.frames += overlap
                self._close_open(unit.time_utc + period * overlap)
                current = None
                if self.knobs.vms_clip_gap_s:  # the quirk: nothing recorded for a while
                    self._skip_until = unit.time_utc + timedelta(seconds=self.knobs.vms_clip_gap_s)
                    return
        if current is None:
            if not unit.keyframe:
                return
            current = Clip(f"{self.id}-{secrets.token_hex(4)}", unit.time_utc)
            self._clips.append(current)
            self._prune()
        try:
            self.store.append(self.token, unit)
        except ValueError:
            return  # the store wants a key frame after a hole; wait for one
        current.frames += 1
        current.last = unit.time_utc

    def _close_open(self, end: datetime | None) -> None:
        if not self._clips or self._clips[-1].end is not None:
            return
        clip = self._clips[-1]
        if clip.frames == 0 or clip.last is None:
            self._clips.pop()
            return
        clip.end = end or clip.last + timedelta(seconds=1.0 / (self.fps or 25.0))

    def _prune(self) -> None:
        try:
            oldest = self.store.recording(self.token).start_utc
        except KeyError:
            oldest = None
        keep = [c for c in self._clips if oldest is None or c.end is None or c.end >= oldest]
        self._clips = keep[-MAX_CLIPS:]


class _Anchor:
    """Capture times of one RTSP session: wall-clock time of the session's start + pts offset.

    FFmpeg hands over the packets it read while probing the stream in one burst, so the first
    packets arrive up to the probe duration late. The anchor is therefore the smallest
    ``arrival - pts offset`` over the first ``HOLD_S`` of arrivals (the burst and the live
    packets after it; the least delayed packet wins); packets are held (bounded) until then,
    and all are timed from that anchor. Integer µs, so frame periods stay exact (a one-µs
    rounding error would read as a hole in the stream).
    """

    HOLD_S = 0.5
    MAX_HELD = 256

    def __init__(self, clock_offset_s: float) -> None:
        self.clock_offset_s = clock_offset_s
        self.first_pts: int | None = None
        self.origin_us: int | None = None
        self._best: int | None = None
        self._first_arrival: float | None = None
        self._held: list[tuple[int, list[bytes], bool]] = []

    def place(
        self, packet: tuple[int, list[bytes], bool], tb: Fraction
    ) -> list[tuple[list[bytes], bool, int]]:
        """The packets (NALs, key, capture time µs) timed now; none while still held."""
        pts = packet[0]
        if self.first_pts is None:
            self.first_pts = pts
        offset = round((pts - self.first_pts) * tb * 1_000_000)
        now = time.monotonic()
        if self.origin_us is None:
            wall = round((time.time() + self.clock_offset_s) * 1_000_000)
            candidate = wall - offset
            self._best = candidate if self._best is None else min(self._best, candidate)
            if self._first_arrival is None:
                self._first_arrival = now
            self._held.append(packet)
            if now - self._first_arrival < self.HOLD_S and len(self._held) < self.MAX_HELD:
                return []
            self.origin_us = self._best
            held, self._held = self._held, []
        else:
            held = [packet]
        out = []
        for item in held:
            item_offset = round((item[0] - self.first_pts) * tb * 1_000_000)
            out.append((item[1], item[2], self.origin_us + item_offset))
        return out


def _measured_fps(units: list[StoredAccessUnit]) -> float:
    """The median frame period of the first units, as a rate (what the stream really sends)."""
    deltas = sorted(
        (b.time_utc - a.time_utc).total_seconds() for a, b in zip(units, units[1:], strict=False)
    )
    positive = [d for d in deltas if d > 0]
    if not positive:
        return 25.0
    return round(1.0 / positive[len(positive) // 2], 3)


class IngestManager:
    """Every camera the VMS ingests: add, remove, look up, stop all."""

    def __init__(
        self,
        store: RecordingStore,
        clip_s: float,
        knobs: Any,
        on_event: Callable[[str, dict[str, Any]], None] = lambda _a, _d: None,
    ) -> None:
        self.store = store
        self.clip_s = clip_s
        self.knobs = knobs
        self.on_event = on_event
        self._cameras: dict[str, IngestedCamera] = {}
        self._stopping: list[IngestedCamera] = []
        """Removed cameras whose threads may still be ending (joined on stop_all)."""
        self._lock = threading.Lock()

    def add(self, spec: IngestSpec) -> IngestedCamera:
        with self._lock:
            if len(self._cameras) >= MAX_CAMERAS:
                raise OverflowError(f"at most {MAX_CAMERAS} ingested cameras")
            camera_id = f"ing-{secrets.token_hex(4)}"
            camera = IngestedCamera(
                camera_id, spec, self.store, self.clip_s, self.knobs, self.on_event
            )
            self._cameras[camera_id] = camera
        camera.start()
        return camera

    def get(self, camera_id: str) -> IngestedCamera | None:
        with self._lock:
            return self._cameras.get(camera_id)

    def all(self) -> list[IngestedCamera]:
        with self._lock:
            return list(self._cameras.values())

    def remove(self, camera_id: str) -> bool:
        """Stop the camera's capture (without waiting for the thread) and forget it."""
        with self._lock:
            camera = self._cameras.pop(camera_id, None)
            if camera is not None:
                self._stopping = [c for c in self._stopping if c.alive] + [camera]
        if camera is None:
            return False
        camera.request_stop()
        return True

    def stop_all(self, timeout: float = STOP_JOIN_S) -> None:
        """Stop every capture thread and wait (bounded) for them."""
        with self._lock:
            cameras = list(self._cameras.values()) + self._stopping
            self._cameras.clear()
            self._stopping = []
        for camera in cameras:
            camera.request_stop()
        deadline = time.monotonic() + timeout
        for camera in cameras:
            with contextlib.suppress(RuntimeError):
                camera.join(max(0.0, deadline - time.monotonic()))
