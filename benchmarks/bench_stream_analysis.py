"""Benchmark: CPU cost of the stream checks per live 1080p25 stream, demux-only against decoding.

Goal from the issue: "Stream checks cost at most 0.02 CPU cores per live 1080p stream: full
decode costs about 0.2 cores ..., so checks of frame rate, GOP, timestamps and gaps work on
demuxed packets, and decode only the key frames or samples a verdict needs. Where frames are
fully decoded, PyAV is no slower than the ffmpeg CLI."

A live 1080p25 H.264 stream is captured from the simulator (in a child process, so its CPU is not
counted) with the suite's own ``conformance.clients.rtsp.capture`` over TCP, and also written as an
Annex-B ``.h264`` file. Each way of analysing it is then timed on this one clip; CPU seconds
divided by the clip's length is the share of a core one live stream would cost. Nothing is
asserted: the table is for reading.

    python benchmarks/bench_stream_analysis.py [--seconds 10] [--repeats 3] [--quick]
"""

from __future__ import annotations

import argparse
import base64
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from _common import find_ffmpeg, machine_line, print_table, start_server

from conformance.clients import stream as stream_mod
from conformance.clients.rtsp import Capture, capture

CHECKS_GOAL = 0.02
"""CPU cores per live 1080p stream the issue allows for the stream checks."""
DECODE_ANCHOR = 0.20
"""Cores per stream for a full 1080p25 decode (performance-anchors.md), for comparison only."""
MIN_TIMED_S = 0.2
"""Cheap steps are repeated until they used this much CPU, for a readable figure."""
MAX_INNER_REPEATS = 20_000


@dataclass
class Row:
    """One measured way of analysing the clip (medians over the repeats)."""

    name: str
    frames: int
    wall_s: float
    cpu_s: float
    goal: str
    note: str = ""


def timed(
    step: Callable[[], int], repeats: int, children: bool = False
) -> tuple[int, float, float]:
    """Median (frames, wall s, CPU s) of ``repeats`` runs; CPU of child processes if asked.

    ``time.process_time`` counts every thread of this process (PyAV's decoder threads too);
    ``RUSAGE_CHILDREN`` counts waited-for child processes (the ffmpeg CLI). A step that takes
    under MIN_TIMED_S of CPU is run again in a bounded loop and the per-run average taken.
    """
    walls, cpus, frames = [], [], 0
    for _ in range(repeats):
        inner = 0
        cpu0, wall0 = _cpu(children), time.perf_counter()
        while True:
            frames = step()
            inner += 1
            if _cpu(children) - cpu0 >= MIN_TIMED_S or inner >= MAX_INNER_REPEATS:
                break
        walls.append((time.perf_counter() - wall0) / inner)
        cpus.append((_cpu(children) - cpu0) / inner)
    return frames, statistics.median(walls), statistics.median(cpus)


def _cpu(children: bool) -> float:
    if not children:
        return time.process_time()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_annexb(cap: Capture, path: Path) -> None:
    """The capture as an Annex-B byte stream: SDP parameter sets, then every AU's NAL units."""
    start = stream_mod.START_CODE
    with path.open("wb") as out:
        for item in filter(None, cap.sdp_fmtp.get("sprop-parameter-sets", "").split(",")):
            out.write(start + base64.b64decode(item))
        for au in cap.access_units:
            out.write(b"".join(start + nal for nal in au.nals))


def demux_checks(cap: Capture) -> int:
    """The non-decoding part of ``analyse()``: RTP timing, timestamp regressions, counter gaps.

    ``analyse()`` always decodes (``decode_seconds`` only limits how much), so its two
    non-decoding helpers are called directly; they are private, which is why this is noted.
    """
    stats = stream_mod.StreamStats(codec=cap.codec, access_units=len(cap.access_units))
    stats.keyframes = sum(au.keyframe for au in cap.access_units)
    stream_mod._timing(cap.access_units, cap.clock_rate, stats)
    stream_mod._counter(cap.access_units, stats)
    return len(cap.access_units)


def pyav_demux(path: Path) -> int:
    """PyAV demux of the Annex-B file, no decode: the floor for packet-level checks on files."""
    with av.open(str(path)) as container:
        return sum(1 for packet in container.demux(video=0) if packet.size)


def pyav_decode(path: Path, thread_type: str | None, keyframes_only: bool = False) -> int:
    """Decode with PyAV; ``keyframes_only`` demuxes every packet but decodes only key frames."""
    frames = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if thread_type is not None:
            stream.thread_type = thread_type
        for packet in container.demux(stream):
            if keyframes_only and packet.size and not packet.is_keyframe:
                continue
            frames += len(stream.codec_context.decode(packet if packet.size else None))
    return frames


