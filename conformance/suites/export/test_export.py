"""Evidential export through the VMS export API (profile uk-evidence-export).

Every test judges a package made by a real export job on the target's VMS, through the adapter
interface (conformance/clients/vms.py). Each scenario (single camera, multi-camera, across a
gap) runs once per device and is shared (exports.py). An export reads recordings and changes no
setting (passive); like a login it leaves an entry in the VMS audit log, which is append-only by
design and is not (and must not be) undone; the evidence names the job so it can be found.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conformance.checks.export import (
    RecordingFormat,
    capture_span,
    check_aligned,
    check_audit,
    check_frames,
    check_gaps,
    check_hashes,
    check_identical,
    check_identity,
    check_key_published,
    check_native,
    check_plays,
    check_range,
    check_speed,
    check_tamper_detected,
    check_utc,
    counter_digests,
    parse_manifest,
    parse_utc,
    verify_signature,
)
from conformance.clients.export_media import MediaFacts
from conformance.outcomes import Inconclusive, not_applicable
from conformance.suites.export.exports import (
    SINGLE_S,
    ExportRun,
    latest_recorded,
    recorded_range,
    recording_facts,
    require_done,
    run_export,
    single_export,
    vms_adapter,
    vms_camera,
)


@pytest.fixture
def vms(conformance_run):
    return vms_adapter(conformance_run)


def _single(device, vms, conformance_run) -> tuple[Any, ExportRun]:
    camera, run = single_export(device, vms, SINGLE_S, conformance_run.timeout)
    require_done(run)
    return camera, run


def _manifest(run: ExportRun) -> dict[str, Any]:
    manifest, problems = parse_manifest(run.files.get("manifest.json"))
    assert manifest is not None, "; ".join(problems)
    return manifest


def _record_job(evidence, run: ExportRun) -> None:
    evidence.measure(
        "export_job",
        {
            "job_id": run.job_id, "state": run.state, "elapsed_s": round(run.elapsed_s, 3),
            "cameras": list(run.request.camera_ids), "start": run.request.start.isoformat(),
            "end": run.request.end.isoformat(), "files": sorted(run.files),
        },
    )  # fmt: skip
    evidence.note(
        f"export job {run.job_id} left an entry in the VMS audit log (append-only; not undone)"
    )


def file_spans(
    facts: list[MediaFacts], manifest: dict[str, Any]
) -> list[tuple[datetime, datetime]]:
    """Each file's media span: from its frame-counter capture times, else from the manifest."""
    by_path = {f.get("path"): f for f in manifest.get("files", [])}
    spans = []
    for f in facts:
        span = capture_span([f])
        if span is None:
            entry = by_path.get(f.path, {})
            start, end = parse_utc(entry.get("start_utc")), parse_utc(entry.get("end_utc"))
            if start is None or end is None:
                continue
            span = (start, end)
        else:
            period = timedelta(seconds=1.0 / f.fps) if f.fps else timedelta(0)
            span = (span[0], span[1] + period)
        spans.append(span)
    return sorted(spans)


