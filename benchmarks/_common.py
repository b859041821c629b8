"""Helpers shared by the RTSP-capacity and stream-analysis benchmarks.

The simulator runs in its own process so that its CPU time can be read from
``/proc/<pid>/stat`` without the benchmark's own client work mixed in. Running this file as a
script (``python benchmarks/_common.py serve ...``) is that server process: it starts one
camera's :class:`~fake_vms.rtsp.server.RtspServer`, prints one JSON line with the port and
credentials, and stops when its standard input closes, so it can never outlive the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU seconds of a live process (all its threads), from /proc/<pid>/stat.

    Fields 14 and 15 (utime, stime) are in clock ticks; the command name (field 2) may contain
    spaces, so the fields are counted from the closing parenthesis.
    """
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        text = handle.read()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def pin_to(cpus: set[int]) -> bool:
    """Pin the calling process to ``cpus`` where the platform allows; False if it could not."""
    if not hasattr(os, "sched_setaffinity"):
        return False
    try:
        os.sched_setaffinity(0, cpus)
    except OSError:
        return False
    return True


def server_and_client_cpus() -> tuple[set[int] | None, set[int] | None]:
    """One core for the server, the others for the benchmark's clients (None: do not pin)."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return {cpus[0]}, None
    return {cpus[-1]}, set(cpus[:-1])


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a plain, right-aligned text table (numbers already formatted by the caller)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def machine_line() -> str:
    """CPUs and load average: figures from a shared machine need the load beside them."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"Python {sys.version.split()[0]}"
    )


def find_ffmpeg(explicit: str | None) -> str | None:
    """The ffmpeg CLI to compare against: ``--ffmpeg PATH`` if given, else ``ffmpeg`` on PATH."""
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("ffmpeg")


@dataclass
class ServerProcess:
    """A simulator RTSP server in a child process; ``stop()`` closes its stdin and waits."""

    proc: subprocess.Popen[str]
    port: int
    username: str
    password: str
    pinned: str

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/stream1"

    def cpu_seconds(self) -> float:
        return cpu_seconds_of(self.proc.pid)

    def stop(self, timeout: float = 10.0) -> None:
        stdin: IO[str] | None = self.proc.stdin
        if stdin is not None:
            stdin.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)


def start_server(
    width: int,
    height: int,
    fps: int = 25,
    bitrate_kbps: int = 1500,
    gop: int = 25,
    cpus: set[int] | None = None,
    timeout: float = 120.0,
) -> ServerProcess:
    """Start ``serve`` in a child process and wait (bounded) for its ready line."""
    command = [
        sys.executable, __file__, "serve", "--width", str(width), "--height", str(height),
        "--fps", str(fps), "--bitrate", str(bitrate_kbps), "--gop", str(gop),
    ]  # fmt: skip
    if cpus:
        command += ["--cpus", ",".join(str(c) for c in sorted(cpus))]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # the child prints exactly one line, or dies
        if line or proc.poll() is not None:
            break
    if not line:
        proc.kill()
        proc.wait(10)
        raise RuntimeError("simulator RTSP server did not start")
    ready = json.loads(line)
    return ServerProcess(proc, ready["port"], ready["username"], ready["password"], ready["pinned"])


async def _serve(args: argparse.Namespace) -> None:
    from fake_vms.rtsp.server import RtspServer
    from fake_vms.site import CameraConfig

    pinned = "not pinned"
    if args.cpus:
        cpus = {int(c) for c in args.cpus.split(",")}
        pinned = f"pinned to CPU {args.cpus}" if pin_to(cpus) else "pinning failed"
    camera = CameraConfig(
        name="bench-cam", width=args.width, height=args.height, fps=args.fps,
        bitrate_kbps=args.bitrate, gop=args.gop,
    )  # fmt: skip
    server = RtspServer(camera)
    await server.start("127.0.0.1", 0)
    ready = {
        "port": server.port,
        "username": camera.username,
        "password": camera.password,
        "pinned": pinned,
    }
    print(json.dumps(ready), flush=True)
    # Serve until the parent closes our stdin (or dies): never outlive the benchmark.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="benchmark helper: serve one simulated camera")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--width", type=int, default=1280)
    serve.add_argument("--height", type=int, default=720)
    serve.add_argument("--fps", type=int, default=25)
    serve.add_argument("--bitrate", type=int, default=1500)
    serve.add_argument("--gop", type=int, default=25)
    serve.add_argument("--cpus", default="")
    args = parser.parse_args()
    asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
