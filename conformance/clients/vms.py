"""The VMS adapter interface: how the suite talks to a VMS's search, export and audit API.

Why an adapter and not one client: every VMS (Milestone, Genetec, ZoneMinder, Avigilon, ...) has its
own export API, and none of them is standardised. The export suite only needs a handful of
operations, so a supplier writes a small adapter mapping them onto their product's API and the
suite judges the *result* (the export package), never the API style.

Writing an adapter (for suppliers)
----------------------------------
Subclass :class:`VmsAdapter` and implement every abstract method. Rules:

* **Times are UTC.** Every ``datetime`` passed in or returned is timezone-aware UTC. Convert from
  your product's local time inside the adapter; the suite checks that the *package* carries UTC,
  so do not "fix" package contents in the adapter.
* **Bounded.** Every network call must have a timeout (``self.timeout_s``). Never block forever:
  raise :class:`VmsTimeout` instead.
* **Classify errors.** Raise :class:`VmsApiError` when the VMS answered with an error (the suite
  reports a *fail*), :class:`VmsUnreachable`/:class:`VmsTimeout` when it could not be reached (the
  suite reports *inconclusive*), :class:`VmsUnsupported` for an operation your product does not
  offer (the suite reports *not applicable* / *not claimed*).
* **No state changes beyond the export.** ``create_export`` is the only operation that changes
  state (it creates a job and an audit entry); the catalogue marks those tests intrusive.
* **Package as files.** ``download_export`` writes the package into a directory you are given and
  returns an :class:`ExportPackage` that lists the files. If your product produces one archive,
  unpack it there. Do not modify files: the suite verifies hashes and signatures on what you wrote.
* **Capabilities.** Set :attr:`VmsAdapter.capabilities` honestly: a flag that is ``False`` makes
  the dependent requirements *not claimed* instead of failed.

Register the adapter in :data:`ADAPTERS` (or an entry point later) under a short name; target files
select it with ``vms: {adapter: <name>, url: ..., credentials: ...}``. See docs/vms-adapters.md.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

JobState = Literal["queued", "running", "done", "failed"]


class VmsError(Exception):
    """Base of every classified failure talking to a VMS."""


class VmsApiError(VmsError):
    """The VMS answered, with an error or a malformed reply (a device fault: *fail*)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class VmsUnreachable(VmsError):
    """The VMS could not be reached (network or connection refused: *inconclusive*)."""


class VmsTimeout(VmsError):
    """A bounded wait expired (the VMS did not answer or the job did not finish in time)."""


class VmsUnsupported(VmsError):
    """The product does not offer this operation (*not applicable*)."""


@dataclass(frozen=True)
class VmsCapabilities:
    """What the VMS says it can do; ``False`` makes dependent requirements *not claimed*."""

    multi_camera_export: bool = True
    signed_manifest: bool = True
    audit_log: bool = True
    native_export: bool = True
    """Exported media is the recorded bitstream (no transcoding)."""
    onvif_export_format: bool = False
    """The package's media is in the ONVIF Export File Format (suep/oeff boxes)."""
    ingest: bool = False
    """The adapter can add/remove cameras and report capture status (the vms-ingest profile)."""


@dataclass(frozen=True)
class VmsCamera:
    """One camera as the VMS knows it (identity is what an evidence package must carry)."""

    id: str
    name: str
    manufacturer: str = ""
    model: str = ""
    serial: str = ""
    mac: str = ""
    onvif_url: str = ""


@dataclass(frozen=True)
class RecordingSegment:
    """A continuous span of recorded media for one camera (UTC, half-open ``[start, end)``)."""

    camera_id: str
    start: datetime
    end: datetime
    recording_id: str = ""
    """The VMS's id of the recording (event, clip) holding this span, when it has one."""
    frames: int | None = None
    """Frames the VMS says the recording holds, when it says."""
    width: int | None = None
    """Picture size and frame rate the VMS states for the recording (its own metadata, as
    shown to an operator), when it states them; VMS-META-01 compares them with the file."""
    height: int | None = None
    fps: float | None = None


