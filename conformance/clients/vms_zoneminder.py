"""ZoneMinder 1.36 behind the VMS adapter interface (:mod:`conformance.clients.vms`).

Note on the interface (proposal, applied in vms.py): the export interface served only "search and
export". For the vms-ingest profile the suite must also make the VMS the cameras' client, so
:class:`~conformance.clients.vms.VmsAdapter` gained *optional* ingest operations (``version``,
``add_camera``, ``remove_camera``, ``capture_status``, ``download_recording``) that default to
:class:`VmsUnsupported`, a ``capabilities.ingest`` flag, and ``recording_id``/``frames`` on
:class:`RecordingSegment` (a VMS names its recordings; the suite downloads them by that name).
Nothing ZoneMinder-specific leaks into the suites: sections, zones, tokens, CakePHP paths and
the zip export stay in this module.

The simulator's VMS (fake_vms/vms, conformance/clients/vms_fakevms.py) implements the same
ingest operations (a site with ``vms: {ingest: true}``: an FFmpeg capture thread per camera,
clips like ZoneMinder's events, an ONVIF probe), so a vms-ingest run against it and against
ZoneMinder uses the same suite code; it is the second VMS of the compatibility matrix.

ZoneMinder facts used here (``shared/research/zoneminder-as-vms.md``): token auth on every
surface (``?token=``); ``POST /api/monitors.json`` answers only ``{"message":"Saved"}`` so the new
monitor is looked up by name; ``Monitor_Status`` carries ``Status`` and ``CaptureFPS``; events
are the recordings (closed ones have ``EndDateTime``); ``view=view_video`` returns the event's mp4
byte for byte; the zip export is two web calls (``request=event&action=download`` then
``view=archive``). Times are in the server's time zone (``host/getTimeZone.json``): converted
to UTC here.

The camera's RTSP URL carries the simulator's test credentials (``rtsp://user:pass@...``):
it is sent to ZoneMinder, which needs it, and never logged or put in an error message.
"""

from __future__ import annotations

import io
import secrets
import shutil
import subprocess
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

import requests

from conformance.clients.vms import (
    AuditEntry,
    CaptureStatus,
    ExportPackage,
    ExportRequest,
    ExportStatus,
    IngestCamera,
    RecordingSearch,
    RecordingSegment,
    VmsAdapter,
    VmsApiError,
    VmsCamera,
    VmsCapabilities,
    VmsTimeout,
    VmsUnreachable,
    VmsUnsupported,
)
from conformance.clients.vms_transcript import RestRecorder
from conformance.clients.vms_zoneminder_util import (  # noqa: F401 - re-exported
    as_int,
    gaps_between,
    log_entry,
    query_pairs,
    redact_url,
    wait_connected,
    with_credentials,
)

ZM_TIME = "%Y-%m-%d %H:%M:%S"
LOG_PAGES = 20
"""At most this many pages of 100 log rows are read back to ``since`` (bounded)."""


