"""RTSP transports of the simulator: the HTTP tunnel, keep-alive, and independent clients.

FFmpeg (through PyAV) must decode the stream over every RTSP transport it has (udp, tcp and
http, where ``rtsp_transport=http`` is FFmpeg's RTSP-over-HTTP tunnel); GStreamer's rtspsrc is
tried with protocols udp/tcp/http where ``gst-launch-1.0`` is installed (it is not installed by
the project). Raw-socket tests pin the tunnel's corner cases: base64 split anywhere and broken
into lines, a POST reopened for the same tunnel, an unpaired GET, and the personas.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.clients.rtsp import (
    RtspProtocolError,
    RtspStatusError,
    _bind_udp_pair,
    _parse_url,
    _Session,
    _video_track,
    capture,
)
from conformance.clients.rtsp_keepalive import keepalive_probe
from conformance.clients.rtsp_tunnel import open_tunnel
from fake_vms.host import SimulatorThread
from fake_vms.personas import PERSONAS
from fake_vms.rtsp import tunnel as tunnel_module
from fake_vms.site import CameraConfig, Site, apply_persona

NAMES = ("cam", "no-http-tunnel", "tunnel-no-linebreaks", "keepalive-ignored")
USER, PASSWORD = "admin", "sim-password"


@pytest.fixture(scope="module")
def ready() -> Iterator[dict[str, Any]]:
    cameras = [
        CameraConfig(name=n) if n == "cam" else apply_persona(CameraConfig(name=n), PERSONAS[n])
        for n in NAMES
    ]
    sim = SimulatorThread(Site("transports", tuple(cameras)))
    try:
        yield sim.start()
    finally:
        sim.stop()


def _dev(ready: dict[str, Any], name: str = "cam") -> dict[str, Any]:
    return next(d for d in ready["devices"] if d["name"] == name)


def _tunnel_url(ready: dict[str, Any], name: str = "cam") -> str:
    return f"http://127.0.0.1:{_dev(ready, name)['http_port']}/rtsp-over-http/stream1"


# --- FFmpeg and GStreamer -------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["udp", "tcp", "http"])
def test_ffmpeg_decodes_every_transport(ready: dict[str, Any], transport: str) -> None:
    av = pytest.importorskip("av")
    dev = _dev(ready)
    port = dev["http_port"] if transport == "http" else dev["rtsp_port"]
    path = "/rtsp-over-http/stream1" if transport == "http" else "/stream1"
    url = f"rtsp://{USER}:{PASSWORD}@127.0.0.1:{port}{path}"
    container = av.open(
        url, options={"rtsp_transport": transport, "timeout": "5000000"}, timeout=10
    )
    try:
        frames = 0
        for frame in container.decode(video=0):
            assert (frame.width, frame.height) == (1280, 720)
            frames += 1
            if frames >= 10:
                break
    finally:
        container.close()
    assert frames == 10


GST = shutil.which("gst-launch-1.0")


@pytest.mark.skipif(GST is None, reason="GStreamer (gst-launch-1.0) is not installed here")
@pytest.mark.parametrize("protocols", ["udp", "tcp", "http"])
def test_gstreamer_rtspsrc_every_transport(ready: dict[str, Any], protocols: str) -> None:
    dev = _dev(ready)
    port = dev["http_port"] if protocols == "http" else dev["rtsp_port"]
    path = "/rtsp-over-http/stream1" if protocols == "http" else "/stream1"
    location = f"rtsp://127.0.0.1:{port}{path}"
    if protocols == "http":
        location = location.replace("rtsp://", "rtsph://")  # rtspsrc's HTTP tunnel scheme
    proto = "tcp" if protocols == "http" else protocols
    command = [
        str(GST), "-v", "rtspsrc", f"location={location}", f"protocols={proto}",
        f"user-id={USER}", f"user-pw={PASSWORD}", "!", "rtph264depay", "!", "h264parse",
        "!", "fakesink", "silent=false", "num-buffers=10",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, timeout=30)
    # Judged by what rtspsrc delivered: ten parsed access units reached the sink. How rtspsrc
    # then shuts down is its own affair: twice on a loaded CI runner its PAUSE after the tenth
    # buffer raced its own TEARDOWN and it reported "Could not send message" on exit. The
    # simulator's side of that shutdown (PAUSE and TEARDOWN after the client closed its ports)
    # is pinned by test_pause_and_teardown_after_the_client_closed_its_udp_ports.
    delivered = [
        line
        for line in result.stdout.decode(errors="replace").splitlines()
        if "last-message = chain" in line and "pts: none" not in line
    ]
    assert len(delivered) == 10, (
        f"rtspsrc over {protocols} delivered {len(delivered)} of 10 access units "
        f"(exit {result.returncode}):\n" + result.stderr.decode(errors="replace")[-1500:]
    )


def test_pause_and_teardown_after_the_client_closed_its_udp_ports(ready: dict[str, Any]) -> None:
    """rtspsrc's shutdown: PAUSE then TEARDOWN on the control connection after its UDP ports
    have closed (the server's RTP now meets ICMP port-unreachable). Both must be answered 200
    and the connection must stay open until the client closes it."""
    dev = _dev(ready)
    url = f"rtsp://127.0.0.1:{dev['rtsp_port']}/stream1"
    target = _parse_url(url, USER, PASSWORD)
    session = _Session(target, 5)
    rtp, rtcp = _bind_udp_pair(session.conn.sock)
    try:
        described = session.request("DESCRIBE", target.url, {"Accept": "application/sdp"})
        track = _video_track(
            described.body.decode("utf-8", errors="replace"),
            target.url,
            described.header("Content-Base"),
            described.header("Content-Location"),
        )
        port = rtp.getsockname()[1]
        setup = session.request(
            "SETUP", track.control, {"Transport": f"RTP/AVP;unicast;client_port={port}-{port + 1}"}
        )
        session.session_id = (setup.header("Session") or "").split(";")[0]
        session.request("PLAY", track.aggregate, {"Range": "npt=0.000-"})
        rtp.settimeout(5)
        for _ in range(10):
            rtp.recv(65536)
        rtp.close()
        rtcp.close()
        time.sleep(0.3)  # several RTP packets meet the closed port
        assert session.request("PAUSE", track.aggregate).status == 200
        time.sleep(0.1)
        assert session.request("TEARDOWN", track.aggregate).status == 200
    finally:
        rtp.close()
        rtcp.close()
        session.close()


# --- the suite's own tunnel client ----------------------------------------------------------


def test_suite_client_captures_through_tunnel(ready: dict[str, Any]) -> None:
    result = capture(_tunnel_url(ready), USER, PASSWORD, transport="http", duration=1.0)
    assert result.rtp_packets > 10 and result.access_units
    assert [e.method for e in result.exchanges][:2] == ["GET", "OPTIONS"]
    assert result.exchanges[0].status == 200
    setup = next(e for e in result.exchanges if e.method == "SETUP" and e.status == 200)
    assert "/rtsp-over-http/stream1/" in setup.url  # Content-Base leads back through the tunnel


def test_base64_with_line_breaks_split_mid_group(ready: dict[str, Any]) -> None:
    target, conn = open_tunnel(_tunnel_url(ready), USER, PASSWORD, 5, line_length=76, write_size=7)
    session = _Session(target, 5, conn)
    try:
        reply = session.request("DESCRIBE", target.url, {"Accept": "application/sdp"})
    finally:
        session.close()
    assert reply.status == 200 and b"m=video" in reply.body


def test_strict_decoder_persona_drops_line_broken_tunnel(ready: dict[str, Any]) -> None:
    url = _tunnel_url(ready, "tunnel-no-linebreaks")
    target, conn = open_tunnel(url, USER, PASSWORD, 3, line_length=76, write_size=50)
    session = _Session(target, 3, conn)
    try:
        with pytest.raises(RtspProtocolError, match="closed"):  # GET or POST
            session.request("OPTIONS", target.url)
    finally:
        session.close()
    # plain base64 (what FFmpeg sends) still works on that camera
    result = capture(url, USER, PASSWORD, transport="http", duration=0.5)
    assert result.rtp_packets > 0


def test_no_tunnel_persona_answers_404(ready: dict[str, Any]) -> None:
    with pytest.raises(RtspStatusError) as caught:
        open_tunnel(_tunnel_url(ready, "no-http-tunnel"), USER, PASSWORD, 3)
    assert caught.value.status == 404


def _raw_get(port: int, cookie: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        (
            "GET /rtsp-over-http/stream1 HTTP/1.0\r\n"
            f"x-sessioncookie: {cookie}\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.0 200") and b"application/x-rtsp-tunnelled" in head
    return sock


def _raw_post(port: int, cookie: str, body: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            (
                "POST /rtsp-over-http/stream1 HTTP/1.0\r\n"
                f"x-sessioncookie: {cookie}\r\nContent-Type: application/x-rtsp-tunnelled\r\n"
                "Content-Length: 32767\r\n\r\n"
            ).encode()
            + body
        )
        time.sleep(0.05)


def _read_reply(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, "tunnel closed"
        data += chunk
    return data


def test_post_may_be_closed_and_reopened_per_request(ready: dict[str, Any]) -> None:
    """Apple's note: a client may send each request on a new POST with the same cookie."""
    port = _dev(ready)["http_port"]
    cookie = secrets.token_hex(8)
    get = _raw_get(port, cookie)
    try:
        for cseq in (1, 2):
            request = f"OPTIONS rtsp://127.0.0.1:{port}/rtsp-over-http/stream1 RTSP/1.0\r\n"
            request += f"CSeq: {cseq}\r\n\r\n"
            _raw_post(port, cookie, base64.b64encode(request.encode()))
            reply = _read_reply(get)
            assert reply.startswith(b"RTSP/1.0 200") and f"CSeq: {cseq}".encode() in reply
    finally:
        get.close()


def test_unpaired_get_is_closed_after_the_pairing_timeout(
    ready: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tunnel_module, "PAIR_TIMEOUT_S", 0.3)
    get = _raw_get(_dev(ready)["http_port"], secrets.token_hex(8))
    get.settimeout(3)
    try:
        assert get.recv(1) == b""  # closed by the server, not left hanging
    finally:
        get.close()


def test_post_without_a_get_is_refused(ready: dict[str, Any]) -> None:
    with socket.create_connection(("127.0.0.1", _dev(ready)["http_port"]), timeout=5) as sock:
        sock.sendall(
            b"POST /rtsp-over-http/stream1 HTTP/1.0\r\nx-sessioncookie: nope\r\n"
            b"Content-Length: 32767\r\n\r\n"
        )
        assert sock.recv(100).startswith(b"HTTP/1.0 404")


def test_media_get_stream_uri_http_gives_the_tunnel(ready: dict[str, Any]) -> None:
    from conformance.clients.onvif import OnvifClient

    dev = _dev(ready)
    client = OnvifClient(dev["onvif_url"], USER, PASSWORD, timeout=5)
    media = dev["onvif_url"].replace("device_service", "media_service")
    setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "HTTP"}}
    uri = client.call(
        "media", "GetStreamUri", url=media, StreamSetup=setup, ProfileToken="profile_1"
    ).Uri
    assert uri == _tunnel_url(ready)
    setup["Transport"]["Protocol"] = "RTSP"
    uri = client.call(
        "media", "GetStreamUri", url=media, StreamSetup=setup, ProfileToken="profile_1"
    ).Uri
    assert uri == f"rtsp://127.0.0.1:{dev['rtsp_port']}/stream1"


