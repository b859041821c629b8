"""A site's recordings: one store for the host, one recorder per camera that records.

Kept out of :mod:`fake_vms.host` so the host only calls ``attach`` per camera and ``stop``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fake_vms.recording.recorder import CameraRecorder
from fake_vms.recording.store import RecordingStore
from fake_vms.site import CameraConfig

DEFAULT_RETENTION_S = 600.0


class SiteRecordings:
    """Owns the store (a temporary directory unless ``root`` is given) and the recorders."""

    def __init__(self, root: Path | None = None, retention_s: float = DEFAULT_RETENTION_S) -> None:
        self._temporary = root is None
        self._root = root
        self._retention_s = retention_s
        self._store: RecordingStore | None = None
        self.recorders: dict[str, CameraRecorder] = {}

    @property
    def store(self) -> RecordingStore:
        """The site's store, created (with its directory) on first use only."""
        if self._store is None:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix="fake-vms-rec-"))
            self._store = RecordingStore(self._root, self._retention_s)
        return self._store

    def attach(self, camera: CameraConfig, rtsp: Any) -> dict[str, Any]:
        """Start recording ``camera`` (if it records) from the RTSP server's main live stream;
        returns what its ONVIF services share (empty for a camera that does not record)."""
        if not camera.record:
            return {}
        recorder = CameraRecorder(camera, self.store, *rtsp.live_stream())
        recorder.start()
        self.recorders[camera.name] = recorder
        from fake_vms.rtsp.replay import ReplayServer

        rtsp.replay = ReplayServer(camera, self.store)
        return {"recordings": self.store, "recorder": recorder}

    async def stop(self) -> None:
        for recorder in self.recorders.values():
            await recorder.stop()
        self.recorders.clear()
        if self._temporary and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = self._store = None
