"""Pure checks of a VMS after a camera drops out and returns (VMS-RECOVERY-01).

The suite takes the camera's stream away for ``dropout_s`` (a pulled cable: every RTSP session
ends, new connections are refused) and knows when, on its own UTC clock. Judged from the VMS's
search results and from the exported media's container timestamps (never the simulator's
frame-counter SEI): the VMS must show the outage as a gap (its recordings stop within the
tolerance of the drop and claim nothing of the outage), resume recording within
``resume_within_s`` of the camera's return, and its export around the outage must not bridge it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ExportedTimeline:
    """One exported media file, by its container timestamps."""

    name: str
    duration_s: float
    largest_jump_s: float
    """The largest step between consecutive frames' timestamps (a gap kept in the file)."""


def recovery_problems(
    dropped_at: datetime,
    back_at: datetime,
    segments: Sequence[tuple[datetime, datetime]],
    tolerance_s: float,
    resume_within_s: float,
    resolution_s: float = 0.0,
    judge_stop: bool = True,
) -> list[str]:
    """Search level: the recordings around the outage (UTC ``(start, end)`` spans).

    ``resolution_s``: the VMS states times in whole units of this (ZoneMinder: whole seconds,
    truncated), so the drop is compared as the VMS could state it (truncated the same way).
    ``judge_stop=False``: the VMS already leaves holes between recordings (VMS-REC-01's
    finding), so a recording that ended early before the drop is not judged again here.
    """
    tol = timedelta(seconds=tolerance_s)
    stated_drop = dropped_at
    if resolution_s > 0:
        stated_drop -= timedelta(seconds=dropped_at.timestamp() % resolution_s)
    before = [s for s in segments if s[0] < dropped_at - tol]
    after = [s for s in segments if s[0] >= dropped_at + tol]
    problems = []
    if not before:
        problems.append("no recording before the dropout to compare with")
    else:
        last_end = max(end for _, end in before)
        if last_end > dropped_at + tol:
            claimed = (min(last_end, back_at) - dropped_at).total_seconds()
            outage = (back_at - dropped_at).total_seconds()
            problems.append(
                f"a recording claims {claimed:.1f} s of the {outage:.0f} s "
                f"outage (it ends {last_end.isoformat()}, the camera dropped out at "
                f"{dropped_at.isoformat()}): the gap is not reported"
            )
        elif judge_stop and last_end < stated_drop - tol:
            problems.append(
                f"recording stopped {(dropped_at - last_end).total_seconds():.1f} s before the "
                f"camera dropped out (allowed {tolerance_s:g} s"
                + (f", times stated to {resolution_s:g} s)" if resolution_s else ")")
            )
    if not after:
        problems.append(
            f"recording did not resume: no recording starts after the camera returned at "
            f"{back_at.isoformat()}"
        )
    else:
        first_start = min(start for start, _ in after)
        if first_start < back_at - tol:
            problems.append(
                f"a recording starts {first_start.isoformat()}, while the camera was still "
                f"off (it returned {back_at.isoformat()})"
            )
        late = (first_start - back_at).total_seconds()
        if late > resume_within_s:
            problems.append(
                f"recording resumed {late:.1f} s after the camera returned (allowed "
                f"{resume_within_s:g} s)"
            )
    return problems


def export_gap_problems(
    files: Sequence[ExportedTimeline],
    outage_s: float,
    tolerance_s: float,
    recorded_apart: Sequence[str] = (),
) -> list[str]:
    """Export level: the export of the range around the outage keeps the gap visible, as
    separate files or as a timestamp jump of about the outage inside one file. A file named
    in ``recorded_apart`` belongs to a recording the search shows wholly before or wholly
    after the outage (judged at the search level), so it cannot bridge it; one unattributed
    file with continuous timestamps does."""
    if not files:
        return ["the export around the outage holds no media file"]
    unattributed = [f for f in files if f.name not in recorded_apart]
    if len(files) >= 2 or not unattributed:
        return []
    only = unattributed[0]
    if only.largest_jump_s >= outage_s - tolerance_s:
        return []
    return [
        f"the export around the {outage_s:g} s outage is one file ({only.name}, "
        f"{only.duration_s:.1f} s) with continuous timestamps (largest step "
        f"{only.largest_jump_s:.2f} s): the gap is bridged"
    ]


def stated_resolution(spans: Sequence[tuple[datetime, datetime]]) -> float:
    """1.0 when every stated time is a whole second (the VMS truncates), else 0.0."""
    times = [t for span in spans for t in span]
    return 1.0 if times and all(t.microsecond == 0 for t in times) else 0.0
