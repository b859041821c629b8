"""Two RTSP clients on the main stream at once: what moving a camera between VMSs needs.

During a migration the old and the new VMS both stream the camera for a while, so a camera
that must not go dark can only be moved if it serves its main stream to two clients at once.
The check plays the main stream URI in two sessions, each on its own connection, over the
transport the stream-quality checks use (TCP, or UDP where TCP fails): the first plays alone for
a moment, then the second starts, and both are captured while both play. It holds the device's
stream slot (:attr:`conformance.dut.DeviceUnderTest.stream_slot`) meanwhile, so no other session
of the suite (the prefetcher's included) is open to the camera: it sees these two only.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from conformance.checks.media import EncoderView
from conformance.checks.streaming import ParallelSession, check_parallel_sessions, within
from conformance.dut import QUALITY_CAPTURE_S
from conformance.outcomes import Blocked, Inconclusive, blocked

CUT_GAP_S = 0.5
"""A session whose last frame came this much (or three frame intervals, if longer) before the
other session ended had stopped while the other still played."""


def _reference_fps(vec: EncoderView, single, tolerance_pct: float, evidence) -> float:
    """The configured rate, unless one client alone does not get it: then the rate one client
    gets (STREAM-FPS-01 judges the rate itself; this check judges what a second client costs)."""
    rates = [r for r in (single.fps_rtp, single.fps_arrival) if r is not None]
    if vec.fps and rates and all(within(r, vec.fps, tolerance_pct) for r in rates):
        return vec.fps
    alone = single.fps_arrival or single.fps_rtp
    if alone is None:
        raise Inconclusive("one client alone got no measurable frame rate")
    evidence.note(
        f"one client alone gets {alone:.2f} fps (configured {vec.fps:g} fps, judged by "
        "STREAM-FPS-01): both sessions are held to the rate one client gets"
    )
    return alone


def _session(run, stats) -> ParallelSession:
    if run.error is not None:
        return ParallelSession(error=str(run.error))
    return ParallelSession(
        decoded_frames=stats.decoded_frames,
        keyframes=stats.keyframes,
        codec=stats.codec,
        fps_rtp=stats.fps_rtp,
        fps_arrival=stats.fps_arrival,
    )


@pytest.mark.requirement("STREAM-CLIENTS-01")
def test_main_stream_plays_to_two_clients(device, evidence, params):
    from conformance.clients.parallel_sessions import overlap_rates, play_side_by_side
    from conformance.clients.stream import analyse

    tolerance = params["fps_tolerance_pct"]
    url = device.stream_url()
    try:
        transport, _capture, single = device.stream_stats(QUALITY_CAPTURE_S)
    except Blocked:
        raise
    except Inconclusive as exc:  # no transport delivered a stream to a single client
        blocked("STREAM-RTSP-UDP-01", f"the camera streams to no single client ({exc})")
    vec = EncoderView.of(device.main_profile().VideoEncoderConfiguration)
    expected = _reference_fps(vec, single, tolerance, evidence)
    result = device.live_session(
        play_side_by_side, url, transport=transport, seconds=params["capture_seconds"]
    )
    first, second = result.first, result.second
    evidence.measure("transport", transport)
    evidence.expect("fps", expected)
    evidence.expect("tolerance_pct", tolerance)
    evidence.attach_exchanges("rtsp-first-session-transcript", first.exchanges)
    evidence.attach_exchanges("rtsp-second-session-transcript", second.exchanges)
    origin = first.started_at or 0.0

    def at(t: float | None) -> float | None:
        return round(t - origin, 3) if t is not None else None

    timeline = {
        "first_play_s": at(first.played_at),
        "second_start_s": at(second.started_at),
        "second_play_s": at(second.played_at),
        "second_end_s": at(second.ended_at),
        "first_end_s": at(first.ended_at),
    }
    evidence.measure("timeline", timeline)
    first_view = _session(first, None) if first.error else None
    second_view = ParallelSession(error="not started: the first session was no longer playing")
    second_event = "the second PLAY"
    if first.capture is not None:
        cap = first.capture
        evidence.attach_text("sdp-first-session", cap.sdp, ext="sdp", media_type="application/sdp")
        stats = analyse(cap)
        # Both played from the second PLAY (or, if it never played, its first request) to its
        # last frame (or its end).
        start = second.played_at or second.started_at or first.ended_at or 0.0
        if second.played_at is None:
            second_event = "the second session's first request"
        end = second.ended_at or start
        if second.capture is not None and second.capture.access_units:
            end = second.capture.access_units[-1].arrival
        rates = overlap_rates(cap, start, end)
        evidence.attach_json(
            "stream-stats-first-session",
            {**stats.to_dict(), "while_both_played": rates.to_dict(), "notes": cap.notes},
        )
        evidence.measure("first_session_while_both_played", rates.to_dict())
        first_view = _session(first, stats)
        first_view.fps_rtp, first_view.fps_arrival = rates.fps_rtp, rates.fps_arrival
        gap = max(CUT_GAP_S, 3 / expected) if expected else CUT_GAP_S
        last = rates.last_frame_after_s
        if end - start > gap and (last is None or start + last < end - gap):
            first_view.stopped_after_s = max(0.0, last or 0.0)
    if result.second_started:
        second_view = _session(second, None) if second.error else second_view
        if second.capture is not None:
            stats2 = analyse(second.capture)
            evidence.attach_json(
                "stream-stats-second-session",
                {**stats2.to_dict(), "notes": second.capture.notes},
            )
            second_view = _session(second, stats2)
    evidence.measure("second_session", second_view.error or "played")
    assert first_view is not None
    evidence.attach_json(
        "parallel-sessions",
        {
            "transport": transport,
            "expected_fps": expected,
            "timeline": timeline,
            "first": asdict(first_view),
            "second": asdict(second_view),
        },
    )
    problems = check_parallel_sessions(first_view, second_view, expected, tolerance, second_event)
    assert not problems, "; ".join(problems)
