"""A VMS as the cameras' client: connect, record, media, search, export, trace (profile vms-ingest).

Each test judges one (VMS, camera) pair from the shared ingest session (ingest.py). The checks
are the pure functions of conformance/checks/vms_ingest.py; everything judged is attached as
evidence. A pair whose camera the VMS could not add fails every requirement with that reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from conformance.checks.vms_continuity import continuity_problems, walk
from conformance.checks.vms_ingest import (
    ExpectedStream,
    PackageFacts,
    audit_problems,
    capture_problems,
    coverage_problems,
    evidence_package_problems,
    export_problems,
    manifest_hashes,
    media_problems,
    names_camera,
    search_problems,
    trace_problems,
    trace_summary,
    transport_problems,
)
from conformance.checks.vms_metadata import Stated, metadata_problems
from conformance.checks.vms_recovery import (
    export_gap_problems,
    recovery_problems,
    stated_resolution,
)
from conformance.clients.recorded_media import read_media_facts
from conformance.clients.vms import ExportRequest, VmsApiError, VmsUnsupported
from conformance.outcomes import not_applicable, not_claimed, not_tested
from conformance.suites.vms_ingest.continuity import export_over_boundary, file_digests
from conformance.suites.vms_ingest.ingest import CameraIngest, IngestSession
from conformance.suites.vms_ingest.players import (
    ffmpeg_playback,
    gstreamer_playback,
    missing_players,
)
from conformance.suites.vms_ingest.recovery import MEDIA, export_around
from conformance.vms_units import VmsCameraUnderTest

# -- fixtures (no conftest.py: the suites directory has none) --------------------


@pytest.fixture(scope="session")
def ingest_session(request: pytest.FixtureRequest) -> Iterator[IngestSession]:
    """Started on first use (only when a vms-ingest test runs), closed at session end."""
    from conformance.plugin import RUN_KEY

    run = request.config.stash[RUN_KEY]
    pairs = [d for d in run.duts if isinstance(d, VmsCameraUnderTest)]
    if not pairs:
        pytest.skip("not a VMS target")
    params = {e.id: dict(e.parameters) for e in run.profile.requirements}
    session = IngestSession(pairs[0].vms, pairs[0].site_file, run.timeout, params)
    try:
        yield session.open()
    finally:
        session.close()


@pytest.fixture
def ingest(device, request: pytest.FixtureRequest) -> CameraIngest:
    """The pair's camera as ingested by the VMS; not_applicable for a camera target."""
    if not isinstance(device, VmsCameraUnderTest):
        not_applicable("this requirement judges a VMS ingesting cameras; the target is a camera")
    session: IngestSession = request.getfixturevalue("ingest_session")
    if session.error is not None:
        raise session.error
    return session.cameras[device.camera]


def _added(ingest, evidence) -> None:
    """A camera the VMS refused to add fails the pair's requirement with the VMS's answer."""
    evidence.claim("camera", ingest.camera.name)
    evidence.claim("transport", ingest.transport)
    if isinstance(ingest.error, VmsUnsupported):
        not_claimed(f"the VMS adapter does not offer ingest: {ingest.error}")
    if ingest.error is not None:
        evidence.note(f"the VMS could not ingest the camera: {ingest.error}")
        raise ingest.error


def _expected(ingest) -> ExpectedStream:
    camera = ingest.camera
    width, height = camera.stream_size
    return ExpectedStream(camera.codec, width, height, camera.stream_fps)


def _recorded(ingest, evidence, session):
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    path = session.download(ingest)
    facts = ingest.cache.get("facts") or read_media_facts(path)
    ingest.cache["facts"] = facts
    evidence.measure("recording", facts.to_dict())
    return facts


@pytest.mark.requirement("VMS-CONNECT-01")
def test_vms_connects_and_captures_at_frame_rate(ingest, ingest_session, evidence, params):
    _added(ingest, evidence)
    expected = _expected(ingest)
    evidence.expect("capture_fps", expected.fps)
    evidence.expect("fps_tolerance_pct", params["fps_tolerance_pct"])
    evidence.attach_json("capture-status", [s.__dict__ for s in ingest.statuses])
    status = ingest.last_status
    connected = status is not None and status.connected
    fps = status.capture_fps if status else None
    evidence.measure("connected", connected)
    evidence.measure("capture_fps", fps)
    evidence.measure("vms", ingest_session.version)
    problems = capture_problems(connected, fps, expected.fps, params["fps_tolerance_pct"])
    problems += _transport_from_camera(ingest, evidence)
    assert not problems, "; ".join(problems)


