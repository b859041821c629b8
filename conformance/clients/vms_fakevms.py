"""The simulator's VMS adapter: fake_vms's REST export API (fake_vms/vms/openapi.json).

The first implementation of :class:`conformance.clients.vms.VmsAdapter`, and a template for
suppliers: log in for a bearer token, map each operation to one request, classify every error,
bound every wait, unpack the package safely (no paths outside the directory).

Ingest (the vms-ingest profile): a simulator site with ``vms: {ingest: true}`` makes its VMS the
cameras' RTSP client (``POST /api/cameras``); its recordings are closed clips, each with a
``recording_id`` and ``frames``, downloaded whole by that id. A VMS without ingest answers 404
or 405 there, which this adapter reports as :class:`VmsUnsupported` (the requirements are then
*not claimed*). The camera's password goes in the request body only, never into a message.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

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

MAX_PACKAGE_BYTES = 512 * 1024 * 1024


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class FakeVmsAdapter(VmsAdapter):
    """Talks to ``fake-vms``'s VMS API with a bearer token from /api/login."""

    name = "fake-vms"
    capabilities = VmsCapabilities(
        multi_camera_export=True,
        signed_manifest=True,
        audit_log=True,
        native_export=True,
        ingest=True,
    )

    def __init__(self, url: str, username: str, password: str, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.username = username
        self._password = password
        self.timeout_s = timeout_s
        self._session = requests.Session()
        self._session.trust_env = False  # loopback: never via a proxy
        self.recorder = RestRecorder()
        self.recorder.install(self._session)
        self._token: str | None = None

    def __repr__(self) -> str:
        return f"FakeVmsAdapter({self.url!r})"

    # --- transport --------------------------------------------------------------------

    def _request(self, method: str, path: str, auth: bool = True, **kwargs: Any):
        headers = {"User-Agent": "cctv-conformance"}
        if auth:
            if self._token is None:
                self._login()
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            response = self._session.request(
                method, self.url + path, headers=headers, timeout=self.timeout_s, **kwargs
            )
        except requests.Timeout as exc:
            raise VmsTimeout(f"{method} {path}: no answer in {self.timeout_s:.0f} s") from exc
        except requests.ConnectionError as exc:
            raise VmsUnreachable(f"{method} {path}: {exc}") from exc
        if response.status_code >= 400:
            try:
                message = response.json().get("error", "")
            except ValueError:
                message = response.text[:200]
            raise VmsApiError(
                f"{method} {path}: HTTP {response.status_code} {message}", response.status_code
            )
        return response

    def _json(self, method: str, path: str, auth: bool = True, **kwargs: Any) -> Any:
        response = self._request(method, path, auth, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise VmsApiError(f"{method} {path}: reply is not JSON") from None

    def _login(self) -> None:
        body = self._json(
            "POST",
            "/api/login",
            auth=False,
            json={"username": self.username, "password": self._password},
        )
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise VmsApiError("/api/login: no token in the reply")
        self._token = token

    # --- operations -------------------------------------------------------------------

    def list_cameras(self) -> list[VmsCamera]:
        body = self._json("GET", "/api/cameras")
        try:
            return [
                VmsCamera(
                    id=c["id"],
                    name=c["name"],
                    manufacturer=c.get("manufacturer", ""),
                    model=c.get("model", ""),
                    serial=c.get("serial", ""),
                    mac=c.get("mac", ""),
                    onvif_url=c.get("onvif_url", ""),
                )  # fmt: skip
                for c in body["cameras"]
            ]
        except (KeyError, TypeError) as exc:
            raise VmsApiError(f"/api/cameras: malformed reply ({exc})") from None

    def search_recordings(self, camera_id: str, start: datetime, end: datetime) -> RecordingSearch:
        body = self._json(
            "GET",
            "/api/recordings",
            params={"camera": camera_id, "start": _iso(start), "end": _iso(end)},
        )
        try:
            segments = tuple(
                RecordingSegment(
                    camera_id,
                    _time(s["start"]),
                    _time(s["end"]),
                    s.get("recording_id", ""),
                    s["frames"] if isinstance(s.get("frames"), int) else None,
                    *_stated(body),
                )
                for s in body["segments"]
            )
            gaps = tuple((_time(g["start"]), _time(g["end"])) for g in body["gaps"])
        except (KeyError, TypeError, ValueError) as exc:
            raise VmsApiError(f"/api/recordings: malformed reply ({exc})") from None
        return RecordingSearch(camera_id, segments, gaps)

    def create_export(self, request: ExportRequest) -> str:
        body = self._json(
            "POST",
            "/api/exports",
            json={
                "cameras": list(request.camera_ids),
                "start": _iso(request.start),
                "end": _iso(request.end),
                "operator": request.operator,
                "reason": request.reason,
                "case_reference": request.case_reference,
            },  # fmt: skip
        )
        job_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(job_id, str):
            raise VmsApiError("/api/exports: no job id in the reply")
        return job_id

    def export_status(self, job_id: str) -> ExportStatus:
        body = self._json("GET", f"/api/exports/{job_id}")
        state = body.get("state")
        if state not in ("queued", "running", "done", "failed"):
            raise VmsApiError(f"/api/exports/{job_id}: unknown state {state!r}")
        return ExportStatus(job_id, state, body.get("progress"), body.get("error", ""))

    def download_export(self, job_id: str, directory: Path) -> ExportPackage:
        response = self._request("GET", f"/api/exports/{job_id}/package")
        if len(response.content) > MAX_PACKAGE_BYTES:
            raise VmsApiError(f"package larger than {MAX_PACKAGE_BYTES} bytes")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        names: list[str] = []
        try:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    path = PurePosixPath(info.filename)
                    if path.is_absolute() or ".." in path.parts:
                        raise VmsApiError(f"package entry outside the package: {info.filename}")
                    target = directory.joinpath(*path.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(info))
                    names.append(str(path))
        except zipfile.BadZipFile as exc:
            raise VmsApiError(f"package is not a zip archive: {exc}") from None
        present = set(names)
        return ExportPackage(
            job_id,
            directory,
            tuple(sorted(names)),
            manifest="manifest.json" if "manifest.json" in present else None,
            signature="manifest.sig" if "manifest.sig" in present else None,
            public_key="vms-public-key.pem" if "vms-public-key.pem" in present else None,
        )

    def download_recording(self, segment: RecordingSegment, directory: Path) -> Path:
        """The recording as one MP4: a clip whole by its id, else the segment's range."""
        params = {
            "camera": segment.camera_id, "start": _iso(segment.start), "end": _iso(segment.end)
        }  # fmt: skip
        if segment.recording_id:
            params["recording"] = segment.recording_id
        response = self._request("GET", "/api/recordings/media", params=params)
        if len(response.content) > MAX_PACKAGE_BYTES:
            raise VmsApiError(f"recording larger than {MAX_PACKAGE_BYTES} bytes")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        name = PurePosixPath(segment.recording_id or segment.camera_id).name or "recording"
        path = directory / f"recording-{name}.mp4"
        path.write_bytes(response.content)
        return path

    # --- ingest -----------------------------------------------------------------------

    def _ingest(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """An ingest call; 404/405 from a VMS without ingest means: not offered."""
        try:
            return self._json(method, path, **kwargs)
        except VmsApiError as exc:
            if exc.status in (404, 405) and not path.startswith("/api/cameras/"):
                raise VmsUnsupported(f"{self.name}: {what} is not offered ({exc})") from None
            raise

    def version(self) -> str:
        body = self._ingest("GET", "/api/version", "version")
        if not isinstance(body, dict) or not isinstance(body.get("product"), str):
            raise VmsApiError("/api/version: malformed reply")
        return f"{body['product']} {body.get('version', '')}".strip()

    def identity(self) -> tuple[str, str]:
        body = self._ingest("GET", "/api/version", "version")
        if not isinstance(body, dict) or not isinstance(body.get("product"), str):
            raise VmsApiError("/api/version: malformed reply")
        return body["product"], str(body.get("version", ""))

    def add_camera(self, camera: IngestCamera, record: bool = True) -> str:
        body = self._ingest(
            "POST",
            "/api/cameras",
            "adding cameras",
            json={
                "name": camera.name, "rtsp_url": camera.rtsp_url, "username": camera.username,
                "password": camera.password, "transport": camera.transport, "record": record,
                "onvif_url": camera.onvif_url,
            },
        )  # fmt: skip
        camera_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(camera_id, str) or not camera_id:
            raise VmsApiError("/api/cameras: no camera id in the reply")
        return camera_id

    def remove_camera(self, camera_id: str) -> None:
        self._request("DELETE", f"/api/cameras/{camera_id}")

    def capture_status(self, camera_id: str) -> CaptureStatus:
        body = self._json("GET", f"/api/cameras/{camera_id}/status")
        try:
            fps = body.get("capture_fps")
            return CaptureStatus(
                camera_id,
                bool(body["connected"]),
                float(fps) if isinstance(fps, int | float) else None,
                str(body.get("detail", "")),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise VmsApiError(f"/api/cameras/{camera_id}/status: malformed reply ({exc})") from None

    def probe_onvif(self, camera: IngestCamera) -> list[str]:
        if not camera.onvif_url:
            raise VmsUnsupported("the camera has no ONVIF address")
        body = self._ingest(
            "POST",
            "/api/onvif/probe",
            "the ONVIF probe",
            json={
                "onvif_url": camera.onvif_url, "username": camera.username,
                "password": camera.password,
            },
        )  # fmt: skip
        uris = body.get("stream_uris") if isinstance(body, dict) else None
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise VmsApiError("/api/onvif/probe: malformed reply")
        return uris

    def create_viewer(self, username: str, password: str) -> None:
        self._json(
            "POST",
            "/api/users",
            json={"username": username, "password": password, "role": "viewer"},
        )

    def delete_user(self, username: str) -> None:
        self._request("DELETE", f"/api/users/{username}")

    def audit_log(self, since: datetime | None = None) -> list[AuditEntry]:
        params = {"since": _iso(since)} if since else {}
        body = self._json("GET", "/api/audit", params=params)
        try:
            return [
                AuditEntry(
                    _time(e["time"]),
                    e["user"],
                    e["action"],
                    e.get("source", ""),
                    dict(e.get("details") or {}),
                )  # fmt: skip
                for e in body["entries"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise VmsApiError(f"/api/audit: malformed reply ({exc})") from None

    def public_keys(self) -> list[bytes]:
        body = self._json("GET", "/api/keys", auth=False)
        return [k["public_key"].encode() for k in body.get("keys", []) if "public_key" in k]


def _stated(body: dict[str, Any]) -> tuple[int | None, int | None, float | None]:
    """Width, height and frame rate the VMS states for a camera's recordings (or None)."""

    def number(key: str, kind: type) -> Any:
        value = body.get(key)
        return kind(value) if isinstance(value, int | float) and value > 0 else None

    return number("width", int), number("height", int), number("fps", float)
