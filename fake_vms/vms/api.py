"""The VMS REST API (OpenAPI document: ``openapi.json`` beside this module, served at
/api/openapi.json).

Authentication: POST /api/login with the operator's user name and password returns a bearer
token (random, 256 bits, expires after ``TOKEN_LIFETIME_S``); every other endpoint except the
OpenAPI document and /api/keys needs ``Authorization: Bearer <token>``. HTTP Basic is not
offered: it would send the password with every request.
"""

from __future__ import annotations

import hmac
import io
import json
import secrets
import time
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fake_vms.http import Request, Response
from fake_vms.vms.ingest_api import IngestApi
from fake_vms.vms.jobs import AuditLog, ExportJobs
from fake_vms.vms.package import CameraSource, iso
from fake_vms.vms.signing import ALGORITHM, Signer
from fake_vms.vms.users import Users, users_endpoint

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
TOKEN_LIFETIME_S = 3600.0
MAX_EXPORT_S = 600.0
"""Longest range one export job may span (the store keeps about ten minutes anyway)."""
JSON = "application/json"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_time(value: Any, name: str) -> datetime:
    """An ISO 8601 time with an explicit offset (naive times are refused: they are ambiguous)."""
    if not isinstance(value, str):
        raise ApiError(400, f"{name}: expected an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"{name}: not an ISO 8601 date-time: {value!r}") from None
    if moment.tzinfo is None:
        raise ApiError(400, f"{name}: needs a UTC offset (e.g. Z)")
    return moment.astimezone(UTC)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(body).encode(), JSON, headers or {})


def _error(status: int, message: str) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="fake-vms"'} if status == 401 else {}
    return _json(status, {"error": message}, headers)


