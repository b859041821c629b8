"""Pure check: the VMS's own metadata of a recording matches the recording (VMS-META-01).

What an operator reads in the VMS (picture size, frame rate, start and end) is what they quote in
a statement; it must be what the file holds, measured from its container (codec parameters,
frame count over duration), never what the VMS was configured with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conformance.checks.vms_ingest import MediaFacts


@dataclass(frozen=True)
class Stated:
    """The VMS's own description of one recording (None where it states nothing)."""

    width: int | None
    height: int | None
    fps: float | None
    start: datetime
    end: datetime
    frames: int | None = None


def metadata_problems(
    stated: Stated,
    facts: MediaFacts,
    fps_tolerance_pct: float,
    time_tolerance_s: float,
    allowance_s: float = 0.0,
) -> list[str]:
    """Size equal, rate within the tolerance (when stated), frame count equal (when stated),
    stated duration within ``time_tolerance_s`` (plus ``allowance_s``: the VMS's time
    resolution and a key-frame interval of pre-roll) of the file's."""
    problems = []
    if stated.width is None and stated.height is None and stated.fps is None:
        return ["the VMS states no picture size or frame rate for its recordings"]
    if stated.frames is not None and stated.frames != facts.frames:
        problems.append(
            f"the VMS states {stated.frames} frames; the recording holds {facts.frames}"
        )
    if stated.width is not None and stated.height is not None:
        if (stated.width, stated.height) != (facts.width, facts.height):
            problems.append(
                f"the VMS states {stated.width}x{stated.height}; the recording is "
                f"{facts.width}x{facts.height}"
            )
    else:
        problems.append("the VMS states no picture size for the recording")
    if stated.fps is None:
        pass  # a VMS may state frames and times instead (ZoneMinder): those are judged
    elif facts.fps <= 0 or abs(stated.fps - facts.fps) > facts.fps * fps_tolerance_pct / 100:
        problems.append(
            f"the VMS states {stated.fps:g} fps; the recording runs at {facts.fps:.2f} fps "
            f"(tolerance {fps_tolerance_pct:g} %)"
        )
    length = (stated.end - stated.start).total_seconds()
    if abs(length - facts.duration_s) > time_tolerance_s + allowance_s:
        problems.append(
            f"the VMS states {length:.2f} s ({stated.start.isoformat()} to "
            f"{stated.end.isoformat()}); the recording holds {facts.duration_s:.2f} s "
            f"(allowed {time_tolerance_s + allowance_s:g} s)"
        )
    return problems
