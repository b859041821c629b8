"""Analysis of a captured RTSP stream: timing, frame loss and a bounded decode.

Frame-rate, timestamp and frame-loss checks use only demuxed data (RTP timestamps and sequence
numbers, arrival times), so they stay cheap on long captures; only picture size and the
thumbnail need FFmpeg, and the decode can be limited in time. Frame loss is judged from what
every camera sends (:func:`timestamp_losses`); the simulator's frame-counter SEI
(docs/frame-counter.md), where present, only adds the exact frame numbers to the evidence.
"""

from __future__ import annotations

import base64
import binascii
import statistics
import struct
import uuid
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import av

if TYPE_CHECKING:
    from conformance.clients.rtsp import Capture, ReceivedAccessUnit

FRAME_COUNTER_UUID = uuid.UUID("5f1d0c3a-8b7e-4c21-9a3f-6e0d2b4c8a17").bytes
USER_DATA_UNREGISTERED = 5
START_CODE = b"\x00\x00\x00\x01"
_FFMPEG_DECODERS = {"H264": "h264", "H265": "hevc"}


def unescape_rbsp(data: bytes) -> bytes:
    """Remove emulation-prevention bytes: ``00 00 03 0x`` becomes ``00 00 0x``."""
    out = bytearray()
    zeros = 0
    for byte in data:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def parse_frame_counter(nal: bytes, codec: str = "H264") -> tuple[int, int] | None:
    """Return (frame number, capture time in µs) from a frame-counter SEI NAL, else None.

    Any NAL that is not an SEI, or an SEI without the contract's user_data_unregistered UUID,
    gives None: other SEI messages are legal and must not be mistaken for a missing counter.
    """
    if codec == "H264":
        if len(nal) < 2 or nal[0] & 0x1F != 6:
            return None
        rbsp = unescape_rbsp(nal[1:])
    elif codec in ("H265", "HEVC"):
        if len(nal) < 3 or (nal[0] >> 1) & 0x3F != 39:
            return None
        rbsp = unescape_rbsp(nal[2:])
    else:
        raise ValueError(f"unsupported codec {codec!r}")
    pos = 0
    while pos < len(rbsp) and rbsp[pos] != 0x80:
        payload_type, pos = _sei_number(rbsp, pos)
        size, pos = _sei_number(rbsp, pos)
        payload = rbsp[pos : pos + size]
        pos += size
        if len(payload) < size:
            return None
        if (
            payload_type == USER_DATA_UNREGISTERED
            and size >= 32
            and payload[:16] == FRAME_COUNTER_UUID
        ):
            frame, capture_us = struct.unpack("!QQ", payload[16:32])
            return frame, capture_us
    return None


def _sei_number(rbsp: bytes, pos: int) -> tuple[int, int]:
    """Read an SEI payloadType/payloadSize: a run of 0xFF bytes (255 each) plus a final byte."""
    value = 0
    while pos < len(rbsp) and rbsp[pos] == 0xFF:
        value += 255
        pos += 1
    if pos < len(rbsp):
        value += rbsp[pos]
    return value, pos + 1


@dataclass
class StreamStats:
    """Measured properties of a capture; ``to_dict()`` is the JSON evidence (no PNG bytes)."""

    codec: str
    width: int | None = None
    height: int | None = None
    access_units: int = 0
    decoded_frames: int = 0
    keyframes: int = 0
    fps_rtp: float | None = None
    fps_arrival: float | None = None
    # Arrival time of each access unit, ms after the first: the report plots frame rate over
    # time from it (a stall or a burst hides inside an average).
    arrival_ms: list[int] = field(default_factory=list)
    timestamp_regressions: int = 0
    counter_gaps: list[tuple[int, int]] = field(default_factory=list)
    counter_missing: int = 0
    duration_s: float = 0.0
    decode_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    first_frame_png: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["first_frame_png"]
        data["counter_gaps"] = [list(gap) for gap in self.counter_gaps]
        return data


