"""Benchmark: how many concurrent 25 fps RTSP viewers the simulator serves from one core.

Goal from the issue: "The simulator sustains at least 100 concurrent 25 fps streams with no frame
loss on one core." The simulator's RtspServer for one 720p25 H.264 camera runs in a child process
pinned to one CPU, so its CPU time can be read from /proc and it cannot borrow a second core; the
viewers are a lightweight asyncio client in this process (pinned to the other CPUs), which counts
access units by RTP marker bit and reads the frame-counter SEI (docs/frame-counter.md) of every
access unit, so lost frames are counted exactly. Nothing is asserted: the table is for reading.

Where GStreamer's RTSP server is installed (system python3 with gi, GstRtspServer and x264enc),
the same viewers are run against it as a point of comparison.

    python benchmarks/bench_rtsp_capacity.py [--clients 1,10,50,100,200] [--seconds 10] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field

from _common import (
    ServerProcess,
    cpu_seconds_of,
    machine_line,
    pin_to,
    print_table,
    server_and_client_cpus,
    start_server,
)

from conformance.clients.rtsp import resolve_control
from conformance.clients.stream import parse_frame_counter

FPS = 25
FPS_TOLERANCE = 0.02
"""A viewer 'kept 25 fps' if it received at least 98 % of the frames due in the window."""
HANDSHAKE_TIMEOUT_S = 15.0
MAX_PARALLEL_JOINS = 32
"""Joins in flight at once: keeps the server's listen backlog (100) from overflowing."""
MAX_CLIENTS = 2000
_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*"?([^",]*)"?')


class HandshakeError(Exception):
    """A viewer could not get to PLAY (status, missing header or timeout)."""


