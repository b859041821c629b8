"""Pure checks of continuity across a VMS's consecutive recordings (VMS-CONTINUITY-01).

Frames are identified by a digest of their coded picture (the VCL NAL units only: no SEI, so
never the simulator's frame counter, and no parameter sets, which a VMS may repeat). The
camera's own sequence comes from a reference capture the suite made of the camera's stream
over the same time; the VMS's frames, recording after recording, are walked along it: a frame
whose digest is not the reference's next one is either a repeat of one already stored
(duplicated) or lies further on (the frames in between are missing). A real camera's frames are
all different; a looping simulated source repeats its pictures every ``period`` frames, so a
jump is only searched within half a period (reported as "at least" beyond it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Walk:
    """What walking the VMS's frames along the camera's sequence found."""

    matched: int = 0
    duplicated: int = 0
    missing: int = 0
    unknown: int = 0
    """VMS frames whose picture the camera never sent in the reference (altered or foreign)."""
    events: list[str] = field(default_factory=list)
    """Where each duplicate or hole is (file and frame index), for the evidence."""


def walk(reference: Sequence[str], files: Sequence[tuple[str, Sequence[str]]]) -> Walk:
    """Walk ``files`` (name, frame digests in order), concatenated, along ``reference``.

    Only the boundaries between files are judged: at the start of each file after the first,
    frames the walk has already passed are duplicates, and a jump forward before it settles
    counts the frames between as missing. Inside a file the walk follows the pictures without
    counting (frames lost inside one recording are VMS-MEDIA-01's; pictures that are not the
    camera's, re-encoded ones, are VMS-MEDIA-01's and VMS-EXPORT-01's: counted as unknown).
    """
    result = Walk()
    positions: dict[str, list[int]] = {}
    for index, digest in enumerate(reference):
        positions.setdefault(digest, []).append(index)
    reach = max(1, _period(reference) // 2)
    cursor: int | None = None
    for number, (name, digests) in enumerate(files):
        at_boundary = number > 0
        for i, digest in enumerate(digests):
            where = positions.get(digest)
            if not where:
                result.unknown += 1
                continue
            if cursor is None:
                cursor = where[0]
                result.matched += 1
                continue
            ahead = [p for p in where if cursor < p <= cursor + reach]
            behind = [p for p in where if cursor - reach <= p <= cursor]
            if ahead and ahead[0] == cursor + 1:
                cursor += 1
                result.matched += 1
                at_boundary = False
            elif behind:
                if at_boundary:
                    result.duplicated += 1
                    result.events.append(f"{name} frame {i}: repeats a frame already recorded")
            elif ahead:
                if at_boundary:
                    gap = ahead[0] - cursor - 1
                    result.missing += gap
                    result.events.append(f"{name} frame {i}: {gap} frame(s) missing before it")
                cursor = ahead[0]
                result.matched += 1
                at_boundary = False
            else:
                result.unknown += 1
    return result


def walk_runs(
    reference: Sequence[str], runs: Sequence[Sequence[tuple[str, Sequence[str]]]]
) -> Walk:
    """Walk each run of touching recordings on its own and add the results up: across a hole
    the VMS reports between recordings, frames are missing by its own account (VMS-REC-01
    judges holes), so a hole is not counted here."""
    total = Walk()
    for run in runs:
        part = walk(reference, run)
        total.matched += part.matched
        total.duplicated += part.duplicated
        total.missing += part.missing
        total.unknown += part.unknown
        total.events += part.events
    return total


def _period(reference: Sequence[str]) -> int:
    """Frames before the camera's pictures repeat (its whole length when they never do)."""
    first: dict[str, int] = {}
    for index, digest in enumerate(reference):
        if digest in first:
            return index - first[digest]
        first[digest] = index
    return len(reference)


def continuity_problems(result: Walk, what: str) -> list[str]:
    """No duplicated and no missing frame at the boundaries of ``what`` (recordings, or an
    export). Pictures that are not the camera's are not judged here (see :func:`walk`)."""
    problems = []
    if result.matched == 0:
        return [f"none of the frames of the {what} matches the camera's stream"]
    if result.duplicated:
        problems.append(f"{result.duplicated} duplicated frame(s) across the {what}")
    if result.missing:
        problems.append(f"{result.missing} missing frame(s) across the {what}")
    if problems and result.events:
        problems[-1] += f" (first: {result.events[0]})"
    return problems