def _transport_from_camera(ingest, evidence) -> list[str]:
    """The transport the VMS really used, from the camera's own session list when it offers
    one; otherwise only what the VMS was configured with is known, and the evidence says so."""
    evidence.expect("transport", ingest.transport)
    if ingest.camera_sessions is None:
        evidence.measure("transport_used", None)
        evidence.note(
            f"transport not verified from the camera side ({ingest.sessions_error}): only the "
            "VMS's configuration is known"
        )
        return []
    sessions = ingest.camera_sessions
    if ingest.reference is not None and sessions:
        sessions = sessions[1:]  # the first is the suite's own reference capture (continuity)
    evidence.attach_json("camera-rtsp-sessions", ingest.camera_sessions)
    problems, findings = transport_problems(ingest.transport, sessions)
    played = [s for s in sessions if s.get("start")]
    if played:
        evidence.measure("transport_used", max(played, key=lambda s: s["start"])["transport"])
    for finding in findings:
        evidence.note(finding)
    return problems


@pytest.mark.requirement("VMS-REC-01")
def test_recordings_cover_the_time(ingest, evidence, params):
    _added(ingest, evidence)
    spans = [(s.start, s.end) for s in ingest.segments]
    evidence.measure(
        "recordings",
        [
            {
                "id": s.recording_id,
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "frames": s.frames,
            }
            for s in ingest.segments
        ],
    )
    evidence.expect("max_gap_s", params["max_gap_s"])
    problems = coverage_problems(spans, params["max_gap_s"])
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("VMS-MEDIA-01")
def test_recorded_media_equals_camera_stream(ingest, ingest_session, evidence, params):
    _added(ingest, evidence)
    expected = _expected(ingest)
    evidence.expect("stream", expected.__dict__)
    facts = _recorded(ingest, evidence, ingest_session)
    problems, findings = media_problems(
        facts,
        expected,
        params["fps_tolerance_pct"],
        params["max_lost_frames"],
        ingest.segments[0].frames,
    )
    for finding in findings:
        evidence.note(finding)
    evidence.measure("ingested_stream", ingest.ingested_stream)
    evidence.measure("ingested_by", ingest.ingested_by)
    if problems and ingest.ingested_by == "onvif probe":
        problems.append(
            f"the VMS ingested {ingest.ingested_stream}, the stream its own ONVIF probe chose"
        )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("VMS-SEARCH-01")
def test_search_by_time_finds_recordings(ingest, ingest_session, evidence):
    _added(ingest, evidence)
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    adapter = ingest_session.adapter
    first, last = ingest.segments[0], ingest.segments[-1]
    # A window strictly inside the recorded time, and one well before the camera was added.
    window = (first.start + timedelta(seconds=1), last.end - timedelta(seconds=1))
    found = adapter.search_recordings(ingest.vms_id, *window)
    before_end = ingest.added_at - timedelta(seconds=30)
    before = adapter.search_recordings(ingest.vms_id, before_end - timedelta(hours=1), before_end)
    evidence.measure("window", {"start": window[0].isoformat(), "end": window[1].isoformat()})
    evidence.measure("found", [s.recording_id for s in found.segments])
    evidence.measure("found_before_ingest", [s.recording_id for s in before.segments])
    evidence.expect("recordings", [s.recording_id for s in ingest.segments])
    problems = search_problems(
        [s.recording_id for s in found.segments],
        [s.recording_id for s in ingest.segments],
        [s.recording_id for s in before.segments],
    )
    assert not problems, "; ".join(problems)


def _export(ingest, session):
    """Export the first recording's range once; the package is shared by two requirements."""
    if "export" not in ingest.cache:
        seg = ingest.segments[0]
        adapter = session.adapter
        # Strictly inside one recording (a second in from each end), so the package is judged
        # against that recording alone.
        inner = (seg.start + timedelta(seconds=1), seg.end - timedelta(seconds=1))
        ingest.cache["export_asked"] = datetime.now(UTC)
        job = adapter.create_export(
            ExportRequest((ingest.vms_id,), *inner, operator="cctv-conformance")
        )
        ingest.cache["export_job"] = job
        status = adapter.wait_for_export(job, timeout_s=60)
        if status.state != "done":
            raise AssertionError(f"export job {job} {status.state}: {status.error}")
        folder = session.work / ingest.camera.name / "export"
        ingest.cache["export"] = adapter.download_export(job, folder)
    return ingest.cache["export"]