@dataclass
class Viewer:
    """One RTSP client over TCP interleaved; counters are cumulative, snapshotted by the caller."""

    url: str
    username: str | None
    password: str | None
    access_units: int = 0
    counter_lost: int = 0
    seq_lost: int = 0
    bytes: int = 0
    counters_seen: int = 0
    lag_s: float = 0.0
    """Wall time elapsed minus RTP time elapsed since the first access unit: grows if late."""
    error: str | None = None
    _cseq: int = 0
    _last_counter: int | None = None
    _last_seq: int | None = None
    _first: tuple[float, int] | None = None
    _writer: asyncio.StreamWriter | None = None
    _challenge: dict[str, str] = field(default_factory=dict)

    async def join(self) -> asyncio.StreamReader:
        """DESCRIBE (answering a Digest challenge), SETUP interleaved=0-1 and PLAY."""
        reader, writer = await asyncio.open_connection("127.0.0.1", _port_of(self.url))
        self._writer = writer
        status, headers, body = await self._request(reader, "DESCRIBE", self.url, {})
        content_base = headers.get("content-base")
        control = None
        for line in body.decode("utf-8", "replace").splitlines():
            if line.startswith("m=") and not line.startswith("m=video"):
                break  # only the first (video) section matters
            if line.startswith("a=control:"):
                control = line[len("a=control:") :].strip()
        track = resolve_control(control, self.url, content_base)
        transport = {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"}
        status, headers, _ = await self._request(reader, "SETUP", track, transport)
        session = headers.get("session", "").split(";")[0].strip()
        if not session:
            raise HandshakeError("SETUP answered without a Session header")
        await self._request(reader, "PLAY", self.url, {"Session": session})
        return reader

    async def _request(
        self, reader: asyncio.StreamReader, method: str, url: str, extra: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        for _attempt in range(2):
            self._cseq += 1
            lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self._cseq}"]
            lines += [f"{k}: {v}" for k, v in extra.items()]
            if self._challenge:
                lines.append(f"Authorization: {self._digest(method, url)}")
            assert self._writer is not None
            self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("utf-8", "replace").split("\r\n")
            headers: dict[str, str] = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                headers.setdefault(name.strip().lower(), value.strip())
            body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
            status = int(status_line.split()[1])
            if status == 401 and not self._challenge and self.username is not None:
                auth = headers.get("www-authenticate", "")
                self._challenge = dict(_CHALLENGE_PARAM.findall(auth.partition(" ")[2]))
                continue
            if not 200 <= status < 300:
                raise HandshakeError(f"{method} answered {status}")
            return status, headers, body
        raise HandshakeError(f"{method} refused the credentials")

    def _digest(self, method: str, uri: str) -> str:
        """RFC 2617 Digest, MD5, no qop (what the simulator's challenge asks for)."""
        realm, nonce = self._challenge.get("realm", ""), self._challenge.get("nonce", "")
        ha1 = _md5(f"{self.username}:{realm}:{self.password}")
        response = _md5(f"{ha1}:{nonce}:{_md5(f'{method}:{uri}')}")
        return (
            f'Digest username="{self.username}", realm="{realm}", nonce="{nonce}", '
            f'uri="{uri}", response="{response}"'
        )

    async def receive(self, reader: asyncio.StreamReader, stop: asyncio.Event) -> None:
        """Parse interleaved frames until ``stop``; RTSP text on the connection is skipped."""
        buf = bytearray()
        while not stop.is_set():
            data = await reader.read(1 << 18)
            if not data:
                self.error = "server closed the connection"
                return
            self.bytes += len(data)
            buf += data
            pos = self._parse(buf, time.monotonic())
            del buf[:pos]

    def _parse(self, buf: bytearray, now: float) -> int:
        pos, end = 0, len(buf)
        while pos < end:
            if buf[pos] != 0x24:  # an RTSP message (late reply, server request): skip it
                head_end = buf.find(b"\r\n\r\n", pos)
                if head_end < 0:
                    return pos
                match = re.search(rb"(?i)content-length:\s*(\d+)", buf[pos:head_end])
                total = head_end + 4 + (int(match.group(1)) if match else 0)
                if total > end:
                    return pos
                pos = total
                continue
            if pos + 4 > end:
                return pos
            channel = buf[pos + 1]
            length = (buf[pos + 2] << 8) | buf[pos + 3]
            if pos + 4 + length > end:
                return pos
            if channel == 0 and length >= 12:
                self._rtp(bytes(buf[pos + 4 : pos + 4 + length]), now)
            pos += 4 + length
        return pos

    def _rtp(self, packet: bytes, now: float) -> None:
        b0, b1, seq, timestamp = struct.unpack_from("!BBHI", packet)
        if self._last_seq is not None:
            step = (seq - self._last_seq) & 0xFFFF
            if 1 < step < 0x8000:
                self.seq_lost += step - 1
        self._last_seq = seq
        offset = 12 + 4 * (b0 & 0x0F)
        if b0 & 0x10 and len(packet) >= offset + 4:
            offset += 4 + 4 * struct.unpack_from("!H", packet, offset + 2)[0]
        if offset < len(packet) and packet[offset] & 0x1F == 6:
            found = parse_frame_counter(packet[offset:])
            if found is not None:
                counter = found[0]
                self.counters_seen += 1
                if self._last_counter is not None and counter > self._last_counter + 1:
                    self.counter_lost += counter - self._last_counter - 1
                self._last_counter = counter
        if b1 & 0x80:
            self.access_units += 1
            if self._first is None:
                self._first = (now, timestamp)
            else:
                rtp_elapsed = ((timestamp - self._first[1]) & 0xFFFFFFFF) / 90_000
                self.lag_s = (now - self._first[0]) - rtp_elapsed

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _port_of(url: str) -> int:
    match = re.match(r"rtsp://[^/:]+:(\d+)/", url)
    return int(match.group(1)) if match else 554


@dataclass
class Snapshot:
    access_units: int
    counter_lost: int
    seq_lost: int
    lag_s: float
    bytes: int


def _snap(viewer: Viewer) -> Snapshot:
    return Snapshot(
        viewer.access_units, viewer.counter_lost, viewer.seq_lost, viewer.lag_s, viewer.bytes
    )


@dataclass
class Result:
    clients: int
    joined: int
    seconds: float
    server_cpu_s: float
    client_cpu_s: float
    fps: list[float]
    counter_lost: int
    seq_lost: int
    max_lag_growth_s: float
    mbit_s: float
    counters: bool
    errors: list[str]


async def run_level(
    url: str,
    username: str | None,
    password: str | None,
    clients: int,
    seconds: float,
    server_pid: int,
) -> Result:
    """Join ``clients`` viewers, let them settle, then measure one window of ``seconds``."""
    viewers = [Viewer(url, username, password) for _ in range(clients)]
    stop = asyncio.Event()
    gate = asyncio.Semaphore(MAX_PARALLEL_JOINS)
    tasks: list[asyncio.Task[None]] = []
    errors: list[str] = []

    async def one(viewer: Viewer) -> None:
        try:
            async with gate:
                reader = await asyncio.wait_for(viewer.join(), HANDSHAKE_TIMEOUT_S)
        except (TimeoutError, OSError, HandshakeError, asyncio.IncompleteReadError) as e:
            viewer.error = f"join failed: {type(e).__name__} {e}"
            return
        try:
            await viewer.receive(reader, stop)
        except (OSError, asyncio.IncompleteReadError) as exc:
            viewer.error = f"receive failed: {exc}"

    try:
        tasks = [asyncio.create_task(one(v)) for v in viewers]
        join_deadline = time.monotonic() + HANDSHAKE_TIMEOUT_S + clients * 0.05
        while time.monotonic() < join_deadline:  # bounded: until everyone plays or failed
            if all(v.access_units > 0 or v.error for v in viewers):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # settle: every viewer past its first GOP
        before = [_snap(v) for v in viewers]
        server_before, client_before = cpu_seconds_of(server_pid), time.process_time()
        started = time.monotonic()
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - started
        server_after, client_after = cpu_seconds_of(server_pid), time.process_time()
        after = [_snap(v) for v in viewers]
    finally:
        stop.set()
        for viewer in viewers:
            viewer.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    live = [i for i, v in enumerate(viewers) if before[i].access_units > 0]
    errors = [v.error for v in viewers if v.error and "closed" not in v.error]
    return Result(
        clients=clients,
        joined=len(live),
        seconds=elapsed,
        server_cpu_s=server_after - server_before,
        client_cpu_s=client_after - client_before,
        fps=[(after[i].access_units - before[i].access_units) / elapsed for i in live],
        counter_lost=sum(after[i].counter_lost - before[i].counter_lost for i in live),
        seq_lost=sum(after[i].seq_lost - before[i].seq_lost for i in live),
        max_lag_growth_s=max((after[i].lag_s - before[i].lag_s for i in live), default=0.0),
        mbit_s=sum(after[i].bytes - before[i].bytes for i in live) * 8 / elapsed / 1e6,
        counters=any(v.counters_seen for v in viewers),
        errors=errors,
    )


def print_results(results: list[Result]) -> None:
    """One row per client count, with the goal's verdict beside the figures."""
    rows = []
    for r in results:
        low = min(r.fps, default=0.0)
        kept = r.joined == r.clients and low >= FPS * (1 - FPS_TOLERANCE)
        lost = r.counter_lost if r.counters else r.seq_lost
        rows.append(
            [
                r.clients,
                r.joined,
                f"{100 * r.server_cpu_s / r.seconds:.1f}",
                f"{100 * r.server_cpu_s / r.seconds / max(r.joined, 1):.3f}",
                f"{low:.2f}",
                f"{statistics.median(r.fps) if r.fps else 0.0:.2f}",
                f"{lost}" + ("" if r.counters else " (seq)"),
                f"{1000 * r.max_lag_growth_s:.0f}",
                f"{r.mbit_s:.1f}",
                f"{1000 * r.mbit_s / max(r.joined, 1):.0f}",
                f"{100 * r.client_cpu_s / r.seconds:.0f}",
                "yes" if kept and lost == 0 else "NO",
            ]
        )
    print_table(
        [
            "clients", "playing", "server %core", "%core/stream", "fps min", "fps median",
            "frames lost", "lag growth ms", "Mbit/s", "kbit/s/stream", "client %core",
            "all 25fps, no loss",
        ],
        rows,
    )  # fmt: skip
    for r in results:
        for error in sorted(set(r.errors))[:3]:
            print(f"  {r.clients} clients: {error}")


async def sweep(
    url: str,
    username: str | None,
    password: str | None,
    levels: list[int],
    seconds: float,
    pid: int,
) -> list[Result]:
    results = []
    for clients in levels:
        results.append(await run_level(url, username, password, clients, seconds, pid))
        await asyncio.sleep(0.5)  # let the server reap the closed sessions
    return results


def bench_simulator(levels: list[int], seconds: float, server_cpus: set[int] | None) -> None:
    print("\nfake_vms RtspServer, one 720p25 H.264 camera (1500 kbit/s, GOP 25), RTP over TCP")
    started = time.monotonic()
    server = start_server(1280, 720, cpus=server_cpus)
    ready_s = time.monotonic() - started
    print(f"server pid {server.proc.pid}, {server.pinned}, ready in {ready_s:.1f} s")
    try:
        results = asyncio.run(
            sweep(server.url, server.username, server.password, levels, seconds, server.proc.pid)
        )
    finally:
        server.stop()
    print_results(results)
    print(
        "goal: >= 100 concurrent 25 fps streams with no frame loss on one core "
        "(server %core <= 100 with 'yes' at 100 clients)"
    )


# GStreamer comparison: runs under the system python3 (gi is not in the venv).
_GST_PROBE = """
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer
Gst.init(None)
missing = [e for e in ("videotestsrc", "x264enc", "rtph264pay") if not Gst.ElementFactory.find(e)]
if missing:
    raise SystemExit("GStreamer element(s) not installed: " + ", ".join(missing))
print(Gst.version_string())
"""

_GST_SERVER = """
import json, os, sys, threading
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer
cpus = sys.argv[1]
if cpus and hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {int(c) for c in cpus.split(",")})
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service("0")
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=1280,height=720,framerate=25/1"
    " ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=1500 key-int-max=25"
    " ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
)
factory.set_shared(True)
server.get_mount_points().add_factory("/stream1", factory)
server.attach(None)
loop = GLib.MainLoop()
def wait_stdin():
    sys.stdin.read()
    GLib.idle_add(loop.quit)
threading.Thread(target=wait_stdin, daemon=True).start()
print(json.dumps({"port": server.get_bound_port()}), flush=True)
loop.run()
"""


def gstreamer_available() -> tuple[bool, str]:
    """Whether the system python3 has GStreamer's RTSP server and x264enc, and why not."""
    python = "/usr/bin/python3"
    if not os.access(python, os.X_OK):
        return False, "no system /usr/bin/python3 to run GStreamer's Python bindings"
    try:
        proc = subprocess.run(
            [python, "-c", _GST_PROBE], capture_output=True, text=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired:
        return False, "probing GStreamer timed out"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [proc.stdout.strip()])[-1]
        return False, last
    return True, proc.stdout.strip()


def bench_gstreamer(levels: list[int], seconds: float, server_cpus: set[int] | None) -> None:
    print("\nGStreamer RTSP server (shared media, live x264 ultrafast encode 720p25), RTP over TCP")
    ok, detail = gstreamer_available()
    if not ok:
        print(
            f"skipped: GStreamer's RTSP server is not usable here ({detail}). Install the Debian "
            "packages python3-gst-1.0, gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-ugly "
            "(x264enc) to compare; this script never installs anything."
        )
        return
    print(f"{detail}; no frame counter in this stream: loss is counted from RTP sequence gaps")
    cpus = ",".join(str(c) for c in sorted(server_cpus)) if server_cpus else ""
    proc = subprocess.Popen(
        ["/usr/bin/python3", "-c", _GST_SERVER, cpus],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    server = None
    try:
        line = proc.stdout.readline()
        if not line:
            print("skipped: the GStreamer RTSP server did not start")
            return
        port = json.loads(line)["port"]
        server = ServerProcess(proc, port, "", "", cpus or "not pinned")
        results = asyncio.run(sweep(server.url, None, None, levels, seconds, proc.pid))
        print_results(results)
        print("note: GStreamer encodes live (one shared encoder); fake_vms replays an encoded loop")
    finally:
        if server is not None:
            server.stop()
        else:
            proc.kill()
            proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--clients", default="1,10,50,100,200,400", help="comma-separated concurrent viewer counts"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per count")
    parser.add_argument(
        "--quick", action="store_true", help="1,10,50,100 viewers for 3 s each (< 40 s)"
    )
    parser.add_argument("--no-gstreamer", action="store_true", help="skip the comparison")
    args = parser.parse_args()
    levels = [1, 10, 50, 100] if args.quick else [int(c) for c in args.clients.split(",")]
    seconds = 3.0 if args.quick else min(max(args.seconds, 1.0), 60.0)
    levels = [min(max(n, 1), MAX_CLIENTS) for n in levels]
    server_cpus, client_cpus = server_and_client_cpus()
    client_pinned = bool(client_cpus) and pin_to(client_cpus or set())
    print(f"RTSP capacity benchmark: {machine_line()}")
    where = f"pinned to CPU {sorted(client_cpus or [])}" if client_pinned else "not pinned"
    print(
        f"viewers: asyncio client in this process ({where}), "
        f"{seconds:g} s measured per level after a 1 s settle"
    )
    bench_simulator(levels, seconds, server_cpus)
    if not args.no_gstreamer:
        bench_gstreamer(levels, seconds, server_cpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
