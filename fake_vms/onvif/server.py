"""One simulated ONVIF camera on HTTP: device and media services plus the snapshot URL.

This module only wires things together: HTTP routing, the authentication policy's verdict turned
into a reply, and one operation-log entry per request, so the log is a faithful network trace.
"""

from __future__ import annotations

import asyncio
import base64
import time

from fake_vms.clock import device_now
from fake_vms.hostile import http_intercept
from fake_vms.http import Handler, HttpServer, Request, Response, Takeover
from fake_vms.onvif import soap
from fake_vms.onvif.auth import HTML_AUTH_ERROR, Authenticator, Decision, Verdict
from fake_vms.onvif.event_stimulus import STIMULUS_PATH, stimulus_handler
from fake_vms.onvif.media_service import SNAPSHOT_PATH
from fake_vms.onvif.registry import DEVICE_PATH, ServiceContext, offered_services
from fake_vms.onvif.reply import REQUEST_PATH, respond
from fake_vms.onvif.shaping import ReplyShaper
from fake_vms.oplog import OperationLog
from fake_vms.security import AuxPort
from fake_vms.site import CameraConfig
from fake_vms.tls import server_context

ELSEWHERE_PREFIX = "/gateway/onvif-services"
"""Path prefix of every non-device service on a services-elsewhere device's second listener."""
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
        self._shaper = ReplyShaper(camera.knobs)
        idle = camera.knobs.http_idle_timeout_s
        routes = {SNAPSHOT_PATH: self._snapshot, STIMULUS_PATH: self._stimulus}
        elsewhere: dict[str, Handler] = {}
        for spec in offered_services(camera):
            route = lambda request, ns=spec.namespace: self._soap(request, ns)  # noqa: E731
            moved = camera.knobs.services_elsewhere and spec.path != DEVICE_PATH
            paths = (ELSEWHERE_PREFIX + spec.path,) if moved else (spec.path,)
            for path in paths:
                (elsewhere if moved else routes)[path] = route
                if spec.subpaths:  # e.g. one address per event subscription (prefix route)
                    (elsewhere if moved else routes)[path + "/"] = route
        self._https = HttpServer(routes, idle, takeovers=takeovers)  # same routes over TLS
        self._http = HttpServer(
            routes,
            idle,
            takeovers=takeovers,
            intercept=http_intercept(camera.knobs.hostile_http, camera.username, camera.password),
        )
        self._elsewhere = HttpServer(elsewhere, idle) if elsewhere else None
        """The second listener of a device that serves its other services elsewhere."""

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
        if self._elsewhere is not None:
            await self._elsewhere.start(host, 0)
        context = ServiceContext(
            camera=self.camera,
            http_port=self.port,
            rtsp_port=self.rtsp_port,
            site_name=self.site_name,
            oplog=self.oplog,
            xaddr=self._xaddr,
            shared=dict(self._shared),
        )
        context.shared["address"] = host  # what GetNetworkInterfaces reports, if IPv4
        context.shared["listeners"] = {
            "HTTP": (self.port, *((self._elsewhere.port,) if self._elsewhere else ())),
            "HTTPS": (self.https_port,),
        }
        built = [(spec, spec.build(context)) for spec in offered_services(self.camera)]
        context.shared["services"] = built
        self.services = {spec.name: instance for spec, instance in built}
        self._operations = {
            spec.namespace: _quirked(spec.name, instance.operations(), self.camera.knobs)
            for spec, instance in built
        }

    def served_at(self, path: str) -> str:
        """Where a service path is really served (whatever the XAddrs say)."""
        if self._elsewhere is not None and not path.startswith(DEVICE_PATH):
            return f"http://127.0.0.1:{self._elsewhere.port}{ELSEWHERE_PREFIX}{path}"
        if self.camera.knobs.xaddr_base:  # a gateway in front of the device (tests)
            return f"{self.camera.knobs.xaddr_base.rstrip('/')}{path}"
        return f"http://127.0.0.1:{self.port}{path}"

    def _xaddr(self, path: str) -> str:
        """Where a service path is advertised: the device's port (plus a persona's wrong
        offset), or the second listener's port and path for a services-elsewhere device."""
        if self._elsewhere is not None and not path.startswith(DEVICE_PATH):
            return f"http://127.0.0.1:{self._elsewhere.port}{ELSEWHERE_PREFIX}{path}"
        if self.camera.knobs.xaddr_base:  # a gateway in front of the device (tests)
            return f"{self.camera.knobs.xaddr_base.rstrip('/')}{path}"
        return f"http://127.0.0.1:{self.port + self.camera.knobs.xaddr_port_offset}{path}"

    async def stop(self) -> None:
        for service in self.services.values():  # first wake waiting handlers (event pulls)
            if hasattr(service, "close"):
                await service.close()
        if self._elsewhere is not None:
            await self._elsewhere.stop()
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
        self._shaper.request(envelope.body_child)
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
            # services see their own paths, wherever a services-elsewhere device serves them
            path = REQUEST_PATH.set(request.path.removeprefix(ELSEWHERE_PREFIX))
            try:
                body = await respond(self._operations[namespace], namespace, envelope)
            finally:
                REQUEST_PATH.reset(path)
        except soap.SoapFault as fault:
            await self._next_tick()
            return self._fault(operation, decision.authenticated, fault, namespace)
        await self._next_tick()
        self._record(operation, decision.authenticated, "200", namespace)
        return Response(200, self._shaper.reply(operation, body), soap.CONTENT_TYPE)

    async def _next_tick(self) -> None:
        """A device with whole-second timers answers on its clock's next full second."""
        if self.camera.knobs.whole_second_timers:
            now = device_now(self.camera).timestamp()
            await asyncio.sleep(1.0 - (now % 1.0))

    async def _stimulus(self, request: Request) -> Response:
        """POST /stimulus?kind=motion|tamper: a lab's scene change (see event_stimulus)."""
        events = self.services.get("events")
        if events is None:
            return Response(404, b"no event service")
        handle = stimulus_handler(
            self._auth.check_http_digest,
            events.stimulate,  # type: ignore[attr-defined]
            lambda label, auth, outcome: self.oplog.record(
                self.camera.name, "http", label, auth, outcome
            ),
            self._challenge,
        )
        return await handle(request)  # type: ignore[misc]

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

    def _fault(
        self, operation: str, authenticated: bool, fault: soap.SoapFault, namespace: str = ""
    ) -> Response:
        self._record(operation, authenticated, fault.outcome, namespace)
        status = 200 if self.camera.knobs.faults_http_200 else fault.http_status
        body = self._shaper.reply(operation, soap.fault_envelope(fault))
        return Response(status, body, soap.CONTENT_TYPE)

    def _record(
        self, operation: str, authenticated: bool, outcome: str, namespace: str = ""
    ) -> None:
        self.oplog.record(self.camera.name, "onvif", operation, authenticated, outcome, namespace)

    async def _snapshot(self, request: Request) -> Response:
        """The snapshot URL uses HTTP Digest like the services (ONVIF Media 5.4)."""
        label = f"{request.method} {SNAPSHOT_PATH}"
        if request.method != "GET":
            return Response(405, b"Use GET", headers={"Allow": "GET"})
        knobs = self.camera.knobs
        authorization = request.headers.get("authorization")
        if knobs.snapshot_basic_only:
            authenticated = self._basic_ok(authorization)
        else:
            authenticated = authorization is not None and self._auth.check_http_digest(
                request.method, request.target, authorization
            )
        if not (authenticated or knobs.protected_ops_open or knobs.snapshot_anonymous):
            self.oplog.record(self.camera.name, "http", label, False, "401")
            if knobs.snapshot_basic_only:
                realm = 'Basic realm="snapshot"'
                return Response(401, b"", headers={"WWW-Authenticate": realm})
            return self._challenge()
        from fake_vms.media.snapshot import render_jpeg  # written separately; import when used

        width, height = self.camera.knobs.snapshot_size or (self.camera.width, self.camera.height)
        frame_number = int(time.time() * self.camera.fps)
        if self.camera.knobs.snapshot_placeholder:
            from fake_vms.media.snapshot import placeholder_jpeg

            jpeg = await asyncio.to_thread(placeholder_jpeg, width, height)
        else:
            jpeg = await asyncio.to_thread(render_jpeg, frame_number, width, height)
        self.oplog.record(self.camera.name, "http", label, authenticated, "200")
        return Response(200, jpeg, knobs.snapshot_content_type)

    def _basic_ok(self, authorization: str | None) -> bool:
        """HTTP Basic credentials of the camera's own user (the snapshot_basic_only quirk)."""
        if not authorization or authorization[:6].lower() != "basic ":
            return False
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        user, _, password = decoded.partition(":")
        return user == self.camera.username and password == self.camera.password


def _refuse_capabilities(_request: object) -> object:
    raise soap.SoapFault(
        "Receiver",
        ("ActionNotSupported",),
        "Optional Action Not Implemented: GetServiceCapabilities",
    )


def _quirked(service: str, operations: dict, knobs: object) -> dict:
    """A service's operations as this camera's knobs leave them (knob service_caps_fault: the
    named service answers GetServiceCapabilities with env:Receiver/ter:ActionNotSupported)."""
    if getattr(knobs, "service_caps_fault", None) == service:
        return {**operations, "GetServiceCapabilities": _refuse_capabilities}
    return operations
