"""Export against an independent reference, from what every device sends (no simulator SEI).

An export is judged frame by frame against a reference of the same camera over the same time
(the VMS's own recording download, or any capture of the camera): each access unit is known by
the SHA-256 of its VCL NAL units (the coded picture, so a re-mux that keeps the bitstream
matches), the export is aligned on the reference by those digests, and every exported frame
takes its time from the reference's timeline. Completeness (EXPORT-FRAMES-01), identity
(EXPORT-IDENTICAL-01), range (EXPORT-RANGE-01) and the manifest's times (EXPORT-UTC-01) follow
without any frame counter.

Why a hint: coded pictures can repeat (a static scene's skipped P-frames after each IDR, or a
looping test source), so one digest may sit at several places in the reference. The offset that
matches most frames wins; among equal offsets, the one nearest the hint (where the package says
the file starts, if that lies inside the reference, else the requested start) is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Alignment:
    """Where each exported access unit sits in the reference."""

    positions: list[int | None] = field(default_factory=list)
    """Reference index per exported access unit (None: the picture is not in the reference)."""
    out_of_order: int = 0
    """Exported access units found only before the one exported ahead of them."""
    skipped: list[int] = field(default_factory=list)
    """Reference indices between the first and last aligned frames that the export lacks."""

    @property
    def matched(self) -> int:
        return sum(p is not None for p in self.positions)

    @property
    def unmatched(self) -> int:
        return sum(p is None for p in self.positions)

    @property
    def span(self) -> tuple[int, int] | None:
        found = [p for p in self.positions if p is not None]
        return (min(found), max(found)) if found else None

    def summary(self) -> dict[str, object]:
        return {
            "exported": len(self.positions), "matched": self.matched,
            "not_in_reference": self.unmatched, "out_of_order": self.out_of_order,
            "reference_frames_missing": len(self.skipped), "reference_span": self.span,
        }  # fmt: skip


def _start_offset(exported: Sequence[str], reference: Sequence[str], hint: int | None) -> int:
    """The offset (reference index - export index) matching the most frames; ties: the one
    nearest ``hint``, else the earliest."""
    where: dict[str, list[int]] = {}
    for index, digest in enumerate(reference):
        if digest:
            where.setdefault(digest, []).append(index)
    candidates: set[int] = set()
    for index, digest in enumerate(exported[:50]):
        candidates.update(p - index for p in where.get(digest, ()))
    if not candidates:
        return 0

    def score(offset: int) -> tuple[int, float]:
        hits = sum(
            1
            for index, digest in enumerate(exported)
            if digest and 0 <= index + offset < len(reference)
            and reference[index + offset] == digest
        )  # fmt: skip
        distance = abs(offset - hint) if hint is not None else offset
        return hits, -distance

    return max(sorted(candidates), key=score)


def align(exported: Sequence[str], reference: Sequence[str], hint: int | None = None) -> Alignment:
    """Walk the export along the reference: each frame is expected right after the previous
    one's place; a frame found further on means recorded frames were left out, one found before
    means frames were reordered, one found nowhere is not the recorded picture."""
    where: dict[str, list[int]] = {}
    for index, digest in enumerate(reference):
        if digest:
            where.setdefault(digest, []).append(index)
    result = Alignment()
    expected = _start_offset(exported, reference, hint)
    started = False
    for digest in exported:
        places = where.get(digest, []) if digest else []
        if not places:
            result.positions.append(None)
            if started:
                expected += 1
            continue
        # Nearest place to where the frame belongs; on a tie, the later one.
        place = min(places, key=lambda p: (abs(p - expected), -p))
        if not started:
            started = True
        elif place > expected:
            result.skipped.extend(range(expected, place))
        elif place < expected:
            result.out_of_order += 1
            result.positions.append(place)
            continue
        result.positions.append(place)
        expected = place + 1
    found = {p for p in result.positions if p is not None}
    result.skipped = sorted(set(result.skipped) - found)
    return result


def check_identical(alignment: Alignment, minimum: int = 10) -> list[str]:
    """EXPORT-IDENTICAL-01: every exported picture is a recorded one, in the recorded order."""
    problems = []
    if alignment.matched < minimum:
        problems.append(
            f"only {alignment.matched} of {len(alignment.positions)} exported frames are coded "
            f"pictures of the reference recording (need {minimum}): the export was re-encoded "
            "or is of other video"
        )
        return problems
    if alignment.unmatched:
        first = alignment.positions.index(None)
        problems.append(
            f"{alignment.unmatched} of {len(alignment.positions)} exported frames are not coded "
            f"pictures of the reference recording (first: exported frame {first})"
        )
    if alignment.out_of_order:
        problems.append(f"{alignment.out_of_order} exported frames are out of the recorded order")
    return problems


def check_complete(alignment: Alignment) -> list[str]:
    """EXPORT-FRAMES-01 (with a reference): no recorded frame between the export's first and
    last is left out. No exported frame aligned is nothing to judge, never complete."""
    if not alignment.positions or not alignment.matched:
        return ["no exported frame could be placed on the reference recording"]
    if not alignment.skipped:
        return []
    sample = ", ".join(str(i) for i in alignment.skipped[:5])
    return [
        f"{len(alignment.skipped)} recorded frames within the exported span are missing from "
        f"the export (reference frames {sample}{', ...' if len(alignment.skipped) > 5 else ''})"
    ]


def timeline_holes(pts_s: Sequence[float], fps: float) -> list[tuple[float, int]]:
    """(time, frames missing) wherever a file's container timestamps step by two or more frame
    intervals (rounded to whole intervals, so muxer rounding is no hole)."""
    if fps <= 0:
        return []
    times = sorted(pts_s)
    holes = []
    for a, b in zip(times, times[1:], strict=False):
        missing = round((b - a) * fps) - 1
        if missing >= 1:
            holes.append((a, missing))
    return holes


def reference_times(
    pts_s: Sequence[float], anchor: datetime, fps: float, at_end: bool = True
) -> list[datetime]:
    """UTC time of each reference frame from its container timestamps and one anchor.

    ``at_end``: the reference was downloaded up to ``anchor`` and ends with the last frame
    before it (half a frame period before, on average); else its first frame is at ``anchor``.
    """
    if not pts_s:
        return []
    half = 0.5 / fps if fps > 0 else 0.0
    if at_end:
        last = max(pts_s)
        return [anchor - timedelta(seconds=last - p + half) for p in pts_s]
    first = min(pts_s)
    return [anchor + timedelta(seconds=p - first) for p in pts_s]


def nearest_index(times: Sequence[datetime], moment: datetime) -> int | None:
    """Index of the reference frame nearest ``moment`` (None for an empty reference)."""
    if not times:
        return None
    return min(range(len(times)), key=lambda i: abs(times[i] - moment))


def hint_offset(
    times: Sequence[datetime], said: datetime | None, requested: datetime, tolerance_s: float
) -> int | None:
    """Where the export's first frame should sit in the reference: at the time the package
    says, when that lies inside the reference (± tolerance), else at the requested start."""
    return file_hints(times, [said], requested, tolerance_s)[0]


def file_hints(
    times: Sequence[datetime],
    said: Sequence[datetime | None],
    requested: datetime,
    tolerance_s: float,
) -> list[int | None]:
    """Where each exported file (in time order) should start in the reference.

    The package's own start times, when the earliest lies inside the reference (± tolerance);
    else the same times shifted so the earliest is at the requested start: a package whose
    clock is wrong (EXPORT-UTC-01's finding) still says how its files follow each other.
    """
    if not times:
        return [None] * len(said)
    tol = timedelta(seconds=tolerance_s)
    known = [t for t in said if t is not None]
    shift = timedelta(0)
    if known:
        earliest = min(known)
        if not min(times) - tol <= earliest <= max(times) + tol:
            shift = requested - earliest
    return [nearest_index(times, (t + shift) if t is not None else requested) for t in said]


def aligned_span(
    alignment: Alignment, times: Sequence[datetime], fps: float
) -> tuple[datetime, datetime] | None:
    """First and last capture time of the exported frames (the last frame's end included),
    from the reference's timeline."""
    found = [times[p] for p in alignment.positions if p is not None and p < len(times)]
    if not found:
        return None
    period = timedelta(seconds=1.0 / fps) if fps > 0 else timedelta(0)
    return min(found), max(found) + period