@pytest.mark.requirement("VMS-EXPORT-01")
def test_export_carries_original_stream_and_utc(ingest, ingest_session, evidence, params):
    _added(ingest, evidence)
    recorded = _recorded(ingest, evidence, ingest_session)
    package = _export(ingest, ingest_session)
    evidence.measure("export_files", list(package.files))
    media = [f for f in package.files if f.lower().endswith((".mp4", ".mkv", ".mov", ".ts"))]
    own = [f for f in media if f"/{ingest.segments[0].recording_id}/" in f"/{f}"]
    media = own or media  # the recording's own file when the package names it
    exported = read_media_facts(package.directory / media[0]) if media else None
    if exported is not None:
        evidence.measure("exported", exported.to_dict())
    seg = ingest.segments[0]
    evidence.measure("vms_start_utc", seg.start.isoformat())
    evidence.expect("time_tolerance_s", params["time_tolerance_s"])
    camera = ingest.camera
    preroll = camera.gop / camera.stream_fps if camera.stream_fps else 0.0
    evidence.expect("preroll_allowance_s", round(preroll, 3))
    if recorded.first_capture_us is not None:
        evidence.measure(
            "first_frame_offset_s",
            round(seg.start.timestamp() - recorded.first_capture_us / 1e6, 3),
        )
    problems = export_problems(recorded, exported, seg.start, params["time_tolerance_s"], preroll)
    assert not problems, "; ".join(problems)


def _package_facts(package) -> PackageFacts:
    """Hashes, manifest and identity as far as a generic reader can tell from the files."""
    actual = {
        f: hashlib.sha256((package.directory / f).read_bytes()).hexdigest() for f in package.files
    }
    manifest: dict[str, str] = {}
    text = ""
    if package.manifest:
        text = (package.directory / package.manifest).read_text(errors="replace")
        manifest = manifest_hashes(text)
    return PackageFacts(
        files=package.files,
        manifest_hashes=manifest,
        actual_hashes=actual,
        has_camera_identity=names_camera(text),
        has_utc_times="utc" in text.lower() or "Z\n" in text,
        has_signature=package.signature is not None,
    )


@pytest.mark.requirement("VMS-EXPORT-EVIDENCE-01")
def test_export_is_an_evidence_package(ingest, ingest_session, evidence):
    _added(ingest, evidence)
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    package = _export(ingest, ingest_session)
    facts = _package_facts(package)
    evidence.measure("export_files", list(package.files))
    evidence.measure("manifest", package.manifest)
    evidence.measure("signature", package.signature)
    problems = evidence_package_problems(facts)  # the audit trail is VMS-AUDIT-01's
    for problem in problems:
        evidence.note(f"finding: {problem}")
    assert not problems, "the VMS's export lacks: " + "; ".join(problems)


@pytest.mark.requirement("VMS-TRACE-01")
def test_vms_uses_standard_operations(ingest, ingest_session, evidence):
    _added(ingest, evidence)
    operations = ingest_session.operations(ingest.camera.name)
    assert operations, "the camera's operation log is empty: the VMS never contacted it"
    summary = trace_summary(operations)
    evidence.measure("operations", summary)
    evidence.measure(
        "onvif_operations", sorted({o["operation"] for o in operations if o["protocol"] == "onvif"})
    )
    evidence.measure("onvif_probe_stream_uris", ingest.onvif_uris)
    evidence.measure("onvif_probe", {**ingest.probe, "ingested_by": ingest.ingested_by})
    if ingest.onvif_error:
        evidence.note(f"no ONVIF probe: {ingest.onvif_error}")
    evidence.attach_json("operation-log", operations)
    problems = trace_problems(operations)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("VMS-AUDIT-01")
