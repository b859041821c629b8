"""The simulated camera's RTSP server, checked with FFmpeg's RTSP client and raw sockets.

FFmpeg (through PyAV) is the independent client: if it negotiates, depacketises and decodes the
stream, real VMS clients will too. Raw sockets cover the error paths FFmpeg never exercises.
"""

from __future__ import annotations

import hashlib
import re
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import av
import pytest

from fake_vms.oplog import OperationLog
from fake_vms.personas.knobs import Knobs
from fake_vms.rtsp.server import RtspServer
from fake_vms.site import CameraConfig

FRAME_COUNTER_UUID = bytes.fromhex("5f1d0c3a8b7e4c219a3f6e0d2b4c8a17")
CAMERA = CameraConfig(name="cam-rtsp", width=320, height=240, fps=20, gop=20, bitrate_kbps=300)
Start = Callable[[Any], Any]


def serve(
    start: Start, oplog: OperationLog | None = None, instrumentation: bool = True, **knobs: Any
) -> RtspServer:
    camera = replace(CAMERA, knobs=Knobs(**knobs), instrumentation=instrumentation)
    return start(RtspServer(camera, oplog))


def sei_counters(packet: bytes) -> list[int]:
    """Frame counters in one Annex-B packet, parsed per docs/frame-counter.md."""
    counters = []
    for nal in re.split(b"\x00\x00\x01", packet):
        if nal and nal[0] & 0x1F == 6:
            rbsp = nal[1:].replace(b"\x00\x00\x03", b"\x00\x00")
            if rbsp[:2] == bytes((5, 32)) and rbsp[2:18] == FRAME_COUNTER_UUID:
                counters.append(struct.unpack(">Q", rbsp[18:26])[0])
    return counters


def receive(server: RtspServer, transport: str, frames: int = 30) -> dict[str, Any]:
    """Play the stream with FFmpeg; return decoded sizes, packet pts and SEI counters."""
    url = f"rtsp://{CAMERA.username}:{CAMERA.password}@127.0.0.1:{server.port}/stream1"
    started = time.monotonic()
    sizes, pts, counters = set(), [], []
    with av.open(url, options={"rtsp_transport": transport, "timeout": "5000000"}, timeout=10) as c:
        stream = c.streams.video[0]
        for packet in c.demux(stream):
            if packet.size == 0:
                continue
            if packet.pts is not None:  # FFmpeg may not know the very first packet's time
                pts.append(packet.pts)
            counters.extend(sei_counters(bytes(packet)))
            sizes.update((frame.width, frame.height) for frame in packet.decode())
            if max(len(counters), len(pts)) >= frames:
                break
        time_base = stream.time_base
    return {
        "sizes": sizes,
        "pts": pts,
        "counters": counters,
        "time_base": time_base,
        "elapsed": time.monotonic() - started,
    }


def assert_paced(result: dict[str, Any], fps: float) -> None:
    pts, count = result["pts"], len(result["pts"])
    interval = (pts[-1] - pts[0]) * result["time_base"] / (count - 1)
    assert interval == pytest.approx(1 / fps, rel=0.05)
    # Live pacing: FFmpeg cannot have received far more frames than the wall clock allows.
    assert count <= fps * result["elapsed"] * 1.2 + 5


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_ffmpeg_plays_stream(run_async_server: Start, transport: str) -> None:
    oplog = OperationLog()
    server = serve(run_async_server, oplog)
    result = receive(server, transport)
    assert result["sizes"] == {(320, 240)}
    assert_paced(result, 20)
    counters = result["counters"]
    assert len(counters) >= len(result["pts"])
    assert [b - a for a, b in zip(counters, counters[1:], strict=False)] == [1] * (
        len(counters) - 1
    )
    methods = {(op.operation, op.outcome) for op in oplog.entries("cam-rtsp")}
    assert {("DESCRIBE", "401"), ("DESCRIBE", "200"), ("SETUP", "200"), ("PLAY", "200")} <= methods


def test_half_frame_rate(run_async_server: Start) -> None:
    result = receive(serve(run_async_server, fps_divisor=2), "tcp", frames=20)
    assert_paced(result, 10)
    assert set(b - a for a, b in zip(result["counters"], result["counters"][1:], strict=False)) == {
        1
    }


def test_stream_size_knob(run_async_server: Start) -> None:
    result = receive(serve(run_async_server, stream_size=(176, 144)), "udp", frames=10)
    assert result["sizes"] == {(176, 144)}


