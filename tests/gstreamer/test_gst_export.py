"""Export checks on files FFmpeg makes from GStreamer's live stream: no simulator frame counter.

FFmpeg (through PyAV) reads ``/h264`` over RTSP and remuxes the packets, untouched, into MP4:
what a VMS that records a camera and exports natively would hand over. ffprobe shows 320x180
H.264 at 25 fps with one frame every 40 ms. So the file deserves: plays (EXPORT-PLAY-01),
native (EXPORT-NATIVE-01), and a frame count consistent with its duration (EXPORT-FRAMES-01).
The same file with every fifth frame removed must fail EXPORT-FRAMES-01.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conformance.checks.export import RecordingFormat, check_frames, check_native, check_plays

SECONDS = 3.0


def _remux(url: str, path: Path, seconds: float, drop_every: int = 0) -> None:
    """Copy ``seconds`` of the RTSP stream into MP4 with FFmpeg (PyAV), dropping every
    ``drop_every``-th frame if asked (frames a broken export would lose)."""
    import av

    with av.open(url, options={"rtsp_transport": "tcp"}, timeout=10.0) as source:
        video = source.streams.video[0]
        with av.open(str(path), "w", format="mp4") as sink:
            out = sink.add_stream_from_template(video)
            first = None
            for n, packet in enumerate(source.demux(video)):
                if packet.pts is None or packet.dts is None:
                    continue
                first = packet.pts if first is None else first
                if (packet.pts - first) * packet.time_base > seconds:
                    break
                if drop_every and n % drop_every == drop_every - 1 and not packet.is_keyframe:
                    continue
                packet.stream = out
                sink.mux(packet)


@pytest.fixture(scope="module")
def exports(gst_server, tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("gst-export")
    made = {"whole": work / "whole.mp4", "dropped": work / "dropped.mp4"}
    _remux(gst_server["h264"], made["whole"], SECONDS)
    _remux(gst_server["h264"], made["dropped"], SECONDS, drop_every=5)
    return made


def _facts(path: Path):
    from conformance.clients.export_media import probe

    return probe(path.name, path.read_bytes())


def test_ffprobe_reads_the_export(exports):
    """Independently: ffprobe sees H.264 320x180 at 25 fps."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
         "stream=codec_name,width,height,r_frame_rate,nb_read_packets", "-of", "json",
         str(exports["whole"])],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    stream = json.loads(out.stdout)["streams"][0]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 320, 180)
    assert stream["r_frame_rate"] == "25/1"
    assert int(stream["nb_read_packets"]) >= 60


def test_export_plays_and_is_native(exports):
    facts = [_facts(exports["whole"])]
    assert check_plays(facts) == []
    assert check_native(facts, RecordingFormat("H264", 320, 180, 25.0)) == []


def test_export_frame_count_passes_without_counter(exports):
    """EXPORT-FRAMES-01 must pass a complete export that carries no simulator frame counter."""
    assert check_frames([_facts(exports["whole"])], 25.0) == []


def test_export_with_frames_removed_fails(exports):
    """EXPORT-FRAMES-01 fails an export that lost every fifth frame."""
    facts = _facts(exports["dropped"])
    whole = _facts(exports["whole"])
    assert facts.packets < whole.packets
    problems = check_frames([facts], 25.0)
    assert any(f"{facts.packets} frames in" in p for p in problems), problems
