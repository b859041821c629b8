"""OnvifClient against real local HTTP servers replaying hand-written ONVIF replies.

Each test starts a tiny http.server on 127.0.0.1 (port 0) whose behaviour is a Python function,
so the client's real socket, HTTP, auth and XML paths run; the server side checks what the
client actually sent (WS-Security digest, Created timestamps, HTTP Digest response).
"""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import parse_http_list, parse_keqv_list

import pytest
from lxml import etree

from conformance.clients.onvif import (
    ONVIF_ERROR_NS,
    SOAP12_ENV,
    WSSE_NS,
    WSU_NS,
    OnvifClient,
    OnvifFault,
    OnvifHttpError,
    OnvifProtocolError,
    OnvifTimeout,
    OnvifUnreachable,
)
from conformance.redaction import Redactor

FIXTURES = Path(__file__).parent / "fixtures" / "onvif"
USER = "operator7"
PASSWORD = "s3cr3t-Pa55"
REALM = "IP Camera(C1234)"
SOAP_TYPE = "application/soap+xml; charset=utf-8"
# GetSystemDateAndTime.xml says the device clock reads 2030-01-15T20:00:00Z.
FIXTURE_DEVICE_UTC = datetime(2030, 1, 15, 20, 0, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterator[bytes] = b""
    content_type: str = SOAP_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


Behaviour = Callable[[Request], Reply]


class FakeDevice:
    """A threaded HTTP server whose replies come from ``behaviour``; keeps every request."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.requests: list[Request] = []
        device = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length", "0"))
                request = Request(self.path, dict(self.headers.items()), self.rfile.read(length))
                device.requests.append(request)
                reply = behaviour(request)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers:
                    self.send_header(name, value)
                if isinstance(reply.body, bytes):
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for chunk in reply.body:
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Keep test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/onvif/device_service"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], FakeDevice]]:
    devices: list[FakeDevice] = []

    def start(behaviour: Behaviour) -> FakeDevice:
        devices.append(FakeDevice(behaviour))
        return devices[-1]

    yield start
    for device in devices:
        device.close()


def client_for(device: FakeDevice, **kwargs: object) -> OnvifClient:
    return OnvifClient(device.url, USER, PASSWORD, timeout=2.0, **kwargs)  # type: ignore[arg-type]


def usernametoken(request: Request) -> dict[str, str] | None:
    """Server-side WS-Security check: the fields sent, plus whether the digest verifies."""
    root = etree.fromstring(request.body)
    token = root.find(f"{{{SOAP12_ENV}}}Header/{{{WSSE_NS}}}Security/{{{WSSE_NS}}}UsernameToken")
    if token is None:
        return None
    fields = {
        "username": token.findtext(f"{{{WSSE_NS}}}Username"),
        "password": token.findtext(f"{{{WSSE_NS}}}Password"),
        "password_type": token.find(f"{{{WSSE_NS}}}Password").get("Type"),
        "nonce": token.findtext(f"{{{WSSE_NS}}}Nonce"),
        "created": token.findtext(f"{{{WSU_NS}}}Created"),
    }
    nonce = base64.b64decode(fields["nonce"])
    expected = base64.b64encode(
        hashlib.sha1(nonce + fields["created"].encode() + PASSWORD.encode()).digest()
    ).decode()
    fields["digest_ok"] = str(expected == fields["password"] and len(nonce) == 16)
    return fields


def parse_created(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def ok(name: str) -> Behaviour:
    return lambda request: Reply(body=fixture(name))


def test_get_device_information_with_wsse(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(ok("GetDeviceInformation.xml"))
    client = client_for(device)
    info = client.call("devicemgmt", "GetDeviceInformation")
    assert info.Manufacturer == "Example Optics"
    assert info.SerialNumber == "EX2030A0001"

    (request,) = device.requests
    assert request.path == "/onvif/device_service"
    content_type = request.headers["Content-Type"]
    assert content_type.startswith("application/soap+xml")
    assert 'action="http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation"' in content_type
    assert "Authorization" not in request.headers
    token = usernametoken(request)
    assert token is not None
    assert token["username"] == USER
    assert token["password_type"].endswith("#PasswordDigest")
    assert token["digest_ok"] == "True"
    assert abs(parse_created(token["created"]) - datetime.now(UTC)) < timedelta(seconds=2)


def test_created_uses_clock_offset(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(ok("GetDeviceInformation.xml"))
    client = client_for(device, clock_offset=-3600.0)
    client.call("devicemgmt", "GetDeviceInformation")
    client.clock_offset = 86400.0
    client.call("devicemgmt", "GetDeviceInformation")
    first, second = (usernametoken(r) for r in device.requests)
    assert first and second and first["nonce"] != second["nonce"]
    now = datetime.now(UTC)
    assert abs(parse_created(first["created"]) - (now - timedelta(hours=1))) < timedelta(seconds=2)
    assert abs(parse_created(second["created"]) - (now + timedelta(days=1))) < timedelta(seconds=2)
    assert first["digest_ok"] == second["digest_ok"] == "True"


def test_sync_clock_is_unauthenticated(serve: Callable[[Behaviour], FakeDevice]) -> None:
    def behaviour(request: Request) -> Reply:
        if b"GetSystemDateAndTime" in request.body:
            return Reply(body=fixture("GetSystemDateAndTime.xml"))
        return Reply(body=fixture("GetDeviceInformation.xml"))

    device = serve(behaviour)
    client = client_for(device)
    offset = client.sync_clock()
    expected = (FIXTURE_DEVICE_UTC - datetime.now(UTC)).total_seconds()
    assert abs(offset - expected) < 2
    assert client.clock_offset == offset
    assert client.clock_sync_auth == "none"
    assert usernametoken(device.requests[0]) is None
    assert "Authorization" not in device.requests[0].headers

    client.call("devicemgmt", "GetDeviceInformation")
    token = usernametoken(device.requests[1])
    assert token and token["digest_ok"] == "True"
    assert abs(parse_created(token["created"]) - FIXTURE_DEVICE_UTC) < timedelta(seconds=2)


def test_sync_clock_falls_back_to_credentials(serve: Callable[[Behaviour], FakeDevice]) -> None:
    def behaviour(request: Request) -> Reply:
        if usernametoken(request) is None:
            return Reply(status=400, body=fixture("fault_not_authorized.xml"))
        return Reply(body=fixture("GetSystemDateAndTime.xml"))

    device = serve(behaviour)
    client = client_for(device)
    client.sync_clock()
    assert client.clock_sync_auth == "both"
    assert len(device.requests) == 2
    assert [e.error is None for e in client.exchanges] == [False, True]


def test_soap_fault_not_authorized(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(lambda r: Reply(status=400, body=fixture("fault_not_authorized.xml")))
    client = client_for(device)
    with pytest.raises(OnvifFault) as caught:
        client.call("devicemgmt", "GetDeviceInformation")
    fault = caught.value
    assert fault.code == f"{{{SOAP12_ENV}}}Sender"
    assert fault.subcodes == [f"{{{ONVIF_ERROR_NS}}}NotAuthorized"]
    assert fault.code_name == "env:Sender"
    assert fault.subcode_names == ["ter:NotAuthorized"]
    assert fault.matches("ter:NotAuthorized")
    assert fault.http_status == 400
    assert fault.operation == "GetDeviceInformation"
    assert fault.reason == "Sender not Authorized"
    assert "requires authorization" in fault.detail
    assert client.exchanges[-1].http_status == 400
    assert "OnvifFault" in (client.exchanges[-1].error or "")


def test_soap11_fault_from_nonconforming_device(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(lambda r: Reply(status=500, body=fixture("fault_soap11.xml")))
    with pytest.raises(OnvifFault) as caught:
        client_for(device).call("devicemgmt", "GetDeviceInformation")
    fault = caught.value
    assert fault.code == f"{{{ONVIF_ERROR_NS}}}ActionNotSupported"
    assert fault.code_name == "ter:ActionNotSupported"
    assert fault.subcodes == []
    assert fault.reason == "Optional Action Not Implemented"
    assert fault.http_status == 500


def test_html_401_page(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(
        lambda r: Reply(
            status=401,
            body=fixture("unauthorized.html"),
            content_type="text/html",
            headers=[("WWW-Authenticate", 'Basic realm="cam"')],
        )
    )
    with pytest.raises(OnvifHttpError) as caught:
        client_for(device).call("devicemgmt", "GetDeviceInformation")
    error = caught.value
    assert error.http_status == 401
    assert error.content_type == "text/html"
    assert "401 Unauthorized" in error.body_excerpt
    assert error.www_authenticate == ['Basic realm="cam"']


def digest_device(serve: Callable[[Behaviour], FakeDevice]) -> FakeDevice:
    """A device demanding RFC 2617 Digest (offering SHA-256 and MD5, as Hikvision does)."""
    nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"

    def behaviour(request: Request) -> Reply:
        header = request.headers.get("Authorization", "")
        if header.startswith("Digest "):
            fields = parse_keqv_list(parse_http_list(header[len("Digest ") :]))

            def md5(text: str) -> str:
                return hashlib.md5(text.encode()).hexdigest()

            ha1 = md5(f"{USER}:{REALM}:{PASSWORD}")
            ha2 = md5(f"POST:{fields['uri']}")
            expected = md5(f"{ha1}:{nonce}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{ha2}")
            if fields["username"] == USER and fields["response"] == expected:
                return Reply(body=fixture("GetDeviceInformation.xml"))
        return Reply(
            status=401,
            body=fixture("unauthorized.html"),
            content_type="text/html",
            headers=[
                ("WWW-Authenticate", f'Digest realm="{REALM}", qop="auth", nonce="{nonce}"'),
                ("WWW-Authenticate", f'Basic realm="{REALM}"'),
            ],
        )

    return serve(behaviour)


def test_digest_challenge_then_success(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = digest_device(serve)
    client = client_for(device)
    info = client.call("devicemgmt", "GetDeviceInformation", auth="digest")
    assert info.Model == "EX-4K-DOME"
    first, second = device.requests
    assert "Authorization" not in first.headers
    assert second.headers["Authorization"].startswith("Digest ")
    assert usernametoken(second) is None

    both = client.call("devicemgmt", "GetDeviceInformation", auth="both")
    assert both.Model == "EX-4K-DOME"
    assert usernametoken(device.requests[-1]) is not None


def test_no_credentials_on_digest_device(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = digest_device(serve)
    client = client_for(device)
    with pytest.raises(OnvifHttpError) as caught:
        client.call("devicemgmt", "GetDeviceInformation", auth="none")
    assert caught.value.http_status == 401
    assert caught.value.www_authenticate[0].startswith("Digest ")
    assert len(caught.value.www_authenticate) == 2
    (request,) = device.requests
    assert usernametoken(request) is None and "Authorization" not in request.headers


def test_malformed_xml(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(ok("malformed.xml"))
    client = client_for(device)
    with pytest.raises(OnvifProtocolError, match="malformed XML"):
        client.call("devicemgmt", "GetDeviceInformation")
    assert "Truncated & unescaped" in client.exchanges[-1].response_xml


def test_xml_bomb_rejected_fast(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(ok("billion_laughs.xml"))
    client = client_for(device)
    started = time.perf_counter()
    with pytest.raises(OnvifProtocolError, match="DOCTYPE"):
        client.call("devicemgmt", "GetDeviceInformation")
    assert time.perf_counter() - started < 1.0
    assert len(client.exchanges[-1].response_xml) < 10_000


def test_wrong_content_type(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(
        lambda r: Reply(body=fixture("GetDeviceInformation.xml"), content_type="text/html")
    )
    with pytest.raises(OnvifProtocolError, match="content type"):
        client_for(device).call("devicemgmt", "GetDeviceInformation")


def test_reply_not_matching_wsdl(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(ok("GetSystemDateAndTime.xml"))
    with pytest.raises(OnvifProtocolError, match="does not match the WSDL"):
        client_for(device).call("devicemgmt", "GetDeviceInformation")


def test_server_never_answers() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)  # the kernel completes the handshake; nobody ever reads or replies
        port = listener.getsockname()[1]
        client = OnvifClient(f"http://127.0.0.1:{port}/onvif/device_service", USER, PASSWORD)
        client.timeout = 0.5
        started = time.perf_counter()
        with pytest.raises(OnvifTimeout):
            client.call("devicemgmt", "GetDeviceInformation")
        assert time.perf_counter() - started < 1.5
    assert client.exchanges[-1].http_status is None
    assert "OnvifTimeout" in (client.exchanges[-1].error or "")


def test_endless_body_is_capped(serve: Callable[[Behaviour], FakeDevice]) -> None:
    def endless() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><env:Envelope xmlns:env="' + SOAP12_ENV.encode() + b'">'
        while True:
            yield b"<x>" + b"A" * 65536 + b"</x>"

    device = serve(lambda r: Reply(body=endless()))
    client = client_for(device, max_response_bytes=512 * 1024)
    started = time.perf_counter()
    with pytest.raises(OnvifProtocolError, match="cap"):
        client.call("devicemgmt", "GetDeviceInformation")
    assert time.perf_counter() - started < 2.0


def test_declared_oversize_rejected_before_reading(
    serve: Callable[[Behaviour], FakeDevice],
) -> None:
    device = serve(lambda r: Reply(body=b"x" * 4096))
    client = client_for(device, max_response_bytes=1024)
    with pytest.raises(OnvifProtocolError, match="declares 4096 bytes"):
        client.post_raw(device.url, b"<x/>")


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = OnvifClient(f"http://127.0.0.1:{port}/onvif/device_service", USER, PASSWORD)
    with pytest.raises(OnvifUnreachable):
        client.call("devicemgmt", "GetDeviceInformation")


def test_service_urls(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(lambda r: Reply(status=500, body=b"", content_type="text/plain"))
    client = client_for(device)
    with pytest.raises(ValueError, match="set_service_url"):
        client.call("media", "GetProfiles")
    client.set_service_url("media", device.url.replace("device_service", "media_service"))
    with pytest.raises(OnvifHttpError):
        client.call("media", "GetProfiles")
    with pytest.raises(OnvifHttpError):
        client.call("media", "GetProfiles", url=device.url.replace("device_service", "other"))
    paths = [r.path for r in device.requests]
    assert paths == ["/onvif/media_service", "/onvif/other"]
    assert b"GetProfiles" in device.requests[0].body


def test_security_header_override_replays_nonce_and_stale_created(
    serve: Callable[[Behaviour], FakeDevice],
) -> None:
    device = serve(ok("GetDeviceInformation.xml"))
    client = client_for(device)
    stale = datetime(2020, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)
    header = client.wsse_header(created=stale, nonce=b"\x01" * 16)
    client.call("devicemgmt", "GetDeviceInformation", security_header=header)
    client.call("devicemgmt", "GetDeviceInformation", security_header=header)
    first, second = (usernametoken(r) for r in device.requests)
    assert first == second
    assert first and first["created"] == "2020-01-01T00:00:00.500Z"
    assert first["nonce"] == base64.b64encode(b"\x01" * 16).decode()
    assert first["digest_ok"] == "True"


def test_post_raw(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(lambda r: Reply(status=400, body=fixture("fault_not_authorized.xml")))
    client = client_for(device)
    body = b'<?xml version="1.0"?><e:Envelope xmlns:e="' + SOAP12_ENV.encode() + b'"/>'
    raw = client.post_raw(device.url, body, {"X-Test": "1"})
    assert raw.status == 400
    assert raw.headers["content-type"] == SOAP_TYPE
    assert raw.body == fixture("fault_not_authorized.xml")
    assert device.requests[0].body == body
    assert device.requests[0].headers["X-Test"] == "1"
    assert client.exchanges[-1].service == "raw"


def test_shared_redactor_learns_credentials(serve: Callable[[Behaviour], FakeDevice]) -> None:
    shared = Redactor(["other-secret"])
    device = serve(ok("GetDeviceInformation.xml"))
    client = OnvifClient(device.url, USER, PASSWORD, timeout=2.0, redactor=shared)
    client.call("devicemgmt", "GetDeviceInformation", auth="both")
    assert client.redactor is shared
    assert shared(f"{USER} {PASSWORD} other-secret") == "*** *** ***"


def test_exchanges_are_redacted(serve: Callable[[Behaviour], FakeDevice]) -> None:
    echo = digest_device(serve)
    leaky = serve(
        lambda r: Reply(
            status=400,
            body=fixture("fault_not_authorized.xml").replace(
                b"Sender not Authorized", f"user {USER} password {PASSWORD}".encode()
            ),
        )
    )
    client = client_for(echo)
    client.call("devicemgmt", "GetDeviceInformation", auth="both")
    with pytest.raises(OnvifFault) as caught:
        client.call("devicemgmt", "GetDeviceInformation", url=leaky.url)
    assert USER not in str(caught.value) and PASSWORD not in str(caught.value)
    client.post_raw(echo.url.replace("//", f"//{USER}:{PASSWORD}@"), b"<x/>", auth="digest")
    assert len(client.exchanges) == 3
    transcript = repr(client.exchanges)
    assert USER not in transcript
    assert PASSWORD not in transcript
    assert "<wsse:Password" in client.exchanges[0].request_xml
    assert "\n  " in client.exchanges[0].request_xml, "request evidence is pretty-printed"


# -- read leniently, judge strictly (issue 12) ---------------------------------------------------
def _without_use_count() -> bytes:
    """GetProfiles as a field camera sent it: every configuration's required UseCount left out."""
    body = re.sub(rb"<tt:UseCount>\d+</tt:UseCount>", b"", fixture("GetProfiles.xml"))
    assert b"UseCount" not in body
    return body


def test_reply_missing_use_count_is_read_and_violation_recorded(
    serve: Callable[[Behaviour], FakeDevice],
) -> None:
    """The data a client needs is all there: it is read, and the schema violation is kept on
    the exchange and the client for ONVIF-DEV-SCHEMA-01 to judge, not raised."""
    device = serve(lambda r: Reply(body=_without_use_count()))
    client = client_for(device)
    client.set_service_url("media", device.url)
    profiles = client.call("media", "GetProfiles")
    assert profiles[0].token == "profile_1"
    assert profiles[0].VideoEncoderConfiguration.Encoding == "H264"
    assert profiles[0].VideoEncoderConfiguration.UseCount is None
    exchange = client.exchanges[-1]
    assert exchange.error is None
    assert "does not match the WSDL" in (exchange.schema_violation or "")
    assert "UseCount" in exchange.schema_violation
    assert client.schema_violations == [("GetProfiles", exchange.schema_violation)]


def test_valid_reply_records_no_violation(serve: Callable[[Behaviour], FakeDevice]) -> None:
    device = serve(ok("GetProfiles.xml"))
    client = client_for(device)
    client.set_service_url("media", device.url)
    client.call("media", "GetProfiles")
    assert client.exchanges[-1].schema_violation is None
    assert client.schema_violations == []


def test_undeclared_prefix_in_one_reply_is_read(serve: Callable[[Behaviour], FakeDevice]) -> None:
    """A reply using ``tt:`` without declaring it is not namespace-well-formed, yet readable."""
    body = fixture("GetDeviceInformation.xml")
    declared = re.search(rb'\s+xmlns:tds="[^"]+"', body)
    assert declared is not None
    broken = body.replace(declared.group(0), b"")
    device = serve(lambda r: Reply(body=broken))
    client = client_for(device)
    info = client.call("devicemgmt", "GetDeviceInformation")
    assert info.Manufacturer
    assert "not namespace-well-formed" in (client.exchanges[-1].schema_violation or "")


def test_fault_message_shows_code_subcodes_reason_and_detail(
    serve: Callable[[Behaviour], FakeDevice],
) -> None:
    """The Detail often says whose fault it is (e.g. the consumer address must be routable)."""
    device = serve(lambda r: Reply(status=400, body=fixture("fault_not_authorized.xml")))
    with pytest.raises(OnvifFault) as caught:
        client_for(device).call("devicemgmt", "GetDeviceInformation")
    text = str(caught.value)
    assert "env:Sender/ter:NotAuthorized" in text
    assert "Sender not Authorized" in text
    assert "detail: The action requested requires authorization" in text
    assert "<" not in text.split("detail:", 1)[1]  # text content, not XML


def test_fault_detail_is_trimmed_and_redacted(serve: Callable[[Behaviour], FakeDevice]) -> None:
    detail = f"password {PASSWORD} rejected; " + "x" * 2000
    body = fixture("fault_not_authorized.xml").replace(
        b"The action requested requires authorization and the sender is not authorized",
        detail.encode(),
    )
    device = serve(lambda r: Reply(status=400, body=body))
    with pytest.raises(OnvifFault) as caught:
        client_for(device).call("devicemgmt", "GetDeviceInformation")
    text = str(caught.value)
    assert PASSWORD not in text
    assert len(caught.value.detail_text) <= 400
    assert text.endswith("...")
