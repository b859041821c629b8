"""Live streaming over RTSP: transports, access control and the quality of the video itself.

Every check here works on real RTP captured from the device and decoded with FFmpeg (PyAV).
Transport checks capture over their own transport; quality checks share one capture (TCP, or
UDP where TCP fails) so that one broken transport is reported once, by its own requirement.
"""

from __future__ import annotations

import pytest

from conformance.checks.media import EncoderView
from conformance.checks.streaming import (
    check_continuity,
    check_format,
    check_frame_rate,
    check_playable,
    check_timestamps,
)
from conformance.dut import QUALITY_CAPTURE_S


def _record_capture(evidence, transport, capture, stats) -> None:
    evidence.attach_exchanges(f"rtsp-{transport}-transcript", capture.exchanges)
    evidence.attach_text(f"sdp-{transport}", capture.sdp, ext="sdp", media_type="application/sdp")
    evidence.attach_json(f"stream-stats-{transport}", stats.to_dict())
    if stats.first_frame_png:
        evidence.attach_png(f"first-frame-{transport}", stats.first_frame_png)


def _transport_check(device, evidence, params, transport: str) -> None:
    from conformance.clients.stream import analyse

    capture = device.capture(transport, params["capture_seconds"])
    stats = device.cached(f"stats:{transport}", lambda: analyse(capture))
    _record_capture(evidence, transport, capture, stats)
    evidence.measure("transport", transport)
    evidence.measure("decoded_frames", stats.decoded_frames)
    evidence.measure("keyframes", stats.keyframes)
    evidence.measure("codec", stats.codec)
    problems = check_playable(stats.decoded_frames, stats.keyframes, stats.codec)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("STREAM-RTSP-UDP-01")
def test_live_video_over_udp(device, evidence, params):
    _transport_check(device, evidence, params, "udp")


@pytest.mark.requirement("STREAM-RTSP-TCP-01")
def test_live_video_over_tcp(device, evidence, params):
    _transport_check(device, evidence, params, "tcp")


@pytest.mark.requirement("STREAM-RTSP-AUTH-01")
def test_rtsp_refuses_anonymous(device, evidence):
    from conformance.clients.rtsp import probe

    exchange = probe(device.stream_url(), method="DESCRIBE", timeout=device.timeout)
    evidence.attach_exchanges("anonymous-describe", [exchange])
    challenge = exchange.header("WWW-Authenticate") or ""
    evidence.measure("status", exchange.status)
    evidence.measure("www_authenticate_scheme", challenge.split(" ")[0] if challenge else None)
    assert exchange.status == 401, (
        f"anonymous DESCRIBE answered {exchange.status}; it must be refused with 401"
    )
    assert challenge.lower().startswith("digest"), (
        f"401 without a Digest challenge (WWW-Authenticate: {challenge or 'absent'})"
    )


def _quality(device, evidence):
    transport, capture, stats = device.stream_stats(QUALITY_CAPTURE_S)
    evidence.measure("transport", transport)
    evidence.attach_json("stream-stats", {**stats.to_dict(), "rtp_seq_lost": capture.rtp_seq_lost})
    return capture, stats


@pytest.mark.requirement("STREAM-FORMAT-01")
def test_stream_format_matches_configuration(device, evidence):
    vec = EncoderView.of(device.main_profile().VideoEncoderConfiguration)
    capture, stats = _quality(device, evidence)
    claims = device.device.claims
    size = (stats.width, stats.height) if stats.width else None
    evidence.expect("encoder", vec)
    evidence.claim("codecs", claims.codecs)
    evidence.claim("resolutions", claims.resolutions)
    evidence.measure("codec", stats.codec)
    evidence.measure("resolution", f"{size[0]}x{size[1]}" if size else None)
    if stats.first_frame_png:
        evidence.attach_png("first-frame", stats.first_frame_png)
    problems = check_format(
        stats.codec, size, vec.encoding, (vec.width, vec.height), claims.codecs, claims.resolutions
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("STREAM-FPS-01")
def test_frame_rate_matches_configuration(device, evidence, params):
    vec = EncoderView.of(device.main_profile().VideoEncoderConfiguration)
    capture, stats = _quality(device, evidence)
    claims = device.device.claims
    evidence.expect("fps", vec.fps)
    evidence.expect("tolerance_pct", params["fps_tolerance_pct"])
    evidence.claim("frame_rates", claims.frame_rates)
    evidence.measure("fps_rtp", stats.fps_rtp)
    evidence.measure("fps_arrival", stats.fps_arrival)
    problems = check_frame_rate(
        stats.fps_rtp, stats.fps_arrival, vec.fps, claims.frame_rates, params["fps_tolerance_pct"]
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("STREAM-TS-01")
def test_rtp_timestamps_monotonic(device, evidence):
    capture, stats = _quality(device, evidence)
    evidence.measure("access_units", stats.access_units)
    evidence.measure("timestamp_regressions", stats.timestamp_regressions)
    problems = check_timestamps(stats.timestamp_regressions, stats.access_units)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("STREAM-CONT-01")
def test_no_lost_frames(device, evidence):
    from conformance.clients.stream import sdp_framerate, timestamp_losses

    capture, stats = _quality(device, evidence)
    vec = EncoderView.of(device.main_profile().VideoEncoderConfiguration)
    declared = sdp_framerate(capture.sdp) or vec.fps or None
    loss = timestamp_losses(capture.access_units, capture.clock_rate, declared)
    evidence.expect("declared_fps", declared)
    evidence.measure("access_units", stats.access_units)
    evidence.measure("rtp_seq_lost", capture.rtp_seq_lost)
    evidence.measure("timestamp_loss", loss.to_dict() if loss else None)
    if stats.counter_missing < stats.access_units:  # simulator instrumentation: evidence only
        evidence.measure("counter_gaps", stats.counter_gaps[:20])
    if loss is None:
        evidence.note("no constant frame rate declared: only RTP sequence numbers judged")
    problems = check_continuity(
        capture.rtp_seq_lost,
        loss.lost if loss else None,
        loss.gaps if loss else None,
        (capture.clock_rate / loss.interval_ticks) if loss else None,
        access_units=stats.access_units,
    )
    assert not problems, "; ".join(problems)
