"""ONVIF replay modes and transports (Profile G): what the PLAY headers beyond Range ask of the
replayed stream (``Frames: intra``, ``Immediate: yes``), PAUSE and resume, and replay through
the RTSP over HTTP tunnel and over RTP/UDP unicast, judged from the access units the device
sends. The recording is found by Recording Search, as ONVIF's REPLAY-3-1-x cases find it.
Passive: replay reads recordings only; each capture is a few seconds, bounded in time."""

from __future__ import annotations

import time

import pytest

from conformance.checks.recording import check_range, check_reverse
from conformance.checks.replay_modes import (
    check_immediate,
    check_intra_only,
    check_pause_resume,
    is_intra,
)
from conformance.suites.recording_search.profile_g_helpers import (
    as_datetime,
    device_now,
    record_capture,
    replay_recording,
    replay_url,
    replay_window,
    wait_for_recording,
)


@pytest.mark.requirement("REPLAY-FRAMES-01")
def test_frames_intra_only(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "intra", params, intra_only=True)
    units = record_capture(evidence, start, end, capture, elapsed)
    evidence.expect("every access unit", "intra-coded (IDR/IRAP NAL unit or 0xABAC C flag)")
    evidence.measure("not_intra", [u["seq"] for u in units if not is_intra(u)][:20])
    problems = check_intra_only(units)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-IMMEDIATE-01")
def test_immediate_play_cuts_over(device, evidence, params):
    from conformance.clients.replay import ImmediatePlay, replay

    token = replay_recording(device)
    wait_for_recording(device, params["offset_s"] + 1.0, params["wait_s"])
    url = replay_url(device, token)
    now = device_now(device)
    start = now - params["offset_s"]
    end = start + params["length_s"]
    began = time.monotonic()
    capture = replay(
        url,
        device.device.username,
        device.device.password,
        start=as_datetime(now - params["first_offset_s"]),
        rate_control=True,
        immediate=ImmediatePlay(as_datetime(start), as_datetime(end), params["after_units"]),
        timeout=device.timeout,
        max_seconds=params["max_seconds"],
    )
    units = record_capture(evidence, start, end, capture, time.monotonic() - began)
    evidence.measure("first_play_cseq", capture.play_cseq)
    evidence.measure("immediate_play_cseq", capture.immediate_cseq)
    evidence.measure("immediate_play_headers", dict(capture.immediate_headers))
    evidence.measure("cseq_of_units", [u["cseq"] for u in units][:40])
    problems = check_immediate(
        units,
        capture.immediate_cseq,
        start,
        end,
        params["gop_tolerance_s"],
        params["start_tolerance_s"],
        params["end_tolerance_s"],
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-PAUSE-01")
def test_pause_and_resume(device, evidence, params):
    from conformance.clients.replay import PauseResume, replay

    token = replay_recording(device)
    wait_for_recording(device, params["offset_s"] + 1.0, params["wait_s"])
    url = replay_url(device, token)
    start = device_now(device) - params["offset_s"]
    began = time.monotonic()
    capture = replay(
        url,
        device.device.username,
        device.device.password,
        start=as_datetime(start),
        rate_control=True,
        immediate=PauseResume(params["after_units"], params["pause_s"], params["grace_s"]),
        timeout=device.timeout,
        max_seconds=params["max_seconds"],
        max_units=params["max_units"],
    )
    units = record_capture(evidence, start, start, capture, time.monotonic() - began)
    evidence.measure("units_before_pause", capture.units_before_pause)
    evidence.measure("packets_while_paused", capture.packets_while_paused)
    evidence.measure("resume_play_cseq", capture.immediate_cseq)
    evidence.measure("resume_play_headers", dict(capture.immediate_headers))
    problems = check_pause_resume(
        units,
        capture.immediate_cseq,
        capture.packets_while_paused,
        params["gop_tolerance_s"],
        params["resume_tolerance_s"],
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-HTTP-01")
def test_replay_over_http_tunnel(device, evidence, params):
    _forward_over(device, evidence, params, "http")


@pytest.mark.requirement("REPLAY-UDP-01")
def test_replay_over_udp(device, evidence, params):
    _forward_over(device, evidence, params, "udp")


@pytest.mark.requirement("REPLAY-HTTP-REVERSE-01")
def test_reverse_replay_over_http_tunnel(device, evidence, params):
    _reverse_over(device, evidence, params, "http")


@pytest.mark.requirement("REPLAY-UDP-REVERSE-01")
def test_reverse_replay_over_udp(device, evidence, params):
    _reverse_over(device, evidence, params, "udp")


def _forward_over(device, evidence, params, transport: str) -> None:
    """A closed-range forward replay over ``transport``, judged as REPLAY-RANGE-01 judges it
    over RTP/RTSP/TCP."""
    start, end, capture, elapsed = replay_window(
        device, f"{transport}-forward", params, transport=transport
    )
    units = _judged(evidence, record_capture(evidence, start, end, capture, elapsed), capture)
    problems = check_range(
        units,
        start,
        end,
        params["gop_tolerance_s"],
        params["start_tolerance_s"],
        params["end_tolerance_s"],
    )
    assert not problems, "; ".join(problems)


def _reverse_over(device, evidence, params, transport: str) -> None:
    """A reverse replay over ``transport``, judged as REPLAY-REVERSE-01 judges it over
    RTP/RTSP/TCP."""
    start, end, capture, elapsed = replay_window(
        device, f"{transport}-reverse", params, reverse=True, transport=transport
    )
    units = _judged(evidence, record_capture(evidence, start, end, capture, elapsed), capture)
    problems = check_reverse(units)
    assert not problems, "; ".join(problems)


def _judged(evidence, units: list, capture) -> list:
    """The units to judge: over UDP, a unit whose first packet (the one with the 0xABAC
    extension) was lost in transit, seen by the RTP sequence gap before it, is left out and
    counted; a replay that lost more than a tenth of its units is judged whole."""
    from conformance.clients.replay import lost_heads

    evidence.measure("replay_url", capture.url)
    lost = set(lost_heads(capture.units))
    evidence.measure("units_lost_in_transit", len(lost))
    if not lost or len(lost) * 10 > len(units):
        return units
    evidence.note(f"{len(lost)} access unit(s) lost their first packet in transit: not judged")
    return [u for i, u in enumerate(units) if i not in lost]