def first_frame_from(
    facts: list[MediaFacts], manifest: dict[str, Any], start: datetime
) -> datetime | None:
    """Capture time of the first frame at or after ``start`` (a preceding keyframe, which each
    camera places differently, does not count), else the first file's manifest start."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    times = sorted(
        epoch + timedelta(microseconds=us) for f in facts for us in f.capture_us if us is not None
    )
    if times:
        return next((t for t in times if t >= start - timedelta(milliseconds=20)), times[-1])
    spans = file_spans(facts, manifest)
    return spans[0][0] if spans else None


@pytest.mark.requirement("EXPORT-PLAY-01")
def test_export_plays_in_ffmpeg(device, vms, conformance_run, evidence):
    _camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    evidence.measure("media", [f.summary() for f in run.facts])
    problems = check_plays(run.facts)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-RANGE-01")
def test_export_covers_requested_range(device, vms, conformance_run, evidence, params):
    camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    manifest = _manifest(run)
    spans = file_spans(run.facts_for(camera.id, manifest), manifest)
    if not spans:
        raise Inconclusive("no media time (frame counter or manifest) to compare with the range")
    first, last = spans[0][0], spans[-1][1]
    evidence.measure("media_span_utc", [first.isoformat(), last.isoformat()])
    evidence.expect("requested_utc", [run.request.start.isoformat(), run.request.end.isoformat()])
    problems = check_range(
        [], run.request.start, run.request.end, params["time_tolerance_s"], span=(first, last)
    )
    assert not problems, "; ".join(problems)


def _reference(device, vms, camera_id: str, run: ExportRun) -> MediaFacts:
    reference = recording_facts(device, vms, camera_id, run)
    if reference is None:
        not_applicable("the VMS offers no download of the recording itself to compare with")
    if not reference.opened or reference.error:
        raise Inconclusive(f"the recording download does not open: {reference.error}")
    return reference


@pytest.mark.requirement("EXPORT-NATIVE-01")
def test_export_is_native(device, vms, conformance_run, evidence):
    camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    reference = _reference(device, vms, camera.id, run)
    recording = RecordingFormat(
        reference.codec, reference.width, reference.height, reference.fps,
        tuple(reference.parameter_sets),
    )  # fmt: skip
    evidence.expect("recording", reference.summary())
    evidence.measure("export", [f.summary() for f in run.facts])
    problems = check_native(run.facts, recording)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-FRAMES-01")
def test_export_frame_count(device, vms, conformance_run, evidence):
    camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    reference = _reference(device, vms, camera.id, run)
    evidence.expect("recorded_fps", reference.fps)
    evidence.measure("export", [f.summary() for f in run.facts])
    problems = check_frames(run.facts, reference.fps)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-IDENTICAL-01")
def test_export_identical_to_recording(device, vms, conformance_run, evidence):
    camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    if not vms.capabilities.native_export:
        not_applicable("the VMS does not claim native (bit-identical) export")
    reference = _reference(device, vms, camera.id, run)
    exported, recorded = counter_digests(run.facts), counter_digests([reference])
    evidence.measure("exported_frames", len(exported))
    evidence.expect("recorded_frames", len(recorded))
    problems = check_identical(exported, recorded)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-UTC-01")
def test_export_times_are_utc(device, vms, conformance_run, evidence, params):
    _camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    manifest = _manifest(run)
    evidence.measure(
        "manifest_times",
        {
            "exported_at": manifest.get("exported_at"),
            "files": [[f.get("path"), f.get("start_utc"), f.get("end_utc")]
                      for f in manifest.get("files", [])],
        },
    )  # fmt: skip
    evidence.measure(
        "media_first_frame_utc",
        {f.path: (s[0].isoformat() if (s := capture_span([f])) else None) for f in run.facts},
    )
    problems = check_utc(
        manifest, {f.path: f for f in run.facts}, params["max_clock_offset_s"], run.wall
    )
    assert not problems, "; ".join(problems)


def _device_identity(device) -> dict[str, str]:
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


@pytest.mark.requirement("EXPORT-ID-01")
def test_export_identifies_camera(device, vms, conformance_run, evidence):
    camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    manifest = _manifest(run)
    identity = _device_identity(device)
    evidence.expect("device_identity", identity)
    evidence.measure("manifest_cameras", manifest.get("cameras"))
    problems = check_identity(manifest, camera.id, identity)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-HASH-01")
def test_export_hashes_verify(device, vms, conformance_run, evidence):
    _camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    manifest = _manifest(run)
    evidence.measure(
        "manifest_files", [[f.get("path"), f.get("sha256")] for f in manifest.get("files", [])]
    )
    problems = check_hashes(manifest, run.files)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-TAMPER-01")
def test_export_tamper_detected(device, vms, conformance_run, evidence):
    _camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    published = vms.public_keys()
    evidence.measure("files_tampered", sorted(run.files))
    problems = check_tamper_detected(run.files, published)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-SIG-01")
def test_export_signature_verifies(device, vms, conformance_run, evidence):
    _camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    manifest = _manifest(run)
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
    camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
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


def _companion(vms, camera_id: str, start: datetime, end: datetime) -> str | None:
    for other in vms.list_cameras():
        if other.id == camera_id:
            continue
        found = vms.search_recordings(other.id, start, end)
        covered = sum((s.end - s.start).total_seconds() for s in found.segments)
        if covered >= 0.9 * (end - start).total_seconds():
            return other.id
    return None


@pytest.mark.requirement("EXPORT-MULTI-01")
def test_multi_camera_export_aligned(device, vms, conformance_run, evidence, params):
    camera = vms_camera(device, vms)
    duration = float(params.get("duration_s", 3.0))

    def compute() -> ExportRun | None:
        # The window sits well inside what is recorded (not at its live edge), so every camera
        # has media over it whatever the VMS does with the range (EXPORT-RANGE-01's business).
        start, _end, _found = recorded_range(vms, camera.id, duration + 6.0, duration + 16.0)
        end = start + timedelta(seconds=duration)
        other = _companion(vms, camera.id, start, end)
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
        assert not elsewhere, (
            f"other cameras record ({', '.join(elsewhere)}), but never over the same time as "
            f"{camera.id}: a multi-camera export cannot be aligned (do the cameras' clocks agree?)"
        )
        not_applicable("the VMS records no second camera")
    require_done(run)
    _record_job(evidence, run)
    manifest = _manifest(run)
    spans = {}
    for camera_id in run.request.camera_ids:
        first = first_frame_from(run.facts_for(camera_id, manifest), manifest, run.request.start)
        if first is not None:
            spans[camera_id] = (first, first)
    evidence.measure("first_frame_from_start_utc", {c: s[0].isoformat() for c, s in spans.items()})
    problems = check_aligned(spans, run.request.start, params["time_tolerance_s"])
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EXPORT-GAPS-01")
def test_export_reports_gaps(device, vms, conformance_run, evidence, params):
    camera = vms_camera(device, vms)

    def compute() -> ExportRun | None:
        # Anchored on the newest recording, which carries the camera's own time.
        now = latest_recorded(vms, camera.id) or datetime.now(UTC)
        window = timedelta(seconds=float(params.get("search_window_s", 600.0)))
        found = vms.search_recordings(camera.id, now - window, now)
        if not found.gaps or not found.segments:
            return None
        gap_start, gap_end = found.gaps[-1]
        start = max(gap_start - timedelta(seconds=1.5), min(s.start for s in found.segments))
        end = min(gap_end + timedelta(seconds=1.5), max(s.end for s in found.segments))
        return run_export(vms, (camera.id,), start, end, 60.0, found)

    run = device.cached("export:gaps", compute)
    if run is None:
        not_applicable("the recording has no gap to export across (none found by search)")
    require_done(run)
    _record_job(evidence, run)
    manifest = _manifest(run)
    spans = file_spans(run.facts_for(camera.id, manifest), manifest)
    if not spans:
        raise Inconclusive("no media time (frame counter or manifest) in the export")
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
    _camera, run = _single(device, vms, conformance_run)
    _record_job(evidence, run)
    claimed = conformance_run.target.spec.claims.export_speed
    required = max(float(params["min_speed_x_realtime"]), float(claimed or 0.0))
    evidence.claim("export_speed_x", claimed)
    evidence.expect("min_speed_x_realtime", required)
    speed = run.media_s / run.elapsed_s if run.elapsed_s > 0 else float("inf")
    evidence.measure("export_speed_x", round(speed, 2))
    evidence.measure("media_s", run.media_s)
    evidence.measure("elapsed_s", round(run.elapsed_s, 3))
    problems = check_speed(run.media_s, run.elapsed_s, required)
    assert not problems, "; ".join(problems)
