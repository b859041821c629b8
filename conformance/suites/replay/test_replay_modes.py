"""ONVIF replay modes and transports (Profile G): what the PLAY headers beyond Range ask of the
replayed stream (``Frames: intra``), and replay through the RTSP over HTTP tunnel, judged from
the access units the device sends. The recording is found by Recording Search, as ONVIF's
REPLAY-3-1-x cases find it. Passive: replay reads recordings only; each capture is a few
seconds, bounded in time."""

from __future__ import annotations

import pytest

from conformance.checks.recording import check_range, check_reverse
from conformance.checks.replay_modes import check_intra_only, is_intra
from conformance.suites.recording_search.profile_g_helpers import record_capture, replay_window


@pytest.mark.requirement("REPLAY-FRAMES-01")
def test_frames_intra_only(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "intra", params, intra_only=True)
    units = record_capture(evidence, start, end, capture, elapsed)
    evidence.expect("every access unit", "intra-coded (IDR/IRAP NAL unit or 0xABAC C flag)")
    evidence.measure("not_intra", [u["seq"] for u in units if not is_intra(u)][:20])
    problems = check_intra_only(units)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-HTTP-01")
def test_replay_over_http_tunnel(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "http-forward", params, transport="http")
    units = record_capture(evidence, start, end, capture, elapsed)
    evidence.measure("replay_url", capture.url)
    problems = check_range(
        units,
        start,
        end,
        params["gop_tolerance_s"],
        params["start_tolerance_s"],
        params["end_tolerance_s"],
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-HTTP-REVERSE-01")
def test_reverse_replay_over_http_tunnel(device, evidence, params):
    start, end, capture, elapsed = replay_window(
        device, "http-reverse", params, reverse=True, transport="http"
    )
    units = record_capture(evidence, start, end, capture, elapsed)
    evidence.measure("replay_url", capture.url)
    problems = check_reverse(units)
    assert not problems, "; ".join(problems)
