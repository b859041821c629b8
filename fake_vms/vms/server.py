"""The VMS server: the REST API on a free loopback port, fronting every recording camera."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fake_vms.http import HttpServer
from fake_vms.vms.api import VmsApi
from fake_vms.vms.package import CameraSource

OPERATOR = "operator"
"""The simulator's VMS operator user name (its password is generated per process)."""


def camera_source(camera: Any, onvif_url: str, token: str) -> CameraSource:
    """A VMS camera entry from a simulated camera's config."""
    return CameraSource(
        id=camera.name, name=camera.name, manufacturer=camera.manufacturer,
        model=camera.model, serial=camera.serial, mac=camera.mac, onvif_url=onvif_url,
        token=token, knobs=camera.knobs,
    )  # fmt: skip


class VmsServer:
    """Start/stop inside the running event loop; ``ready_entry`` goes into the ready file."""

    def __init__(self, store: Any, cameras: Sequence[CameraSource], password: str) -> None:
        self.api = VmsApi(store, cameras, OPERATOR, password)
        self.http = HttpServer(self.api.routes())
        self.password = password

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        await self.http.start(host, port)
        self.host = host

    async def stop(self) -> None:
        await self.http.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.http.port}"

    def ready_entry(self) -> dict[str, Any]:
        return {
            "adapter": "fake-vms", "url": self.url, "username": OPERATOR,
            "password": self.password, "cameras": sorted(self.api.cameras),
        }  # fmt: skip


async def start_site_vms(devices: Sequence[Any], store: Any, host: str) -> VmsServer | None:
    """Start the site's VMS over its recording cameras (``None`` when no camera records).

    ``devices`` are the host's running devices (``camera`` and ``onvif.device_url``).
    """
    import secrets

    from fake_vms.recording.recorder import recording_token

    sources = [
        camera_source(d.camera, d.onvif.device_url, recording_token(d.camera))
        for d in devices
        if d.camera.record
    ]
    if not sources:
        return None
    server = VmsServer(store, sources, secrets.token_urlsafe(18))
    await server.start(host, 0)
    return server
