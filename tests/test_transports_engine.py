"""Engine pieces added for WS-Discovery and RTSP transports: target discovery addresses, the
environmental not_tested marker, and the HTTP server's connection takeover."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest
import yaml

from conformance.errors import InputError
from conformance.outcomes import ENVIRONMENT_REASON, Outcome, not_testable_here, outcome_of_skip
from conformance.targets import load_target
from fake_vms.http import HttpServer, Request, Response


def _target(tmp_path: Path, device: dict) -> Path:
    data = {"supplier": "S", "product": "P", "devices": [device]}
    path = tmp_path / "target.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_discovery_address_defaults_to_onvif_host_port_3702(tmp_path: Path) -> None:
    target = load_target(_target(tmp_path, {"name": "c", "onvif": "http://192.0.2.5/onvif/d"}))
    assert target.devices[0].discovery_address == ("192.0.2.5", 3702)


def test_declared_discovery_address(tmp_path: Path) -> None:
    device = {"name": "c", "onvif": "http://192.0.2.5/onvif/d", "discovery": "127.0.0.1:13702"}
    assert load_target(_target(tmp_path, device)).devices[0].discovery_address == (
        "127.0.0.1",
        13702,
    )


@pytest.mark.parametrize("bad", ["127.0.0.1", "host:port", ":3702", "h:70000"])
def test_bad_discovery_address_is_refused(tmp_path: Path, bad: str) -> None:
    device = {"name": "c", "onvif": "http://192.0.2.5/onvif/d", "discovery": bad}
    with pytest.raises(InputError) as caught:
        load_target(_target(tmp_path, device))
    assert "discovery" in caught.value.field


def test_simulator_devices_use_the_ready_files_discovery_port(tmp_path: Path) -> None:
    ready = {
        "site": "s",
        "discovery_port": 40000,
        "devices": [
            {
                "name": "a",
                "onvif_url": "http://127.0.0.1:8000/onvif/device_service",
                "username": "admin",
                "password": "x",
            }
        ],
    }
    (tmp_path / "ready.json").write_text(json.dumps(ready), encoding="utf-8")
    data = {"supplier": "S", "product": "P", "simulator": {"ready_file": "ready.json"}}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_target(tmp_path / "t.yaml").devices[0].discovery_address == ("127.0.0.1", 40000)


def test_environmental_not_tested_is_marked() -> None:
    with pytest.raises(pytest.skip.Exception) as caught:
        not_testable_here("no multicast on loopback")
    outcome, reason = outcome_of_skip(str(caught.value.msg))
    assert outcome is Outcome.NOT_TESTED
    assert reason == ENVIRONMENT_REASON + "no multicast on loopback"


def test_http_takeover_gets_the_connection_with_the_body_unread() -> None:
    seen: list[tuple[str, bytes]] = []

    async def takeover(request: Request, reader, writer) -> None:
        seen.append((request.path, await reader.readexactly(5)))
        writer.write(b"raw!")
        await writer.drain()

    async def plain(request: Request) -> Response:
        return Response(200, b"ok")

    async def scenario() -> None:
        server = HttpServer({"/plain": plain}, takeovers={"/tunnel/": takeover})
        await server.start("127.0.0.1", 0)
        try:
            raw = await asyncio.to_thread(_exchange, server.port)
        finally:
            await server.stop()
        assert raw == b"raw!"

    asyncio.run(scenario())
    assert seen == [("/tunnel/x", b"hello")]


def _exchange(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /tunnel/x HTTP/1.0\r\nContent-Length: 32767\r\n\r\nhello")
        data = b""
        while chunk := sock.recv(100):
            data += chunk
        return data


def test_fake_vms_serve_discovery_port(tmp_path: Path) -> None:
    """`fake-vms serve --discovery-port N` answers Probes on that port and says so."""
    import subprocess
    import sys
    import time

    from conformance.clients.discovery import probe

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    site = tmp_path / "site.yaml"
    site.write_text(
        "site: t\ndefaults: {width: 320, height: 240, fps: 5}\ncameras: [{name: c1}]\n",
        encoding="utf-8",
    )
    ready_file = tmp_path / "ready.json"
    cmd = [sys.executable, "-m", "fake_vms.cli", "serve", "--site", str(site)]
    cmd += ["--ready-file", str(ready_file), "--discovery-port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not ready_file.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        ready = json.loads(ready_file.read_text(encoding="utf-8"))
        assert ready["discovery_port"] == port
        result = probe(("127.0.0.1", port), wait=2, done=bool)
        assert [m.xaddrs for m in result.matches] == [[ready["devices"][0]["onvif_url"]]]
    finally:
        proc.terminate()
        proc.wait(10)
