"""Stream analysis: SEI frame counter, timing checks and the bounded decode, on real H.264."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from conformance.clients.rtsp import Capture, ReceivedAccessUnit
from conformance.clients.stream import (
    MIN_DECODE_FRAMES,
    analyse,
    parse_frame_counter,
    ts_delta,
    unescape_rbsp,
)

if TYPE_CHECKING:
    from conftest import Clip

SeiBuilder = Callable[[int, int], bytes]

# Frame 1 at 1_700_000_000_000_000 µs, as the contract puts it on the wire: the leading zero bytes
# of the frame number need three emulation-prevention bytes (00 00 03).
RECORDED_SEI_H264 = bytes.fromhex(
    "0605205f1d0c3a8b7e4c219a3f6e0d2b4c8a17000003000003000003000100060a24181e400080"
)
# H.265 prefix SEI (header 4e 01), frame 7, capture time 3 µs.
RECORDED_SEI_H265 = bytes.fromhex(
    "4e0105205f1d0c3a8b7e4c219a3f6e0d2b4c8a170000030000030000030007000003000003000003000380"
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_recorded_sei_with_emulation_prevention() -> None:
    assert parse_frame_counter(RECORDED_SEI_H264) == (1, 1_700_000_000_000_000)


def test_recorded_h265_sei() -> None:
    assert parse_frame_counter(RECORDED_SEI_H265, codec="H265") == (7, 3)
    assert parse_frame_counter(RECORDED_SEI_H265) is None  # not an H.264 SEI header


@pytest.mark.parametrize(
    ("frame", "capture_us"),
    [(0, 0), (2**64 - 1, 2**64 - 1), (0x0000_0001_0000_0003, 3), (0x0300, 0x000000)],
)
def test_hand_built_sei_round_trip(frame: int, capture_us: int, make_sei: SeiBuilder) -> None:
    assert parse_frame_counter(make_sei(frame, capture_us)) == (frame, capture_us)


def test_unescape_only_removes_emulation_bytes() -> None:
    assert unescape_rbsp(bytes.fromhex("0000030100000303")) == bytes.fromhex("000001000003")
    assert unescape_rbsp(bytes.fromhex("00030000")) == bytes.fromhex("00030000")


def test_other_sei_and_other_nals_are_not_counters() -> None:
    other_uuid = b"\x06\x05\x20" + bytes(range(16)) + bytes(16) + b"\x80"
    assert parse_frame_counter(other_uuid) is None
    assert parse_frame_counter(b"\x65\x88\x84\x00") is None  # IDR slice
    assert parse_frame_counter(b"") is None


def test_counter_found_after_another_sei_message() -> None:
    # A recovery-point message (type 6, size 1) precedes the counter in the same SEI NAL.
    nal = b"\x06\x06\x01\x84" + RECORDED_SEI_H264[1:]
    assert parse_frame_counter(nal) == (1, 1_700_000_000_000_000)


def test_truncated_counter_sei_is_none() -> None:
    assert parse_frame_counter(RECORDED_SEI_H264[:30]) is None


def test_ts_delta_handles_wraparound() -> None:
    assert ts_delta(0xFFFF_FF00, 0x0000_0100) == 0x200
    assert ts_delta(0x0000_0100, 0xFFFF_FF00) == -0x200
    assert ts_delta(5, 5) == 0


def _capture(units: list[ReceivedAccessUnit], fmtp: dict[str, str] | None = None) -> Capture:
    return Capture(
        url="rtsp://127.0.0.1/stream1",
        transport="tcp",
        exchanges=[],
        sdp="",
        codec="H264",
        sdp_fmtp=fmtp or {},
        access_units=units,
        rtp_packets=len(units),
        rtp_seq_lost=0,
        bytes=0,
        notes=[],
    )


def _units(
    clip: Clip,
    sei: SeiBuilder,
    *,
    units: list[list[bytes]] | None = None,
    step: int = 3600,
    first_ts: int = 0,
    counters: list[int] | None = None,
) -> list[ReceivedAccessUnit]:
    """Access units as the depacketiser would deliver them, each led by a counter SEI."""
    out = []
    for i, nals in enumerate(clip.units if units is None else units):
        counter = counters[i] if counters else 1000 + i
        out.append(
            ReceivedAccessUnit(
                rtp_timestamp=(first_ts + i * step) & 0xFFFFFFFF,
                arrival=100.0 + i * step / 90000,
                nals=[sei(counter, i), *nals],
                keyframe=any(n[0] & 0x1F == 5 for n in nals),
                frame_counter=counter,
                capture_time_us=i,
            )
        )
    return out


def test_analyse_clean_clip(h264_clip: Clip, make_sei: SeiBuilder) -> None:
    stats = analyse(_capture(_units(h264_clip, make_sei)), decode_seconds=None)
    assert (stats.width, stats.height) == (h264_clip.width, h264_clip.height)
    assert stats.decoded_frames == len(h264_clip.units)
    assert stats.fps_rtp == pytest.approx(h264_clip.fps)
    assert stats.fps_arrival == pytest.approx(h264_clip.fps)
    assert stats.timestamp_regressions == 0
    assert stats.counter_gaps == [] and stats.counter_missing == 0
    assert stats.keyframes == 2
    assert stats.decode_errors == []
    assert stats.first_frame_png is not None and stats.first_frame_png.startswith(PNG_MAGIC)


def test_analyse_decodes_a_bounded_window_by_default(h264_clip: Clip, make_sei: SeiBuilder) -> None:
    """Rate, timestamps and loss use every AU; only about a second is decoded (CPU budget)."""
    stats = analyse(_capture(_units(h264_clip, make_sei)))
    assert MIN_DECODE_FRAMES <= stats.decoded_frames < len(h264_clip.units)
    assert stats.access_units == len(h264_clip.units)
    assert stats.fps_rtp == pytest.approx(h264_clip.fps)


def test_analyse_finds_skipped_counter_regression_and_half_rate(
    h264_clip: Clip, make_sei: SeiBuilder
) -> None:
    n = len(h264_clip.units)
    counters = list(range(n))
    counters[10:] = [c + 1 for c in counters[10:]]  # frame 10 lost before encoding
    units = _units(h264_clip, make_sei, step=7200, counters=counters)  # sent at half rate
    units[20].rtp_timestamp = units[19].rtp_timestamp - 1  # one regressed timestamp
    stats = analyse(_capture(units))
    assert stats.fps_rtp == pytest.approx(h264_clip.fps / 2)
    assert stats.fps_arrival == pytest.approx(h264_clip.fps / 2)
    assert stats.timestamp_regressions == 1
    assert stats.counter_gaps == [(10, 11)]


def test_analyse_across_timestamp_wraparound(h264_clip: Clip, make_sei: SeiBuilder) -> None:
    units = _units(h264_clip, make_sei, first_ts=0xFFFF_FFFF - 10 * 3600)
    assert units[11].rtp_timestamp < units[10].rtp_timestamp  # really wraps
    stats = analyse(_capture(units))
    assert stats.timestamp_regressions == 0
    assert stats.fps_rtp == pytest.approx(h264_clip.fps)
    assert stats.duration_s == pytest.approx((len(units) - 1) / h264_clip.fps)


def test_missing_counters_are_counted(h264_clip: Clip, make_sei: SeiBuilder) -> None:
    units = _units(h264_clip, make_sei)
    for au in units[5:8]:
        au.frame_counter = None
    stats = analyse(_capture(units))
    assert stats.counter_missing == 3
    assert stats.counter_gaps == [(1005, 1008)]


def test_decode_seconds_bounds_the_decode(h264_clip: Clip, make_sei: SeiBuilder) -> None:
    stats = analyse(_capture(_units(h264_clip, make_sei)), decode_seconds=0.2, min_frames=0)
    assert 1 <= stats.decoded_frames <= int(0.2 * h264_clip.fps) + 1
    assert stats.access_units == len(h264_clip.units)


def test_parameter_sets_only_in_sdp(h264_clip: Clip, make_sei: SeiBuilder) -> None:
    sps, pps = h264_clip.units[0][0], h264_clip.units[0][1]
    assert (sps[0] & 0x1F, pps[0] & 0x1F) == (7, 8)
    stripped = [[n for n in au if n[0] & 0x1F not in (7, 8)] for au in h264_clip.units]
    sprop = ",".join(base64.b64encode(n).decode() for n in (sps, pps))
    units = _units(h264_clip, make_sei, units=stripped)
    assert analyse(_capture(units)).width is None  # undecodable without them
    stats = analyse(_capture(units, {"sprop-parameter-sets": sprop}))
    assert (stats.width, stats.height) == (h264_clip.width, h264_clip.height)


def test_garbage_access_units_are_decode_errors_not_crashes() -> None:
    units = [
        ReceivedAccessUnit(i * 3600, float(i), [b"\x65" + bytes([i]) * 50], True, None, None)
        for i in range(5)
    ]
    stats = analyse(_capture(units))
    assert stats.decoded_frames == 0 and stats.width is None
    assert stats.counter_missing == 5


def test_to_dict_is_json_evidence_without_png(h264_clip: Clip, make_sei: SeiBuilder) -> None:
    data = analyse(_capture(_units(h264_clip, make_sei, units=h264_clip.units[:5]))).to_dict()
    assert "first_frame_png" not in data
    assert json.loads(json.dumps(data))["width"] == h264_clip.width


def test_empty_capture() -> None:
    stats = analyse(_capture([]))
    assert stats.fps_rtp is None and stats.fps_arrival is None and stats.decoded_frames == 0


# --- frame loss from RTP timestamps (no frame counter) ----------------------------------------


def _stamped(timestamps: list[int]) -> list:
    from conformance.clients.rtsp import ReceivedAccessUnit

    return [
        ReceivedAccessUnit(ts & 0xFFFFFFFF, i * 0.04, [b"\x41\x9a"], False, None, None)
        for i, ts in enumerate(timestamps)
    ]


def test_timestamp_losses_on_the_declared_grid():
    from conformance.clients.stream import timestamp_losses

    start = 0xFFFFF000  # wraps around 2**32 within the capture
    steady = [start + 3600 * i for i in range(50)]
    assert timestamp_losses(_stamped(steady), 90000, 25.0).lost == 0
    # Clock jitter under half an interval is no loss.
    jitter = [t + (900 if i % 2 else -900) for i, t in enumerate(steady)]
    assert timestamp_losses(_stamped(jitter), 90000, 25.0).lost == 0
    # Frames 10 and 30-31 never sent: a step of 2 and one of 3 intervals.
    lossy = [t for i, t in enumerate(steady) if i not in (10, 30, 31)]
    loss = timestamp_losses(_stamped(lossy), 90000, 25.0)
    assert loss.lost == 3 and loss.gaps == [(10, 1), (29, 2)] and loss.rate_source == "declared"


def test_timestamp_losses_leave_other_findings_to_their_requirements():
    from conformance.clients.stream import timestamp_losses

    # A timestamp that goes back (STREAM-TS-01) is not a lost frame.
    glitch = [3600 * i for i in range(30)]
    glitch[25] = glitch[24] - 7200
    assert timestamp_losses(_stamped(glitch), 90000, 25.0).lost == 0
    # A constant 12.5 fps stream declared at 25 fps (STREAM-FPS-01) is judged on its own rate.
    half = timestamp_losses(_stamped([7200 * i for i in range(30)]), 90000, 25.0)
    assert half.rate_source == "stream" and half.lost == 0
    # No declared rate: timestamps judge nothing (sequence numbers still do).
    assert timestamp_losses(_stamped([3600 * i for i in range(30)]), 90000, None) is None


def test_sdp_framerate():
    from conformance.clients.stream import sdp_framerate

    sdp = (
        "v=0\r\nm=audio 0 RTP/AVP 0\r\na=framerate:8\r\nm=video 0 RTP/AVP 96\r\na=framerate:25\r\n"
    )
    assert sdp_framerate(sdp) == 25.0
    assert sdp_framerate("v=0\r\nm=video 0 RTP/AVP 96\r\n") is None
