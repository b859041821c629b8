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

    def __init__(
        self, store: Any, cameras: Sequence[CameraSource], password: str, ingest: Any = None
    ) -> None:
        self.api = VmsApi(store, cameras, OPERATOR, password, ingest)
        self.http = HttpServer(self.api.routes())
        self.password = password
        self.ingest = ingest

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        await self.http.start(host, port)
        self.host = host

    async def stop(self) -> None:
        if self.ingest is not None:
            import asyncio

            # Capture threads stop within one read timeout; wait for them off the event loop.
            await asyncio.to_thread(self.ingest.stop_all)
        await self.http.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.http.port}"

    def ready_entry(self) -> dict[str, Any]:
        return {
            "adapter": "fake-vms", "url": self.url, "username": OPERATOR,
            "password": self.password, "cameras": sorted(self.api.cameras),
            "ingest": self.ingest is not None,
        }  # fmt: skip


async def start_site_vms(
    devices: Sequence[Any], store: Any, host: str, vms: Any = None
) -> VmsServer | None:
    """Start the site's VMS over its recording cameras, and with ingest when the site's ``vms``
    section asks for it (``None`` when no camera records and the site has no such VMS).

    ``devices`` are the host's running devices (``camera`` and ``onvif.device_url``); ``vms`` is
    the site's :class:`fake_vms.site.VmsSiteConfig` or ``None``.
    """
    import secrets

    from fake_vms.recording.recorder import recording_token

    sources = [
        camera_source(d.camera, d.onvif.device_url, recording_token(d.camera))
        for d in devices
        if d.camera.record
    ]
    ingest = None
    if vms is not None and vms.ingest:
        from fake_vms.vms.ingest import IngestManager

        ingest = IngestManager(store, vms.clip_s, vms.knobs)
    if not sources and ingest is None:
        return None
    server = VmsServer(store, sources, secrets.token_urlsafe(18), ingest)
    await server.start(host, 0)
    return server