class ZoneMinderAdapter(VmsAdapter):
    """ZoneMinder 1.36's REST API (CakePHP) and web endpoints, with token auth."""

    name = "zoneminder"
    capabilities = VmsCapabilities(
        multi_camera_export=True,
        signed_manifest=False,
        audit_log=True,
        native_export=True,
        onvif_export_format=False,
        ingest=True,
    )

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        timeout_s: float = 10.0,
        section_length_s: int = 10,
        **_options: Any,
    ) -> None:
        self.base = url.rstrip("/")
        self.username = username
        self._password = password
        self.timeout_s = timeout_s
        self.section_length_s = section_length_s
        self._session = requests.Session()
        self.recorder = RestRecorder()
        self.recorder.install(self._session)
        self._token: str | None = None
        self._tz: ZoneInfo | None = None
        self._exports: dict[str, str] = {}
        self._version = ""

    # -- transport ---------------------------------------------------------------------------
    def _login(self) -> str:
        answer = self._request(
            "POST",
            f"{self.base}/api/host/login.json",
            data={"user": self.username, "pass": self._password},
            auth=False,
        ).json()
        token = answer.get("access_token")
        if not token:
            raise VmsApiError(f"login gave no access token: {str(answer)[:200]}")
        self._token = token
        self._version = f"ZoneMinder {answer.get('version')} (API {answer.get('apiversion')})"
        return token

    def _request(
        self, method: str, url: str, auth: bool = True, retry: bool = True, **kwargs: Any
    ) -> requests.Response:
        params = query_pairs(kwargs.pop("params", None))
        if auth:
            # Repeated keys (``eids[]`` of a multi-event export) must all reach ZoneMinder: the
            # query is a list of pairs, never a dict, and an old token is replaced, not added.
            params = [(k, v) for k, v in params if k != "token"]
            params.append(("token", self._token or self._login()))
        try:
            rsp = self._session.request(
                method, url, params=params, timeout=self.timeout_s, allow_redirects=False, **kwargs
            )
        except requests.Timeout:
            raise VmsTimeout(f"{method} {url}: no answer within {self.timeout_s:.0f} s") from None
        except requests.ConnectionError as exc:
            if method != "GET" or not retry:
                raise VmsUnreachable(f"{method} {url}: {type(exc).__name__}") from None
            # A loaded Apache refuses or resets a connection now and then: a read is retried
            # once after a short pause (never a write, which may have been carried out).
            time.sleep(0.5)
            return self._request(method, url, auth=auth, retry=False, params=params, **kwargs)
        if rsp.status_code == 401 and auth and retry:
            self._token = None  # expired or secret changed: log in once more
            return self._request(method, url, auth=auth, retry=False, params=params, **kwargs)
        if rsp.status_code >= 300:
            raise VmsApiError(f"{method} {url}: HTTP {rsp.status_code}", rsp.status_code)
        return rsp

    def _api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        rsp = self._request(method, f"{self.base}/api/{path}", **kwargs)
        if not rsp.content.strip():
            return {}
        try:
            return rsp.json()
        except ValueError:
            raise VmsApiError(f"{method} api/{path}: not JSON ({rsp.text[:80]!r})") from None

    def _timezone(self) -> ZoneInfo:
        if self._tz is None:
            name = self._api("GET", "host/getTimeZone.json").get("tz") or "UTC"
            self._tz = ZoneInfo(name)
        return self._tz

    def _to_utc(self, text: str | None) -> datetime | None:
        if not text:
            return None
        return datetime.strptime(text, ZM_TIME).replace(tzinfo=self._timezone()).astimezone(UTC)

    def _to_zm(self, when: datetime) -> str:
        return when.astimezone(self._timezone()).strftime(ZM_TIME)

    # -- identity and cameras ----------------------------------------------------------------
    def version(self) -> str:
        if not self._version:
            self._login()
        return self._version

    def list_cameras(self) -> list[VmsCamera]:
        monitors = self._api("GET", "monitors.json").get("monitors", [])
        return [VmsCamera(id=str(m["Monitor"]["Id"]), name=m["Monitor"]["Name"]) for m in monitors]

    def add_camera(self, camera: IngestCamera, record: bool = True) -> str:
        fields = {
            "Name": camera.name,
            "Type": "Ffmpeg",
            "Function": "Record" if record else "Monitor",
            "Enabled": "1",
            "Path": with_credentials(camera.rtsp_url, camera.username, camera.password),
            # ZoneMinder's transport is the Method (rtpUni: RTP/UDP unicast; rtpRtsp: RTP
            # interleaved in the RTSP TCP connection). An Options rtsp_transport=udp beside
            # rtpRtsp is overridden: zmc then streams over TCP (seen on 1.36, issue 15).
            "Method": "rtpUni" if camera.transport == "udp" else "rtpRtsp",
            "Options": f"rtsp_transport={'udp' if camera.transport == 'udp' else 'tcp'}",
            "Width": str(camera.width or 1280),
            "Height": str(camera.height or 720),
            "Colours": "4",
            "VideoWriter": "2",  # passthrough: store the camera's bitstream, no re-encode
            "SaveJPEGs": "0",
            "SectionLength": str(self.section_length_s),
            "ONVIF_URL": camera.onvif_url,
        }
        answer = self._api(
            "POST", "monitors.json", data={f"Monitor[{k}]": v for k, v in fields.items()}
        )
        if answer.get("message") != "Saved":
            raise VmsApiError(f"add monitor {camera.name!r}: {str(answer)[:200]}")
        for cam in self.list_cameras():
            if cam.name == camera.name:
                return cam.id
        raise VmsApiError(f"monitor {camera.name!r} was saved but is not listed")

    def probe_onvif(self, camera: IngestCamera) -> list[str]:
        """ZoneMinder's ONVIF probe is a local CLI (``zmonvif-probe.pl profiles``, what its web
        UI's step 2 runs), so it is offered only when ZoneMinder runs on this host."""
        probe = shutil.which("zmonvif-probe.pl")
        host = urlsplit(self.base).hostname or ""
        if probe is None or host not in ("127.0.0.1", "localhost", "::1") or not camera.onvif_url:
            raise VmsUnsupported("ZoneMinder's ONVIF probe runs only on ZoneMinder's own host")
        try:
            done = subprocess.run(
                [probe, "profiles", camera.onvif_url, "1.2", camera.username, camera.password],
                capture_output=True,
                text=True,
                timeout=max(self.timeout_s, 20.0),
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise VmsTimeout("zmonvif-probe.pl did not finish in time") from None
        if done.returncode != 0:
            raise VmsApiError(f"zmonvif-probe.pl exit {done.returncode}")
        uris = [line.rsplit(",", 1)[-1].strip() for line in done.stdout.splitlines() if "," in line]
        return list(dict.fromkeys(u for u in uris if u.startswith("rtsp://")))

    def remove_camera(self, camera_id: str) -> None:
        self._api("DELETE", f"monitors/{camera_id}.json")

    def capture_status(self, camera_id: str) -> CaptureStatus:
        monitor = self._api("GET", f"monitors/{camera_id}.json").get("monitor", {})
        status = monitor.get("Monitor_Status") or {}
        fps_text = status.get("CaptureFPS")
        try:
            fps = float(fps_text) if fps_text is not None else None
        except ValueError:
            fps = None
        state = status.get("Status") or "unknown"
        return CaptureStatus(
            camera_id=camera_id,
            connected=state == "Connected",
            capture_fps=fps,
            detail=f"Monitor_Status.Status={state}, CaptureFPS={fps_text}",
        )

    # -- recordings --------------------------------------------------------------------------
    def _events(self, camera_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Closed events of one monitor overlapping ``[start, end)`` (open ones are excluded)."""
        conditions = [
            f"MonitorId:{camera_id}",
            f"StartDateTime <:{self._to_zm(end)}",
            f"EndDateTime >:{self._to_zm(start)}",
        ]
        path = "events/index/" + "/".join(quote(c, safe=":") for c in conditions) + ".json"
        events: list[dict[str, Any]] = []
        for page in range(1, 50):
            answer = self._api(
                "GET",
                path,
                params={"sort": "StartDateTime", "direction": "asc", "limit": 100, "page": page},
            )
            events += [e["Event"] for e in answer.get("events", [])]
            pagination = answer.get("pagination") or {}
            if page >= int(pagination.get("pageCount") or 1):
                break
        return events

    def search_recordings(self, camera_id: str, start: datetime, end: datetime) -> RecordingSearch:
        segments = []
        for event in self._events(camera_id, start, end):
            seg_start, seg_end = (
                self._to_utc(event["StartDateTime"]),
                self._to_utc(event["EndDateTime"]),
            )
            if seg_start is None or seg_end is None:
                continue
            segments.append(
                RecordingSegment(
                    camera_id=camera_id,
                    start=seg_start,
                    end=seg_end,
                    recording_id=str(event["Id"]),
                    frames=int(event["Frames"]) if event.get("Frames") is not None else None,
                    width=as_int(event.get("Width")),
                    height=as_int(event.get("Height")),
                )
            )
        return RecordingSearch(
            camera_id, tuple(segments), tuple(gaps_between(segments, start, end))
        )

    def download_recording(self, segment: RecordingSegment, directory: Path) -> Path:
        if not segment.recording_id:
            raise VmsApiError("a ZoneMinder recording is downloaded by its event id; none given")
        rsp = self._request(
            "GET",
            f"{self.base}/index.php",
            params={"view": "view_video", "eid": segment.recording_id},
        )
        if not rsp.headers.get("Content-Type", "").startswith("video/"):
            raise VmsApiError(
                f"event {segment.recording_id}: expected video, got "
                f"{rsp.headers.get('Content-Type')!r}"
            )
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{segment.recording_id}-video.mp4"
        path.write_bytes(rsp.content)
        return path

    # -- export ------------------------------------------------------------------------------
    def create_export(self, request: ExportRequest) -> str:
        """ZoneMinder builds the zip synchronously in the ``download`` call: the job is done."""
        # Event times are whole seconds: a neighbour touching the range's edge is not in it.
        eids = [
            e["Id"]
            for camera_id in request.camera_ids
            for e in self._events(camera_id, request.start, request.end)
            if self._overlap_s(e, request.start, request.end) >= 1.0
        ]
        if not eids:
            raise VmsApiError("no closed recordings in the requested range to export")
        connkey = str(secrets.randbelow(10**9))  # unique, so concurrent exports do not clash
        rsp = self._request(
            "GET",
            f"{self.base}/index.php",
            params=[
                ("request", "event"),
                ("action", "download"),
                ("exportFormat", "zip"),
                ("connkey", connkey),
                *[("eids[]", str(eid)) for eid in eids],
            ],
        )
        try:
            answer = rsp.json()
        except ValueError:
            raise VmsApiError(f"export: not JSON ({rsp.text[:80]!r})") from None
        if answer.get("result") != "Ok" or not answer.get("exportFile"):
            raise VmsApiError(f"export: {str(answer)[:200]}")
        self._exports[connkey] = answer["exportFile"]
        return connkey

    def _overlap_s(self, event: dict[str, Any], start: datetime, end: datetime) -> float:
        ev_start, ev_end = self._to_utc(event["StartDateTime"]), self._to_utc(event["EndDateTime"])
        if ev_start is None or ev_end is None:
            return 0.0
        return (min(ev_end, end) - max(ev_start, start)).total_seconds()

    def export_status(self, job_id: str) -> ExportStatus:
        if job_id not in self._exports:
            raise VmsApiError(f"unknown export job {job_id}")
        return ExportStatus(job_id=job_id, state="done", progress=1.0)

    def download_export(self, job_id: str, directory: Path) -> ExportPackage:
        export_file = self._exports.get(job_id)
        if export_file is None:
            raise VmsApiError(f"unknown export job {job_id}")
        query = parse_qsl(export_file.lstrip("?"), keep_blank_values=True)
        rsp = self._request("GET", f"{self.base}/index.php", params=query)
        directory.mkdir(parents=True, exist_ok=True)
        try:
            with zipfile.ZipFile(io.BytesIO(rsp.content)) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                for name in names:
                    target = (directory / name).resolve()
                    if directory.resolve() not in target.parents:
                        raise VmsApiError(f"export zip member escapes the folder: {name!r}")
                archive.extractall(directory)
        except zipfile.BadZipFile:
            raise VmsApiError(f"export {job_id}: not a zip archive") from None
        return ExportPackage(job_id=job_id, directory=directory, files=tuple(sorted(names)))

    def create_viewer(self, username: str, password: str) -> None:
        """A ZoneMinder user who may stream and view events and monitors, nothing else (no
        Events=Edit, no System): its least role that can see footage."""
        rights = {"Stream": "View", "Events": "View", "Monitors": "View", "Control": "None",
                  "Groups": "None", "Devices": "None", "System": "None"}  # fmt: skip
        fields = {"Username": username, "Password": password, "Enabled": "1",
                  "APIEnabled": "1", **rights}  # fmt: skip
        answer = self._api("POST", "users.json", data={f"User[{k}]": v for k, v in fields.items()})
        if answer.get("message") != "Saved":
            raise VmsApiError(f"add user {username!r}: {str(answer)[:200]}")

    def delete_user(self, username: str) -> None:
        for row in self._api("GET", "users.json").get("users", []):
            user = row.get("User", {})
            if user.get("Username") == username:
                self._api("DELETE", f"users/{user['Id']}.json")

    def audit_log(self, since: datetime | None = None) -> list[AuditEntry]:
        """ZoneMinder's own log (``/api/logs.json``: the ``Logs`` table its daemons and web
        code write), newest pages first until ``since``; oldest first in the result. What it
        records is measured, not assumed: the suite looks for the export in it."""
        entries: list[AuditEntry] = []
        floor = since.timestamp() if since else 0.0
        for page in range(1, LOG_PAGES + 1):
            answer = self._api(
                "GET",
                "logs.json",
                params={"sort": "TimeKey", "direction": "desc", "limit": 100, "page": page},
            )
            rows = [r.get("Log", {}) for r in answer.get("logs", [])]
            for row in rows:
                try:
                    when = float(row.get("TimeKey") or 0)
                except ValueError:
                    continue
                if when >= floor:
                    entries.append(log_entry(row, when))
            oldest = min((float(r.get("TimeKey") or 0) for r in rows), default=0.0)
            pages = int((answer.get("pagination") or {}).get("pageCount") or 1)
            if not rows or oldest < floor or page >= pages:
                break
        return sorted(entries, key=lambda e: e.time)
