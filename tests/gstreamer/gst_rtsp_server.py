#!/usr/bin/python3
"""GStreamer's RTSP server as an independent RTSP implementation for the suite's own tests.

Runs under Debian's system ``/usr/bin/python3`` (which has the GObject bindings; the tox venv
does not), as a subprocess of tests/gstreamer/test_*.py. Serves, on 127.0.0.1 and a free port:

- ``/h264`` and ``/h265``: live test pictures (videotestsrc -> x264enc/x265enc -> rtph26Xpay);
- ``/replay``: a recorded clip (an MP4 made first from videotestsrc) through GstRtspServer's
  ONVIF media factory (``RTSPOnvifMediaFactory`` with replay support, so ``Require:
  onvif-replay`` is accepted), payloaded and stamped with the 0xABAC header extension by
  GStreamer's ``rtponviftimestamp``, whose NTP times start at ``--recording-start``.

Nothing here is the suite's code: what these URLs do is GStreamer's own behaviour. When every
mount is ready the server writes ``--ready-file`` (JSON: port, URLs, recording start) and prints
``READY <port>``. It stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

NTP_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
SIZE = (320, 180)
FPS = 25

LIVE = {
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bframes=0 "
    "! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=1",
    "h265": "x265enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} "
    "! rtph265pay name=pay0 pt=96 config-interval=1",
}


def live_launch(codec: str) -> str:
    width, height = SIZE
    source = (
        f"videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},"
        f"framerate={FPS}/1"
    )
    return f"( {source} ! {LIVE[codec].format(fps=FPS)} )"


def make_clip(path: Path, seconds: int) -> None:
    """Record the clip the replay mount plays back (H.264 in MP4, one keyframe a second)."""
    width, height = SIZE
    subprocess.run(
        [
            "gst-launch-1.0", "-q", "videotestsrc", f"num-buffers={seconds * FPS}",
            "pattern=smpte", "!", f"video/x-raw,width={width},height={height},framerate={FPS}/1",
            "!", "x264enc", "speed-preset=ultrafast", f"key-int-max={FPS}", "bframes=0", "!",
            "h264parse", "!", "mp4mux", "!", "filesink", f"location={path}",
        ],
        check=True,
        timeout=60,
    )  # fmt: skip


class ReplayFactory(GstRtspServer.RTSPOnvifMediaFactory):
    """The clip behind the ONVIF media factory, with GStreamer's 0xABAC stamping.

    The payloader and ``rtponviftimestamp`` sit in a bin named ``pay0`` (the element the media
    takes its stream from), as GStreamer's own test-onvif-server example arranges them.
    """

    def __init__(self, clip: Path, ntp_offset_ns: int) -> None:
        super().__init__()
        self.clip = clip
        self.ntp_offset_ns = ntp_offset_ns

    def do_create_element(self, url: GstRtspServer.RTSPUrl) -> Gst.Element:  # noqa: ARG002
        top = Gst.Bin.new(None)
        source = Gst.ElementFactory.make("filesrc")
        source.set_property("location", str(self.clip))
        demux = Gst.ElementFactory.make("qtdemux")
        pay_bin = Gst.Bin.new("pay0")
        parse = Gst.ElementFactory.make("h264parse")
        pay = Gst.ElementFactory.make("rtph264pay")
        pay.set_property("pt", 96)
        pay.set_property("config-interval", -1)
        stamp = Gst.ElementFactory.make("rtponviftimestamp")
        stamp.set_property("ntp-offset", self.ntp_offset_ns)
        stamp.set_property("set-e-bit", True)
        stamp.set_property("set-t-bit", True)
        stamp.set_property("drop-out-of-segment", False)
        for element in (parse, pay, stamp):
            pay_bin.add(element)
        parse.link(pay)
        pay.link(stamp)
        pay_bin.add_pad(Gst.GhostPad.new("sink", parse.get_static_pad("sink")))
        pay_bin.add_pad(Gst.GhostPad.new("src", stamp.get_static_pad("src")))
        for element in (source, demux, pay_bin):
            top.add(element)
        source.link(demux)

        def on_pad(_demux: Gst.Element, pad: Gst.Pad) -> None:
            caps = pad.get_current_caps() or pad.query_caps(None)
            if caps.get_structure(0).get_name() == "video/x-h264":
                pad.link(pay_bin.get_static_pad("sink"))

        demux.connect("pad-added", on_pad)
        return top


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--clip-seconds", type=int, default=10)
    parser.add_argument(
        "--recording-start",
        default="2026-01-01T00:00:00+00:00",
        help="UTC time of the clip's first frame (the 0xABAC NTP times count from it)",
    )
    args = parser.parse_args()
    Gst.init(None)
    args.workdir.mkdir(parents=True, exist_ok=True)
    clip = args.workdir / "clip.mp4"
    if not clip.exists():
        make_clip(clip, args.clip_seconds)
    start = datetime.fromisoformat(args.recording_start).astimezone(UTC)
    ntp_offset_ns = round((start - NTP_EPOCH).total_seconds()) * Gst.SECOND

    server = GstRtspServer.RTSPOnvifServer.new()
    server.set_address("127.0.0.1")
    server.set_service("0")  # a free port, read back once attached
    mounts = server.get_mount_points()
    for codec in LIVE:
        factory = GstRtspServer.RTSPMediaFactory.new()
        factory.set_launch(live_launch(codec))
        factory.set_shared(True)
        mounts.add_factory(f"/{codec}", factory)
    replay = ReplayFactory(clip, ntp_offset_ns)
    replay.set_media_gtype(GstRtspServer.RTSPOnvifMedia)
    replay.set_replay_support(True)
    mounts.add_factory("/replay", replay)
    if server.attach(None) == 0:
        print("could not bind the RTSP server", file=sys.stderr)
        return 1
    port = server.get_bound_port()
    base = f"rtsp://127.0.0.1:{port}"
    ready = {
        "port": port,
        "h264": f"{base}/h264",
        "h265": f"{base}/h265",
        "replay": f"{base}/replay",
        "recording_start": start.isoformat(),
        "clip_seconds": args.clip_seconds,
        "clip": str(clip),
        "gstreamer": Gst.version_string(),
    }
    tmp = args.ready_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(ready))
    tmp.replace(args.ready_file)
    print(f"READY {port}", flush=True)
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
