"""The shared ingest session of the vms-ingest suite: simulated cameras -> VMS -> recordings.

Why one session for all pairs: a VMS records in real time, so the cameras are ingested together
and waited for together (one bounded wait, not one per camera and requirement). The session
starts the simulator in-process (so the suite reads each camera's operation log directly: the
least intrusive way to expose it, no extra endpoint), asks the VMS through its adapter to ingest
every camera, waits (bounded) for capture and for closed recordings, and on close removes the
cameras it added and stops the simulator. It only talks to the VMS through the adapter
interface, so the same code runs against ZoneMinder and the simulator's VMS.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.clients.vms import (
    CaptureStatus,
    IngestCamera,
    RecordingSegment,
    VmsAdapter,
    VmsError,
    make_adapter,
)
from conformance.vms_target import remember_identity

NAME_PREFIX = "cctv-"


def _with_credentials(url: str, username: str, password: str) -> str:
    """The camera's URL with its test credentials (for the suite's own RTSP client only)."""
    from urllib.parse import quote

    parts = urlsplit(url)
    auth = f"{quote(username, safe='')}:{quote(password, safe='')}@"
    return parts._replace(netloc=auth + parts.netloc).geturl()


@dataclass
class CameraIngest:
    """What happened to one camera: the evidence every requirement of the pair is judged on."""

    camera: Any  # fake_vms.site.CameraConfig
    ready: dict[str, Any]
    transport: str
    vms_id: str | None = None
    error: VmsError | None = None
    added_at: datetime | None = None
    connected_at: datetime | None = None
    statuses: list[CaptureStatus] = field(default_factory=list)
    segments: list[RecordingSegment] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)
    onvif_uris: list[str] = field(default_factory=list)
    """Stream URIs the VMS's own ONVIF probe found (the first is ingested); empty without one."""
    onvif_error: str = ""
    first_seen: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    """Per recording (id, else start): the suite's UTC clock when a search first returned it
    and the end the VMS gave it then. A recording cannot end after it was found: the bound
    that judges the VMS's clock without any frame counter."""
    probe: dict[str, Any] = field(default_factory=dict)
    """Probe level: what the VMS's ONVIF discovery picked (stream, codec, size, main or not)."""
    ingested_by: str = "url"
    """How the stream the VMS ingests was chosen: ``onvif probe`` (its pick was the camera's
    main stream) or ``url`` (the main stream's URL given by hand: no probe, or the probe picked
    another stream, which the probe level reports)."""
    ingested_stream: str = "/stream1"
    recovery: Any = None
    """The dropout stimulus's result (suites/vms_ingest/recovery.py), once it ran."""
    reference: Any = None
    """The suite's reference capture of the camera's stream (continuity.py), when judged."""
    continuity: list[RecordingSegment] = field(default_factory=list)
    """Consecutive closed recordings spanning the continuity window, once collected."""
    asked_at: datetime | None = None
    """When the suite first asked the VMS about the camera (its probe, else its ingest)."""
    camera_sessions: list[dict[str, Any]] | None = None
    """The camera's own RTSP session list after the wait (None: not available, see below)."""
    sessions_error: str = ""

    def stand_in(self) -> dict[str, Any]:
        """What the served camera stands for: the make, model and firmware the site file gives
        it and its main stream's configuration. The planner matches an estate's cameras to a
        (VMS, camera) cell by these (same camera model, else same stream configuration)."""
        camera = self.camera
        return {
            "manufacturer": camera.manufacturer,
            "model": camera.model,
            "firmware": camera.firmware,
            "codec": camera.codec,
            "width": camera.width,
            "height": camera.height,
            "fps": float(camera.fps),
            "transport": self.transport,
            "persona": camera.persona or "",
        }

    @property
    def last_status(self) -> CaptureStatus | None:
        return self.statuses[-1] if self.statuses else None

    def attach_to(self, evidence: Any) -> None:
        """The VMS's own answers every verdict of the pair rests on (called by the plugin for
        each test that uses this ingest): its capture statuses and the recordings it listed."""
        evidence.attach_json(
            "vms-ingest",
            {
                "camera": getattr(self.camera, "name", str(self.camera)),
                "vms_id": self.vms_id,
                "transport": self.transport,
                "error": str(self.error) if self.error else None,
                "capture_statuses": [getattr(s, "__dict__", str(s)) for s in self.statuses],
                "recordings": [getattr(s, "__dict__", str(s)) for s in self.segments],
                "onvif_probe_stream_uris": self.onvif_uris,
            },
        )


