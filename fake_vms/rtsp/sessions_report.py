"""The camera's list of RTSP sessions, served as JSON on its own HTTP port.

Why: a VMS's own status page says what it *asked* for; only the camera knows how the stream
really left it. Real cameras show this in their web UI or API (the "connected clients" or
"stream sessions" list: client, transport, stream, since when). The vms-ingest suite reads it to
judge the transport the VMS actually used (VMS-CONNECT-01): a VMS asked for RTP/UDP that
silently takes RTP interleaved in the RTSP TCP connection is caught here, not by its own word.

``GET /status/rtsp-sessions`` (HTTP Basic with the camera's user) answers::

    {"camera": "cam-01", "clock": "camera", "sessions": [
      {"id": "…", "transport": "udp" | "tcp", "stream": "/stream1", "client": "127.0.0.1",
       "tunnelled": false, "setup": "…Z", "start": "…Z" | null, "end": "…Z" | null}]}

Times are the camera's own clock (UTC plus its offset), as a camera reports them; ``start`` is
the first PLAY, ``end`` the TEARDOWN, timeout or drop. Only the latest sessions are kept.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from fake_vms.clock import device_now
from fake_vms.http import Request, Response
from fake_vms.site import CameraConfig

SESSIONS_PATH = "/status/rtsp-sessions"
KEPT = 200
"""Sessions kept in the report (oldest dropped first): bounded whatever a client does."""


@dataclass
class SessionRecord:
    """One RTSP session as the camera saw it."""

    id: str
    transport: str
    stream: str
    client: str
    tunnelled: bool
    setup: str
    start: str | None = None
    end: str | None = None


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SessionBook:
    """What the RTSP server tells it (setup, play, end); what the status URL reports."""

    def __init__(self, camera: CameraConfig) -> None:
        self.camera = camera
        self._records: OrderedDict[str, SessionRecord] = OrderedDict()

    def opened(
        self, session_id: str, transport: str, stream: str, client: str, tunnelled: bool
    ) -> None:
        now = _stamp(device_now(self.camera))
        self._records[session_id] = SessionRecord(
            session_id, transport, stream, client, tunnelled, now
        )
        while len(self._records) > KEPT:
            self._records.popitem(last=False)

    def played(self, session_id: str) -> None:
        record = self._records.get(session_id)
        if record is not None and record.start is None:
            record.start = _stamp(device_now(self.camera))

    def ended(self, session_id: str) -> None:
        record = self._records.get(session_id)
        if record is not None and record.end is None:
            record.end = _stamp(device_now(self.camera))

    def report(self) -> dict[str, Any]:
        return {
            "camera": self.camera.name,
            "clock": "camera",
            "sessions": [asdict(r) for r in self._records.values()],
        }

    async def handle(self, request: Request) -> Response:
        """The status URL: the report as JSON, for the camera's own user only."""
        if request.method != "GET":
            return Response(405, b"GET only", headers={"Allow": "GET"})
        if not self._authorised(request.headers.get("authorization", "")):
            return Response(
                401, b"Unauthorized", headers={"WWW-Authenticate": 'Basic realm="camera"'}
            )
        body = json.dumps(self.report()).encode()
        return Response(200, body, content_type="application/json")

    def _authorised(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        wanted = f"{self.camera.username}:{self.camera.password}"
        return hmac.compare_digest(given.encode(), wanted.encode())
