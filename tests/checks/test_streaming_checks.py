"""Streaming checks judged on StreamStats recorded from 2 s RTSP captures of fake_vms cameras.

``fixtures/streams/<device>.json`` holds ``StreamStats.to_dict()``, the capture's RTP sequence
losses and the main profile's encoder configuration (see ``record_fixtures.py``).
"""

from __future__ import annotations

from typing import Any

from zeep_replay import json_fixture

from conformance.checks.streaming import (
    ParallelSession,
    check_continuity,
    check_format,
    check_frame_rate,
    check_parallel_sessions,
    check_playable,
    check_timestamps,
    within,
)

TOLERANCE_PCT = 10.0  # the catalogue default of STREAM-FPS-01
CLAIMED_CODECS = ["H264"]
CLAIMED_SIZES = ["1280x720"]
CLAIMED_RATES = [25.0]


def _stream(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = json_fixture("streams", f"{name}.json")
    return data, data["stats"]


def _playable(name: str) -> list[str]:
    _, s = _stream(name)
    return check_playable(s["decoded_frames"], s["keyframes"], s["codec"])


def _format(name: str) -> list[str]:
    data, s = _stream(name)
    enc = data["encoder"]
    width, height = (int(v) for v in enc["resolution"].split("x"))
    size = (s["width"], s["height"]) if s["width"] else None
    return check_format(
        s["codec"], size, enc["encoding"], (width, height), CLAIMED_CODECS, CLAIMED_SIZES
    )


def _frame_rate(name: str) -> list[str]:
    data, s = _stream(name)
    return check_frame_rate(
        s["fps_rtp"], s["fps_arrival"], data["encoder"]["fps"], CLAIMED_RATES, TOLERANCE_PCT
    )


def _continuity(data: dict[str, Any], s: dict[str, Any]) -> list[str]:
    """STREAM-CONT-01 as the suite judges it: RTP sequence gaps, plus timestamp losses (0 in a
    recorded known-good stream; the live tests in tests/clients/test_rtsp_client.py judge the
    dropped-frames persona from its timestamps)."""
    return check_continuity(data["rtp_seq_lost"], 0, access_units=s["access_units"])


def test_playable_good():
    assert _playable("good") == []


def test_playable_cut_short():
    assert _playable("good-cut-short") == ["only 5 frames decoded (at least 10 needed)"]


def test_playable_nothing_arrived():
    assert check_playable(0, 0, None) == [
        "no key frame arrived, so no client could start decoding",
        "only 0 frames decoded (at least 10 needed)",
        "the SDP names no video codec",
    ]


def test_format_good():
    assert _format("good") == []


def test_format_resolution_mismatch_persona():
    assert _format("stream-resolution-mismatch") == [
        "stream is 640x360, encoder configuration says 1280x720",
        "stream size 640x360 is not among the claimed ['1280x720']",
    ]


def test_format_nothing_decoded():
    assert check_format("H265", None, "H264", (1280, 720), CLAIMED_CODECS, []) == [
        "stream codec H265, encoder configuration says H264",
        "stream codec H265 is not among the claimed ['H264']",
        "no frame decoded, so the picture size is unknown",
    ]


def test_within_recorded_rates():
    _, good = _stream("good")
    _, half = _stream("half-frame-rate")
    assert within(good["fps_arrival"], 25.0, TOLERANCE_PCT)
    assert not within(half["fps_arrival"], 25.0, TOLERANCE_PCT)
    assert not within(25.0, 0.0, TOLERANCE_PCT)  # an unknown (zero) target never matches


def test_frame_rate_good():
    assert _frame_rate("good") == []


def test_frame_rate_half_persona():
    _, s = _stream("half-frame-rate")
    assert _frame_rate("half-frame-rate") == [
        "frame rate from RTP timestamps is 12.50 fps; configured 25 fps ±10%",
        f"frame rate from arrival times is {s['fps_arrival']:.2f} fps; configured 25 fps ±10%",
        f"measured {s['fps_arrival']:.2f} fps matches no claimed rate [25.0]",
    ]


def test_frame_rate_unmeasurable():
    assert check_frame_rate(None, None, 25.0, [], TOLERANCE_PCT) == [
        "frame rate from RTP timestamps could not be measured",
        "frame rate from arrival times could not be measured",
    ]


def test_timestamps_good():
    _, s = _stream("good")
    assert check_timestamps(s["timestamp_regressions"], s["access_units"]) == []


def test_timestamps_jump_persona():
    _, s = _stream("timestamp-jumps")
    assert check_timestamps(s["timestamp_regressions"], s["access_units"]) == [
        f"{s['timestamp_regressions']} of 50 access units had an RTP timestamp not later "
        "than the previous one"
    ]
    assert s["timestamp_regressions"] >= 1


def test_continuity_good():
    assert _continuity(*_stream("good")) == []


def test_continuity_timestamp_loss_and_packet_loss():
    """Lost frames (timestamp steps) and lost packets are each reported; the counter is never
    an input (a real device has none)."""
    assert check_continuity(3, None, access_units=10) == [
        "3 RTP packets lost (sequence number gaps)"
    ]
    assert check_continuity(0, None, access_units=10) == []
    assert check_continuity(0, 2, [(25, 1), (50, 1)], 25.0, access_units=75) == [
        "2 frames missing from the RTP timestamps at 25 fps "
        "(2 gaps: 1 before access unit 25, 1 before access unit 50)"
    ]


# -- STREAM-CLIENTS-01 ---------------------------------------------------------------------------
def _played(fps: float = 25.0) -> ParallelSession:
    return ParallelSession(
        decoded_frames=25, keyframes=3, codec="H264", fps_rtp=fps, fps_arrival=fps * 0.99
    )


def test_two_clients_at_the_configured_rate_pass() -> None:
    assert check_parallel_sessions(_played(), _played(), 25.0, TOLERANCE_PCT) == []


def test_a_refused_second_session_is_named_and_no_rate_is_asked_of_the_first() -> None:
    refused = ParallelSession(error="SETUP answered 453 Not Enough Bandwidth")
    first = ParallelSession(decoded_frames=25, keyframes=1, codec="H264")  # no overlap: no rate
    assert check_parallel_sessions(first, refused, 25.0, TOLERANCE_PCT) == [
        "second session: SETUP answered 453 Not Enough Bandwidth"
    ]


def test_a_first_session_cut_by_the_second_is_named_with_when() -> None:
    cut = _played()
    cut.stopped_after_s = 0.4
    assert check_parallel_sessions(cut, _played(), 25.0, TOLERANCE_PCT) == [
        "first session stopped 0.4 s after the second PLAY"
    ]


def test_a_failed_first_session_is_the_only_finding() -> None:
    first = ParallelSession(error="SETUP answered 453 Not Enough Bandwidth")
    assert check_parallel_sessions(first, ParallelSession(), 25.0, TOLERANCE_PCT) == [
        "first session: SETUP answered 453 Not Enough Bandwidth"
    ]


def test_a_rate_halved_while_both_play_fails_each_clock() -> None:
    problems = check_parallel_sessions(_played(), _played(12.5), 25.0, TOLERANCE_PCT)
    assert len(problems) == 2
    assert all(p.startswith("second session: ") and "while both played" in p for p in problems)


def test_undecodable_second_session_fails() -> None:
    blank = ParallelSession(decoded_frames=0, keyframes=0, codec="H264", fps_rtp=25, fps_arrival=25)
    problems = check_parallel_sessions(_played(), blank, 25.0, TOLERANCE_PCT)
    assert problems and all(p.startswith("second session: ") for p in problems)