def segment_key(segment: RecordingSegment) -> str:
    """A recording's identity across searches: its id, else its start."""
    return segment.recording_id or segment.start.isoformat()


def probe_pick(camera: Any, uris: list[str], error: str = "") -> dict[str, Any]:
    """Probe level: which of the camera's streams the VMS's ONVIF discovery picked (its first
    URI), with that stream's codec and size from the camera's stream catalogue. Separate from
    the ingest level: a VMS whose probe misses the main stream may still ingest it by URL."""
    from fake_vms.media.streams import MAIN_STREAM, camera_streams, media1_stream

    if not uris:
        return {"picks": None, "detail": f"no ONVIF probe: {error}" if error else "no URI"}
    path = urlsplit(uris[0]).path
    name = path.rsplit("/", 1)[-1]
    streams = camera_streams(camera)
    quirky = name == media1_stream(camera)
    width, height = camera.stream_size if quirky else (camera.width, camera.height)
    codec = streams.get(name)
    return {
        "picks": path,
        "codec": codec,
        "size": f"{width}x{height}" if codec else None,
        "main_stream": name == MAIN_STREAM,
        "main_codec": streams[MAIN_STREAM],
    }


class IngestSession:
    """Cameras served by the simulator and ingested by the VMS, for the whole test session."""

    def __init__(
        self, vms: Any, site_file: Path, timeout_s: float, params: dict[str, dict]
    ) -> None:
        """``vms`` is the target's resolved VMS (conformance.vms_target.VmsConfig)."""
        from fake_vms.host import SimulatorThread
        from fake_vms.site import load_site

        self.vms = vms
        options = {k: v for k, v in vms.options.items() if k != "name"}
        self.adapter: VmsAdapter = make_adapter(
            vms.adapter, vms.url, vms.username, vms.password, timeout_s=timeout_s, **options
        )
        self.params = params
        udp = str(params.get("VMS-CONNECT-01", {}).get("udp_cameras", ""))
        self.udp_cameras = {name.strip() for name in udp.split(",") if name.strip()}
        self.site = load_site(site_file)
        self.simulator = SimulatorThread(self.site)
        self.cameras: dict[str, CameraIngest] = {}
        self.version = ""
        self.work = Path(tempfile.mkdtemp(prefix="vms-ingest-"))
        self.started = datetime.now(UTC)
        self.error: VmsError | None = None
        self._recovery_done = False
        self._continuity_done = False
        self._viewer: dict[str, Any] = {}
        self.clock: Any = None
        """The clock stimulus (clock.py) when the profile has VMS-CLOCK-01."""

    # -- lifecycle ---------------------------------------------------------------------------
    def open(self) -> IngestSession:
        ready = self.simulator.start()
        by_name = {d["name"]: d for d in ready["devices"]}
        try:
            self.version = self.adapter.version()
            remember_identity(self.vms, self.adapter)
            self._remove_leftovers()
        except VmsError as exc:
            self.error = exc
            return self
        for camera in self.site.cameras:
            entry = by_name[camera.name]
            transport = "udp" if camera.name in self.udp_cameras else "tcp"
            ingest = CameraIngest(camera, entry, transport)
            self.cameras[camera.name] = ingest
            if "VMS-CONTINUITY-01" in self.params:
                from conformance.suites.vms_ingest.continuity import ReferenceCapture

                main = f"rtsp://127.0.0.1:{entry['rtsp_port']}/stream1"
                ingest.reference = ReferenceCapture(
                    _with_credentials(main, entry["username"], entry["password"])
                )
                ingest.reference.start()
            spec = IngestCamera(
                name=NAME_PREFIX + camera.name,
                rtsp_url=f"rtsp://127.0.0.1:{entry['rtsp_port']}/stream1",
                username=entry["username"],
                password=entry["password"],
                onvif_url=entry["onvif_url"],
                width=camera.width,
                height=camera.height,
                fps=float(camera.fps),
                transport=ingest.transport,
            )
            ingest.asked_at = datetime.now(UTC)
            try:
                ingest.onvif_uris = self.adapter.probe_onvif(spec)
            except VmsError as exc:  # optional: the RTSP URL is then given directly
                ingest.onvif_error = str(exc)
            ingest.probe = probe_pick(camera, ingest.onvif_uris, ingest.onvif_error)
            if ingest.probe.get("main_stream"):
                spec = replace(spec, rtsp_url=ingest.onvif_uris[0])
                ingest.ingested_by = "onvif probe"
            try:
                ingest.vms_id = self.adapter.add_camera(spec)
                ingest.added_at = datetime.now(UTC)
            except VmsError as exc:
                ingest.error = exc
        if "VMS-CLOCK-01" in self.params:
            from conformance.suites.vms_ingest.clock import ClockStimulus

            offset = float(self.params["VMS-CLOCK-01"].get("camera_offset_s", 600.0))
            self.clock = ClockStimulus(self, offset)
            self.clock.start()
        self._wait()
        self._read_camera_sessions()
        return self

    def close(self) -> None:
        """Remove the cameras, stop the simulator and delete the downloads (about 17 MB a run
        against ZoneMinder): nothing of the run is left in the temp directory."""
        try:
            if self._viewer.get("name"):
                with contextlib.suppress(VmsError):
                    self.adapter.delete_user(self._viewer["name"])
            if self.clock is not None:
                self.clock.close()
            for ingest in self.cameras.values():
                if ingest.reference is not None:
                    ingest.reference.stop()
            for ingest in self.cameras.values():
                if ingest.vms_id is not None:
                    with contextlib.suppress(VmsError):
                        self.adapter.remove_camera(ingest.vms_id)
            self.simulator.stop()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def _read_camera_sessions(self) -> None:
        """Each camera's session list, read once the VMS has been streaming for a while."""
        from conformance.clients.camera_sessions import SessionsUnavailable, fetch_sessions

        for ingest in self.cameras.values():
            try:
                found = fetch_sessions(
                    str(ingest.ready.get("rtsp_sessions_url") or ""),
                    ingest.ready["username"],
                    ingest.ready["password"],
                )
                ingest.camera_sessions = [s.to_dict() for s in found]
            except SessionsUnavailable as exc:
                ingest.sessions_error = str(exc)

    def _remove_leftovers(self) -> None:
        """Cameras a crashed earlier run left behind (by this suite's name prefix)."""
        with contextlib.suppress(Exception):
            for camera in self.adapter.list_cameras():
                if camera.name.startswith(NAME_PREFIX):
                    self.adapter.remove_camera(camera.id)

    # -- waiting (bounded) -------------------------------------------------------------------
    def _wait(self) -> None:
        """Poll capture status and recordings until each camera has enough, or time runs out."""
        connect_timeout = float(self.params.get("VMS-CONNECT-01", {}).get("connect_timeout_s", 30))
        record_timeout = float(self.params.get("VMS-REC-01", {}).get("record_timeout_s", 60))
        deadline = time.monotonic() + connect_timeout + record_timeout
        pending = {n for n, c in self.cameras.items() if c.vms_id is not None}
        while pending and time.monotonic() < deadline:
            for name in sorted(pending):
                ingest = self.cameras[name]
                try:
                    self._poll(ingest, connect_timeout)
                except VmsError as exc:
                    ingest.error = exc
                    pending.discard(name)
                    continue
                if len(ingest.segments) >= 2 or self._given_up(ingest, connect_timeout):
                    pending.discard(name)
            time.sleep(1.0)

    def _given_up(self, ingest: CameraIngest, connect_timeout: float) -> bool:
        if ingest.connected_at is not None or ingest.added_at is None:
            return False
        return (datetime.now(UTC) - ingest.added_at).total_seconds() > connect_timeout

    def _poll(self, ingest: CameraIngest, connect_timeout: float) -> None:
        assert ingest.vms_id is not None
        status = self.adapter.capture_status(ingest.vms_id)
        ingest.statuses.append(status)
        if status.connected and ingest.connected_at is None:
            ingest.connected_at = datetime.now(UTC)
        if ingest.connected_at is not None and ingest.added_at is not None:
            # Up to a minute ahead of the suite's clock: a VMS whose clock is ahead stamps its
            # recordings in the future, and they must be seen as soon as they exist.
            found = self.adapter.search_recordings(
                ingest.vms_id,
                ingest.added_at - timedelta(seconds=5),
                datetime.now(UTC) + timedelta(seconds=60),
            )
            seen = datetime.now(UTC)
            ingest.segments = sorted(found.segments, key=lambda s: s.start)
            for seg in ingest.segments:
                ingest.first_seen.setdefault(segment_key(seg), (seen, seg.end))

    # -- what the tests read -----------------------------------------------------------------
    def viewer(self) -> tuple[VmsAdapter | None, str]:
        """Once: a viewer-only account on the VMS (deleted at close) and an adapter logged in
        as it; (None, reason) when the VMS's adapter cannot create accounts."""
        if "viewer" not in self._viewer:
            import secrets

            from conformance.clients.vms import VmsUnsupported

            name, password = f"{NAME_PREFIX}viewer", "V" + secrets.token_urlsafe(12)
            try:
                with contextlib.suppress(VmsError):
                    self.adapter.delete_user(name)  # a crashed run's leftover
                self.adapter.create_viewer(name, password)
                self._viewer["name"] = name
                options = {k: v for k, v in self.vms.options.items() if k != "name"}
                self._viewer["viewer"] = make_adapter(
                    self.vms.adapter, self.vms.url, name, password,
                    timeout_s=self.adapter.timeout_s, **options,
                )  # fmt: skip
            except VmsUnsupported as exc:
                self._viewer["viewer"], self._viewer["reason"] = None, str(exc)
        return self._viewer["viewer"], self._viewer.get("reason", "")

    def collect_continuity(self) -> None:
        """Once: wait (bounded) until every camera has consecutive closed recordings spanning
        the continuity window, then stop the reference captures (VMS-CONTINUITY-01)."""
        if self._continuity_done or "VMS-CONTINUITY-01" not in self.params:
            return
        self._continuity_done = True
        from conformance.suites.vms_ingest.continuity import collect_window

        params = self.params["VMS-CONTINUITY-01"]
        collect_window(self, float(params["continuity_s"]), float(params["record_timeout_s"]))

    def recovery(self, dropout_s: float, wait_s: float) -> None:
        """Run the dropout stimulus once for every camera (VMS-RECOVERY-01), after the
        continuity window is collected (the dropout would break it)."""
        self.collect_continuity()
        if not self._recovery_done:
            self._recovery_done = True
            from conformance.suites.vms_ingest.recovery import drop_out_all

            drop_out_all(self, dropout_s, wait_s)

    def operations(self, camera: str) -> list[dict[str, Any]]:
        """The camera's operation log (ONVIF and RTSP operations it served, in order), from
        when the VMS was asked to probe or add it: earlier ones are the suite's own."""
        ingest = self.cameras.get(camera)
        since = ingest.asked_at.timestamp() if ingest and ingest.asked_at else 0.0
        return [o for o in self.simulator.host.oplog.as_dicts(camera) if o["time"] >= since]

    def download(self, ingest: CameraIngest) -> Path:
        """The first closed recording, downloaded once (cached for the other requirements)."""
        if "download" not in ingest.cache:
            folder = self.work / ingest.camera.name / "download"
            ingest.cache["download"] = self.adapter.download_recording(ingest.segments[0], folder)
        return ingest.cache["download"]
