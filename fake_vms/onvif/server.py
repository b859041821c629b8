"""One simulated ONVIF camera on HTTP: device and media services plus the snapshot URL.

This module only wires things together: HTTP routing, the authentication policy's verdict turned
into a reply, and one operation-log entry per request, so the log is a faithful network trace.
"""

from __future__ import annotations

import asyncio
import time

from fake_vms.hostile import http_intercept
from fake_vms.http import Handler, HttpServer, Request, Response, Takeover
from fake_vms.onvif import soap
from fake_vms.onvif.auth import HTML_AUTH_ERROR, Authenticator, Decision, Verdict
from fake_vms.onvif.media_service import SNAPSHOT_PATH
from fake_vms.onvif.registry import DEVICE_PATH, ServiceContext, offered_services
from fake_vms.onvif.reply import REQUEST_PATH, respond
from fake_vms.oplog import OperationLog
from fake_vms.security import AuxPort
from fake_vms.site import CameraConfig
from fake_vms.tls import server_context

INVALID_REQUEST = "InvalidRequest"
"""Operation name logged when the request is not a usable SOAP envelope."""


class OnvifServer:
    """Serves one camera's ONVIF device and media services and its snapshot JPEG."""

    def __init__(
        self,
        camera: CameraConfig,
        rtsp_port: int,
        oplog: OperationLog | None = None,
        site_name: str = "demo",
        takeovers: dict[str, Takeover] | None = None,
        shared: dict[str, object] | None = None,
    ) -> None:
        """``takeovers``: path prefixes whose connections another server runs (RTSP tunnels);
        ``shared``: host objects the services use (e.g. the recordings store)."""
        self._shared = dict(shared or {})
        self.camera = camera
        self.rtsp_port = rtsp_port
        self.oplog = oplog if oplog is not None else OperationLog()
        self.site_name = site_name
        self._auth = Authenticator(camera)
        self.aux = AuxPort(camera)  # the port-scan bait: closed, or a persona's debug shell
        self._operations: dict[str, dict[str, soap.Operation]] = {}
        self.services: dict[str, object] = {}
        routes = {SNAPSHOT_PATH: self._snapshot}
        for spec in offered_services(camera):
            routes[spec.path] = lambda request, ns=spec.namespace: self._soap(request, ns)
            if spec.subpaths:  # e.g. one address per event subscription (prefix route)
                routes[spec.path + "/"] = routes[spec.path]
        self._https = HttpServer(routes, takeovers=takeovers)  # same routes over TLS
        self._http = HttpServer(
            routes,
            takeovers=takeovers,
            intercept=http_intercept(camera.knobs.hostile_http, camera.username, camera.password),
        )

    def add_route(self, path: str, handler: Handler) -> None:
        """Serve one more path on the camera's HTTP(S) port (e.g. its RTSP session list)."""
        self._http.routes[path] = handler
        self._https.routes[path] = handler

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def https_port(self) -> int:
        return self._https.port

    @property
    def device_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{DEVICE_PATH}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        await self._http.start(host, port)
        tls = server_context(self.camera.name, self.camera.knobs.tls_version)
        await self._https.start(host, 0, ssl_context=tls)
        await self.aux.start(host)
        offset = self.camera.knobs.xaddr_port_offset
        context = ServiceContext(
            camera=self.camera,
            http_port=self.port,
            rtsp_port=self.rtsp_port,
            site_name=self.site_name,
            oplog=self.oplog,
            xaddr=lambda path: f"http://127.0.0.1:{self.port + offset}{path}",
            shared=dict(self._shared),
        )
        built = [(spec, spec.build(context)) for spec in offered_services(self.camera)]
        context.shared["services"] = built
        self.services = {spec.name: instance for spec, instance in built}
        self._operations = {spec.namespace: instance.operations() for spec, instance in built}

    async def stop(self) -> None:
        for service in self.services.values():  # first wake waiting handlers (event pulls)
            if hasattr(service, "close"):
                await service.close()
        await self._http.stop()
        await self._https.stop()
        await self.aux.stop()

    async def _soap(self, request: Request, namespace: str) -> Response:
        if request.method != "POST":
            return Response(405, b"SOAP requires POST", headers={"Allow": "POST"})
        try:
            envelope = soap.parse_envelope(request.body)
        except soap.SoapFault as fault:
            return self._fault(INVALID_REQUEST, False, fault)
        operation = envelope.operation
        decision = self._auth.decide(
            operation,
            request.method,
            request.target,
            request.headers.get("authorization"),
            envelope.header,
        )
        if decision.verdict is not Verdict.ALLOWED:
            return self._refuse(operation, decision)
        try:
            path = REQUEST_PATH.set(request.path)
            try:
                body = await respond(self._operations[namespace], namespace, envelope)
            finally:
                REQUEST_PATH.reset(path)
        except soap.SoapFault as fault:
            return self._fault(operation, decision.authenticated, fault)
        self._record(operation, decision.authenticated, "200")
        return Response(200, body, soap.CONTENT_TYPE)

    def _refuse(self, operation: str, decision: Decision) -> Response:
        if decision.verdict is Verdict.NOT_AUTHORIZED:
            return self._fault(operation, False, soap.not_authorized())
        if decision.verdict is Verdict.HTML_ERROR:
            self._record(operation, False, "400")
            return Response(400, HTML_AUTH_ERROR, "text/html")
        self._record(operation, False, "401")
        return self._challenge()

    def _challenge(self) -> Response:
        return Response(
            401,
            b"Unauthorized",
            headers={"WWW-Authenticate": self._auth.challenge()},
        )

    def _fault(self, operation: str, authenticated: bool, fault: soap.SoapFault) -> Response:
        self._record(operation, authenticated, fault.outcome)
        return Response(fault.http_status, soap.fault_envelope(fault), soap.CONTENT_TYPE)

    def _record(self, operation: str, authenticated: bool, outcome: str) -> None:
        self.oplog.record(self.camera.name, "onvif", operation, authenticated, outcome)

    async def _snapshot(self, request: Request) -> Response:
        """The snapshot URL uses HTTP Digest like the services (ONVIF Media 5.4)."""
        label = f"{request.method} {SNAPSHOT_PATH}"
        if request.method != "GET":
            return Response(405, b"Use GET", headers={"Allow": "GET"})
        authorization = request.headers.get("authorization")
        authenticated = authorization is not None and self._auth.check_http_digest(
            request.method, request.target, authorization
        )
        if not authenticated and not self.camera.knobs.protected_ops_open:
            self.oplog.record(self.camera.name, "http", label, False, "401")
            return self._challenge()
        from fake_vms.media.snapshot import render_jpeg  # written separately; import when used

        width, height = self.camera.knobs.snapshot_size or (self.camera.width, self.camera.height)
        frame_number = int(time.time() * self.camera.fps)
        jpeg = await asyncio.to_thread(render_jpeg, frame_number, width, height)
        self.oplog.record(self.camera.name, "http", label, authenticated, "200")
        return Response(200, jpeg, "image/jpeg")
