"""The VMS API's ingest endpoints: add, remove and watch cameras, search and fetch their clips,
and the ONVIF probe (OpenAPI: openapi.json). Kept apart from api.py, which serves the site's own
recording cameras; :class:`fake_vms.vms.api.VmsApi` routes here when the VMS ingests.

Credentials arrive in the body (``username``/``password``), never in ``rtsp_url``; they are not
echoed, logged or audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from fake_vms.http import Request, Response
from fake_vms.vms.ingest import IngestedCamera, IngestManager, IngestSpec, redact
from fake_vms.vms.package import CameraSource, iso

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_FIELD = 512


def _loopback_url(value: Any, name: str, schemes: tuple[str, ...]) -> str:
    from fake_vms.vms.api import ApiError

    if not isinstance(value, str) or not value or len(value) > MAX_FIELD:
        raise ApiError(400, f"{name}: a URL string required")
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ApiError(400, f"{name}: must be a {'/'.join(schemes)} URL")
    if parts.username is not None or parts.password is not None:
        raise ApiError(400, f"{name}: credentials go in username/password, not in the URL")
    if parts.hostname not in LOOPBACK:
        raise ApiError(400, f"{name}: the simulated VMS only connects to loopback addresses")
    return value


def _text(body: dict[str, Any], name: str) -> str:
    from fake_vms.vms.api import ApiError

    value = body.get(name, "")
    if not isinstance(value, str) or len(value) > MAX_FIELD:
        raise ApiError(400, f"{name}: a string of at most {MAX_FIELD} characters required")
    return value


class IngestApi:
    """Handlers for the ingest resources of one VMS."""

    def __init__(self, api: Any, manager: IngestManager) -> None:
        self.api = api
        self.manager = manager

    # -- cameras -----------------------------------------------------------------------------
    def identities(self) -> list[dict[str, str]]:
        return [self.source_of(c).identity() for c in self.manager.all()]

    def source_of(self, camera: IngestedCamera) -> CameraSource:
        def clips(start: datetime, end: datetime) -> list[Any]:
            return [c for c in camera.closed_clips() if c.start < end and c.end > start]

        identity = camera.identity
        return CameraSource(
            id=camera.id, name=camera.spec.name, manufacturer=identity.get("manufacturer", ""),
            model=identity.get("model", ""), serial=identity.get("serial", ""), mac="",
            onvif_url=camera.spec.onvif_url, token=camera.token, knobs=self.manager.knobs,
            clips=clips,
        )  # fmt: skip

    def source(self, camera_id: str) -> CameraSource | None:
        camera = self.manager.get(camera_id)
        return self.source_of(camera) if camera is not None else None

    def add(self, request: Request, user: str) -> Response:
        from fake_vms.vms.api import ApiError, _json

        body = self.api._body(request)
        name = _text(body, "name").strip()
        if not name:
            raise ApiError(400, "name: a non-empty string required")
        url = _loopback_url(body.get("rtsp_url"), "rtsp_url", ("rtsp",))
        transport = body.get("transport", "tcp")
        if transport not in ("tcp", "udp"):
            raise ApiError(400, "transport: must be tcp or udp")
        record = body.get("record", True)
        if not isinstance(record, bool):
            raise ApiError(400, "record: must be true or false")
        onvif_url = ""
        if body.get("onvif_url") not in (None, ""):
            onvif_url = _loopback_url(body["onvif_url"], "onvif_url", ("http", "https"))
        spec = IngestSpec(
            name, url, _text(body, "username"), _text(body, "password"), transport, record,
            onvif_url,
        )  # fmt: skip
        try:
            camera = self.manager.add(spec)
        except OverflowError as exc:
            raise ApiError(409, str(exc)) from None
        self.api.audit.add(
            user, "camera.add", self.api._source(request), camera=camera.id, name=name,
            rtsp_url=url, onvif_url=onvif_url, transport=transport, record=record,
        )  # fmt: skip
        return _json(201, {"id": camera.id}, {"Location": f"/api/cameras/{camera.id}"})

    def item(self, request: Request, user: str) -> Response:
        from fake_vms.vms.api import ApiError, _json

        camera_id, _, rest = request.path.removeprefix("/api/cameras/").partition("/")
        camera = self.manager.get(camera_id)
        if camera is None:
            raise ApiError(404, f"unknown camera {camera_id!r}")
        if rest == "" and request.method == "DELETE":
            self.manager.remove(camera_id)
            self.api.audit.add(user, "camera.remove", self.api._source(request), camera=camera_id)
            return Response(204)
        if rest == "status":
            self.api._method(request, "GET")
            return _json(200, {"id": camera.id, **camera.status()})
        if rest == "":
            raise ApiError(405, f"method {request.method} not allowed")
        raise ApiError(404, f"no such resource {request.path}")

    # -- recordings --------------------------------------------------------------------------
    def search(self, source: CameraSource, start: datetime, end: datetime) -> dict[str, Any]:
        """Closed clips overlapping ``[start, end)`` (wholly inside it, with the persona knob),
        and the holes between consecutive ones."""
        assert source.clips is not None
        clips = sorted(source.clips(start, end), key=lambda c: c.start)
        if self.manager.knobs.vms_search_contained_only:
            clips = [c for c in clips if c.start >= start and c.end <= end]
        body: dict[str, Any] = {"camera": source.id, "segments": [], "gaps": []}
        camera = self.manager.get(source.id)
        if camera is not None and camera.codec:
            # The quirk: a nominal frame rate stated instead of the one measured.
            fps = self.manager.knobs.vms_stated_fps or camera.fps
            body.update(codec=camera.codec, width=camera.width, height=camera.height,
                        fps=fps)  # fmt: skip
        for before, after in zip(clips, clips[1:], strict=False):
            if after.start > before.end:
                body["gaps"].append({"start": iso(before.end), "end": iso(after.start)})
        body["segments"] = [
            {"start": iso(c.start), "end": iso(c.end), "recording_id": c.id, "frames": c.frames}
            for c in clips
        ]
        return body

    def clip_media(self, clip_id: str) -> tuple[str, bytes] | None:
        """(camera id, MP4 of the whole clip, remuxed as recorded) or None for no such clip."""
        from fake_vms.vms.mp4 import remux

        for camera in self.manager.all():
            clip = camera.clip(clip_id)
            if clip is None:
                continue
            units = [
                u for u in self.manager.store.access_units(camera.token, clip.start, clip.end)
                if clip.start <= u.time_utc < clip.end
            ]  # fmt: skip
            if not units:
                return None
            data = remux(camera.codec, camera.width, camera.height, camera.fps, units, clip.end)
            return camera.id, data
        return None

    # -- ONVIF probe -------------------------------------------------------------------------
    def probe(self, request: Request, user: str) -> Response:
        from fake_vms.vms.api import ApiError, _json
        from fake_vms.vms.onvif_probe import ProbeError, probe

        self.api._method(request, "POST")
        body = self.api._body(request)
        url = _loopback_url(body.get("onvif_url"), "onvif_url", ("http", "https"))
        username, password = _text(body, "username"), _text(body, "password")
        try:
            uris = probe(url, username, password, self.manager.knobs)
        except ProbeError as exc:
            message = redact(str(exc), password)
            self.api.audit.add(user, "onvif.probe.failed", self.api._source(request),
                               onvif_url=url, error=message)  # fmt: skip
            raise ApiError(502, f"ONVIF probe failed: {message}") from None
        self.api.audit.add(user, "onvif.probe", self.api._source(request), onvif_url=url,
                           stream_uris=uris)  # fmt: skip
        return _json(200, {"stream_uris": uris})
