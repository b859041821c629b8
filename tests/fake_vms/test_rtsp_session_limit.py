"""STREAM-CLIENTS-01 on the wire: two clients at once, and the single-stream-client persona.

The suite's own clients (conformance.clients.parallel_sessions over rtsp.capture) play the
simulated camera's stream in two sessions at once: the good camera serves both at its frame
rate; a camera limited to one playing session answers the second SETUP (or PLAY) with 453 and
keeps the first one playing, and serves sessions one after another, whether the earlier one
ended by TEARDOWN or by its closed connection.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from conformance.clients.parallel_sessions import overlap_rates, play_side_by_side
from conformance.clients.rtsp import RtspStatusError, capture
from fake_vms.personas import PERSONAS
from fake_vms.personas.knobs import Knobs
from fake_vms.rtsp.server import RtspServer
from fake_vms.site import CameraConfig, apply_persona

CAMERA = CameraConfig(name="cam-limit", width=320, height=240, fps=20, gop=20, bitrate_kbps=300)
Start = Callable[[Any], Any]


def _url(server: RtspServer) -> str:
    return f"rtsp://127.0.0.1:{server.port}/stream1"


def _serve(start: Start, camera: CameraConfig) -> RtspServer:
    return start(RtspServer(camera))


def _limited(start: Start) -> RtspServer:
    return _serve(start, apply_persona(CAMERA, PERSONAS["single-stream-client"]))


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_good_camera_serves_two_clients_at_once(run_async_server: Start, transport: str) -> None:
    server = _serve(run_async_server, CAMERA)
    result = play_side_by_side(
        _url(server), CAMERA.username, CAMERA.password, transport=transport, seconds=1.5, timeout=3
    )
    first, second = result.first, result.second
    assert first.error is None and second.error is None
    assert first.capture is not None and second.capture is not None
    assert second.played_at is not None and first.played_at is not None
    assert second.played_at > first.played_at
    end = second.capture.access_units[-1].arrival
    rates = overlap_rates(first.capture, second.played_at, end)
    assert rates.fps_rtp == pytest.approx(20, rel=0.05)
    assert rates.fps_arrival == pytest.approx(20, rel=0.15)
    assert rates.last_frame_after_s is not None
    assert rates.last_frame_after_s >= end - second.played_at - 0.2  # the first kept playing


def test_single_stream_client_refuses_the_second_setup(run_async_server: Start) -> None:
    server = _limited(run_async_server)
    result = play_side_by_side(
        _url(server), CAMERA.username, CAMERA.password, transport="tcp", seconds=1.0, timeout=3
    )
    assert result.first.error is None and result.second_started
    error = result.second.error
    assert isinstance(error, RtspStatusError)
    assert (error.method, error.status, error.reason) == ("SETUP", 453, "Not Enough Bandwidth")
    assert result.second.played_at is None
    # The first session played on until it was stopped, undisturbed by the refused one.
    assert result.first.capture is not None
    last = result.first.capture.access_units[-1].arrival
    assert last >= (result.second.ended_at or 0) - 0.2


def test_single_stream_client_serves_sessions_one_after_another(run_async_server: Start) -> None:
    server = _limited(run_async_server)
    for transport in ("tcp", "udp", "tcp"):  # each ends with TEARDOWN, then closes
        cap = capture(
            _url(server),
            CAMERA.username,
            CAMERA.password,
            transport=transport,
            duration=0.5,
            timeout=3,
        )
        assert cap.access_units


def _ask(sock: socket.socket, text: str) -> str:
    """Send one request; its reply's head (the server answers before it sends any RTP)."""
    sock.sendall(text.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    return data.split(b"\r\n\r\n", 1)[0].decode("latin-1")


def _setup(sock: socket.socket, base: str, cseq: int) -> str:
    reply = _ask(
        sock,
        f"SETUP {base}/trackID=0 RTSP/1.0\r\nCSeq: {cseq}\r\n"
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
    )
    assert reply.startswith("RTSP/1.0 200"), reply
    return next(
        line.split(":", 1)[1].split(";")[0].strip()
        for line in reply.split("\r\n")
        if line.lower().startswith("session:")
    )


def _play(sock: socket.socket, base: str, cseq: int, session: str) -> str:
    return _ask(sock, f"PLAY {base} RTSP/1.0\r\nCSeq: {cseq}\r\nSession: {session}\r\n\r\n")


def _open_limit(start: Start) -> RtspServer:
    camera = replace(CAMERA, knobs=Knobs(rtsp_max_playing_sessions=1, rtsp_auth_required=False))
    return _serve(start, camera)


def test_a_closed_connection_frees_the_session_at_once(run_async_server: Start) -> None:
    """A client that vanishes without TEARDOWN (its socket closed) leaves no session behind."""
    server = _open_limit(run_async_server)
    base = _url(server)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=3)
    session = _setup(sock, base, 1)
    assert _play(sock, base, 2, session).startswith("RTSP/1.0 200")
    time.sleep(0.2)
    sock.close()  # no TEARDOWN
    cap = capture(base, None, None, transport="tcp", duration=0.5, timeout=3)
    assert cap.access_units


def test_play_of_a_second_set_up_session_is_refused_too(run_async_server: Start) -> None:
    """SETUP while nothing plays succeeds; its PLAY while another session plays gets 453."""
    server = _open_limit(run_async_server)
    base = _url(server)
    socks = [socket.create_connection(("127.0.0.1", server.port), timeout=3) for _ in range(2)]
    try:
        sessions = [_setup(sock, base, 1) for sock in socks]
        assert _play(socks[0], base, 2, sessions[0]).startswith("RTSP/1.0 200")
        refused = _play(socks[1], base, 2, sessions[1])
        assert refused.startswith("RTSP/1.0 453 Not Enough Bandwidth")
        # and a SETUP while one plays is refused at once
        third = socket.create_connection(("127.0.0.1", server.port), timeout=3)
        socks.append(third)
        reply = _ask(
            third,
            f"SETUP {base}/trackID=0 RTSP/1.0\r\nCSeq: 1\r\n"
            "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
        )
        assert reply.startswith("RTSP/1.0 453")
    finally:
        for sock in socks:
            sock.close()