@dataclass(frozen=True)
class IngestCamera:
    """A camera the suite asks the VMS to ingest (the vms-ingest profile).

    ``password`` is the simulator's test credential; adapters must never log it or a URL that
    embeds it (use :func:`conformance.redaction` helpers).
    """

    name: str
    rtsp_url: str
    username: str = ""
    password: str = ""
    onvif_url: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    transport: str = "tcp"
    """RTP transport the VMS should use: ``tcp`` (interleaved) or ``udp``."""


@dataclass(frozen=True)
class CaptureStatus:
    """Whether the VMS is receiving a camera's stream, and at what rate it says it captures."""

    camera_id: str
    connected: bool
    capture_fps: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class RecordingSearch:
    """Result of a search: what is recorded in the range and where the holes are."""

    camera_id: str
    segments: tuple[RecordingSegment, ...]
    gaps: tuple[tuple[datetime, datetime], ...]


@dataclass(frozen=True)
class ExportRequest:
    """An export job request: cameras, a UTC range, and who asks and why (for the audit trail)."""

    camera_ids: tuple[str, ...]
    start: datetime
    end: datetime
    operator: str
    reason: str = ""
    case_reference: str = ""


@dataclass(frozen=True)
class ExportStatus:
    """Where an export job is; ``progress`` is 0.0..1.0 when known."""

    job_id: str
    state: JobState
    progress: float | None = None
    error: str = ""


@dataclass(frozen=True)
class ExportPackage:
    """A downloaded export package: a directory and the files in it (relative POSIX paths)."""

    job_id: str
    directory: Path
    files: tuple[str, ...]
    manifest: str | None = None
    """Relative path of the manifest, if the adapter can tell which file it is."""
    signature: str | None = None
    """Relative path of the detached signature over the manifest, if any."""
    public_key: str | None = None
    """Relative path of the signer's public key or certificate shipped in the package, if any."""


