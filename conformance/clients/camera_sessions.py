"""The camera's own list of RTSP sessions (its status URL): how each client really streams.

Why from the camera: a VMS's status says what it was configured to do; the camera sees the
transport each session actually set up (RTP/UDP, or RTP interleaved in the RTSP TCP connection).
The vms-ingest suite judges VMS-CONNECT-01's transport from this report when the camera offers
one (the simulator's cameras do: ``GET /status/rtsp-sessions``, HTTP Basic, see
fake_vms/rtsp/sessions_report.py; a real camera's session list can be read the same way by an
adapter), and says why not otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests


class SessionsUnavailable(Exception):
    """The camera offers no session report (or it could not be read); the message says why."""


@dataclass(frozen=True)
class CameraSession:
    """One RTSP session as the camera reports it (times by the camera's clock)."""

    id: str
    transport: str
    stream: str
    client: str
    setup: datetime | None
    start: datetime | None
    end: datetime | None
    tunnelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "transport": self.transport,
            "stream": self.stream,
            "client": self.client,
            "tunnelled": self.tunnelled,
            "setup": iso(self.setup),
            "start": iso(self.start),
            "end": iso(self.end),
        }


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def fetch_sessions(
    url: str, username: str, password: str, timeout_s: float = 5.0
) -> list[CameraSession]:
    """Read the camera's session report; :class:`SessionsUnavailable` with the reason if not."""
    if not url:
        raise SessionsUnavailable("the camera offers no RTSP session report")
    try:
        rsp = requests.get(url, auth=(username, password), timeout=timeout_s)
    except requests.RequestException as exc:
        raise SessionsUnavailable(f"session report unreachable: {type(exc).__name__}") from None
    if rsp.status_code == 404:
        raise SessionsUnavailable("the camera offers no RTSP session report (HTTP 404)")
    if rsp.status_code != 200:
        raise SessionsUnavailable(f"session report: HTTP {rsp.status_code}")
    try:
        items = rsp.json().get("sessions")
    except (ValueError, AttributeError):
        raise SessionsUnavailable("session report is not the expected JSON") from None
    if not isinstance(items, list):
        raise SessionsUnavailable("session report has no 'sessions' list")
    return [
        CameraSession(
            id=str(item.get("id", "")),
            transport=str(item.get("transport", "")).lower(),
            stream=str(item.get("stream", "")),
            client=str(item.get("client", "")),
            setup=_when(item.get("setup")),
            start=_when(item.get("start")),
            end=_when(item.get("end")),
            tunnelled=bool(item.get("tunnelled")),
        )
        for item in items
        if isinstance(item, dict)
    ]