def ts_delta(previous: int, current: int) -> int:
    """Signed difference of two 32-bit RTP timestamps, correct across wraparound."""
    delta = (current - previous) & 0xFFFFFFFF
    return delta - (1 << 32) if delta >= 1 << 31 else delta


MIN_DECODE_FRAMES = 25
"""Decode at least this many frames whatever the window, so low frame rates are judged fairly."""
DECODE_SECONDS = 1.0
"""Seconds of video decoded by default: enough to judge playability, size and a first frame.

Frame rate, timestamps and frame loss are measured on every access unit without decoding, so
a live stream's checks cost a small fraction of a full decode (see benchmarks/)."""


def analyse(
    capture: Capture,
    *,
    decode_seconds: float | None = DECODE_SECONDS,
    min_frames: int = MIN_DECODE_FRAMES,
) -> StreamStats:
    """Measure a capture. Decodes the AUs within ``decode_seconds`` of the first, but at least
    ``min_frames`` of them (``decode_seconds=None`` decodes everything)."""
    aus = capture.access_units
    stats = StreamStats(codec=capture.codec, access_units=len(aus))
    stats.keyframes = sum(au.keyframe for au in aus)
    _timing(aus, capture.clock_rate, stats)
    _counter(aus, stats)
    if capture.codec in _FFMPEG_DECODERS:
        _decode(capture, decode_seconds, min_frames, stats)
    else:
        stats.notes.append(f"codec {capture.codec!r} not decoded")
    return stats


def _timing(aus: list[ReceivedAccessUnit], clock_rate: int, stats: StreamStats) -> None:
    deltas = [
        ts_delta(a.rtp_timestamp, b.rtp_timestamp) for a, b in zip(aus, aus[1:], strict=False)
    ]
    stats.timestamp_regressions = sum(d <= 0 for d in deltas)
    positive = [d for d in deltas if d > 0]
    if positive:
        stats.fps_rtp = clock_rate / statistics.median(positive)
        stats.duration_s = sum(positive) / clock_rate
    if aus:
        stats.arrival_ms = [round((au.arrival - aus[0].arrival) * 1000) for au in aus]
    if len(aus) >= 2 and aus[-1].arrival > aus[0].arrival:
        stats.fps_arrival = (len(aus) - 1) / (aus[-1].arrival - aus[0].arrival)


def sdp_framerate(sdp: str) -> float | None:
    """The video's ``a=framerate:`` (RFC 8866) from an SDP, if it declares one."""
    video = False
    for line in sdp.splitlines():
        if line.startswith("m="):
            video = line.startswith("m=video")
        elif video and line.startswith("a=framerate:"):
            try:
                value = float(line.split(":", 1)[1].strip())
            except ValueError:
                return None
            return value if value > 0 else None
    return None


@dataclass
class TimestampLoss:
    """Frames missing from a constant-rate stream, judged from its RTP timestamps alone.

    ``gaps`` are (access-unit index, frames missing before it) for evidence; ``lost`` nets out
    access units whose timestamp went back (STREAM-TS-01's finding, not a loss).
    """

    interval_ticks: float
    declared_fps: float
    rate_source: str
    """``declared`` when the stream runs at the declared rate, else ``stream`` (its own median
    step: a stream at another constant rate is STREAM-FPS-01's finding, not frame loss)."""
    lost: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["gaps"] = [list(g) for g in self.gaps[:20]]
        return data


RATE_MATCH = 0.10
"""The stream's median timestamp step within 10 % of the declared interval runs at that rate."""