def ffmpeg_run(ffmpeg: str, path: Path, before_input: list[str], after_input: list[str]) -> int:
    """Run the ffmpeg CLI to the null muxer; options before ``-i`` apply to the decoder.

    Returns 0: ffmpeg's own frame count is not parsed (the row shows the clip's AU count).
    """
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", *before_input]
    command += ["-i", str(path), *after_input, "-f", "null", "-"]
    subprocess.run(command, check=True, timeout=300, stdin=subprocess.DEVNULL)
    return 0


def live_capture(args: argparse.Namespace) -> tuple[Capture, float, float]:
    """Capture from the simulator; returns the capture, its wall and this process's CPU s."""
    server = start_server(1920, 1080, fps=25, bitrate_kbps=args.bitrate, gop=args.gop)
    try:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        cap = capture(
            server.url, server.username, server.password, transport="tcp",
            duration=args.seconds, timeout=10.0,
        )  # fmt: skip
        return cap, time.perf_counter() - wall0, time.process_time() - cpu0
    finally:
        server.stop()


def make_reference_clip(path: Path, seconds: float, kbit_s: int, gop: int) -> int:
    """Encode a 1080p25 H.264 clip that is as hard to decode as camera video; returns frames.

    The simulator's test pattern compresses far below its bitrate target, so decoding it is
    cheaper than decoding a real camera. Noise on a moving pattern keeps x264 at ``kbit_s``
    (VBV-capped), like the 4 Mb/s clips behind performance-anchors.md.
    """
    width, height, fps = 1920, 1080, 25
    rng = np.random.default_rng(1)
    noise = [rng.integers(0, 48, (height, width), dtype=np.uint8) for _ in range(4)]
    rows, cols = np.mgrid[0:height, 0:width]
    base = ((cols // 4 + rows // 4) % 200).astype(np.uint8)
    chroma = np.full((height // 2, width), 128, np.uint8)
    frames = round(seconds * fps)
    with av.open(str(path), "w", format="h264") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = kbit_s * 1000
        stream.options = {
            "preset": "veryfast",  # CABAC and deblocking on, as camera encoders use them
            "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0"
            f":vbv-maxrate={kbit_s}:vbv-bufsize={kbit_s}",
        }
        for index in range(frames):
            luma = np.roll(base, index * 8, axis=1) + noise[index % 4]
            frame = av.VideoFrame.from_ndarray(np.concatenate([luma, chroma]), format="yuv420p")
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return frames


def file_rows(clip: Path, frames: int, repeats: int, ffmpeg: str | None) -> list[Row]:
    """The rows that need only the Annex-B file: PyAV demux/decode and the ffmpeg CLI."""
    goal, anchor = f"<= {CHECKS_GOAL}", f"~{DECODE_ANCHOR} (anchor)"
    steps: list[tuple[str, Callable[[], int], str]] = [
        ("(a) PyAV demux only (.h264 file)", lambda: pyav_demux(clip), goal),
        ("(c) PyAV decode key frames only", lambda: pyav_decode(clip, None, True), goal),
        ("(b) PyAV full decode, thread_type default", lambda: pyav_decode(clip, None), anchor),
        ("(b) PyAV full decode, thread_type AUTO", lambda: pyav_decode(clip, "AUTO"), anchor),
    ]
    rows = []
    for name, step, row_goal in steps:
        counted, wall, cpu = timed(step, repeats)
        rows.append(Row(name, counted, wall, cpu, row_goal))
    if ffmpeg is None:
        return rows
    for name, before_input, after_input, row_goal, note in [
        ("(d) ffmpeg -threads 1 full decode", ["-threads", "1"], [], anchor, ""),
        ("(d) ffmpeg default threads full decode", [], [], anchor, ""),
        ("(d) ffmpeg -c copy (demux only)", [], ["-c", "copy"], goal, "incl. process start"),
    ]:
        _, wall, cpu = timed(
            lambda b=before_input, a=after_input: ffmpeg_run(ffmpeg, clip, b, a),
            repeats,
            children=True,
        )
        rows.append(Row(name, frames, wall, cpu, row_goal, note))
    return rows


def print_rows(rows: list[Row], clip_s: float) -> None:
    """The table: CPU s / clip s is the share of one core a live stream would cost."""
    print_table(
        ["step", "frames", "wall s", "CPU s", "x real time", "cores/stream", "goal", "note"],
        [
            [r.name, r.frames, f"{r.wall_s:.3g}", f"{r.cpu_s:.3g}",
             f"{clip_s / r.wall_s:.1f}" if r.wall_s > 0 else "-",
             f"{r.cpu_s / clip_s:.2g}", r.goal, r.note]
            for r in rows
        ],
    )  # fmt: skip
    _compare(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="clip length (s)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per row (median)")
    parser.add_argument("--bitrate", type=int, default=4000, help="kbit/s target of both clips")
    parser.add_argument("--gop", type=int, default=50, help="GOP (frames) of both clips")
    parser.add_argument("--ffmpeg", help="ffmpeg CLI to compare (default: ffmpeg on PATH)")
    parser.add_argument("--no-reference", action="store_true", help="skip the 4 Mb/s clip")
    parser.add_argument("--quick", action="store_true", help="4 s clips, 1 repeat (< 40 s)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.repeats = 4.0, 1
    args.seconds = min(max(args.seconds, 2.0), 60.0)
    args.repeats = min(max(args.repeats, 1), 10)
    print(f"stream-analysis benchmark: {machine_line()}, PyAV {av.__version__}")
    ffmpeg = find_ffmpeg(args.ffmpeg)
    if ffmpeg is None:
        print("ffmpeg CLI not installed (Debian package `ffmpeg`): its rows (d) are skipped")
    else:
        version = subprocess.run(
            [ffmpeg, "-version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.split("\n")[0]
        print(f"ffmpeg CLI: {ffmpeg}: {version}")
    print(f"{args.repeats} repeat(s) per row, median; cores/stream = CPU s / clip s")

    cap, cap_wall, cap_cpu = live_capture(args)
    stats = stream_mod.StreamStats(codec=cap.codec)
    stream_mod._timing(cap.access_units, cap.clock_rate, stats)
    fps = stats.fps_rtp or 25.0
    clip_s = len(cap.access_units) / fps
    keyframes = sum(au.keyframe for au in cap.access_units)
    print(
        f"\n1. live capture from the simulator: {len(cap.access_units)} access units "
        f"({keyframes} key) at {fps:.2f} fps = {clip_s:.2f} s of 1080p {cap.codec}, "
        f"{cap.bytes * 8 / clip_s / 1000:.0f} kbit/s on the wire (target {args.bitrate}), "
        f"{cap.rtp_packets} RTP packets, {cap.rtp_seq_lost} lost"
    )
    goal, anchor = f"<= {CHECKS_GOAL}", f"~{DECODE_ANCHOR} (anchor)"
    rows = [
        Row("live receive: capture() RTP/TCP + depacketise + SEI", len(cap.access_units),
            cap_wall, cap_cpu, goal, "wall = capture length"),
    ]  # fmt: skip
    steps: list[tuple[str, Callable[[], int], str, str]] = [
        ("(a) demux checks: _timing + _counter on AUs", lambda: demux_checks(cap), goal,
         "private helpers of analyse()"),
        ("(a) analyse(decode_seconds=0): checks + 1 AU + PNG", lambda: _analyse(cap, 0.0), goal,
         "public API, least decode"),
        ("(b) analyse() as the suite calls it (full)", lambda: _analyse(cap, None), anchor,
         "decode + PNG"),
    ]  # fmt: skip
    for name, step, row_goal, note in steps:
        counted, wall, cpu = timed(step, args.repeats)
        rows.append(Row(name, counted, wall, cpu, row_goal, note))
    with tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
        clip = Path(tmp) / "clip.h264"
        write_annexb(cap, clip)
        rows += file_rows(clip, len(cap.access_units), args.repeats, ffmpeg)
        print_rows(rows, clip_s)
        if args.no_reference:
            return 0
        reference = Path(tmp) / "reference.h264"
        frames = make_reference_clip(reference, args.seconds, args.bitrate, args.gop)
        ref_s = frames / 25
        print(
            f"\n2. reference clip (noise on a moving pattern, libx264 veryfast): {frames} frames = "
            f"{ref_s:.2f} s of 1080p25 H.264, "
            f"{reference.stat().st_size * 8 / ref_s / 1000:.0f} kbit/s: decodes like camera video"
        )
        print_rows(file_rows(reference, frames, args.repeats, ffmpeg), ref_s)
    return 0


def _analyse(cap: Capture, decode_seconds: float | None) -> int:
    return stream_mod.analyse(cap, decode_seconds=decode_seconds).decoded_frames


def _compare(rows: list[Row]) -> None:
    """The goal's PyAV-against-ffmpeg comparison, as CPU ratios (below 1: PyAV cheaper)."""
    by_name = {r.name: r for r in rows}
    pairs = [
        ("(b) PyAV full decode, thread_type default", "(d) ffmpeg -threads 1 full decode"),
        ("(b) PyAV full decode, thread_type AUTO", "(d) ffmpeg default threads full decode"),
    ]
    for pyav_name, ffmpeg_name in pairs:
        pyav_row, ffmpeg_row = by_name.get(pyav_name), by_name.get(ffmpeg_name)
        if pyav_row is None or ffmpeg_row is None or ffmpeg_row.cpu_s <= 0:
            continue
        print(
            f"{pyav_name[4:]} / {ffmpeg_name[4:]}: CPU x{pyav_row.cpu_s / ffmpeg_row.cpu_s:.2f}, "
            f"wall x{pyav_row.wall_s / ffmpeg_row.wall_s:.2f} (goal: PyAV no slower, <= 1)"
        )


if __name__ == "__main__":
    sys.exit(main())