class VmsApi:
    """Route handlers; ``routes()`` maps paths for :class:`fake_vms.http.HttpServer`."""

    def __init__(
        self,
        store: Any,
        cameras: Sequence[CameraSource],
        username: str,
        password: str,
        ingest: Any = None,
    ) -> None:
        """``ingest``: the VMS's :class:`fake_vms.vms.ingest.IngestManager` when it ingests
        cameras itself (a site with ``vms: {ingest: true}``), else ``None``."""
        self.store = store
        self.cameras = {c.id: c for c in cameras}
        self.username = username
        self.password = password
        self.signer = Signer()
        self.audit = AuditLog()
        self.jobs = ExportJobs(store, self.signer, self.audit)
        self._tokens: dict[str, tuple[str, float]] = {}
        self.users = Users()
        """Accounts besides the operator, with roles (fake_vms/vms/users.py)."""
        self.ingest = IngestApi(self, ingest) if ingest is not None else None

    def routes(self) -> dict[str, Any]:
        return {
            "/api/openapi.json": self._wrap(self.openapi, auth=False),
            "/api/login": self._wrap(self.login, auth=False),
            "/api/keys": self._wrap(self.keys, auth=False),
            "/api/cameras": self._wrap(self.list_cameras),
            "/api/recordings": self._wrap(self.search),
            "/api/recordings/media": self._wrap(self.recording_media),
            "/api/exports": self._wrap(self.create_export),
            "/api/exports/": self._wrap(self.export_item),
            "/api/audit": self._wrap(self.audit_log),
            "/api/version": self._wrap(self.version),
            "/api/cameras/": self._wrap(self.camera_item),
            "/api/onvif/probe": self._wrap(self.onvif_probe),
            "/api/users": self._wrap(self.user_accounts),
            "/api/users/": self._wrap(self.user_accounts),
        }

    def _wrap(self, handler: Any, auth: bool = True) -> Any:
        async def handle(request: Request) -> Response:
            try:
                user = self._authenticate(request) if auth else ""
                return handler(request, user)
            except ApiError as exc:
                return _error(exc.status, str(exc))

        return handle

    def _authenticate(self, request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "bearer token required (POST /api/login)")
        found = self._tokens.get(token.strip())
        if found is None or found[1] < time.monotonic():
            self._tokens.pop(token.strip(), None)
            raise ApiError(401, "unknown or expired token")
        return found[0]

    @staticmethod
    def _source(request: Request) -> str:
        agent = request.headers.get("user-agent", "")
        return "127.0.0.1" + (f" ({agent})" if agent else "")

    @staticmethod
    def _method(request: Request, *allowed: str) -> None:
        if request.method not in allowed:
            raise ApiError(405, f"method {request.method} not allowed")

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            raise ApiError(400, "body is not JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "body must be a JSON object")
        return body

    # --- endpoints ----------------------------------------------------------------------

    def openapi(self, request: Request, _user: str) -> Response:
        self._method(request, "GET")
        return Response(200, OPENAPI_PATH.read_bytes(), JSON)

    def login(self, request: Request, _user: str) -> Response:
        self._method(request, "POST")
        body = self._body(request)
        user, password = body.get("username"), body.get("password")
        if not isinstance(user, str) or not isinstance(password, str):
            raise ApiError(400, "username and password (strings) required")
        ok = hmac.compare_digest(user.encode(), self.username.encode()) & hmac.compare_digest(
            password.encode(), self.password.encode()
        )
        ok = ok or self.users.check(user, password)
        if not ok:
            self.audit.add(user, "login.failed", self._source(request))
            raise ApiError(401, "wrong user name or password")
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (user, time.monotonic() + TOKEN_LIFETIME_S)
        self.audit.add(user, "login", self._source(request))
        return _json(200, {"token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S})

    def keys(self, request: Request, _user: str) -> Response:
        self._method(request, "GET")
        pem = self.signer.public_pem().decode()
        return _json(200, {"keys": [{"id": "vms-1", "algorithm": ALGORITHM, "public_key": pem}]})

    def version(self, request: Request, _user: str) -> Response:
        from importlib.metadata import PackageNotFoundError, version

        self._method(request, "GET")
        try:
            number = version("cctv-conformance")
        except PackageNotFoundError:
            number = "0"
        return _json(200, {"product": "fake-vms", "version": number})

    def list_cameras(self, request: Request, user: str) -> Response:
        if request.method == "POST" and self.ingest is not None:
            return self.ingest.add(request, user)
        self._method(request, "GET")
        cameras = [c.identity() for c in self.cameras.values()]
        if self.ingest is not None:
            cameras += self.ingest.identities()
        return _json(200, {"cameras": cameras})

    def camera_item(self, request: Request, user: str) -> Response:
        if self.ingest is None:
            raise ApiError(404, f"no such resource {request.path}")
        return self.ingest.item(request, user)

    def onvif_probe(self, request: Request, user: str) -> Response:
        if self.ingest is None:
            raise ApiError(404, "this VMS has no ONVIF probe")
        return self.ingest.probe(request, user)

    def _camera(self, camera_id: Any) -> CameraSource:
        camera = self.cameras.get(camera_id) if isinstance(camera_id, str) else None
        if camera is None and self.ingest is not None and isinstance(camera_id, str):
            camera = self.ingest.source(camera_id)
        if camera is None:
            raise ApiError(404, f"unknown camera {camera_id!r}")
        return camera

    def search(self, request: Request, _user: str) -> Response:
        self._method(request, "GET")
        query = {k: v[-1] for k, v in parse_qs(request.query).items()}
        for name in ("camera", "start", "end"):
            if name not in query:
                raise ApiError(400, f"query parameter {name} required")
        camera = self._camera(query["camera"])
        start, end = parse_time(query["start"], "start"), parse_time(query["end"], "end")
        if end <= start:
            raise ApiError(400, "end must be after start")
        if camera.clips is not None and self.ingest is not None:
            return _json(200, self.ingest.search(camera, start, end))
        body: dict[str, Any] = {"camera": camera.id, "segments": [], "gaps": []}
        try:
            recording = self.store.recording(camera.token)
        except KeyError:
            return _json(200, body)
        body.update(
            codec=recording.codec, width=recording.width, height=recording.height,
            fps=recording.fps,
        )  # fmt: skip
        lo, hi = max(start, recording.start_utc), min(end, recording.end_utc)
        holes = [(max(a, lo), min(b, hi)) for a, b in recording.gaps if a < hi and b > lo]
        cursor = lo
        for a, b in holes:
            if a > cursor:
                body["segments"].append(
                    {"start": iso(cursor), "end": iso(a), "recording_id": recording.token}
                )
            body["gaps"].append({"start": iso(a), "end": iso(b)})
            cursor = max(cursor, b)
        if hi > cursor:
            body["segments"].append(
                {"start": iso(cursor), "end": iso(hi), "recording_id": recording.token}
            )
        return _json(200, body)

    def recording_media(self, request: Request, user: str) -> Response:
        """The recording itself for a range, remuxed as stored (the reference for native
        export checks): no persona knob applies here."""
        from fake_vms.vms.mp4 import remux

        self._method(request, "GET")
        query = {k: v[-1] for k, v in parse_qs(request.query).items()}
        if "recording" in query and self.ingest is not None:
            clip = self.ingest.clip_media(query["recording"])
            if clip is not None:
                camera_id, data = clip
                self.audit.add(user, "recording.download", self._source(request),
                               camera=camera_id, recording=query["recording"])  # fmt: skip
                return Response(200, data, "video/mp4")
        for name in ("camera", "start", "end"):
            if name not in query:
                raise ApiError(400, f"query parameter {name} required")
        camera = self._camera(query["camera"])
        start, end = parse_time(query["start"], "start"), parse_time(query["end"], "end")
        if not timedelta(0) < end - start <= timedelta(seconds=MAX_EXPORT_S):
            raise ApiError(400, f"end must be after start, at most {MAX_EXPORT_S:.0f} s")
        try:
            recording = self.store.recording(camera.token)
            units = [
                u for u in self.store.access_units(camera.token, start, end) if u.time_utc < end
            ]
        except KeyError:
            raise ApiError(404, f"camera {camera.id} has no recording") from None
        if not units:
            raise ApiError(404, "nothing recorded in the range")
        data = remux(
            recording.codec, recording.width, recording.height, recording.fps, units,
            datetime.now(UTC),
        )  # fmt: skip
        self.audit.add(user, "recording.download", self._source(request), camera=camera.id,
                       start=iso(start), end=iso(end))  # fmt: skip
        return Response(200, data, "video/mp4")

    def user_accounts(self, request: Request, user: str) -> Response:
        status, body = users_endpoint(self, request, user, ApiError)
        return Response(204) if status == 204 else _json(status, body)

    def create_export(self, request: Request, user: str) -> Response:
        self._method(request, "POST")
        knobs = self.ingest.manager.knobs if self.ingest is not None else None
        if self.users.role(user) == "viewer" and not getattr(knobs, "vms_viewer_can_export", 0):
            self.audit.add(user, "export.refused", self._source(request), reason="viewer")
            raise ApiError(403, "a viewer may not export")
        body = self._body(request)
        ids = body.get("cameras")
        if not isinstance(ids, list) or not ids:
            raise ApiError(400, "cameras: a non-empty list of camera ids required")
        cameras = tuple(self._camera(i) for i in ids)
        start, end = parse_time(body.get("start"), "start"), parse_time(body.get("end"), "end")
        if not timedelta(0) < end - start <= timedelta(seconds=MAX_EXPORT_S):
            raise ApiError(400, f"end must be after start, at most {MAX_EXPORT_S:.0f} s")
        operator = body.get("operator")
        if not isinstance(operator, str) or not operator.strip():
            raise ApiError(400, "operator (the person exporting) required")
        for camera in cameras:
            try:
                self.store.recording(camera.token)
            except KeyError:
                raise ApiError(409, f"camera {camera.id} has no recording") from None
        extra = {k: str(body.get(k) or "") for k in ("reason", "case_reference")}
        job = self.jobs.create(
            dict(cameras=cameras, start=start, end=end, operator=operator, **extra),
            user,
            self._source(request),
        )
        return _json(202, job.status(), {"Location": f"/api/exports/{job.spec.job_id}"})

    def export_item(self, request: Request, user: str) -> Response:
        self._method(request, "GET")
        job_id, _, rest = request.path.removeprefix("/api/exports/").partition("/")
        job = self.jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"unknown export {job_id!r}")
        if rest == "":
            return _json(200, job.status())
        if rest != "package":
            raise ApiError(404, f"no such resource {request.path}")
        if job.state != "done" or job.files is None:
            raise ApiError(409, f"export {job_id} is {job.state}, not done")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name, data in job.files.items():
                archive.writestr(name, data)
        if not job.spec.cameras[0].knobs.export_no_audit:
            self.audit.add(user, "export.download", self._source(request), job_id=job_id)
        disposition = f'attachment; filename="export-{job_id}.zip"'
        return Response(200, buffer.getvalue(), "application/zip",
                        {"Content-Disposition": disposition})  # fmt: skip

    def audit_log(self, request: Request, _user: str) -> Response:
        self._method(request, "GET")
        query = {k: v[-1] for k, v in parse_qs(request.query).items()}
        since = parse_time(query["since"], "since") if "since" in query else None
        return _json(200, {"entries": self.audit.since(since)})
