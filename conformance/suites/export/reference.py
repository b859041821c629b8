"""The reference an export is judged against: the camera's recording over the same time, as the
VMS stores it, and where each exported file's pictures sit in it (split from exports.py).

Why a reference: "the export is the recording" can only be shown against the recording itself;
each exported coded picture is found in it by digest (export_alignment.py), which also places
the export's frames in time without trusting the package's own account.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from conformance.checks.export import parse_utc
from conformance.checks.export_alignment import (
    Alignment,
    align,
    aligned_span,
    file_hints,
    reference_times,
)
from conformance.clients.export_media import MediaFacts, probe
from conformance.clients.vms import RecordingSegment, VmsAdapter
from conformance.suites.export.exports import ExportRun, latest_recorded

REFERENCE_PAD_S = 1.0
"""The reference recording reaches this far beyond the export at either end."""
HINT_RANGE = timedelta(seconds=60)
"""A package's own times further than this from the request are not used to place the
reference (they are wrong: EXPORT-UTC-01's finding)."""


@dataclass
class Reference:
    """The camera's recording over the export's time, as the VMS stores it, with a UTC time
    for each frame (its container timestamps, anchored at the end of the downloaded range)."""

    facts: MediaFacts
    times: list[datetime]
    window: tuple[datetime, datetime]

    @property
    def fps(self) -> float:
        return self.facts.fps


def _said_span(run: ExportRun, camera_id: str) -> tuple[datetime, datetime] | None:
    """What the package says its media of ``camera_id`` spans, if near the request."""
    manifest = run.manifest()
    if not manifest:
        return None
    times = []
    for entry in manifest.get("files", []):
        if isinstance(entry, dict) and entry.get("camera_id") in (None, camera_id):
            times += [parse_utc(entry.get("start_utc")), parse_utc(entry.get("end_utc"))]
    near = [t for t in times if t is not None and abs(t - run.request.start) <= HINT_RANGE]
    return (min(near), max(near)) if near else None


def recording_facts(
    device: Any, adapter: VmsAdapter, camera_id: str, run: ExportRun, key: str = "export:recording"
):
    """The reference: the recording itself over the export's range and whatever the package
    says it holds (padded), as the VMS stores it (or None when it offers no download); cached
    under ``key`` (one per export and camera)."""
    from conformance.clients.vms import VmsUnsupported

    def compute() -> Reference | None:
        # Over the request and what the package says it holds, so the two can be compared
        # frame by frame even when the export's range is wrong (EXPORT-RANGE-01's business).
        start, end = run.request.start, run.request.end
        said = _said_span(run, camera_id)
        if said is not None:
            start, end = min(start, said[0]), max(end, said[1])
        pad = timedelta(seconds=REFERENCE_PAD_S)
        start, end = start - pad, end + pad
        # The reference ends with the last frame recorded before ``end`` (its time anchor), so
        # wait (bounded) until the VMS has recorded that far.
        deadline = time.monotonic() + (end - run.request.end).total_seconds() + 10.0
        latest = latest_recorded(adapter, camera_id)
        while (latest is None or latest < end) and time.monotonic() < deadline:
            time.sleep(0.5)
            latest = latest_recorded(adapter, camera_id)
        if latest is not None and latest < end:
            end = latest
        segment = RecordingSegment(camera_id, start, end)
        directory = Path(tempfile.mkdtemp(prefix="cctv-recording-"))
        try:
            path = adapter.download_recording(segment, directory)
            facts = probe(path.name, path.read_bytes())
        except VmsUnsupported:
            return None
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        times = reference_times(facts.pts_s, end, facts.fps or 25.0, at_end=True)
        return Reference(facts, times, (start, end))

    return device.cached(key, compute)


def align_files(
    run: ExportRun, camera_id: str, reference: Reference, tolerance_s: float
) -> dict[str, tuple[Alignment, tuple[datetime, datetime] | None]]:
    """Each exported file of ``camera_id`` aligned on the reference, with its UTC span."""
    manifest = run.manifest()
    said = {
        str(e.get("path")): parse_utc(e.get("start_utc"))
        for e in (manifest or {}).get("files", [])
        if isinstance(e, dict)
    }
    files = run.facts_for(camera_id, manifest)
    hints = file_hints(
        reference.times, [said.get(f.path) for f in files], run.request.start, tolerance_s
    )
    out = {}
    for facts, hint in zip(files, hints, strict=True):
        alignment = align(facts.vcl_digests, reference.facts.vcl_digests, hint)
        out[facts.path] = (alignment, aligned_span(alignment, reference.times, reference.fps))
    return out


def file_spans(
    facts: list[MediaFacts], manifest: dict[str, Any]
) -> list[tuple[datetime, datetime]]:
    """Each file's media span as the package gives it: its manifest start plus its container
    timeline (first to last timestamp, plus one frame period)."""
    by_path = {f.get("path"): f for f in manifest.get("files", [])}
    spans = []
    for f in facts:
        entry = by_path.get(f.path, {})
        start = parse_utc(entry.get("start_utc"))
        if start is None:
            continue
        if f.pts_s:
            period = 1.0 / f.fps if f.fps else 0.0
            length = max(f.pts_s) - min(f.pts_s) + period
            spans.append((start, start + timedelta(seconds=length)))
        elif (end := parse_utc(entry.get("end_utc"))) is not None:
            spans.append((start, end))
    return sorted(spans)


def first_frame_on_reference(
    device: Any, adapter: VmsAdapter, run: ExportRun, camera_id: str, tolerance_s: float
) -> datetime | None:
    """Time of ``camera_id``'s first exported frame at or after the requested start, from its
    own recording the export was aligned on (None without a usable reference or match)."""
    key = f"export:reference:{run.job_id}:{camera_id}"
    reference = recording_facts(device, adapter, camera_id, run, key=key)
    if reference is None or not reference.facts.opened or reference.facts.error:
        return None
    times = sorted(
        reference.times[p]
        for alignment, _span in align_files(run, camera_id, reference, tolerance_s).values()
        for p in alignment.positions
        if p is not None and p < len(reference.times)
    )
    start = run.request.start - timedelta(milliseconds=20)
    return next((t for t in times if t >= start), None)


def first_frame_from(
    facts: list[MediaFacts], manifest: dict[str, Any], start: datetime
) -> datetime | None:
    """Time of the first frame at or after ``start`` (a preceding keyframe, which each camera
    places differently, does not count), from each file's manifest start and container
    timestamps; else the first file's manifest start."""
    by_path = {f.get("path"): f for f in manifest.get("files", [])}
    times = []
    for f in facts:
        origin = parse_utc(by_path.get(f.path, {}).get("start_utc"))
        if origin is not None and f.pts_s:
            first = min(f.pts_s)
            times += [origin + timedelta(seconds=p - first) for p in f.pts_s]
    times.sort()
    if times:
        return next((t for t in times if t >= start - timedelta(milliseconds=20)), times[-1])
    spans = file_spans(facts, manifest)
    return spans[0][0] if spans else None
