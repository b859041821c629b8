"""A VMS as the cameras' client: connect, record, media, search, export, evidence, trace and
audit (profile vms-ingest); the requirements judged over longer recordings, a stimulus or a
second account are in test_vms_quality.py.

Each test judges one (VMS, camera) pair from the shared ingest session (ingest.py; fixtures in
conftest.py). The checks are the pure functions of conformance/checks/vms_*.py; everything
judged is attached as evidence. A pair whose camera the VMS could not add fails every
requirement with that reason.
"""

# ruff: noqa: F811 - the shared fixtures are imported by name and requested as arguments
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from conformance.checks.vms_ingest import (
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
from conformance.clients.recorded_media import read_media_facts
from conformance.clients.vms import VmsUnsupported
from conformance.outcomes import not_claimed
from conformance.suites.vms_ingest.common import (  # noqa: F401 - fixtures by name
    added,
    expected_stream,
    export_once,
    ingest,
    ingest_session,
    recorded_facts,
)
from conformance.suites.vms_ingest.ingest import segment_key


@pytest.mark.requirement("VMS-CONNECT-01")
def test_vms_connects_and_captures_at_frame_rate(ingest, ingest_session, evidence, params):
    added(ingest, evidence)
    expected = expected_stream(ingest)
    evidence.expect("capture_fps", expected.fps)
    evidence.expect("fps_tolerance_pct", params["fps_tolerance_pct"])
    evidence.attach_json("capture-status", [s.__dict__ for s in ingest.statuses])
    status = ingest.last_status
    connected = status is not None and status.connected
    fps = status.capture_fps if status else None
    evidence.measure("connected", connected)
    evidence.measure("capture_fps", fps)
    evidence.measure("vms", ingest_session.version)
    evidence.measure("camera", ingest.stand_in())
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
    added(ingest, evidence)
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
    added(ingest, evidence)
    expected = expected_stream(ingest)
    evidence.expect("stream", expected.__dict__)
    facts = recorded_facts(ingest, evidence, ingest_session)
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
    added(ingest, evidence)
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


@pytest.mark.requirement("VMS-EXPORT-01")
def test_export_carries_original_stream_and_utc(ingest, ingest_session, evidence, params):
    added(ingest, evidence)
    recorded = recorded_facts(ingest, evidence, ingest_session)
    package = export_once(ingest, ingest_session)
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
    seen = ingest.first_seen.get(segment_key(seg))
    if seen is not None:
        evidence.measure(
            "found_by_search",
            {"suite_utc": seen[0].isoformat(), "vms_end_utc_then": seen[1].isoformat(),
             "camera_added_utc": ingest.added_at.isoformat() if ingest.added_at else None},
        )  # fmt: skip
    observed = (ingest.added_at, *seen) if seen is not None else None
    problems = export_problems(
        recorded, exported, seg.start, params["time_tolerance_s"], preroll, observed=observed
    )
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
    added(ingest, evidence)
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    package = export_once(ingest, ingest_session)
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
    added(ingest, evidence)
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
    added(ingest, evidence)
    if not ingest.segments:
        raise AssertionError("the VMS made no closed recording of the camera in time")
    export_once(ingest, ingest_session)
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
