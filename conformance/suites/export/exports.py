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

from conformance.checks.export import parse_utc
from conformance.checks.export_alignment import (
    Alignment,
    align,
    aligned_span,
    file_hints,
    reference_times,
)
from conformance.clients.export_media import MediaFacts, probe
from conformance.clients.vms import (
    ExportRequest,
    RecordingSearch,
    RecordingSegment,
    VmsAdapter,
    VmsCamera,
)
from conformance.outcomes import Inconclusive, not_applicable

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
        check that read it): its small text files (manifest, signature, public key) as
        received, and the list of every file with its size and SHA-256 (media files are too
        large to copy into each requirement's evidence)."""
        import hashlib

        for name, data in sorted(self.files.items()):
            if len(data) <= 256 * 1024 and not name.endswith(MEDIA_SUFFIXES):
                evidence.attach_text(f"export-{name}", data.decode("utf-8", errors="replace"))
        evidence.attach_json(
            "export-package",
            {
                "job_id": self.job_id,
                "state": self.state,
                "error": self.error,
                "files": {
                    n: {"bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                    for n, d in sorted(self.files.items())
                },
            },
        )

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
) -> ExportRun:
    """Create the job, wait for it (bounded), download and probe the package."""
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
    if status.state != "done":
        return run
    directory = Path(tempfile.mkdtemp(prefix="cctv-export-"))
    try:
        package = adapter.download_export(job_id, directory)
        for name in package.files:
            run.files[name] = (directory / name).read_bytes()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    run.facts = [probe(n, d) for n, d in sorted(run.files.items()) if n.endswith(MEDIA_SUFFIXES)]
    return run


def require_done(run: ExportRun) -> None:
    """A failed export job fails every requirement judged on it (with the VMS's reason)."""
    assert run.state == "done", f"export job {run.job_id} {run.state}: {run.error or 'no reason'}"


def single_export(device: Any, adapter: VmsAdapter, duration_s: float, timeout: float):
    """The device's single-camera export of its latest ``duration_s`` of recording."""
    camera = vms_camera(device, adapter)

    def compute() -> ExportRun:
        start, end, found = recorded_range(adapter, camera.id, duration_s, duration_s + 10.0)
        return run_export(adapter, (camera.id,), start, end, 30.0 + 4 * duration_s, found)

    return camera, device.cached("export:single", compute)


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


def warm_single_export(dut: Any) -> ExportRun | None:
    """Prefetch warm-up: the single export, under the key the tests read (``export:single``)."""
    vms = getattr(dut, "vms", None)
    if vms is None:
        return None
    adapter = adapter_for(vms, dut.timeout)
    if find_camera(dut, adapter) is None:
        return None
    return single_export(dut, adapter, SINGLE_S, dut.timeout)[1]
