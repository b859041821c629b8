"""The camera's RTSP session list at its status URL: transport, stream, start and end of each
session, as a real client (PyAV/FFmpeg over UDP and over TCP) set it up; Basic auth required."""

from __future__ import annotations

import time

import av
import pytest
import requests

from conformance.clients.camera_sessions import SessionsUnavailable, fetch_sessions
from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site


def _play(url: str, transport: str) -> None:
    with av.open(url, options={"rtsp_transport": transport}, timeout=10) as container:
        for i, _packet in enumerate(container.demux(video=0)):
            if i >= 10:
                break


def test_session_report_shows_each_sessions_transport() -> None:
    site = Site("sessions", (CameraConfig(name="cam", width=320, height=240, fps=10, gop=10),))
    with SimulatorThread(site) as sim:
        dev = sim.host.ready()["devices"][0]
        base = f"rtsp://{dev['username']}:{dev['password']}@127.0.0.1:{dev['rtsp_port']}"
        _play(f"{base}/stream1", "udp")
        _play(f"{base}/stream1", "tcp")
        url = dev["rtsp_sessions_url"]
        assert requests.get(url, timeout=5).status_code == 401
        deadline = time.monotonic() + 5
        sessions = fetch_sessions(url, dev["username"], dev["password"])
        while any(s.end is None for s in sessions) and time.monotonic() < deadline:
            time.sleep(0.2)  # TEARDOWN is sent as the client closes
            sessions = fetch_sessions(url, dev["username"], dev["password"])
        with pytest.raises(SessionsUnavailable):
            fetch_sessions(url, dev["username"], "wrong")
    assert [(s.transport, s.stream) for s in sessions] == [
        ("udp", "/stream1"),
        ("tcp", "/stream1"),
    ]
    for s in sessions:
        assert s.setup and s.start and s.start >= s.setup
        assert s.end is not None and s.end >= s.start