def pts_steps(result: dict[str, Any], fps: float) -> list[int]:
    """Packet time steps in whole frame intervals (FFmpeg's own timestamps, from RTP)."""
    interval = 1 / (fps * result["time_base"])
    pts = result["pts"]
    return [round((b - a) / interval) for a, b in zip(pts, pts[1:], strict=False)]


def test_instrumentation_off_sends_no_counter(run_async_server: Start) -> None:
    """What a real camera sends: no frame-counter SEI, still 20 fps on a steady timeline."""
    result = receive(serve(run_async_server, instrumentation=False), "tcp", frames=30)
    assert result["counters"] == [] and result["sizes"] == {(320, 240)}
    assert set(pts_steps(result, 20)) == {1}


def test_dropped_frames_are_missing_on_the_wire(run_async_server: Start) -> None:
    """The dropped-frames knob really drops frames: with no counter at all, FFmpeg's RTSP
    client sees one frame in five missing from the timestamps (a two-interval step) and still
    decodes every frame it gets (the encoder never saw the lost ones)."""
    server = serve(run_async_server, instrumentation=False, drop_frame_every=5)
    result = receive(server, "tcp", frames=30)
    assert result["counters"] == []
    steps = pts_steps(result, 20)
    assert set(steps) == {1, 2}
    assert 4 <= steps.count(2) <= 8
    assert result["sizes"] == {(320, 240)}


def test_dropped_frames_counter_agrees(run_async_server: Start) -> None:
    """With instrumentation on, the counter only adds the frame numbers of what was lost."""
    counters = receive(serve(run_async_server, drop_frame_every=5), "tcp")["counters"]
    steps = [b - a for a, b in zip(counters, counters[1:], strict=False)]
    assert set(steps) == {1, 2}
    assert all(c % 5 != 4 for c in counters)


# --- raw RTSP ---------------------------------------------------------------------------


