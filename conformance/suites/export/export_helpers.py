"""Helpers shared by the export tests (test_export.py): the shared export, its manifest, the job
note, the reference alignment and the one-sentence summaries each row measures.

Why apart: the test module keeps one function per requirement; what several of them do alike
lives here (split from test_export.py to keep both readable).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conformance.checks.export import parse_manifest
from conformance.outcomes import Inconclusive, not_applicable
from conformance.suites.export.exports import SINGLE_S, ExportRun, require_done, single_export
from conformance.suites.export.reference import (
    REFERENCE_PAD_S,
    Reference,
    align_files,
    recording_facts,
)


def single_done(device, vms, conformance_run) -> tuple[Any, ExportRun]:
    camera, run = single_export(device, vms, SINGLE_S, conformance_run.timeout)
    require_done(run)
    return camera, run


def manifest_of(run: ExportRun) -> dict[str, Any]:
    manifest, problems = parse_manifest(run.files.get("manifest.json"))
    assert manifest is not None, "; ".join(problems)
    return manifest


def record_job(evidence, run: ExportRun, summary: bool = False) -> None:
    """Name the job on every row (a note); its summary only where ``summary`` (EXPORT-PLAY-01
    for the shared export, and the rows with an export of their own): each other row measures
    the facts it judges, not the same job record."""
    if summary:
        job_summary(evidence, run)
    evidence.note(
        f"export job {run.job_id} left an entry in the VMS audit log (append-only; not undone)"
    )


def job_summary(evidence, run: ExportRun) -> None:
    evidence.measure(
        "export_job",
        {
            "job_id": run.job_id, "state": run.state, "elapsed_s": round(run.elapsed_s, 3),
            "cameras": list(run.request.camera_ids), "start": run.request.start.isoformat(),
            "end": run.request.end.isoformat(), "files": sorted(run.files),
        },
    )  # fmt: skip


def reference_of(device, vms, camera_id: str, run: ExportRun) -> Reference:
    reference = recording_facts(device, vms, camera_id, run)
    if reference is None:
        not_applicable("the VMS offers no download of the recording itself to compare with")
    if not reference.facts.opened or reference.facts.error:
        raise Inconclusive(f"the recording download does not open: {reference.facts.error}")
    return reference


def aligned(
    device, vms, camera, run: ExportRun, evidence, params, required: bool = True
) -> dict[str, Any]:
    """The export's files aligned on the reference recording (digests of coded pictures).

    ``required=False``: an empty result where the VMS offers no usable recording download
    (the caller then judges on the package's own account)."""
    if not required:
        found = recording_facts(device, vms, camera.id, run)
        if found is None or not found.facts.opened or found.facts.error:
            evidence.note("no reference recording to align the export on")
            return {}
    reference = reference_of(device, vms, camera.id, run)
    tolerance = float(params.get("time_tolerance_s", 2.0))
    files = align_files(run, camera.id, reference, tolerance)
    evidence.expect(
        "reference",
        {**reference.facts.summary(),
         "window_utc": [t.isoformat() for t in reference.window],
         "anchor": "the last frame before the window's end"},
    )  # fmt: skip
    evidence.measure(
        "alignment",
        {path: {**a.summary(), "span_utc": [t.isoformat() for t in span] if span else None}
         for path, (a, span) in files.items()},
    )  # fmt: skip
    return files


def identical_summary(files: dict[str, Any], recorded: int) -> str:
    """Why "N exported / M recorded" passes or fails, in one sentence: the reference recording is
    padded beyond the requested window, so it holds more frames than the export ever should."""
    exported = sum(len(a.positions) for a, _span in files.values())
    matched = sum(a.matched for a, _span in files.values())
    disorder = sum(a.out_of_order for a, _span in files.values())
    spans = [a.span for a, _span in files.values() if a.span is not None]
    inside = sum(b - a + 1 for a, b in spans)
    order = "in the recorded order" if not disorder else f"{disorder} out of the recorded order"
    return (
        f"{matched} of {exported} exported access units are coded pictures of the recording, "
        f"{order}; the reference recording holds {recorded} frames, {max(recorded - inside, 0)} "
        f"of them outside the exported span (it reaches {REFERENCE_PAD_S:g} s beyond the "
        "requested window at either end)"
    )


def device_identity(device) -> dict[str, str]:
    info = device.call("devicemgmt", "GetDeviceInformation")
    identity = {
        "manufacturer": str(info.Manufacturer or ""),
        "model": str(info.Model or ""),
        "serial": str(info.SerialNumber or ""),
    }
    try:
        interfaces = device.call("devicemgmt", "GetNetworkInterfaces")
        identity["mac"] = str(interfaces[0].Info.HwAddress or "")
    except (IndexError, AttributeError, TypeError):
        identity["mac"] = ""
    return identity


def companion(vms, camera_id: str, start: datetime, end: datetime) -> str | None:
    for other in vms.list_cameras():
        if other.id == camera_id:
            continue
        found = vms.search_recordings(other.id, start, end)
        covered = sum((s.end - s.start).total_seconds() for s in found.segments)
        if covered >= 0.9 * (end - start).total_seconds():
            return other.id
    return None