def test_export_is_in_the_vms_audit_log(ingest, ingest_session, evidence):
    """Measured from the VMS's own log through its adapter (ZoneMinder: its Logs API; the
    simulated VMS: /api/audit), read back to just before the suite asked for the export."""
    _added(ingest, evidence)
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    _export(ingest, ingest_session)
    asked = ingest.cache["export_asked"] - timedelta(seconds=2)
    try:
        entries = ingest_session.adapter.audit_log(since=asked)
    except VmsUnsupported as exc:
        not_claimed(f"the VMS adapter reads no audit log: {exc}")
    rows = [
        {"time": e.time.isoformat(), "user": e.user, "action": e.action, "source": e.source,
         "details": e.details}
        for e in entries
    ]  # fmt: skip
    evidence.attach_json("vms-audit-log", rows)
    evidence.measure("audit_entries_read", len(rows))
    evidence.measure("audit_actions", sorted({r["action"][:80] for r in rows})[:20])
    references = [
        ingest.cache.get("export_job", ""),
        ingest.vms_id or "",
        *(s.recording_id for s in ingest.segments[:1]),
    ]
    evidence.expect("names_one_of", references)
    problems = audit_problems(rows, references, len(rows), asked.isoformat())
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("VMS-RECOVERY-01")
def test_vms_recovers_after_camera_dropout(ingest, ingest_session, evidence, params):
    """The camera's stream vanishes for dropout_s and returns (all cameras at once, after
    every other requirement's recording was collected: recovery.py); judged from search and
    the export's container timestamps."""
    _added(ingest, evidence)
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    dropout_s, tolerance_s = float(params["dropout_s"]), float(params["tolerance_s"])
    resume_s = float(params["resume_within_s"])
    ingest_session.recovery(dropout_s, resume_s + float(params["record_timeout_s"]))
    run = ingest.recovery
    assert run is not None, "the dropout stimulus did not run for this camera"
    if run.error:
        raise AssertionError(f"the VMS could not be searched after the dropout: {run.error}")
    evidence.measure("dropped_at", run.dropped_at.isoformat())
    evidence.measure("back_at", run.back_at.isoformat())
    evidence.measure(
        "recordings_around",
        [{"id": s.recording_id, "start": s.start.isoformat(), "end": s.end.isoformat()}
         for s in run.segments],
    )  # fmt: skip
    evidence.expect("tolerance_s", tolerance_s)
    evidence.expect("resume_within_s", resume_s)
    spans = [(s.start, s.end) for s in run.segments]
    resolution = stated_resolution(spans)
    evidence.measure("stated_time_resolution_s", resolution)
    problems = recovery_problems(
        run.dropped_at, run.back_at, spans, tolerance_s, resume_s, resolution
    )
    after = [s for s in run.segments if s.start >= run.back_at - timedelta(seconds=tolerance_s)]
    if after and not problems:
        files = export_around(ingest, ingest_session, after[0])
        if files and isinstance(files[0], str):
            problems += files
        else:
            evidence.measure("export_timelines", [f.__dict__ for f in files])
            problems += export_gap_problems(files, dropout_s, tolerance_s)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("VMS-CONTINUITY-01")
