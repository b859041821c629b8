"""RTSP client: RTP parsing, depacketising, control URLs, auth, bounded I/O against real sockets.

Servers here are real TCP/UDP endpoints on 127.0.0.1 run in threads: a small scripted camera
(own parsing and own Digest check, so agreement with the client means something) and hostile
peers that send garbage, stall, or reset.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

import pytest

from conformance.checks.streaming import check_continuity
from conformance.clients.rtsp import (
    H264Depacketizer,
    RtpPacket,
    RtspProtocolError,
    RtspStatusError,
    RtspTimeout,
    RtspUnreachable,
    capture,
    parse_rtp,
    probe,
    resolve_control,
)
from conformance.clients.stream import analyse, sdp_framerate, timestamp_losses

if TYPE_CHECKING:
    from conftest import Clip

USER, PASSWORD = "operator", "s3cret-Pa55"
NONCE = "0123456789abcdef"


# --- RTP and depacketising ----------------------------------------------------------------


def rtp(seq: int, ts: int, payload: bytes, *, marker: bool = False, pt: int = 96) -> bytes:
    return struct.pack("!BBHII", 0x80, pt | (0x80 if marker else 0), seq & 0xFFFF, ts, 1) + payload


def packetise(nals: list[bytes], mtu: int = 200) -> list[bytes]:
    """RFC 6184 payloads: leading SPS/PPS as one STAP-A, small NALs single, large ones FU-A."""
    payloads: list[bytes] = []
    params = [n for n in nals if n[0] & 0x1F in (7, 8)]
    if params:
        payloads.append(b"\x18" + b"".join(struct.pack("!H", len(n)) + n for n in params))
    for nal in (n for n in nals if n[0] & 0x1F not in (7, 8)):
        if len(nal) <= mtu:
            payloads.append(nal)
            continue
        indicator, body = (nal[0] & 0xE0) | 28, nal[1:]
        chunks = [body[i : i + mtu] for i in range(0, len(body), mtu)]
        for i, chunk in enumerate(chunks):
            flags = (0x80 if i == 0 else 0) | (0x40 if i == len(chunks) - 1 else 0)
            payloads.append(bytes([indicator, flags | (nal[0] & 0x1F)]) + chunk)
    return payloads


def packets_of(nals: list[bytes], ts: int, seq: int) -> list[bytes]:
    payloads = packetise(nals)
    return [rtp(seq + i, ts, p, marker=i == len(payloads) - 1) for i, p in enumerate(payloads)]


def push_all(d: H264Depacketizer, packets: list[bytes]) -> list[list[bytes]]:
    units = [au for p in packets for au in d.push(parse_rtp(p), 0.0)] + d.flush()
    return [au.nals for au in units]


def test_parse_rtp_skips_csrc_extension_and_padding() -> None:
    header = struct.pack("!BBHII", 0x80 | 0x20 | 0x10 | 1, 0x80 | 96, 7, 9000, 42)
    packet = header + b"CSRC" + b"\xbe\xde\x00\x01" + b"EXT!" + b"\x41payload" + b"\x00\x00\x03"
    parsed = parse_rtp(packet)
    assert parsed == RtpPacket(96, True, 7, 9000, 42, b"\x41payload")


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x60",  # shorter than the fixed header
        b"\x40" + bytes(11),  # version 1
        b"\x90\x60" + bytes(10) + b"\xbe",  # extension flag, extension truncated
        b"\xa0\x60" + bytes(10) + b"\x41\x00",  # padding flag, zero padding count
        b"\x8f\x60" + bytes(10) + b"\x41",  # 15 CSRCs announced, none present
    ],
)
def test_parse_rtp_rejects_malformed(data: bytes) -> None:
    with pytest.raises(RtspProtocolError):
        parse_rtp(data)


def test_single_nal_stap_a_and_fu_a_reassemble(h264_clip: Clip) -> None:
    d = H264Depacketizer()
    packets, seq = [], 65530  # sequence numbers wrap inside the clip
    for i, au in enumerate(h264_clip.units[:5]):
        packets += packets_of(au, i * 3600, seq)
        seq += len(packets_of(au, 0, 0))
    first = packetise(h264_clip.units[0])
    assert first[0][0] & 0x1F == 24 and any(p[0] & 0x1F == 28 for p in first)
    assert push_all(d, packets) == h264_clip.units[:5]
    assert (d.lost, d.reordered, d.malformed) == (0, 0, 0)


def test_timestamp_change_ends_an_access_unit_without_marker() -> None:
    d = H264Depacketizer()
    packets = [rtp(1, 100, b"\x41a"), rtp(2, 100, b"\x41b"), rtp(3, 200, b"\x41c")]
    assert push_all(d, packets) == [[b"\x41a", b"\x41b"], [b"\x41c"]]


def test_loss_drops_broken_fu_a_and_counts() -> None:
    d = H264Depacketizer()
    idr = b"\x65" + bytes(range(256)) * 3
    packets = packets_of([b"\x67sps", b"\x68pps", idr], 0, 10)
    assert [p[12] & 0x1F for p in packets] == [24, 28, 28, 28, 28]
    del packets[2]  # a middle fragment of the IDR slice
    (au,) = [au for p in packets for au in d.push(parse_rtp(p), 0.0)]
    assert d.lost == 1 and d.dropped_fragments == 1
    assert au.nals == [b"\x67sps", b"\x68pps"]  # the broken IDR slice is not passed on
    assert not au.keyframe


def test_duplicate_and_late_packets_are_ignored() -> None:
    d = H264Depacketizer()
    packets = [rtp(5, 0, b"\x41a"), rtp(5, 0, b"\x41a"), rtp(4, 0, b"\x41z"), rtp(6, 0, b"\x41b")]
    assert push_all(d, packets) == [[b"\x41a", b"\x41b"]]
    assert (d.reordered, d.lost) == (2, 0)


def test_malformed_stap_a_is_counted_not_raised() -> None:
    d = H264Depacketizer()
    stap = b"\x18" + struct.pack("!H", 3) + b"\x67ab" + struct.pack("!H", 500) + b"\x68"
    assert push_all(d, [rtp(1, 0, stap, marker=True)]) == [[b"\x67ab"]]
    assert d.malformed == 1


def test_counter_sei_is_read_while_depacketising(make_sei: Callable[[int, int], bytes]) -> None:
    d = H264Depacketizer()
    (au,) = d.push(parse_rtp(rtp(1, 0, make_sei(41, 7), marker=True)), 1.5)
    assert (au.frame_counter, au.capture_time_us, au.arrival) == (41, 7, 1.5)


# --- control URL resolution (RFC 2326 C.1.1) -----------------------------------------------

REQ = "rtsp://127.0.0.1:8554/stream1"


@pytest.mark.parametrize(
    ("control", "base", "location", "expected"),
    [
        ("rtsp://127.0.0.1:8554/s/track1", f"{REQ}/", None, "rtsp://127.0.0.1:8554/s/track1"),
        ("trackID=0", "rtsp://127.0.0.1:8554/stream1/", None, f"{REQ}/trackID=0"),
        ("trackID=0", "rtsp://127.0.0.1:8554/stream1", None, "rtsp://127.0.0.1:8554/trackID=0"),
        ("trackID=0", None, "rtsp://127.0.0.1:8554/loc/", "rtsp://127.0.0.1:8554/loc/trackID=0"),
        ("trackID=0", None, None, "rtsp://127.0.0.1:8554/trackID=0"),
        ("*", "rtsp://127.0.0.1:8554/stream1/", None, "rtsp://127.0.0.1:8554/stream1/"),
        (None, None, None, REQ),
        # moonfire-nvr#356: a camera sent a Content-Base without scheme. It must not become a
        # host to talk to; the request URL is the base instead.
        ("trackID=0", "192.168.1.10:554/stream0/", None, "rtsp://127.0.0.1:8554/trackID=0"),
    ],
)
def test_resolve_control(
    control: str | None, base: str | None, location: str | None, expected: str
) -> None:
    assert resolve_control(control, REQ, base, location) == expected


# --- a scripted camera on 127.0.0.1 -----------------------------------------------------------


class ScriptedCamera:
    """A minimal threaded RTSP server streaming the test clip, with knobs for misbehaviour.

    ``auth`` is the list of challenges offered ("digest-qop", "digest", "basic"); empty means
    open access. ``content_base`` may contain ``{url}``. ``stray_response`` interleaves an RTSP
    response into the TCP media stream, as some cameras do for keep-alives.
    """

    def __init__(
        self,
        units: list[list[bytes]],
        sei: Callable[[int, int], bytes],
        *,
        auth: tuple[str, ...] = ("digest-qop",),
        content_base: str | None = "{url}/",
        send_media: bool = True,
        stray_response: bool = False,
    ) -> None:
        self.units, self.sei = units, sei
        self.auth, self.content_base = auth, content_base
        self.send_media, self.stray_response = send_media, stray_response
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"rtsp://127.0.0.1:{self.port}/stream1"
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        for thread in self.threads:
            thread.join(timeout=2)

    def _accept(self) -> None:
        self.listener.settimeout(0.1)  # so close() is noticed without waiting for a client
        with suppress(OSError):
            while not self.stop.is_set():
                try:
                    conn, _ = self.listener.accept()
                except TimeoutError:
                    continue
                thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                self.threads.append(thread)
                thread.start()

    def _serve(self, conn: socket.socket) -> None:
        lock, buf, streaming = threading.Lock(), b"", threading.Event()
        conn.settimeout(0.1)
        with conn, suppress(OSError):
            while not self.stop.is_set():
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    continue
                if not data:
                    break
                buf += data
                while b"\r\n\r\n" in buf:
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    method, uri, headers = self._parse(head.decode())
                    self.requests.append((method, uri, headers))
                    status, extra, body = self._handle(method, uri, headers, conn, lock, streaming)
                    reply = f"RTSP/1.0 {status} X\r\nCSeq: {headers['cseq']}\r\n"
                    reply += "".join(f"{k}: {v}\r\n" for k, v in extra)
                    reply += f"Content-Length: {len(body)}\r\n\r\n{body}"
                    with lock:
                        conn.sendall(reply.encode())
                    if method == "PLAY" and status == 200 and self.send_media:
                        threading.Thread(
                            target=self._stream, args=(conn, lock, streaming), daemon=True
                        ).start()
            streaming.clear()

    @staticmethod
    def _parse(head: str) -> tuple[str, str, dict[str, str]]:
        lines = head.split("\r\n")
        method, uri, _ = lines[0].split(" ")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
        }
        return method, uri, headers

    def _handle(
        self,
        method: str,
        uri: str,
        headers: dict[str, str],
        conn: socket.socket,
        lock: threading.Lock,
        streaming: threading.Event,
    ) -> tuple[int, list[tuple[str, str]], str]:
        if self.auth and not self._authorised(method, uri, headers.get("authorization", "")):
            challenges = {
                "digest-qop": f'Digest realm="cam", nonce="{NONCE}", qop="auth"',
                "digest": f'Digest realm="cam", nonce="{NONCE}", opaque="op"',
                "basic": 'Basic realm="cam"',
            }
            return 401, [("WWW-Authenticate", challenges[a]) for a in self.auth], ""
        if method == "DESCRIBE":
            sdp = (
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=test\r\nt=0 0\r\na=control:*\r\n"
                "m=audio 0 RTP/AVP 0\r\na=control:audio\r\n"
                "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                "a=fmtp:96 packetization-mode=1;profile-level-id=42c01e\r\na=control:trackID=1\r\n"
            )
            extra = [("Content-Type", "application/sdp")]
            if self.content_base:
                extra.append(("Content-Base", self.content_base.format(url=self.url)))
            return 200, extra, sdp
        if method == "SETUP":
            transport = headers["transport"]
            if "TCP" in transport:
                self.udp_target = None
                reply = "RTP/AVP/TCP;unicast;interleaved=4-5"
            else:
                port = int(re.search(r"client_port=(\d+)", transport).group(1))  # type: ignore[union-attr]
                self.udp_target = (conn.getpeername()[0], port)
                reply = f"{transport};server_port=6970-6971"
            return 200, [("Transport", reply), ("Session", "ABCD;timeout=60")], ""
        if method in ("PLAY", "TEARDOWN"):
            (streaming.set if method == "PLAY" else streaming.clear)()
        return 200, [("Public", "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN")], ""

    def _authorised(self, method: str, uri: str, header: str) -> bool:
        if header.startswith("Basic "):
            return "basic" in self.auth and base64.b64decode(header[6:]).decode() == (
                f"{USER}:{PASSWORD}"
            )
        p = dict(re.findall(r'(\w+)="?([^",]*)"?', header))
        if not header.startswith("Digest ") or p.get("uri") != uri:
            return False

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1, ha2 = md5(f"{USER}:cam:{PASSWORD}"), md5(f"{method}:{uri}")
        if "digest-qop" in self.auth:
            expected = md5(f"{ha1}:{NONCE}:{p.get('nc')}:{p.get('cnonce')}:auth:{ha2}")
        else:
            expected = md5(f"{ha1}:{NONCE}:{ha2}")
        return p.get("response") == expected

    def _stream(
        self, conn: socket.socket, lock: threading.Lock, streaming: threading.Event
    ) -> None:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        seq, i = 65000, 0
        with udp, suppress(OSError):
            while streaming.is_set() and not self.stop.is_set():
                nals = [self.sei(i, 1_000_000 * i), *self.units[i % len(self.units)]]
                for packet in packets_of(nals, (0xFFFF0000 + i * 3600) & 0xFFFFFFFF, seq):
                    seq += 1
                    if self.udp_target is not None:
                        udp.sendto(packet, self.udp_target)
                        continue
                    with lock:
                        conn.sendall(b"$\x04" + struct.pack("!H", len(packet)) + packet)
                        if self.stray_response and i == 3:
                            conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 99\r\n\r\n")
                            conn.sendall(b"$\x05\x00\x04RTCP")  # channel of RTCP, ignored
                i += 1
                time.sleep(0.04)


@pytest.fixture
def camera(
    h264_clip: Clip, make_sei: Callable[[int, int], bytes]
) -> Iterator[Callable[..., ScriptedCamera]]:
    cameras: list[ScriptedCamera] = []

    def start(**knobs: object) -> ScriptedCamera:
        cameras.append(ScriptedCamera(h264_clip.units, make_sei, **knobs))  # type: ignore[arg-type]
        return cameras[-1]

    yield start
    for cam in cameras:
        cam.close()


def _assert_clean_stream(result_aus: list, clip: Clip) -> None:
    counters = [au.frame_counter for au in result_aus]
    assert len(counters) >= 10
    assert counters == list(range(counters[0], counters[0] + len(counters)))


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_capture_with_digest_qop(
    camera: Callable[..., ScriptedCamera], h264_clip: Clip, transport: str
) -> None:
    cam = camera(stray_response=True)
    result = capture(cam.url, USER, PASSWORD, transport=transport, duration=1.0, timeout=2.0)
    _assert_clean_stream(result.access_units, h264_clip)
    assert result.codec == "H264" and result.sdp_fmtp["profile-level-id"] == "42c01e"
    assert result.rtp_seq_lost == 0 and result.rtp_packets > 0
    assert (result.auth_offered, result.auth_used) == (["Digest"], "Digest")
    assert [e.method for e in result.exchanges][:3] == ["OPTIONS", "OPTIONS", "DESCRIBE"]
    assert [e.status for e in result.exchanges][:2] == [401, 200]
    setup = next(uri for method, uri, _ in cam.requests if method == "SETUP")
    assert setup == f"{cam.url}/trackID=1"
    assert any(m == "TEARDOWN" for m, _, _ in cam.requests)
    stats = analyse(result)
    assert (stats.width, stats.height) == (h264_clip.width, h264_clip.height)
    assert stats.timestamp_regressions == 0 and stats.counter_gaps == []  # across wraparound
    assert stats.fps_rtp == pytest.approx(25)


@pytest.mark.parametrize(
    ("offered", "used"),
    [(("digest",), "Digest"), (("basic",), "Basic"), (("basic", "digest"), "Digest")],
)
def test_auth_scheme_choice_and_credentials_in_url(
    camera: Callable[..., ScriptedCamera], offered: tuple[str, ...], used: str
) -> None:
    cam = camera(auth=offered)
    url = cam.url.replace("rtsp://", f"rtsp://{USER}:{PASSWORD}@")
    result = capture(url, None, None, transport="tcp", duration=0.5, timeout=2.0)
    assert result.auth_used == used and result.access_units
    assert PASSWORD not in result.url and USER not in result.url
    transcript = repr(result.exchanges)
    assert PASSWORD not in transcript
    assert base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in transcript
    assert all("@" not in uri for _, uri, _ in cam.requests)  # never sent in a request-URI


def test_wrong_password_is_a_status_error(camera: Callable[..., ScriptedCamera]) -> None:
    cam = camera()
    with pytest.raises(RtspStatusError) as err:
        capture(cam.url, USER, "wrong-password", transport="tcp", duration=0.5, timeout=2.0)
    assert (err.value.method, err.value.status) == ("OPTIONS", 401)


def test_probe_shows_anonymous_access_is_refused(camera: Callable[..., ScriptedCamera]) -> None:
    cam = camera(auth=("digest-qop", "basic"))
    exchange = probe(cam.url, USER, PASSWORD)
    assert exchange.status == 401 and exchange.method == "DESCRIBE"
    assert [v.split()[0] for v in exchange.header_all("www-authenticate")] == ["Digest", "Basic"]
    assert "Authorization" not in exchange.request


def test_malformed_content_base_resolves_against_request_url(
    camera: Callable[..., ScriptedCamera],
) -> None:
    cam = camera(auth=(), content_base="192.168.1.10:554/stream0/")  # moonfire-nvr#356
    capture(cam.url, None, None, transport="tcp", duration=0.3, timeout=2.0)
    setup = next(uri for method, uri, _ in cam.requests if method == "SETUP")
    assert setup == f"rtsp://127.0.0.1:{cam.port}/trackID=1"


def test_no_media_after_play_times_out(camera: Callable[..., ScriptedCamera]) -> None:
    cam = camera(auth=(), send_media=False)
    started = time.monotonic()
    with pytest.raises(RtspTimeout):
        capture(cam.url, None, None, transport="udp", duration=5.0, timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_max_bytes_stops_capture(camera: Callable[..., ScriptedCamera]) -> None:
    cam = camera(auth=())
    result = capture(cam.url, None, None, transport="tcp", duration=5.0, max_bytes=3000)
    assert 3000 <= result.bytes < 10_000
    assert any("max_bytes" in note for note in result.notes)


# --- hostile peers ----------------------------------------------------------------------------


@contextmanager
def hostile(behaviour: Callable[[socket.socket], None]) -> Iterator[str]:
    """Serve one connection on 127.0.0.1 with ``behaviour``; yields the URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def run() -> None:
        with suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(3)
                behaviour(conn)
                done.wait(3)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"rtsp://127.0.0.1:{listener.getsockname()[1]}/stream1"
    finally:
        done.set()
        listener.close()
        thread.join(timeout=3)


