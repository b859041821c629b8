"""Export jobs for the export suite: run once per device and scenario, shared by the tests.

Why cached: an export is slow (seconds of media, a job to poll) and every requirement of the
profile is judged on the same package, so each scenario runs once per device
(``DeviceUnderTest.cached``, same keys as the prefetch warm-ups) and the tests read the result.
Every wait is bounded.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from conformance.clients.export_media import MediaFacts, probe
from conformance.clients.vms import (
    ExportRequest,
    RecordingSearch,
    VmsAdapter,
    VmsCamera,
)
from conformance.outcomes import Inconclusive, not_applicable
from conformance.vms_target import remember_identity

OPERATOR = "cctv-conformance"
CASE_REFERENCE = "CONFORMANCE-TEST"
SETTLE_S = 1.5
"""How far behind real time an export range ends (recordings are written in short ticks)."""
MEDIA_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv")
CLOCK_HORIZON = timedelta(hours=2)
"""How far a camera's clock may be from the suite's and its newest recording still be found."""

_adapters: dict[tuple[str, str, str], VmsAdapter] = {}


SINGLE_S = 4.0
"""Length of the shared single-camera export every EXPORT-* test judges."""


def adapter_for(vms: Any, timeout_s: float) -> VmsAdapter:
    """One adapter per VMS and run (shared by the tests and the prefetch warm-ups)."""
    key = (vms.adapter, vms.url, vms.username)
    if key not in _adapters:
        _adapters[key] = vms.make_adapter(timeout_s=timeout_s)
        remember_identity(vms, _adapters[key])  # results.json names the VMS behind the exports
    return _adapters[key]


def vms_adapter(run: Any) -> VmsAdapter:
    """The target's VMS adapter; not_applicable when the target declares none."""
    vms = getattr(run.target, "vms", None)
    if vms is None:
        not_applicable("the target declares no VMS (vms: section or simulator ready file)")
    return adapter_for(vms, run.timeout)


def find_camera(device: Any, adapter: VmsAdapter) -> VmsCamera | None:
    """The VMS's camera for this device: same ONVIF URL, else same name (cached)."""

    def find() -> VmsCamera | None:
        cameras = adapter.list_cameras()
        url = device.device.onvif_url
        return next((c for c in cameras if c.onvif_url == url), None) or next(
            (c for c in cameras if c.name == device.device.name), None
        )

    return device.cached("export:camera", find)


def vms_camera(device: Any, adapter: VmsAdapter) -> VmsCamera:
    """The VMS's camera for this device; not_applicable when the VMS does not record it."""
    camera = find_camera(device, adapter)
    if camera is None:
        not_applicable(f"the VMS does not record {device.device.name}")
    return camera


@dataclass
class ExportRun:
    """One export job and what came of it."""

    request: ExportRequest
    job_id: str
    state: str
    error: str
    elapsed_s: float
    """From the create request to the job seen done."""
    wall: tuple[datetime, datetime]
    """Suite clock (UTC) just before the request and just after the job was done."""
    files: dict[str, bytes] = field(default_factory=dict)
    facts: list[MediaFacts] = field(default_factory=list)
    directory: Path | None = None
    search: RecordingSearch | None = None
    transcript: list[Any] = field(default_factory=list)
    """The REST exchanges with the VMS for this export (search to download and audit query)."""
    audit: list[dict[str, Any]] | None = None
    """The VMS's audit entries from just before the request, read after the download."""
    audit_asked: str = ""
    audit_error: str = ""
    _zip: bytes | None = field(default=None, repr=False)

    @property
    def media_s(self) -> float:
        return (self.request.end - self.request.start).total_seconds() * len(
            self.request.camera_ids
        )

    def manifest(self) -> dict[str, Any] | None:
        """The package's manifest when it is a JSON object with a file list."""
        import json

        try:
            manifest = json.loads(self.files.get("manifest.json") or b"null")
        except ValueError:
            return None
        return manifest if isinstance(manifest, dict) else None

    def attach_to(self, evidence: Any) -> None:
        """The VMS's own bytes behind a verdict on this export (called by the plugin for every
        check that read it): REST transcript, audit entries, manifest, file list and the
        package itself (export_evidence.py)."""
        from conformance.suites.export.export_evidence import attach_export

        attach_export(self, evidence)

    def cached_zip(self, files: dict[str, bytes], build: Any) -> bytes:
        """The package zip, built once however many verdicts attach it."""
        if self._zip is None:
            self._zip = build(files)
        return self._zip

    def facts_for(self, camera_id: str, manifest: dict[str, Any] | None) -> list[MediaFacts]:
        """Media files attributed to ``camera_id`` by the manifest (all media without one)."""
        if not manifest:
            return list(self.facts)
        paths = {
            f.get("path") for f in manifest.get("files", []) if f.get("camera_id") == camera_id
        }
        return [f for f in self.facts if f.path in paths]


def latest_recorded(adapter: VmsAdapter, camera_id: str) -> datetime | None:
    """End of the newest recording of ``camera_id`` within CLOCK_HORIZON of the suite's clock."""
    now = datetime.now(UTC)
    found = adapter.search_recordings(camera_id, now - CLOCK_HORIZON, now + CLOCK_HORIZON)
    return max((s.end for s in found.segments), default=None)


