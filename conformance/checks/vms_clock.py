"""Pure check: an export states which clock its times follow, and follows it (VMS-CLOCK-01).

A camera whose clock is 10 minutes off is ingested; its recording is exported. Times in an
evidence package are only usable if the package says whose clock they are (the VMS's, in UTC,
or the camera's) and they are right by that clock. The truth comes from the camera: its own
session list says when the VMS's session began playing (by the camera's clock, whose offset the
suite measures with its own session), and a good-clock pair says how long after its PLAY the
VMS states a recording starts; no picture is identified, so a re-encoded export is judged the
same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

VMS_CLOCKS = ("vms", "utc", "server", "system", "recorder")
CAMERA_CLOCKS = ("camera", "device", "source")
CLOCK_KEYS = ("clock", "time_source", "timesource", "time_base", "timebase")


def _objects(manifest_text: str) -> Iterator[dict[str, Any]]:
    """Every JSON object of a manifest (nothing for a manifest that is not JSON): both lookups
    below walk the same tree."""
    try:
        stack: list[Any] = [json.loads(manifest_text)]
    except ValueError:
        return
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def stated_clock(manifest_text: str) -> str | None:
    """The clock an export manifest (JSON) says its times follow, lower-case, or None."""
    for item in _objects(manifest_text):
        for key, value in item.items():
            if str(key).lower() in CLOCK_KEYS and isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None


def clock_problems(
    clock: str | None,
    stated_start: datetime | None,
    vms_play_utc: datetime,
    camera_offset_s: float,
    pair_latency_s: float,
    tolerance_s: float,
) -> list[str]:
    """The statement exists and names a clock, and the file's stated start is where that
    clock puts it: the VMS's session began playing at ``vms_play_utc`` (the camera's own
    session list, corrected by its offset), and a good-clock camera's first recording starts
    ``pair_latency_s`` after its PLAY by the VMS's statement (its connect delay and its own
    clock skew, which VMS-EXPORT-01 judges); by the camera's clock the start is
    ``camera_offset_s`` later still."""
    if clock is None:
        return ["the export does not state which clock its times follow"]
    expected = vms_play_utc + timedelta(seconds=pair_latency_s)
    if clock in VMS_CLOCKS:
        whose = "the VMS's clock"
    elif clock in CAMERA_CLOCKS:
        expected += timedelta(seconds=camera_offset_s)
        whose = f"the camera's clock ({camera_offset_s:+.0f} s from UTC)"
    else:
        return [f"the export states its times follow {clock!r}, not the VMS's or the camera's"]
    if stated_start is None:
        return ["the export states no start time for the file"]
    off = (stated_start - expected).total_seconds()
    if abs(off) > tolerance_s:
        return [
            f"the export states {stated_start.isoformat()} for the recording's start, {off:+.1f} "
            f"s from where {whose} puts it (allowed {tolerance_s:g} s)"
        ]
    return []


def file_start(manifest_text: str, media_name: str) -> datetime | None:
    """The start time a JSON manifest gives for ``media_name`` (``start_utc`` or ``start``)."""
    for item in _objects(manifest_text):
        name = next((item[k] for k in ("path", "file", "name") if k in item), None)
        value = item.get("start_utc") or item.get("start")
        if isinstance(name, str) and name == media_name and isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return None
    return None