@dataclass(frozen=True)
class AuditEntry:
    """One audit record: who did what, when, from where."""

    time: datetime
    user: str
    action: str
    source: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class VmsAdapter(abc.ABC):
    """The operations the export suite needs from a VMS. Implementations must be bounded."""

    name: str = "abstract"
    capabilities: VmsCapabilities = VmsCapabilities()
    timeout_s: float = 10.0
    recorder: Any = None
    """A :class:`conformance.clients.vms_transcript.RestRecorder` of the adapter's REST
    exchanges, when it keeps one (the export evidence attaches the transcript)."""

    @abc.abstractmethod
    def list_cameras(self) -> list[VmsCamera]:
        """Every camera the VMS records."""

    @abc.abstractmethod
    def search_recordings(self, camera_id: str, start: datetime, end: datetime) -> RecordingSearch:
        """Recorded segments and gaps of one camera within ``[start, end)`` (UTC)."""

    @abc.abstractmethod
    def create_export(self, request: ExportRequest) -> str:
        """Start an export job and return its id (must return promptly; export runs async)."""

    @abc.abstractmethod
    def export_status(self, job_id: str) -> ExportStatus:
        """Current state of an export job."""

    @abc.abstractmethod
    def download_export(self, job_id: str, directory: Path) -> ExportPackage:
        """Write the finished job's package into ``directory`` (unpacked) and list it."""

    @abc.abstractmethod
    def audit_log(self, since: datetime | None = None) -> list[AuditEntry]:
        """Audit entries (oldest first), optionally only those at or after ``since``."""

    # -- ingest (optional: capabilities.ingest) -- the VMS as the cameras' client ------------
    def version(self) -> str:
        """Product and version, e.g. ``ZoneMinder 1.36.33`` (reported with every run)."""
        return self.name

    def identity(self) -> tuple[str, str]:
        """Product and version apart (results.json's ``vms`` section); from :meth:`version`
        unless the adapter knows them separately."""
        product, _, number = self.version().partition(" ")
        return product, number

    def add_camera(self, camera: IngestCamera, record: bool = True) -> str:
        """Have the VMS ingest (and record) a camera; return the VMS's camera id."""
        raise VmsUnsupported(f"{self.name}: adding cameras is not supported")

    def remove_camera(self, camera_id: str) -> None:
        """Remove a camera added with :meth:`add_camera` (its recordings may go with it)."""
        raise VmsUnsupported(f"{self.name}: removing cameras is not supported")

    def capture_status(self, camera_id: str) -> CaptureStatus:
        """Is the VMS receiving the camera's stream, and at what frame rate."""
        raise VmsUnsupported(f"{self.name}: capture status is not supported")

    def probe_onvif(self, camera: IngestCamera) -> list[str]:
        """The camera's stream URIs as the VMS's own ONVIF client finds them (its "ONVIF probe":
        GetServices/GetCapabilities, GetProfiles, GetStreamUri); the suite then ingests by them."""
        raise VmsUnsupported(f"{self.name}: no ONVIF probe")

    def download_recording(self, segment: RecordingSegment, directory: Path) -> Path:
        """Download one recording (as found by :meth:`search_recordings`) as its native file."""
        raise VmsUnsupported(f"{self.name}: downloading a single recording is not supported")

    def create_viewer(self, username: str, password: str) -> None:
        """Create an account that may view and search recordings but has no export right (the
        product's least role that can see footage); VMS-EXPORT-ROLE-01 then tries an export
        with it. ``password`` is a test credential: never log it."""
        raise VmsUnsupported(f"{self.name}: creating accounts is not supported")

    def delete_user(self, username: str) -> None:
        """Delete an account made by :meth:`create_viewer`."""
        raise VmsUnsupported(f"{self.name}: deleting accounts is not supported")

    def public_keys(self) -> list[bytes]:
        """The VMS's published signing keys/certificates (PEM); empty when it publishes none."""
        return []

    def wait_for_export(
        self,
        job_id: str,
        timeout_s: float,
        poll_s: float = 0.1,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> ExportStatus:
        """Poll until the job is done or failed; raise :class:`VmsTimeout` after ``timeout_s``."""
        import time

        sleep = sleep or time.sleep
        clock = clock or time.monotonic
        deadline = clock() + timeout_s
        while True:
            status = self.export_status(job_id)
            if status.state in ("done", "failed"):
                return status
            if clock() >= deadline:
                raise VmsTimeout(
                    f"export job {job_id} still {status.state} after {timeout_s:.0f} s"
                )
            sleep(poll_s)


AdapterFactory = Callable[..., VmsAdapter]
ADAPTERS: dict[str, str] = {
    "fake-vms": "conformance.clients.vms_fakevms:FakeVmsAdapter",
    "zoneminder": "conformance.clients.vms_zoneminder:ZoneMinderAdapter",
}
"""Adapter name -> ``module:Class``; imported lazily so an adapter's dependencies stay optional."""


def adapter_class(name: str) -> type[VmsAdapter]:
    """Resolve an adapter name from a target file to its class."""
    import importlib

    try:
        target = ADAPTERS[name]
    except KeyError:
        known = ", ".join(sorted(ADAPTERS))
        raise ValueError(f"unknown VMS adapter {name!r} (known: {known})") from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, VmsAdapter)):
        raise TypeError(f"{target} is not a VmsAdapter")
    return cls


def make_adapter(name: str, url: str, username: str, password: str, **options: Any) -> VmsAdapter:
    """Build the adapter a target file names (``options`` are adapter-specific)."""
    return adapter_class(name)(url=url, username=username, password=password, **options)


__all__: Sequence[str] = (
    "ADAPTERS",
    "AuditEntry",
    "CaptureStatus",
    "ExportPackage",
    "ExportRequest",
    "ExportStatus",
    "IngestCamera",
    "RecordingSearch",
    "RecordingSegment",
    "VmsAdapter",
    "VmsApiError",
    "VmsCamera",
    "VmsCapabilities",
    "VmsError",
    "VmsTimeout",
    "VmsUnreachable",
    "VmsUnsupported",
    "adapter_class",
    "make_adapter",
)