def _garbage(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")


def _huge_header(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nX-Pad: " + b"a" * 70_000)


def _huge_body(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 999999999\r\n\r\n")


def _silent(conn: socket.socket) -> None:
    conn.recv(4096)


def _dribble(conn: socket.socket) -> None:
    conn.recv(4096)
    for byte in b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n" * 100:
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def _reset(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _close_mid_message(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 50\r\n\r\nshort")
    conn.shutdown(socket.SHUT_RDWR)


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        (_garbage, RtspProtocolError),
        (_huge_header, RtspProtocolError),
        (_huge_body, RtspProtocolError),
        (_silent, RtspTimeout),
        (_dribble, RtspTimeout),
        (_reset, RtspUnreachable),
        (_close_mid_message, RtspProtocolError),
    ],
)
@pytest.mark.parametrize("call", ["capture", "probe"])
def test_hostile_server_raises_within_timeout(
    behaviour: Callable[[socket.socket], None], error: type[Exception], call: str
) -> None:
    started = time.monotonic()
    with hostile(behaviour) as url, pytest.raises(error):
        if call == "capture":
            capture(url, USER, PASSWORD, transport="tcp", timeout=0.6)
        else:
            probe(url, timeout=0.6)
    assert time.monotonic() - started < 0.6 + 1.5


def test_refused_connection_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RtspUnreachable):
        probe(f"rtsp://127.0.0.1:{port}/stream1", timeout=1.0)


# --- integration with the simulator's RTSP server ---------------------------------------------


@pytest.fixture
def simulator() -> Iterator[Callable[..., str]]:
    """Start fake_vms RTSP servers on an event loop in a thread; yields a factory of URLs."""
    server_module = pytest.importorskip(
        "fake_vms.rtsp.server", reason="fake_vms.rtsp.server (the simulator) is not available"
    )
    from fake_vms.personas.knobs import Knobs
    from fake_vms.site import CameraConfig

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    servers = []

    def start(instrumentation: bool = True, **knobs: object) -> str:
        camera = CameraConfig(
            name="rtsp-client-test", width=320, height=180, fps=25, knobs=Knobs(**knobs),
            instrumentation=instrumentation,
        )  # fmt: skip
        server = server_module.RtspServer(camera)
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=20)
        servers.append(server)
        return f"rtsp://127.0.0.1:{server.port}/stream1"

    yield start
    for server in servers:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


SIM_USER, SIM_PASSWORD = "admin", "sim-password"  # CameraConfig defaults


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_simulator_stream_is_conformant(simulator: Callable[..., str], transport: str) -> None:
    url = simulator()
    anonymous = probe(url)
    assert anonymous.status == 401 and (anonymous.header("WWW-Authenticate") or "").startswith(
        "Digest"
    )
    result = capture(url, SIM_USER, SIM_PASSWORD, transport=transport, duration=1.2)
    assert result.auth_used == "Digest" and result.codec == "H264"
    assert SIM_PASSWORD not in repr(result.exchanges)
    stats = analyse(result)
    assert (stats.width, stats.height) == (320, 180)
    assert stats.fps_rtp == pytest.approx(25, rel=0.01)
    assert stats.timestamp_regressions == 0 and stats.counter_gaps == []
    assert stats.counter_missing == 0 and stats.decode_errors == []
    assert result.rtp_seq_lost == 0 and stats.keyframes >= 1


def test_simulator_faults_are_measured(simulator: Callable[..., str]) -> None:
    url = simulator(fps_divisor=2, drop_frame_every=5, timestamp_glitch_every=5)
    result = capture(url, SIM_USER, SIM_PASSWORD, transport="tcp", duration=1.5)
    stats = analyse(result)
    assert stats.fps_rtp == pytest.approx(12.5, rel=0.05)
    assert stats.timestamp_regressions >= 1
    assert stats.counter_gaps and all(got > expected for expected, got in stats.counter_gaps)
    # Judged without the counter: declared 25 fps, the stream runs at 12.5 (STREAM-FPS-01's
    # finding, so its own rate is the grid) and one frame in five is missing.
    loss = timestamp_losses(result.access_units, result.clock_rate, 25.0)
    assert loss is not None and loss.rate_source == "stream" and loss.lost >= 2


@pytest.mark.parametrize("drop_every", [0, 25])
def test_continuity_judged_without_counter(simulator: Callable[..., str], drop_every: int) -> None:
    """STREAM-CONT-01 on what a real camera sends (instrumentation off): the known-good stream
    passes, the dropped-frames persona's (one frame a second lost at capture) fails from the
    RTP timestamps alone, against the rate its SDP declares."""
    url = simulator(instrumentation=False, drop_frame_every=drop_every)
    result = capture(url, SIM_USER, SIM_PASSWORD, transport="tcp", duration=2.2)
    stats = analyse(result, decode_seconds=0.2)
    assert stats.counter_missing == stats.access_units  # no SEI at all
    declared = sdp_framerate(result.sdp)
    assert declared == 25
    loss = timestamp_losses(result.access_units, result.clock_rate, declared)
    assert loss is not None and loss.rate_source == "declared"
    problems = check_continuity(
        result.rtp_seq_lost, loss.lost, loss.gaps, 25.0, access_units=stats.access_units
    )
    if drop_every:
        assert loss.lost >= 1 and all(n == 1 for _i, n in loss.gaps)
        assert problems and "missing from the RTP timestamps" in problems[-1]
    else:
        assert loss.lost == 0 and problems == []


def test_simulator_refusing_tcp_is_a_status_error(simulator: Callable[..., str]) -> None:
    url = simulator(rtsp_tcp_supported=False)
    with pytest.raises(RtspStatusError) as err:
        capture(url, SIM_USER, SIM_PASSWORD, transport="tcp", duration=0.5)
    assert err.value.method == "SETUP" and err.value.status == 461