def recorded_range(
    adapter: VmsAdapter, camera_id: str, duration_s: float, timeout_s: float
) -> tuple[datetime, datetime, RecordingSearch]:
    """The latest ``duration_s`` the VMS has recorded without a gap, waiting (bounded) for it.

    Anchored on the newest recording the VMS holds, not on the suite's clock: a camera whose
    clock is wrong records under its own times, which is a finding of the time requirements, not
    a reason to find no recording at all.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        now = datetime.now(UTC)
        latest = adapter.search_recordings(camera_id, now - CLOCK_HORIZON, now + CLOCK_HORIZON)
        end = (max(s.end for s in latest.segments) if latest.segments else now) - timedelta(
            seconds=SETTLE_S
        )
        start = end - timedelta(seconds=duration_s)
        found = adapter.search_recordings(camera_id, start - timedelta(seconds=1), end)
        if found.segments and min(s.start for s in found.segments) <= start and not found.gaps:
            return start, end, found
        if time.monotonic() > deadline:
            have = (
                (end - min(s.start for s in found.segments)).total_seconds()
                if found.segments
                else 0
            )
            raise Inconclusive(
                f"the VMS holds {have:.1f} s of recording of {camera_id}, "
                f"{duration_s:.0f} s needed (waited {timeout_s:.0f} s)"
            )
        time.sleep(0.5)


def run_export(
    adapter: VmsAdapter,
    camera_ids: tuple[str, ...],
    start: datetime,
    end: datetime,
    job_timeout_s: float,
    search: RecordingSearch | None = None,
    mark: int | None = None,
) -> ExportRun:
    """Create the job, wait for it (bounded), download and probe the package, then read the
    VMS's audit log; the REST transcript runs from ``mark`` (taken before the caller's recording
    search) or from the request."""
    recorder = adapter.recorder
    if mark is None and recorder is not None:
        mark = recorder.mark()
    request = ExportRequest(
        camera_ids, start, end, OPERATOR, "conformance test export", CASE_REFERENCE
    )
    before = datetime.now(UTC)
    started = time.monotonic()
    job_id = adapter.create_export(request)
    status = adapter.wait_for_export(job_id, job_timeout_s)
    elapsed = time.monotonic() - started
    run = ExportRun(
        request, job_id, status.state, status.error, elapsed, (before, datetime.now(UTC)),
        search=search,
    )  # fmt: skip
    try:
        if status.state != "done":
            return run
        directory = Path(tempfile.mkdtemp(prefix="cctv-export-"))
        try:
            package = adapter.download_export(job_id, directory)
            for name in package.files:
                run.files[name] = (directory / name).read_bytes()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        run.facts = [
            probe(n, d) for n, d in sorted(run.files.items()) if n.endswith(MEDIA_SUFFIXES)
        ]
        return run
    finally:
        _read_audit(adapter, run)
        if recorder is not None and mark is not None:
            run.transcript = recorder.since(mark)


def _read_audit(adapter: VmsAdapter, run: ExportRun) -> None:
    """The VMS's audit entries since just before the request (evidence on every EXPORT row;
    EXPORT-AUDIT-01 judges them with its own query). Reading the log changes nothing."""
    from conformance.clients.vms import VmsError

    if not adapter.capabilities.audit_log:
        run.audit_error = "the VMS adapter offers no audit log"
        return
    since = run.wall[0] - timedelta(seconds=5)
    run.audit_asked = f"entries since {since.isoformat()}"
    try:
        entries = adapter.audit_log(since=since)
    except VmsError as exc:
        run.audit_error = str(exc)
        return
    run.audit = [
        {"time": e.time.isoformat(), "user": e.user, "action": e.action, "source": e.source,
         "details": e.details}
        for e in entries
    ]  # fmt: skip


def require_done(run: ExportRun) -> None:
    """A failed export job fails every requirement judged on it (with the VMS's reason)."""
    assert run.state == "done", f"export job {run.job_id} {run.state}: {run.error or 'no reason'}"


def single_export(device: Any, adapter: VmsAdapter, duration_s: float, timeout: float):
    """The device's single-camera export of its latest ``duration_s`` of recording."""
    camera = vms_camera(device, adapter)

    def compute() -> ExportRun:
        mark = adapter.recorder.mark() if adapter.recorder is not None else None
        start, end, found = recorded_range(adapter, camera.id, duration_s, duration_s + 10.0)
        return run_export(adapter, (camera.id,), start, end, 30.0 + 4 * duration_s, found, mark)

    return camera, device.cached("export:single", compute)


def warm_single_export(dut: Any) -> ExportRun | None:
    """Prefetch warm-up: the single export, under the key the tests read (``export:single``)."""
    vms = getattr(dut, "vms", None)
    if vms is None:
        return None
    adapter = adapter_for(vms, dut.timeout)
    if find_camera(dut, adapter) is None:
        return None
    return single_export(dut, adapter, SINGLE_S, dut.timeout)[1]