# --- keep-alive ------------------------------------------------------------------------------


def test_keepalive_probe_good_and_rejecting_camera(ready: dict[str, Any]) -> None:
    good = _dev(ready)
    result = keepalive_probe(
        f"rtsp://127.0.0.1:{good['rtsp_port']}/stream1", USER, PASSWORD, after_s=0.3
    )
    assert result.session_timeout_s == 60
    assert [(s.method, s.status) for s in result.steps] == [
        ("GET_PARAMETER", 200),
        ("OPTIONS", 200),
    ]
    assert all(s.packets_after > 0 for s in result.steps)
    bad = _dev(ready, "keepalive-ignored")
    result = keepalive_probe(
        f"rtsp://127.0.0.1:{bad['rtsp_port']}/stream1", USER, PASSWORD, after_s=0.3
    )
    assert result.steps[0].status == 400 and result.steps[0].error


def test_keepalive_probe_over_udp(ready: dict[str, Any]) -> None:
    """The fallback for cameras without RTP/RTSP/TCP: the same judgement over RTP/UDP."""
    for name, status in (("cam", 200), ("keepalive-ignored", 400)):
        dev = _dev(ready, name)
        result = keepalive_probe(
            f"rtsp://127.0.0.1:{dev['rtsp_port']}/stream1",
            USER,
            PASSWORD,
            after_s=0.3,
            transport="udp",
        )
        assert result.transport == "udp" and result.packets_before > 0
        assert result.steps[0].status == status
        if status == 200:
            assert all(s.packets_after > 0 for s in result.steps)
