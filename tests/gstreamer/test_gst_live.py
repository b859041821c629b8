"""Live streaming checks against GStreamer's RTSP server, an RTSP implementation not ours.

What GStreamer 1.22's server does (established first with FFmpeg's ffprobe and GStreamer's own
rtspsrc, asserted in ``test_independent_clients_*``):

- ``/h264`` and ``/h265`` serve 320x180 at 25 fps (videotestsrc -> x264enc/x265enc); ffprobe
  reads codec, size and a 25/1 frame rate, and rtspsrc -> depayloader -> avdec decodes frames;
- the SDP is RFC 4566 well-formed (v, o, s, t, c=IN IP4 0.0.0.0, a=framerate:25);
- SETUP answers ``Session: <id>`` without ``;timeout=`` (it leaves out the RFC 2326 default
  of 60 s, as the RFC allows) and GET_PARAMETER/OPTIONS in a session are answered 200.

So the suite's checks must pass it: STREAM-RTSP-UDP/TCP-01 (plays and decodes), FORMAT-01,
FPS-01, TS-01, CONT-01 (no counter: judged from RTP sequence numbers), SDP-01 and KEEPALIVE-01.
The server has no authentication configured, so STREAM-RTSP-AUTH-01 is not driven here.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from raw_rtsp import RawSession

from conformance.checks.sdp import check_sdp
from conformance.checks.streaming import (
    check_continuity,
    check_format,
    check_frame_rate,
    check_playable,
    check_timestamps,
)
from conformance.checks.transports import check_keepalive
from conformance.clients.stream import sdp_framerate, timestamp_losses

CODECS = {"h264": ("H264", "h264", "rtph264depay", "avdec_h264"),
          "h265": ("H265", "hevc", "rtph265depay", "avdec_h265")}  # fmt: skip
SIZE = (320, 180)
FPS = 25.0


@pytest.mark.parametrize("name", sorted(CODECS))
def test_independent_clients_see_live_stream(gst_server, name):
    """ffprobe and gst-launch's rtspsrc both play the stream: the behaviour the checks judge."""
    url = gst_server[name]
    ffprobe = subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries",
         "stream=codec_name,width,height,r_frame_rate", "-of", "json", url],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    stream = json.loads(ffprobe.stdout)["streams"][0]
    assert (stream["codec_name"], stream["width"], stream["height"]) == (CODECS[name][1], *SIZE)
    assert stream["r_frame_rate"] == "25/1"
    _, _, depay, decoder = CODECS[name]
    gst = subprocess.run(
        ["gst-launch-1.0", "-q", "rtspsrc", f"location={url}", "protocols=tcp", "!", depay,
         "!", decoder, "!", "fakesink", "num-buffers=10"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert gst.returncode == 0, gst.stderr


@pytest.mark.parametrize("transport", ["tcp", "udp"])
@pytest.mark.parametrize("name", sorted(CODECS))
def test_live_checks_pass(gst_server, name, transport):
    """STREAM-RTSP-UDP/TCP-01, FORMAT-01, FPS-01, TS-01, CONT-01 and SDP-01 all pass."""
    from conformance.clients.rtsp import capture
    from conformance.clients.stream import analyse

    cap = capture(gst_server[name], None, None, transport=transport, duration=2.5, timeout=5.0)
    stats = analyse(cap)
    codec = CODECS[name][0]
    assert check_playable(stats.decoded_frames, stats.keyframes, stats.codec) == []
    size = (stats.width, stats.height) if stats.width else None
    assert check_format(stats.codec, size, codec, SIZE, [], []) == []
    assert check_frame_rate(stats.fps_rtp, stats.fps_arrival, FPS, [], 10.0) == []
    assert check_timestamps(stats.timestamp_regressions, stats.access_units) == []
    # No frame counter on a GStreamer stream: continuity is judged from RTP sequence numbers.
    assert stats.counter_missing == stats.access_units
    declared = sdp_framerate(cap.sdp)
    loss = timestamp_losses(cap.access_units, cap.clock_rate, declared)
    cont = check_continuity(
        cap.rtp_seq_lost,
        loss.lost if loss else None,
        loss.gaps if loss else None,
        declared,
        access_units=stats.access_units,
    )
    assert cont == []
    assert check_sdp(cap.sdp) == [], cap.sdp


def test_keepalive_passes(gst_server):
    """STREAM-KEEPALIVE-01 passes: both keep-alives 200, stream goes on; no timeout is legal."""
    from conformance.clients.rtsp_keepalive import keepalive_probe

    # On the wire first, with the independent raw reader: the Session header has no timeout.
    raw = RawSession("127.0.0.1", gst_server["port"])
    try:
        raw.request("DESCRIBE", gst_server["h264"], {"Accept": "application/sdp"})
        setup = raw.request(
            "SETUP",
            gst_server["h264"] + "/stream=0",
            {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"},
        )
    finally:
        raw.close()
    assert setup.status == 200 and "timeout" not in setup.headers["session"], setup.headers
    result = keepalive_probe(gst_server["h264"], None, None, after_s=0.4, timeout=5.0)
    assert result.session_timeout_s is None  # GStreamer omits ;timeout= when it is 60 s
    assert [s.status for s in result.steps] == [200, 200]
    problems = check_keepalive(
        result.session_timeout_s, result.packets_before, result.steps, len(result.steps)
    )
    assert problems == []
