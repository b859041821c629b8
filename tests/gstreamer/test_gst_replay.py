"""ONVIF replay checks against GStreamer's ONVIF media factory (RTSPOnvifMediaFactory).

The replay mount plays a 10 s recorded clip (H.264 in MP4, a keyframe a second) through
GStreamer's ONVIF server with replay support, stamped by GStreamer's ``rtponviftimestamp``.
What GStreamer 1.22 does, written down from the wire first (GStreamer's own rtspsrc in ONVIF
mode, and the independent raw reader in raw_rtsp.py), then judged by the suite's checks:

- ``Require: onvif-replay`` is accepted (rtspsrc onvif-mode=true plays), and the SDP carries
  ``a=x-onvif-track``: REPLAY-TAG-01 passes;
- ``Range: clock=`` is honoured on the media's own timeline, clock = 1900-01-01T00:00:00Z +
  media position (its test-onvif-server example serves an archive from 1900 to 2000): PLAY
  echoes the range, the first access unit is at the requested start and none is past the end:
  REPLAY-RANGE-01 passes. (A 2026 clock range lies past the clip: GStreamer plays its last GOP.)
- the 0xABAC extension is on every RTP packet, NTP times on the same timeline, C set on
  keyframes, but its CSeq field is always 0 (nothing passes the PLAY's CSeq to the stamper) and
  the T flag is never set: REPLAY-EXT-01 fails for the CSeq;
- ``Rate-Control: no`` is accepted and the range arrives far faster than real time:
  REPLAY-RATE-01 passes;
- ``Scale: -1.0`` with the range later-time-first, as ONVIF reverse replay sends it, plays the
  GOPs backwards (frames forward within each GOP, D on each GOP's first unit) although PLAY
  echoes ``Scale: 1.000``: REPLAY-REVERSE-01 passes. With the range earlier-time-first it
  answers 503 Service Unavailable. ``Scale: 2.0`` is answered ``Scale: 1.000`` and
  ``Speed: 2.000``.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta

import pytest
from raw_rtsp import RawSession

from conformance.checks.recording import (
    check_extension,
    check_gaps,
    check_range,
    check_rate,
    check_tag,
    find_gaps,
    replay_units_view,
)

REQUIRE = {"Require": "onvif-replay"}
# REPLAY-RANGE-01 defaults (profiles/requirements/replay.yaml)
GOP_TOLERANCE_S, START_TOLERANCE_S, END_TOLERANCE_S = 2.0, 1.5, 0.1


def _window(server, offset_s: float, length_s: float) -> tuple[datetime, datetime]:
    start = datetime.fromisoformat(server["recording_start"]) + timedelta(seconds=offset_s)
    return start, start + timedelta(seconds=length_s)


def _raw_play(server, headers: dict[str, str], packets: int = 0):
    """DESCRIBE/SETUP/PLAY with ``Require: onvif-replay`` and ``headers`` on PLAY; returns the
    PLAY response and up to ``packets`` RTP packets that followed it."""
    raw = RawSession("127.0.0.1", server["port"])
    try:
        url = server["replay"]
        raw.request("DESCRIBE", url, {**REQUIRE, "Accept": "application/sdp"})
        setup = raw.request(
            "SETUP", f"{url}/stream=0", {**REQUIRE, "Transport": "RTP/AVP/TCP;interleaved=0-1"}
        )
        session = setup.headers["session"].split(";")[0]
        play = raw.request("PLAY", url, {**REQUIRE, "Session": session, **headers})
        return play, raw.read_packets(packets, 5.0) if play.status == 200 and packets else []
    finally:
        raw.close()


def test_gstreamer_rtspsrc_plays_replay_in_onvif_mode(gst_server):
    """GStreamer's own client, in ONVIF mode (Require: onvif-replay), plays the recording."""
    gst = subprocess.run(
        ["gst-launch-1.0", "-q", "rtspsrc", f"location={gst_server['replay']}",
         "onvif-mode=true", "protocols=tcp", "!", "rtph264depay", "!", "avdec_h264", "!",
         "fakesink", "num-buffers=10"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert gst.returncode == 0, gst.stderr


def test_wire_behaviour_of_replay(gst_server):
    """Range: clock=, 0xABAC, Scale and reverse as GStreamer answers them, read raw."""
    play, packets = _raw_play(
        gst_server, {"Range": "clock=19000101T000002Z-19000101T000005Z"}, packets=40
    )
    assert play.status == 200
    assert play.headers["range"] == "clock=19000101T000002Z-19000101T000005Z"
    assert packets and all(p.extension_profile == 0xABAC for p in packets)
    first_ntp_s = packets[0].ntp / 2**32
    assert 2.0 <= first_ntp_s < 2.1, first_ntp_s  # seconds since 1900: the requested start
    late, _ = _raw_play(gst_server, {"Range": "clock=20260101T000002Z-20260101T000005Z"})
    assert late.headers["range"] == "clock=19000101T000009Z-19000101T000010Z"  # the last GOP
    backwards = {"Range": "clock=19000101T000005Z-19000101T000002Z", "Scale": "-1.0"}
    reverse, packets = _raw_play(gst_server, backwards, packets=3000)
    assert reverse.status == 200
    times = [p.ntp / 2**32 for p in packets if p.ntp is not None]
    assert 4.0 <= times[0] < 4.04  # the GOP that starts before the requested 5 s
    assert any(3.0 <= t < 4.0 for t in times)  # then the GOP before it: backwards
    wrong_order = {"Range": "clock=19000101T000002Z-19000101T000005Z", "Scale": "-1.0"}
    assert _raw_play(gst_server, wrong_order)[0].status == 503
    fast, _ = _raw_play(gst_server, {"Range": "clock=19000101T000002Z-", "Scale": "2.0"})
    assert (fast.status, fast.headers.get("scale"), fast.headers.get("speed")) == (
        200,
        "1.000",
        "2.000",
    )
    uncontrolled, _ = _raw_play(gst_server, {"Range": "npt=2-3", "Rate-Control": "no"})
    assert (uncontrolled.status, uncontrolled.headers.get("rate-control")) == (200, "no")


@pytest.fixture(scope="module")
def forward(gst_server):
    """One forward replay of [2 s, 5 s] with Rate-Control: no, as the suite's replay_window."""
    from conformance.clients.replay import replay

    start, end = _window(gst_server, 2.0, 3.0)
    capture = replay(
        gst_server["replay"], None, None, start=start, end=end, rate_control=False,
        timeout=5.0, idle_timeout=1.0, max_seconds=6.0,
    )  # fmt: skip
    return start, end, capture


def test_replay_tag_passes(forward):
    _, _, capture = forward
    assert not capture.tag_refused
    assert check_tag(capture.tag_refused, capture.sdp) == []


def test_replay_range_passes(forward):
    start, end, capture = forward
    units = replay_units_view(capture)
    problems = check_range(
        units, start.timestamp(), end.timestamp(), GOP_TOLERANCE_S, START_TOLERANCE_S,
        END_TOLERANCE_S,
    )  # fmt: skip
    assert problems == []
    assert len(units) == 75  # 3 s at 25 fps


def test_replay_extension_fails_on_cseq(forward):
    """REPLAY-EXT-01 fails: GStreamer leaves the 0xABAC CSeq field 0 (the PLAY's CSeq is 3)."""
    _, _, capture = forward
    units = replay_units_view(capture)
    assert all(u["time"] is not None for u in units)
    assert all(bool(u["c"]) == bool(u["keyframe"]) for u in units)
    problems = check_extension(units, capture.play_cseq)
    assert any(f"CSeq field [0] differs from the PLAY's CSeq low byte {capture.play_cseq & 0xFF}"
               in p for p in problems), problems  # fmt: skip
    assert not any("NTP time does not increase" in p for p in problems)


def test_replay_rate_control_no_passes(forward):
    """REPLAY-RATE-01, measured as the suite does: last in-range unit's arrival after PLAY."""
    _, end, capture = forward
    units = replay_units_view(capture)
    in_range = [(u["time"], a.arrival) for u, a in zip(units, capture.units, strict=True)
                if u["time"] is not None and u["time"] <= end.timestamp()]  # fmt: skip
    media_s = in_range[-1][0] - in_range[0][0]
    taken = in_range[-1][1] - capture.started
    complete = in_range[-1][0] >= end.timestamp() - 0.1
    assert check_rate(taken, media_s, 2.0, complete) == []


def test_replay_shows_no_gap_in_a_continuous_clip(forward):
    _, _, capture = forward
    units = replay_units_view(capture)
    gaps = find_gaps(units, 1.0)
    assert gaps == []
    assert check_gaps(units, gaps) == []


def test_reverse_replay_passes(gst_server):
    """REPLAY-REVERSE-01 passes, driven as the suite's replay_window drives it (later first)."""
    from conformance.checks.recording import check_reverse
    from conformance.clients.replay import replay

    start, end = _window(gst_server, 2.0, 3.0)
    capture = replay(
        gst_server["replay"], None, None, start=end, end=start, scale=-1.0, timeout=5.0,
        idle_timeout=1.0, max_seconds=6.0,
    )  # fmt: skip
    units = replay_units_view(capture)
    assert len(units) >= 50
    assert check_reverse(units) == []
