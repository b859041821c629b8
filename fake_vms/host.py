"""Host a whole site: every camera's ONVIF and RTSP servers on free loopback ports, one process.

Used two ways: ``fake-vms serve`` runs it in the foreground until interrupted, and the suite's
demo and self-test run it on a background thread (:class:`SimulatorThread`) beside the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_vms.oplog import OperationLog
from fake_vms.security import OPERATOR_PASSWORD, OPERATOR_USERNAME
from fake_vms.site import CameraConfig, Site

HOST = "127.0.0.1"


@dataclass
class RunningDevice:
    camera: CameraConfig
    onvif: Any
    rtsp: Any

    def ready_entry(self) -> dict[str, Any]:
        return {
            "name": self.camera.name,
            "onvif_url": self.onvif.device_url,
            "rtsp_port": self.rtsp.port,
            "http_port": self.onvif.port,
            # The camera's RTSP session list (fake_vms/rtsp/sessions_report.py).
            "rtsp_sessions_url": f"http://127.0.0.1:{self.onvif.port}/status/rtsp-sessions",
            "https_port": self.onvif.https_port,
            "aux_port": self.onvif.aux.port,
            "operator_username": OPERATOR_USERNAME,
            "operator_password": OPERATOR_PASSWORD,
            "username": self.camera.username,
            "password": self.camera.password,
            "persona": self.camera.persona,
            # The authority the camera belongs to (an estate's site), for results and inventories.
            "site": self.camera.site,
        }


class SiteHost:
    """Starts and stops every device of a site inside the running event loop.

    One WS-Discovery responder (on ``discovery_port``, 0 = a free port) answers for them all.
    """

    def __init__(
        self,
        site: Site,
        oplog: OperationLog | None = None,
        discovery_port: int = 0,
        recordings: Path | None = None,
    ) -> None:
        """``recordings``: where recording cameras keep their segments (default: a temp dir)."""
        from fake_vms.recording.hosting import SiteRecordings

        self.recordings = SiteRecordings(recordings)
        self.site = site
        self.oplog = oplog or OperationLog()
        self.devices: list[RunningDevice] = []
        self.discovery_port = discovery_port
        self.discovery: Any = None
        self.vms: Any = None

    async def start(self) -> None:
        from fake_vms.discovery import DiscoveryResponder, target_of
        from fake_vms.onvif.server import OnvifServer
        from fake_vms.rtsp.server import RtspServer
        from fake_vms.rtsp.sessions_report import SESSIONS_PATH
        from fake_vms.rtsp.tunnel import TUNNEL_PREFIX, RtspHttpTunnel

        try:
            for camera in self.site.cameras:
                rtsp = RtspServer(camera, self.oplog)
                await rtsp.start(HOST, 0)
                shared = self.recordings.attach(camera, rtsp)
                tunnel = RtspHttpTunnel(camera, rtsp, self.oplog)
                onvif = OnvifServer(
                    camera,
                    rtsp.port,
                    self.oplog,
                    site_name=camera.site or self.site.name,
                    takeovers={TUNNEL_PREFIX + "/": tunnel.handle},
                    shared=shared,
                )
                onvif.add_route(SESSIONS_PATH, rtsp.sessions_book.handle)
                await onvif.start(HOST, 0)
                self.devices.append(RunningDevice(camera, onvif, rtsp))
            self.discovery = DiscoveryResponder(
                [target_of(d.onvif) for d in self.devices], self.oplog
            )
            await self.discovery.start(HOST, self.discovery_port)
            from fake_vms.vms.server import start_site_vms

            self.vms = await start_site_vms(
                self.devices, self.recordings.store, HOST, self.site.vms
            )
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        if self.vms is not None:
            with contextlib.suppress(Exception):
                await self.vms.stop()
            self.vms = None
        if self.discovery is not None:
            await self.discovery.stop()
            self.discovery = None
        for device in reversed(self.devices):
            for server in (device.onvif, device.rtsp):
                # Stopping the rest matters more than one server's failure to stop.
                with contextlib.suppress(Exception):
                    await server.stop()
        self.devices.clear()
        await self.recordings.stop()

    def ready(self) -> dict[str, Any]:
        return {
            "site": self.site.name,
            "pid": os.getpid(),
            "discovery_port": self.discovery.port if self.discovery is not None else None,
            "devices": [d.ready_entry() for d in self.devices],
            "vms": self.vms.ready_entry() if self.vms is not None else None,
        }


def write_ready_file(path: str | Path, ready: dict[str, Any]) -> None:
    """Write atomically, so a watcher never reads half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(ready, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)  # it holds the simulator's test credentials
    tmp.replace(path)


class SimulatorThread:
    """A site hosted on a background thread with its own event loop (for in-process use)."""

    def __init__(self, site: Site, oplog: OperationLog | None = None) -> None:
        self.host = SiteHost(site, oplog)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-vms", daemon=True)

    def start(self, timeout: float = 120.0) -> dict[str, Any]:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self.host.start(), self._loop)
        future.result(timeout)
        return self.host.ready()

    def stop(self, timeout: float = 10.0) -> None:
        if not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self.host.stop(), self._loop)
        try:
            future.result(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        """Run a coroutine on the simulator's loop (an in-process lab stimulus, e.g. a camera
        dropping out) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def __enter__(self) -> SimulatorThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
