"""Evidential export through the VMS export API (profile uk-evidence-export).

Every test judges a package made by a real export job on the target's VMS, through the adapter
interface (conformance/clients/vms.py). Each scenario (single camera, multi-camera, across a
gap) runs once per device and is shared (exports.py). An export reads recordings and changes no
setting (passive); like a login it leaves an entry in the VMS audit log, which is append-only by
design and is not (and must not be) undone; the evidence names the job so it can be found.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conformance.checks.export import (
    RecordingFormat,
    check_aligned,
    check_audit,
    check_frames,
    check_gaps,
    check_hashes,
    check_identity,
    check_key_published,
    check_native,
    check_plays,
    check_range,
    check_speed,
    check_tamper_detected,
    check_utc,
    parse_utc,
    verify_signature,
)
from conformance.checks.export_alignment import check_complete, check_identical
from conformance.outcomes import Inconclusive, not_applicable
from conformance.suites.export.export_helpers import (
    aligned,
    companion,
    device_identity,
    identical_summary,
    manifest_of,
    record_job,
    reference_of,
    single_done,
)
from conformance.suites.export.exports import (
    ExportRun,
    latest_recorded,
    recorded_range,
    require_done,
    run_export,
    vms_adapter,
    vms_camera,
)
from conformance.suites.export.reference import (
    file_spans,
    first_frame_from,
    first_frame_on_reference,
)


@pytest.fixture(scope="module")
def vms(conformance_run):
    """The target's VMS adapter, one for the module: a target without a VMS makes every export
    check not applicable, and pytest re-raises that one skip for each (an estate of cameras
    without a VMS set up and skipped it once per check and camera)."""
    return vms_adapter(conformance_run)


@pytest.mark.requirement("EXPORT-PLAY-01")
def test_export_plays_in_ffmpeg(device, vms, conformance_run, evidence):
    _camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run, summary=True)
    evidence.measure("media", [f.summary() for f in run.facts])
    problems = check_plays(run.facts)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-RANGE-01")
def test_export_covers_requested_range(device, vms, conformance_run, evidence, params):
    camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    manifest = manifest_of(run)
    files = aligned(device, vms, camera, run, evidence, params, required=False)
    spans = sorted(span for _a, span in files.values() if span is not None)
    source = "the reference recording the export was aligned on"
    if not spans:
        # No reference, or no exported picture found in it (a re-encoded export:
        # EXPORT-IDENTICAL-01's finding): the package's own account is all there is.
        spans = file_spans(run.facts_for(camera.id, manifest), manifest)
        source = "the manifest's file starts and the container timestamps"
    if not spans:
        raise Inconclusive("no media time (reference or manifest) to compare with the range")
    first, last = spans[0][0], spans[-1][1]
    evidence.note(f"media times from {source}")
    evidence.measure("media_span_utc", [first.isoformat(), last.isoformat()])
    evidence.expect("requested_utc", [run.request.start.isoformat(), run.request.end.isoformat()])
    problems = check_range(
        run.request.start, run.request.end, params["time_tolerance_s"], (first, last)
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-NATIVE-01")
def test_export_is_native(device, vms, conformance_run, evidence):
    camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    reference = reference_of(device, vms, camera.id, run).facts
    recording = RecordingFormat(
        reference.codec, reference.width, reference.height, reference.fps,
        tuple(reference.parameter_sets),
    )  # fmt: skip
    evidence.expect("recording", reference.summary())
    evidence.measure("export", [f.summary() for f in run.facts])
    problems = check_native(run.facts, recording)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-FRAMES-01")
def test_export_frame_count(device, vms, conformance_run, evidence, params):
    camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    reference = reference_of(device, vms, camera.id, run)
    evidence.expect("recorded_fps", reference.fps)
    evidence.measure("export", [f.summary() for f in run.facts])
    problems = check_frames(run.facts, reference.fps)
    for path, (alignment, _span) in aligned(device, vms, camera, run, evidence, params).items():
        if alignment.matched:  # a re-encoded export has no recorded picture to miss frames of
            problems += [f"{path}: {p}" for p in check_complete(alignment)]
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-IDENTICAL-01")
def test_export_identical_to_recording(device, vms, conformance_run, evidence, params):
    camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    if not vms.capabilities.native_export:
        not_applicable("the VMS does not claim native (bit-identical) export")
    files = aligned(device, vms, camera, run, evidence, params)
    if not files:
        raise Inconclusive("the package holds no media file of the camera to compare")
    reference = reference_of(device, vms, camera.id, run)
    evidence.measure("summary", identical_summary(files, len(reference.times)))
    problems = []
    for path, (alignment, _span) in files.items():
        problems += [f"{path}: {p}" for p in check_identical(alignment)]
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-UTC-01")
def test_export_times_are_utc(device, vms, conformance_run, evidence, params):
    camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    manifest = manifest_of(run)
    evidence.measure(
        "manifest_times",
        {
            "exported_at": manifest.get("exported_at"),
            "files": [[f.get("path"), f.get("start_utc"), f.get("end_utc")]
                      for f in manifest.get("files", [])],
        },
    )  # fmt: skip
    files = aligned(device, vms, camera, run, evidence, params, required=False)
    first_frames = {path: span[0] if span else None for path, (_a, span) in files.items()}
    if not any(first_frames.values()):
        evidence.note("no exported frame placed on a reference: file starts not compared")
    evidence.measure(
        "media_first_frame_utc", {p: t.isoformat() if t else None for p, t in first_frames.items()}
    )
    problems = check_utc(manifest, first_frames, params["max_clock_offset_s"], run.wall)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-ID-01")
def test_export_identifies_camera(device, vms, conformance_run, evidence):
    camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    manifest = manifest_of(run)
    identity = device_identity(device)
    evidence.expect("device_identity", identity)
    evidence.measure("manifest_cameras", manifest.get("cameras"))
    problems = check_identity(manifest, camera.id, identity)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-HASH-01")
def test_export_hashes_verify(device, vms, conformance_run, evidence):
    _camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    manifest = manifest_of(run)
    evidence.measure(
        "manifest_files", [[f.get("path"), f.get("sha256")] for f in manifest.get("files", [])]
    )
    problems = check_hashes(manifest, run.files)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-TAMPER-01")
def test_export_tamper_detected(device, vms, conformance_run, evidence):
    _camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    published = vms.public_keys()
    evidence.measure("files_tampered", sorted(run.files))
    problems = check_tamper_detected(run.files, published)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-SIG-01")
def test_export_signature_verifies(device, vms, conformance_run, evidence):
    _camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    manifest = manifest_of(run)
    signature = manifest.get("signature") or {}
    evidence.measure("signature", signature or None)
    key_file = (manifest.get("public_key") or {}).get("file")
    package_key = run.files.get(str(key_file)) if key_file else None
    published = vms.public_keys()
    evidence.measure("published_keys", len(published))
    problems = verify_signature(
        run.files["manifest.json"],
        run.files.get(str(signature.get("file"))) if signature else None,
        package_key or (published[0] if published else None),
    )
    problems += check_key_published(package_key, published)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-AUDIT-01")
def test_export_is_audited(device, vms, conformance_run, evidence):
    camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    if not vms.capabilities.audit_log:
        not_applicable("the VMS adapter offers no audit log")
    entries = vms.audit_log(since=run.wall[0] - timedelta(seconds=5))
    rows = [
        {"time": e.time.isoformat(), "user": e.user, "action": e.action, "source": e.source,
         "details": e.details}
        for e in entries
    ]  # fmt: skip
    evidence.measure("audit_entries", rows[-20:])
    problems = check_audit(rows, run.job_id, vms.username, camera.id)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-MULTI-01")
def test_multi_camera_export_aligned(device, vms, conformance_run, evidence, params):
    camera = vms_camera(device, vms)
    duration = float(params.get("duration_s", 3.0))
    mark = vms.recorder.mark() if vms.recorder is not None else None

    def compute() -> ExportRun | None:
        # The window sits well inside what is recorded (not at its live edge), so every camera
        # has media over it whatever the VMS does with the range (EXPORT-RANGE-01's business).
        start, _end, _found = recorded_range(vms, camera.id, duration + 6.0, duration + 16.0)
        end = start + timedelta(seconds=duration)
        other = companion(vms, camera.id, start, end)
        if other is None:
            return None
        return run_export(vms, (camera.id, other), start, end, 30.0 + 8 * duration)

    run = device.cached("export:multi", compute)
    if run is None:
        others = [c.id for c in vms.list_cameras() if c.id != camera.id]
        latest = {o: latest_recorded(vms, o) for o in others}
        elsewhere = [o for o in others if latest[o] is not None]
        evidence.measure("other_cameras_recording", elsewhere)
        # The VMS's answers behind the verdict (newest recording per camera, as it reported).
        evidence.attach_json(
            "vms-latest-recordings", {o: t.isoformat() if t else None for o, t in latest.items()}
        )
        if mark is not None:  # the searches themselves, as asked and answered (no export made)
            evidence.attach_exchanges("vms-rest-transcript", vms.recorder.since(mark))
        assert not elsewhere, (
            f"other cameras record ({', '.join(elsewhere)}), but never over the same time as "
            f"{camera.id}: a multi-camera export cannot be aligned (do the cameras' clocks agree?)"
        )
        not_applicable("the VMS records no second camera")
    require_done(run)
    record_job(evidence, run, summary=True)
    manifest = manifest_of(run)
    spans, sources = {}, {}
    tolerance, start = float(params["time_tolerance_s"]), run.request.start
    for camera_id in run.request.camera_ids:
        # Each camera's own recording places its frames in time; failing that (no download, or
        # a re-encoded export), the package's account: manifest start plus container timestamps.
        first = first_frame_on_reference(device, vms, run, camera_id, tolerance)
        sources[camera_id] = "reference recording"
        if first is None:
            first = first_frame_from(run.facts_for(camera_id, manifest), manifest, start)
            sources[camera_id] = "manifest and container"
        if first is not None:
            spans[camera_id] = (first, first)
    evidence.measure("first_frame_from_start_utc", {c: s[0].isoformat() for c, s in spans.items()})
    evidence.measure("first_frame_source", sources)
    problems = check_aligned(spans, run.request.start, params["time_tolerance_s"])
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-GAPS-01")
def test_export_reports_gaps(device, vms, conformance_run, evidence, params):
    camera = vms_camera(device, vms)

    def compute() -> ExportRun | None:
        # Anchored on the newest recording, which carries the camera's own time.
        mark = vms.recorder.mark() if vms.recorder is not None else None  # transcript from here
        now = latest_recorded(vms, camera.id) or datetime.now(UTC)
        window = timedelta(seconds=float(params.get("search_window_s", 600.0)))
        found = vms.search_recordings(camera.id, now - window, now)
        if not found.gaps or not found.segments:
            return None
        gap_start, gap_end = found.gaps[-1]
        start = max(gap_start - timedelta(seconds=1.5), min(s.start for s in found.segments))
        end = min(gap_end + timedelta(seconds=1.5), max(s.end for s in found.segments))
        return run_export(vms, (camera.id,), start, end, 60.0, found, mark)

    run = device.cached("export:gaps", compute)
    if run is None:
        not_applicable("the recording has no gap to export across (none found by search)")
    require_done(run)
    record_job(evidence, run, summary=True)
    manifest = manifest_of(run)
    spans = file_spans(run.facts_for(camera.id, manifest), manifest)
    if not spans:
        raise Inconclusive("no media time (manifest and container) in the export")
    first, last = spans[0][0], spans[-1][1]
    assert run.search is not None
    recorded = [(a, b) for a, b in run.search.gaps if a >= first and b <= last]
    reported = [
        (a, b)
        for g in manifest.get("gaps", [])
        if g.get("camera_id") in (None, camera.id)
        and (a := parse_utc(g.get("start"))) is not None
        and (b := parse_utc(g.get("end"))) is not None
    ]
    jumps = list(zip([s[1] for s in spans], [s[0] for s in spans[1:]], strict=False))
    evidence.expect("recorded_gaps", [[a.isoformat(), b.isoformat()] for a, b in recorded])
    evidence.measure("reported_gaps", [[a.isoformat(), b.isoformat()] for a, b in reported])
    evidence.measure("media_holes", [[a.isoformat(), b.isoformat()] for a, b in jumps])
    problems = check_gaps(recorded, reported, jumps, params["time_tolerance_s"])
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-SPEED-01")
def test_export_speed(device, vms, conformance_run, evidence, params):
    _camera, run = single_done(device, vms, conformance_run)
    record_job(evidence, run)
    claimed = conformance_run.target.spec.claims.export_speed
    required = max(float(params["min_speed_x_realtime"]), float(claimed or 0.0))
    if claimed is not None:  # nothing claimed is not a claim of nothing
        evidence.claim("export_speed_x", claimed)
    evidence.expect("min_speed_x_realtime", required)
    speed = run.media_s / run.elapsed_s if run.elapsed_s > 0 else float("inf")
    evidence.measure("export_speed_x", round(speed, 2))
    evidence.measure("media_s", run.media_s)
    evidence.measure("elapsed_s", round(run.elapsed_s, 3))
    problems = check_speed(run.media_s, run.elapsed_s, required)
    assert not problems, "; ".join(problems)
