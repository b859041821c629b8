"""Helpers of the ZoneMinder adapter (conformance/clients/vms_zoneminder.py): URLs with and
without credentials, query pairs, ZoneMinder's event and log rows turned into the adapter
interface's values, gaps between recordings, and waiting for capture.

Kept apart so the adapter module holds only the adapter; everything here is pure or bounded.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from conformance.clients.vms import (
    AuditEntry,
    CaptureStatus,
    RecordingSegment,
    VmsAdapter,
    VmsTimeout,
)


def redact_url(url: str) -> str:
    """``rtsp://user:pass@host/...`` -> ``rtsp://***@host/...`` (for logs and messages)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def with_credentials(url: str, username: str, password: str) -> str:
    """The URL ZoneMinder's zmc opens: credentials embedded (it has no separate fields)."""
    if not username:
        return url
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    auth = f"{quote(username, safe='')}:{quote(password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{auth}@{host}"))


def as_int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def log_entry(row: dict[str, Any], when: float) -> AuditEntry:
    """One ``Logs`` row as an audit entry: the user only when the message names one."""
    message = str(row.get("Message") or "")
    named = re.search(r'user "([^"]*)"', message)
    return AuditEntry(
        time=datetime.fromtimestamp(when, UTC),
        user=named.group(1) if named else "",
        action=f"{row.get('Component', '')}: {message}",
        source=str(row.get("Component") or ""),
        details={"message": message, "file": row.get("File"), "level": row.get("Code")},
    )


def query_pairs(params: Any) -> list[tuple[str, str]]:
    """Query parameters as a list of pairs (a dict or a list of pairs in), keeping repeats."""
    if not params:
        return []
    items = params.items() if isinstance(params, dict) else params
    return [(str(k), str(v)) for k, v in items]


def wait_connected(
    adapter: VmsAdapter, camera_id: str, timeout_s: float, poll_s: float = 0.5
) -> CaptureStatus:
    """Poll :meth:`capture_status` until connected with a non-zero rate, or time out."""
    deadline = time.monotonic() + timeout_s
    status = adapter.capture_status(camera_id)
    while not (status.connected and (status.capture_fps or 0) > 0):
        if time.monotonic() >= deadline:
            raise VmsTimeout(
                f"camera {camera_id} not capturing after {timeout_s:.0f} s: {status.detail}"
            )
        time.sleep(poll_s)
        status = adapter.capture_status(camera_id)
    return status


def gaps_between(
    segments: list[RecordingSegment], start: datetime, end: datetime, slack_s: float = 1.0
) -> list[tuple[datetime, datetime]]:
    """Holes longer than ``slack_s`` between recorded segments within ``[start, end)``."""
    gaps = []
    cursor = start
    for seg in sorted(segments, key=lambda s: s.start):
        if seg.start - cursor > timedelta(seconds=slack_s):
            gaps.append((cursor, min(seg.start, end)))
        cursor = max(cursor, seg.end)
    if end - cursor > timedelta(seconds=slack_s):
        gaps.append((cursor, end))
    return gaps
