"""The simulator's VMS adapter: fake_vms's REST export API (fake_vms/vms/openapi.json).

The first implementation of :class:`conformance.clients.vms.VmsAdapter`, and a template for
suppliers: log in for a bearer token, map each operation to one request, classify every error,
bound every wait, unpack the package safely (no paths outside the directory).
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
    ExportPackage,
    ExportRequest,
    ExportStatus,
    RecordingSearch,
    RecordingSegment,
    VmsAdapter,
    VmsApiError,
    VmsCamera,
    VmsCapabilities,
    VmsTimeout,
    VmsUnreachable,
)

MAX_PACKAGE_BYTES = 512 * 1024 * 1024


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class FakeVmsAdapter(VmsAdapter):
    """Talks to ``fake-vms``'s VMS API with a bearer token from /api/login."""

    name = "fake-vms"
    capabilities = VmsCapabilities(
        multi_camera_export=True, signed_manifest=True, audit_log=True, native_export=True
    )

    def __init__(self, url: str, username: str, password: str, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.username = username
        self._password = password
        self.timeout_s = timeout_s
        self._session = requests.Session()
        self._session.trust_env = False  # loopback: never via a proxy
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
                    camera_id, _time(s["start"]), _time(s["end"]), s.get("recording_id", "")
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
        response = self._request(
            "GET",
            "/api/recordings/media",
            params={
                "camera": segment.camera_id, "start": _iso(segment.start), "end": _iso(segment.end)
            },
        )  # fmt: skip
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"recording-{segment.camera_id}.mp4"
        path.write_bytes(response.content)
        return path

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