def timestamp_losses(
    aus: list[ReceivedAccessUnit], clock_rate: int, declared_fps: float | None
) -> TimestampLoss | None:
    """Lost frames from RTP timestamps where a constant frame rate is declared (SDP
    ``a=framerate`` or the encoder configuration): an encoder stamps each frame with its capture
    time, so a frame lost before or after encoding leaves a step of two or more frame intervals.

    Each access unit's timestamp is placed on the grid of frame intervals (rounded, so clock
    jitter under half an interval is no loss); grid slots between the first and the last that no
    access unit occupies are lost frames. None when no rate is declared or too few units came.
    """
    if not declared_fps or declared_fps <= 0 or len(aus) < 3 or clock_rate <= 0:
        return None
    declared = clock_rate / declared_fps
    times = [0]
    for a, b in zip(aus, aus[1:], strict=False):
        times.append(times[-1] + ts_delta(a.rtp_timestamp, b.rtp_timestamp))
    steps = [b - a for a, b in zip(times, times[1:], strict=False) if b > a]
    if not steps:
        return None
    median = statistics.median(steps)
    if abs(median - declared) <= declared * RATE_MATCH:
        result = TimestampLoss(declared, declared_fps, "declared")
    else:
        result = TimestampLoss(median, declared_fps, "stream")
    slots = [round(t / result.interval_ticks) for t in times]
    occupied = set(slots)
    missing = max(slots) - min(slots) + 1 - len(occupied)
    result.lost = max(0, missing - (len(slots) - len(occupied)))
    highest = slots[0]
    for index, slot in enumerate(slots[1:], start=1):
        if slot - highest >= 2:
            result.gaps.append((index, slot - highest - 1))
        highest = max(highest, slot)
    return result


def _counter(aus: list[ReceivedAccessUnit], stats: StreamStats) -> None:
    """Simulator only (evidence, never a verdict): compare consecutive frame counters; AUs
    without one are counted, not guessed across."""
    previous: int | None = None
    for au in aus:
        if au.frame_counter is None:
            stats.counter_missing += 1
            continue
        if previous is not None and au.frame_counter != previous + 1:
            stats.counter_gaps.append((previous + 1, au.frame_counter))
        previous = au.frame_counter


def _decode(
    capture: Capture, decode_seconds: float | None, min_frames: int, stats: StreamStats
) -> None:
    """Decode Annex-B access units with FFmpeg, collecting errors rather than raising."""
    codec = av.CodecContext.create(_FFMPEG_DECODERS[capture.codec], "r")
    prefix = _parameter_sets(capture.sdp_fmtp, stats)
    first_ts: int | None = None
    for au in capture.access_units:
        if first_ts is None:
            first_ts = au.rtp_timestamp
        elapsed = ts_delta(first_ts, au.rtp_timestamp) / capture.clock_rate
        enough = stats.decoded_frames >= min_frames
        if decode_seconds is not None and elapsed > decode_seconds and enough:
            break
        data = prefix + b"".join(START_CODE + nal for nal in au.nals)
        prefix = b""
        _decode_packet(codec, av.Packet(data), stats)
    _decode_packet(codec, None, stats)


def _decode_packet(codec: Any, packet: av.Packet | None, stats: StreamStats) -> None:
    try:
        frames = codec.decode(packet)
    except av.FFmpegError as exc:
        stats.decode_errors.append(str(exc))
        return
    for frame in frames:
        stats.decoded_frames += 1
        if stats.width is None:
            stats.width, stats.height = frame.width, frame.height
            stats.first_frame_png = _png(frame, stats)


def _png(frame: av.VideoFrame, stats: StreamStats) -> bytes | None:
    """The first frame as PNG evidence (:func:`conformance.clients.png.encode_png`)."""
    from conformance.clients.png import encode_png

    try:
        return encode_png(frame) or None
    except av.FFmpegError as exc:
        stats.notes.append(f"thumbnail failed: {exc}")
        return None


def _parameter_sets(fmtp: dict[str, str], stats: StreamStats) -> bytes:
    """SPS/PPS from ``sprop-parameter-sets``: some cameras send them only in the SDP.

    H.265 (RFC 7798) gives one field per kind: sprop-vps, sprop-sps, sprop-pps, in that order.
    """
    sets = fmtp.get("sprop-parameter-sets", "")
    hevc = [fmtp[key] for key in ("sprop-vps", "sprop-sps", "sprop-pps") if fmtp.get(key)]
    if hevc:
        sets = ",".join(hevc)
    out = b""
    for item in filter(None, sets.split(",")):
        try:
            out += START_CODE + base64.b64decode(item, validate=True)
        except binascii.Error:
            stats.notes.append(f"invalid sprop-parameter-sets entry {item[:40]!r}")
    return out