class RawRtsp:
    """A minimal RTSP client on a plain socket, for requests FFmpeg would never send."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buffer = b""
        self.cseq = 0

    def close(self) -> None:
        self.sock.close()

    def _read(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buffer += data

    def send_raw(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        self.sock.sendall(data)
        return self.response()

    def request(
        self, method: str, path: str = "/stream1", **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        self.cseq += 1
        lines = [f"{method} rtsp://127.0.0.1:{self.port}{path} RTSP/1.0", f"CSeq: {self.cseq}"]
        lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
        return self.send_raw(("\r\n".join(lines) + "\r\n\r\n").encode())

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """Next RTSP response, skipping any interleaved RTP that arrives before it."""
        while b"\r\n\r\n" not in self.buffer or self.buffer[:1] == b"$":
            if self.buffer[:1] == b"$" and len(self.buffer) >= 4:
                self.interleaved()
            else:
                self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(lines[0].split(" ")[1]), headers, body

    def interleaved(self) -> tuple[int, bytes]:
        """Next ``$`` frame: (channel, RTP packet)."""
        while len(self.buffer) < 4:
            self._read()
        assert self.buffer[0:1] == b"$"
        channel, length = self.buffer[1], struct.unpack(">H", self.buffer[2:4])[0]
        while len(self.buffer) < 4 + length:
            self._read()
        packet, self.buffer = self.buffer[4 : 4 + length], self.buffer[4 + length :]
        return channel, packet


@pytest.fixture
def raw(run_async_server: Start) -> Callable[..., RawRtsp]:
    clients: list[RawRtsp] = []

    def connect(**knobs: Any) -> RawRtsp:
        client = RawRtsp(serve(run_async_server, **knobs).port)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


def digest(challenge: str, method: str, uri: str) -> str:
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    ha1 = hashlib.md5(f"{CAMERA.username}:{params['realm']}:{CAMERA.password}".encode())
    ha2 = hashlib.md5(f"{method}:{uri}".encode())
    response = hashlib.md5(f"{ha1.hexdigest()}:{params['nonce']}:{ha2.hexdigest()}".encode())
    return (
        f'Digest username="{CAMERA.username}", realm="{params["realm"]}", '
        f'nonce="{params["nonce"]}", uri="{uri}", response="{response.hexdigest()}"'
    )


def test_describe_requires_digest(raw: Callable[..., RawRtsp]) -> None:
    client = raw()
    assert client.request("OPTIONS")[0] == 200
    status, headers, _ = client.request("DESCRIBE")
    assert status == 401
    challenge = headers["www-authenticate"]
    assert challenge.startswith("Digest ") and "realm=" in challenge and "nonce=" in challenge
    uri = f"rtsp://127.0.0.1:{client.port}/stream1"
    bad = digest(challenge, "DESCRIBE", uri).replace('response="', 'response="0')
    assert client.request("DESCRIBE", Authorization=bad)[0] == 401
    status, headers, body = client.request(
        "DESCRIBE", Authorization=digest(challenge, "DESCRIBE", uri)
    )
    assert status == 200 and headers["content-type"] == "application/sdp"
    assert headers["content-base"] == uri + "/"
    sdp = body.decode()
    for line in ("v=0", "m=video 0 RTP/AVP 96", "a=rtpmap:96 H264/90000", "a=control:trackID=0"):
        assert line + "\r\n" in sdp
    assert "packetization-mode=1" in sdp and "sprop-parameter-sets=" in sdp


def test_options_lists_methods_without_auth(raw: Callable[..., RawRtsp]) -> None:
    status, headers, _ = raw().request("OPTIONS")
    assert status == 200
    for method in ("DESCRIBE", "SETUP", "PLAY", "GET_PARAMETER", "TEARDOWN"):
        assert method in headers["public"]


@pytest.mark.parametrize(
    ("knob", "transport"),
    [
        ("rtsp_udp_supported", "RTP/AVP;unicast;client_port=40000-40001"),
        ("rtsp_tcp_supported", "RTP/AVP/TCP;unicast;interleaved=0-1"),
    ],
)
def test_disabled_transport_is_461(raw: Callable[..., RawRtsp], knob: str, transport: str) -> None:
    client = raw(rtsp_auth_required=False, **{knob: False})
    assert client.request("SETUP", "/stream1/trackID=0", Transport=transport)[0] == 461


def test_malformed_request_gets_400_and_server_keeps_serving(
    raw: Callable[..., RawRtsp],
) -> None:
    client = raw(rtsp_auth_required=False)
    assert client.send_raw(b"this is not rtsp\r\n\r\n")[0] == 400
    assert client.send_raw(b"DESCRIBE rtsp://x/stream1 RTSP/1.0\r\n\r\n")[0] == 400  # no CSeq
    assert client.request("OPTIONS")[0] == 200
    other = RawRtsp(client.port)
    assert other.request("DESCRIBE")[0] == 200
    other.close()


def test_unknown_method_and_session(raw: Callable[..., RawRtsp]) -> None:
    client = raw(rtsp_auth_required=False)
    assert client.request("RECORD")[0] == 501
    assert client.request("PLAY", Session="nope")[0] == 454
    assert client.request("TEARDOWN", Session="nope")[0] == 454


def test_interleaved_rtp_and_timestamp_glitch(raw: Callable[..., RawRtsp]) -> None:
    client = raw(rtsp_auth_required=False, timestamp_glitch_every=4)
    status, headers, _ = client.request(
        "SETUP", "/stream1/trackID=0", Transport="RTP/AVP/TCP;unicast;interleaved=0-1"
    )
    assert status == 200 and "interleaved=0-1" in headers["transport"]
    session = headers["session"].split(";")[0]
    assert headers["session"].endswith(";timeout=60")
    status, headers, _ = client.request("PLAY", Session=session, Range="npt=now-")
    assert status == 200
    first_seq = int(re.search(r"seq=(\d+)", headers["rtp-info"]).group(1))
    marked: list[tuple[int, int]] = []  # (seq, timestamp) of each access unit's last packet
    seqs = []
    while len(marked) < 12:
        channel, packet = client.interleaved()
        assert channel == 0 and packet[0] == 0x80 and packet[1] & 0x7F == 96
        seq, timestamp = struct.unpack(">HI", packet[2:8])
        seqs.append(seq)
        if not marked and len(seqs) == 2:
            assert packet[12] & 0x1F in (7, 28)  # first AU after the SEI: SPS (or FU-A)
        if packet[1] & 0x80:
            marked.append((seq, timestamp))
    assert seqs[0] == first_seq
    assert seqs == [(first_seq + i) & 0xFFFF for i in range(len(seqs))]
    steps = [
        (b[1] - a[1] + 2**31) % 2**32 - 2**31 for a, b in zip(marked, marked[1:], strict=False)
    ]
    assert all(step in (4500, -9000, 18000) for step in steps)  # 20 fps on a 90 kHz clock
    assert steps.count(-9000) >= 2
    assert client.request("GET_PARAMETER", Session=session)[0] == 200
    assert client.request("TEARDOWN", Session=session)[0] == 200