def test_consecutive_recordings_and_export_are_continuous(ingest, ingest_session, evidence, params):
    """Every frame the camera sent, once, across consecutive recordings spanning continuity_s
    and across an export over a boundary: frames walked along the suite's reference capture
    of the camera's stream by picture digest (continuity.py; no SEI)."""
    _added(ingest, evidence)
    ingest_session.collect_continuity()
    reference = ingest.reference
    if reference is None or reference.error or not reference.digests:
        raise AssertionError(f"no reference capture of the camera: {reference and reference.error}")
    window = ingest.continuity
    evidence.expect("continuity_s", params["continuity_s"])
    if not window:
        raise AssertionError(
            f"no consecutive recordings spanning {params['continuity_s']:g} s within "
            f"{params['record_timeout_s']:g} s more"
        )
    folder = ingest_session.work / ingest.camera.name / "continuity"
    files = [
        (s.recording_id, file_digests(ingest_session.adapter.download_recording(s, folder)))
        for s in window
    ]
    evidence.measure(
        "recordings", [{"id": s.recording_id, "start": s.start.isoformat(),
                        "end": s.end.isoformat(), "frames": len(d)}
                       for s, (_, d) in zip(window, files, strict=True)],
    )  # fmt: skip
    evidence.measure("reference_frames", len(reference.digests))
    walked = walk(reference.digests, files)
    evidence.measure("recordings_walk", {**walked.__dict__, "events": walked.events[:10]})
    problems = continuity_problems(walked, f"{len(window)} consecutive recordings")
    package = export_over_boundary(ingest, ingest_session, window)
    order = {s.recording_id: i for i, s in enumerate(window)}
    media = sorted(
        (f for f in package.files if f.lower().endswith(MEDIA)),
        key=lambda f: (min((i for r, i in order.items() if f"/{r}" in f"/{f}"), default=99), f),
    )
    exported = [(f, file_digests(package.directory / f)) for f in media]
    walked_export = walk(reference.digests, exported)
    evidence.measure("export_walk", {**walked_export.__dict__, "events": walked_export.events[:10]})
    problems += continuity_problems(walked_export, "export over a recording boundary")
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("VMS-EXPORT-ROLE-01")
def test_viewer_cannot_export(ingest, ingest_session, evidence):
    """A viewer-only account (created through the VMS's API, deleted at the end) asks for an
    export of the pair's first recording: the VMS must refuse it."""
    _added(ingest, evidence)
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    viewer, reason = ingest_session.viewer()
    if viewer is None:
        not_claimed(f"the VMS adapter cannot create a viewer account: {reason}")
    seg = ingest.segments[0]
    inner = (seg.start + timedelta(seconds=1), seg.end - timedelta(seconds=1))
    try:
        job = viewer.create_export(ExportRequest((ingest.vms_id,), *inner, "cctv-viewer"))
        status = viewer.wait_for_export(job, timeout_s=60)
        package = viewer.download_export(job, ingest_session.work / ingest.camera.name / "viewer")
    except VmsApiError as exc:
        evidence.measure("viewer_export", f"refused: {exc}")
        return
    evidence.measure(
        "viewer_export", {"job": job, "state": status.state, "files": list(package.files)}
    )
    media = [f for f in package.files if f.lower().endswith(MEDIA)]
    raise AssertionError(
        f"a viewer-only account exported the recording: job {job} {status.state}, "
        f"{len(media)} media file(s) downloaded ({', '.join(media[:2])})"
    )


@pytest.mark.requirement("VMS-META-01")
def test_vms_metadata_matches_the_recording(ingest, ingest_session, evidence, params):
    """The size, rate and times the VMS states for the pair's first recording (search) against
    the downloaded file's container."""
    _added(ingest, evidence)
    facts = _recorded(ingest, evidence, ingest_session)
    seg = ingest.segments[0]
    stated = Stated(seg.width, seg.height, seg.fps, seg.start, seg.end)
    evidence.measure(
        "vms_states",
        {"width": seg.width, "height": seg.height, "fps": seg.fps,
         "start": seg.start.isoformat(), "end": seg.end.isoformat()},
    )  # fmt: skip
    camera = ingest.camera
    preroll = camera.gop / camera.stream_fps if camera.stream_fps else 0.0
    allowance = stated_resolution([(seg.start, seg.end)]) + preroll
    evidence.expect("allowance_s", round(allowance, 3))
    problems = metadata_problems(
        stated, facts, params["fps_tolerance_pct"], params["time_tolerance_s"], allowance
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("VMS-PLAY-01")
def test_export_plays_in_standard_players(ingest, ingest_session, evidence):
    """Every media file of the pair's export through FFmpeg (decode and count) and GStreamer
    playbin (to end of stream); players missing here make it not_tested (environment)."""
    _added(ingest, evidence)
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    missing = missing_players()
    if missing:
        not_tested(f"environment: {', '.join(missing)} not installed (the players judged)")
    package = _export(ingest, ingest_session)
    media = [f for f in package.files if f.lower().endswith(MEDIA)]
    if not media:
        raise AssertionError("the export holds no media file to play")
    results = []
    for name in media:
        path = package.directory / name
        expected = read_media_facts(path).frames
        for played in (ffmpeg_playback(path), gstreamer_playback(path)):
            good = played.ok and (played.frames is None or played.frames == expected)
            results.append({**played.__dict__, "container_frames": expected, "plays": good})
    evidence.measure("playback", results)
    bad = [r for r in results if not r["plays"]]
    assert not bad, "; ".join(
        f"{r['file']} does not play in {r['player']}: "
        + (r["detail"] or f"{r['frames']} of {r['container_frames']} frames decoded")
        for r in bad
    )
