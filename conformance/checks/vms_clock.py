"""Pure check: an export states which clock its times follow, and follows it (VMS-CLOCK-01).

A camera whose clock is 10 minutes off is ingested; its recording is exported. Times in an
evidence package are only usable if the package says whose clock they are (the VMS's, in UTC,
or the camera's) and they are right by that clock. The truth is the suite's own: when the
exported file's first picture arrived at the suite's reference capture (UTC), and the camera's
offset as the camera itself reports it (its session list's times against the suite's clock).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

VMS_CLOCKS = ("vms", "utc", "server", "system", "recorder")
CAMERA_CLOCKS = ("camera", "device", "source")
CLOCK_KEYS = ("clock", "time_source", "timesource", "time_base", "timebase")


def stated_clock(manifest_text: str) -> str | None:
    """The clock an export manifest (JSON) says its times follow, lower-case, or None."""
    try:
        document = json.loads(manifest_text)
    except ValueError:
        return None
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if str(key).lower() in CLOCK_KEYS and isinstance(value, str) and value.strip():
                    return value.strip().lower()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def clock_problems(
    clock: str | None,
    stated_start: datetime | None,
    first_frame_utc: datetime,
    camera_offset_s: float,
    tolerance_s: float,
) -> list[str]:
    """The statement exists, names a clock, and the file's stated start is within the
    tolerance of its first frame's time by that clock."""
    if clock is None:
        return ["the export does not state which clock its times follow"]
    if clock in VMS_CLOCKS:
        expected, whose = first_frame_utc, "the VMS's clock (UTC)"
    elif clock in CAMERA_CLOCKS:
        expected = first_frame_utc + timedelta(seconds=camera_offset_s)
        whose = f"the camera's clock ({camera_offset_s:+.0f} s from UTC)"
    else:
        return [f"the export states its times follow {clock!r}, not the VMS's or the camera's"]
    if stated_start is None:
        return ["the export states no start time for the file"]
    off = (stated_start - expected).total_seconds()
    if abs(off) > tolerance_s:
        return [
            f"the export states {stated_start.isoformat()} for the first frame, {off:+.1f} s "
            f"from its time by {whose} (allowed {tolerance_s:g} s)"
        ]
    return []


def file_start(manifest_text: str, media_name: str) -> datetime | None:
    """The start time a JSON manifest gives for ``media_name`` (``start_utc`` or ``start``)."""
    try:
        document = json.loads(manifest_text)
    except ValueError:
        return None
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = next((item[k] for k in ("path", "file", "name") if k in item), None)
            value = item.get("start_utc") or item.get("start")
            if isinstance(name, str) and name == media_name and isinstance(value, str):
                try:
                    return datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    return None
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None
