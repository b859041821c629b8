"""The simulated ONVIF camera over plain HTTP: authentication policy, faults, every knob, HTTP.

Requests are hand-built (``requests`` plus literal SOAP) so each test controls exactly the bytes a
client sends: a replayed nonce, a stale Created, a malformed body.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from lxml import etree
from requests.auth import HTTPDigestAuth

from fake_vms.http import HttpServer
from fake_vms.onvif.device_service import uk_local_time
from fake_vms.onvif.registry import offered_services
from fake_vms.onvif.server import OnvifServer
from fake_vms.oplog import OperationLog
from fake_vms.personas import PERSONAS
from fake_vms.personas.knobs import Knobs
from fake_vms.site import CameraConfig, apply_persona

ENV = "http://www.w3.org/2003/05/soap-envelope"
TER = "http://www.onvif.org/ver10/error"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TRT = "http://www.onvif.org/ver10/media/wsdl"
TT = "http://www.onvif.org/ver10/schema"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS = {"env": ENV, "ter": TER, "tds": TDS, "trt": TRT, "tt": TT}
PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
RTSP_PORT = 8554
CAMERA = CameraConfig(name="cam-01")
StartServer = Callable[[Any], Any]


def username_token(
    password: str = CAMERA.password,
    created: datetime | None = None,
    nonce: bytes | None = None,
    username: str = CAMERA.username,
) -> str:
    """A WS-Security header with a PasswordDigest UsernameToken, as ONVIF clients send it."""
    nonce = nonce if nonce is not None else os.urandom(16)
    stamp = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + stamp.encode() + password.encode()).digest())
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
        f"<wsse:Username>{username}</wsse:Username>"
        f'<wsse:Password Type="{PASSWORD_DIGEST}">{digest.decode()}</wsse:Password>'
        f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
        f"<wsu:Created>{stamp}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    )


def envelope(body: str, header: str = "") -> str:
    return (
        f'<s:Envelope xmlns:s="{ENV}" xmlns:tds="{TDS}" xmlns:trt="{TRT}" xmlns:tt="{TT}">'
        f"<s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )


class Device:
    """Test-side handle on one running simulated camera."""

    def __init__(self, server: OnvifServer) -> None:
        self.server = server
        self.camera = server.camera
        self.digest = HTTPDigestAuth(self.camera.username, self.camera.password)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.port}{path}"

    def post(self, body: str, header: str = "", service: str = "device", **kw: Any) -> Any:
        return requests.post(
            self.url(f"/onvif/{service}_service"),
            data=envelope(body, header),
            headers={"Content-Type": "application/soap+xml; charset=utf-8"},
            timeout=5,
            **kw,
        )

    def call(self, body: str, service: str = "device") -> etree._Element:
        """Call with HTTP Digest and return the response's Body child."""
        reply = self.post(body, service=service, auth=self.digest)
        assert reply.status_code == 200, reply.text
        assert reply.headers["Content-Type"] == "application/soap+xml; charset=utf-8"
        return etree.fromstring(reply.content).find("env:Body", NS)[0]


@pytest.fixture
def start_device(run_async_server: StartServer) -> Callable[..., Device]:
    def start(camera: CameraConfig = CAMERA, oplog: OperationLog | None = None) -> Device:
        return Device(run_async_server(OnvifServer(camera, RTSP_PORT, oplog, site_name="Leeds")))

    return start


@pytest.fixture
def device(start_device: Callable[..., Device]) -> Device:
    return start_device()


def with_knobs(**knobs: Any) -> CameraConfig:
    return replace(CAMERA, knobs=Knobs(**knobs))


def resolved(value: etree._Element) -> str:
    prefix, local = value.text.split(":")
    return f"{{{value.nsmap[prefix]}}}{local}"


def subcodes(reply: requests.Response) -> list[str]:
    values = etree.fromstring(reply.content).xpath("//env:Fault/env:Code//env:Value", namespaces=NS)
    return [resolved(v) for v in values]


# --- authentication ----------------------------------------------------------------------------


def test_no_credentials_gets_digest_challenge(device: Device) -> None:
    reply = device.post("<tds:GetDeviceInformation/>")
    assert reply.status_code == 401
    challenge = reply.headers["WWW-Authenticate"]
    assert challenge.startswith('Digest realm="FakeVMS", qop="auth", nonce="')


def test_http_digest_success(device: Device) -> None:
    info = device.call("<tds:GetDeviceInformation/>")
    assert info.findtext("tds:SerialNumber", namespaces=NS) == CAMERA.serial


def test_wrong_http_digest_password_is_challenged_again(device: Device) -> None:
    reply = device.post("<tds:GetDeviceInformation/>", auth=HTTPDigestAuth("admin", "nope"))
    assert reply.status_code == 401


def test_valid_username_token(device: Device) -> None:
    reply = device.post("<tds:GetDeviceInformation/>", username_token())
    assert reply.status_code == 200


def test_wrong_wsse_password_is_not_authorized_fault(device: Device) -> None:
    reply = device.post("<tds:GetDeviceInformation/>", username_token(password="wrong"))
    assert reply.status_code == 400
    assert reply.headers["Content-Type"] == "application/soap+xml; charset=utf-8"
    assert subcodes(reply) == [f"{{{ENV}}}Sender", f"{{{TER}}}NotAuthorized"]


def test_replayed_nonce_is_rejected(device: Device) -> None:
    token = username_token()
    assert device.post("<tds:GetDeviceInformation/>", token).status_code == 200
    replay = device.post("<tds:GetDeviceInformation/>", token)
    assert replay.status_code == 400
    assert subcodes(replay)[-1] == f"{{{TER}}}NotAuthorized"


@pytest.mark.parametrize("offset_minutes", [-6, 6])
def test_created_outside_five_minutes_is_rejected(device: Device, offset_minutes: int) -> None:
    created = datetime.now(UTC) + timedelta(minutes=offset_minutes)
    reply = device.post("<tds:GetDeviceInformation/>", username_token(created=created))
    assert reply.status_code == 400
    assert subcodes(reply)[-1] == f"{{{TER}}}NotAuthorized"


@pytest.mark.parametrize("missing", ["Nonce", "Created"])
def test_token_without_nonce_or_created_is_rejected(device: Device, missing: str) -> None:
    token = etree.fromstring(username_token())
    element = token.find(f".//{{*}}{missing}")
    element.getparent().remove(element)
    reply = device.post("<tds:GetDeviceInformation/>", etree.tostring(token).decode())
    assert reply.status_code == 400


@pytest.mark.parametrize(
    "operation",
    [
        "GetSystemDateAndTime",
        "GetServices",
        "GetCapabilities",
        "GetServiceCapabilities",
        "GetWsdlUrl",
        "GetHostname",
    ],
)
def test_pre_auth_operations_need_no_credentials(device: Device, operation: str) -> None:
    body = "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>"
    reply = device.post(body if operation == "GetServices" else f"<tds:{operation}/>")
    assert reply.status_code == 200


def test_operation_log_records_outcomes(start_device: Callable[..., Device]) -> None:
    oplog = OperationLog()
    device = start_device(oplog=oplog)
    device.post("<tds:GetDeviceInformation/>")
    device.post("<tds:GetDeviceInformation/>", username_token(password="wrong"))
    device.call("<tds:GetDeviceInformation/>")
    device.post("<tds:GetSystemDateAndTime/>")
    entries = [
        (e.device, e.protocol, e.operation, e.authenticated, e.outcome) for e in oplog.entries()
    ]
    assert entries == [
        ("cam-01", "onvif", "GetDeviceInformation", False, "401"),
        ("cam-01", "onvif", "GetDeviceInformation", False, "fault:ter:NotAuthorized"),
        ("cam-01", "onvif", "GetDeviceInformation", False, "401"),  # Digest's first round trip
        ("cam-01", "onvif", "GetDeviceInformation", True, "200"),
        ("cam-01", "onvif", "GetSystemDateAndTime", False, "200"),
    ]


# --- SOAP faults -------------------------------------------------------------------------------


def test_malformed_xml_is_sender_fault(device: Device) -> None:
    reply = requests.post(device.url("/onvif/device_service"), data=b"<s:Envelope", timeout=5)
    assert reply.status_code == 400
    assert subcodes(reply)[0] == f"{{{ENV}}}Sender"


def test_doctype_is_rejected(device: Device) -> None:
    xxe = (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + envelope("<tds:GetHostname/>").encode()
    )
    reply = requests.post(device.url("/onvif/device_service"), data=xxe, timeout=5)
    assert reply.status_code == 400
    assert subcodes(reply)[0] == f"{{{ENV}}}Sender"
    assert b"root:" not in reply.content


def test_unknown_operation_is_action_not_supported(device: Device) -> None:
    reply = device.post(
        "<tds:SetHostname><tds:Name>x</tds:Name></tds:SetHostname>", auth=device.digest
    )
    assert reply.status_code == 500
    assert subcodes(reply) == [f"{{{ENV}}}Receiver", f"{{{TER}}}ActionNotSupported"]


def test_unknown_profile_token_is_no_profile(device: Device) -> None:
    body = "<trt:GetSnapshotUri><trt:ProfileToken>nope</trt:ProfileToken></trt:GetSnapshotUri>"
    reply = device.post(body, service="media", auth=device.digest)
    assert reply.status_code == 400
    assert subcodes(reply) == [
        f"{{{ENV}}}Sender",
        f"{{{TER}}}InvalidArgVal",
        f"{{{TER}}}NoProfile",
    ]


# --- device service ----------------------------------------------------------------------------


def test_system_date_and_time(device: Device) -> None:
    reply = device.call("<tds:GetSystemDateAndTime/>")
    info = reply.find("tds:SystemDateAndTime", NS)
    assert info.findtext("tt:TimeZone/tt:TZ", namespaces=NS) == "GMT0BST,M3.5.0/1,M10.5.0"
    assert info.findtext("tt:DaylightSavings", namespaces=NS) == "false"
    assert (
        abs((_date_time(info.find("tt:UTCDateTime", NS)) - datetime.now(UTC)).total_seconds()) < 5
    )


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), datetime(2026, 1, 15, 12, 0)),
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), datetime(2026, 7, 2, 0, 30)),
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(2026, 3, 29, 0, 59)),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, 0)),
        (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), datetime(2026, 10, 25, 1, 59)),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0)),
    ],
)
def test_uk_local_time_follows_bst(utc: datetime, local: datetime) -> None:
    assert uk_local_time(utc) == local


def test_clock_skew_persona(start_device: Callable[..., Device]) -> None:
    device = start_device(apply_persona(CAMERA, PERSONAS["clock-skew"]))
    info = device.call("<tds:GetSystemDateAndTime/>").find("tds:SystemDateAndTime", NS)
    skew = _date_time(info.find("tt:UTCDateTime", NS)) - datetime.now(UTC)
    assert abs(skew.total_seconds() - 600) < 5
    host_clock = device.post("<tds:GetDeviceInformation/>", username_token())
    assert host_clock.status_code == 400
    device_clock = username_token(created=datetime.now(UTC) + timedelta(seconds=600))
    assert device.post("<tds:GetDeviceInformation/>", device_clock).status_code == 200


def test_device_information(device: Device) -> None:
    info = device.call("<tds:GetDeviceInformation/>")
    values = [child.text for child in info]
    assert values == ["FakeVMS", "SimCam 1000", "1.0.0", CAMERA.serial, "SIM-HW-1"]


def test_services(device: Device) -> None:
    body = "<tds:GetServices><tds:IncludeCapability>{}</tds:IncludeCapability></tds:GetServices>"
    services = device.call(body.format("false")).findall("tds:Service", NS)
    xaddrs = {
        s.findtext("tds:Namespace", namespaces=NS): s.findtext("tds:XAddr", namespaces=NS)
        for s in services
    }
    # Every service of the registry, each at its own path (new services join automatically).
    offered = offered_services(device.server.camera)
    assert xaddrs == {spec.namespace: device.url(spec.path) for spec in offered}
    assert xaddrs[TDS] == device.server.device_url
    assert xaddrs[TRT] == device.url("/onvif/media_service")
    assert all(s.find("tds:Capabilities", NS) is None for s in services)
    with_caps = device.call(body.format("true")).findall("tds:Service", NS)
    assert [s.find("tds:Capabilities", NS)[0].tag for s in with_caps] == [
        f"{{{spec.namespace}}}Capabilities" for spec in offered
    ]


def test_capabilities(device: Device) -> None:
    caps = device.call(
        "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>"
    )
    assert caps.findtext(".//tt:Media/tt:XAddr", namespaces=NS) == device.url(
        "/onvif/media_service"
    )
    streaming = caps.find(".//tt:Media/tt:StreamingCapabilities", NS)
    assert [c.text for c in streaming] == ["true", "true", "true"]  # RTPMulticast: issue 14


@pytest.mark.parametrize(("category", "present"), [("Device", ["Device"]), ("Media", ["Media"])])
def test_capabilities_category(device: Device, category: str, present: list[str]) -> None:
    body = f"<tds:GetCapabilities><tds:Category>{category}</tds:Category></tds:GetCapabilities>"
    caps = device.call(body).find("tds:Capabilities", NS)
    assert [etree.QName(child).localname for child in caps] == present


def test_capabilities_unsupported_category_is_no_such_service(device: Device) -> None:
    body = "<tds:GetCapabilities><tds:Category>PTZ</tds:Category></tds:GetCapabilities>"
    reply = device.post(body)
    assert reply.status_code == 500
    assert subcodes(reply)[1:] == [f"{{{TER}}}ActionNotSupported", f"{{{TER}}}NoSuchService"]


def test_scopes(device: Device) -> None:
    scopes = device.call("<tds:GetScopes/>").xpath("tds:Scopes/tt:ScopeItem/text()", namespaces=NS)
    assert scopes == [
        "onvif://www.onvif.org/type/video_encoder",
        "onvif://www.onvif.org/Profile/Streaming",
        "onvif://www.onvif.org/name/cam-01",
        "onvif://www.onvif.org/hardware/SimCam%201000",
        "onvif://www.onvif.org/location/Leeds",
    ]


def test_network_users_hostname(device: Device) -> None:
    interfaces = device.call("<tds:GetNetworkInterfaces/>")
    assert interfaces.findtext(".//tt:HwAddress", namespaces=NS) == CAMERA.mac
    assert interfaces.findtext(".//tt:IPv4//tt:Address", namespaces=NS) == "127.0.0.1"
    users = device.call("<tds:GetUsers/>").findall("tds:User", NS)
    assert [
        (u.findtext("tt:Username", namespaces=NS), u.findtext("tt:UserLevel", namespaces=NS))
        for u in users
    ] == [("admin", "Administrator")]
    assert device.call("<tds:GetHostname/>").findtext(".//tt:Name", namespaces=NS) == "cam-01"


# --- media service -----------------------------------------------------------------------------


def test_profile(device: Device) -> None:
    profile = device.call("<trt:GetProfiles/>", "media").find("trt:Profiles", NS)
    assert (profile.get("token"), profile.findtext("tt:Name", namespaces=NS)) == (
        "profile_1",
        "MainStream",
    )
    encoder = profile.find("tt:VideoEncoderConfiguration", NS)
    assert encoder.get("token") == "vec_1"
    assert _resolution(encoder) == (1280, 720)
    assert encoder.findtext("tt:RateControl/tt:FrameRateLimit", namespaces=NS) == "25"
    assert encoder.findtext("tt:H264/tt:GovLength", namespaces=NS) == "25"
    assert encoder.findtext("tt:H264/tt:H264Profile", namespaces=NS) == "Main"
    assert encoder.findtext("tt:SessionTimeout", namespaces=NS) == "PT60S"
    assert profile.find("tt:VideoSourceConfiguration", NS) is not None


def test_stream_uri(device: Device) -> None:
    body = (
        "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport>"
        "<tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
        "<trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetStreamUri>"
    )
    uri = device.call(body, "media").find("trt:MediaUri", NS)
    assert [c.text for c in uri] == [
        f"rtsp://127.0.0.1:{RTSP_PORT}/stream1",
        "false",
        "false",
        "PT0S",
    ]


def test_snapshot_requires_digest_and_serves_jpeg(device: Device) -> None:
    body = "<trt:GetSnapshotUri><trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetSnapshotUri>"
    uri = device.call(body, "media").findtext(".//tt:Uri", namespaces=NS)
    assert uri == device.url("/snapshot.jpg")
    assert requests.get(uri, timeout=5).status_code == 401
    _require_render_jpeg()
    reply = requests.get(uri, auth=device.digest, timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "image/jpeg"
    assert _jpeg_size(reply.content) == (1280, 720)


# --- knobs -------------------------------------------------------------------------------------


def test_knob_time_requires_auth(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(time_requires_auth=True))
    assert device.post("<tds:GetSystemDateAndTime/>").status_code == 401
    assert device.post("<tds:GetHostname/>").status_code == 200
    device.call("<tds:GetSystemDateAndTime/>")


def test_knob_protected_ops_open(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(protected_ops_open=True))
    assert device.post("<tds:GetDeviceInformation/>").status_code == 200
    assert device.post("<trt:GetProfiles/>", service="media").status_code == 200


def test_knob_protected_ops_open_snapshot(start_device: Callable[..., Device]) -> None:
    _require_render_jpeg()
    device = start_device(with_knobs(protected_ops_open=True))
    assert requests.get(device.url("/snapshot.jpg"), timeout=10).status_code == 200


def test_knob_bad_credentials_html(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(bad_credentials_html=True))
    reply = device.post("<tds:GetDeviceInformation/>", username_token(password="wrong"))
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.text == "<html><body>Authentication Error: Access Denied!</body></html>"
    assert device.post("<tds:GetDeviceInformation/>").status_code == 401


def test_knob_xaddr_port_offset(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(xaddr_port_offset=1000))
    wrong = device.server.port + 1000
    body = "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>"
    xaddrs = device.call(body).xpath("tds:Service/tds:XAddr/text()", namespaces=NS)
    assert xaddrs == [
        f"http://127.0.0.1:{wrong}{spec.path}" for spec in offered_services(device.server.camera)
    ]
    caps = device.call("<tds:GetCapabilities/>")
    assert (
        caps.findtext(".//tt:Media/tt:XAddr", namespaces=NS)
        == f"http://127.0.0.1:{wrong}/onvif/media_service"
    )


def test_knob_capabilities_media_path(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(capabilities_media_path="/onvif/Media"))
    caps = device.call("<tds:GetCapabilities/>")
    assert caps.findtext(".//tt:Media/tt:XAddr", namespaces=NS) == device.url("/onvif/Media")
    body = "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>"
    assert device.url("/onvif/media_service") in device.call(body).xpath(
        ".//tds:XAddr/text()", namespaces=NS
    )


TIMG = "http://www.onvif.org/ver20/imaging/wsdl"
TR2 = "http://www.onvif.org/ver20/media/wsdl"


def test_knob_service_caps_fault(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(service_caps_fault="imaging"))
    body = f'<GetServiceCapabilities xmlns="{TIMG}"/>'
    reply = device.post(body, service="imaging", auth=device.digest)
    assert reply.status_code == 500
    assert subcodes(reply)[:2] == [f"{{{ENV}}}Receiver", f"{{{TER}}}ActionNotSupported"]
    caps = device.call(f'<GetServiceCapabilities xmlns="{TR2}"/>', "media2")
    assert caps.find(f"{{{TR2}}}Capabilities") is not None  # every other service answers


def test_knob_services_caps_differ(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(services_caps_differ=True))
    body = "<tds:GetServices><tds:IncludeCapability>true</tds:IncludeCapability></tds:GetServices>"
    listed = device.call(body).find(f".//{{{TR2}}}Capabilities")
    own = device.call(f'<GetServiceCapabilities xmlns="{TR2}"/>', "media2").find(
        f"{{{TR2}}}Capabilities"
    )
    assert (listed.get("Rotation"), listed.get("OSD")) == ("true", "false")
    assert (own.get("Rotation"), own.get("OSD")) == ("false", "true")


def test_knob_capabilities_omit_category(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(capabilities_omit_category="Imaging"))
    caps = device.call("<tds:GetCapabilities/>")
    assert caps.find(".//tt:Imaging", NS) is None
    assert caps.find(".//tt:Media", NS) is not None
    reply = device.post(
        "<tds:GetCapabilities><tds:Category>Imaging</tds:Category></tds:GetCapabilities>",
        auth=device.digest,
    )
    assert f"{{{TER}}}NoSuchService" in subcodes(reply)


UNKNOWN = "cctv-conformance-nonexistent-0123456789abcdef"
INVALID_ARG_VAL = [f"{{{ENV}}}Sender", f"{{{TER}}}InvalidArgVal"]


def test_unknown_media_and_imaging_tokens_get_their_fault(device: Device) -> None:
    """ONVIF-FAULT-MEDIA-01 and -IMAGING-01 on the wire (the known-good camera)."""
    asked = [
        (f"<trt:GetProfile><trt:ProfileToken>{UNKNOWN}</trt:ProfileToken></trt:GetProfile>",
         "media", "NoProfile"),
        ("<trt:GetVideoSourceConfiguration><trt:ConfigurationToken>"
         f"{UNKNOWN}</trt:ConfigurationToken></trt:GetVideoSourceConfiguration>",
         "media", "NoConfig"),
        (f'<GetProfiles xmlns="{TR2}"><Token>{UNKNOWN}</Token></GetProfiles>',
         "media2", "NoProfile"),
        (f'<GetVideoSourceConfigurations xmlns="{TR2}"><ConfigurationToken>{UNKNOWN}'
         "</ConfigurationToken></GetVideoSourceConfigurations>", "media2", "NoConfig"),
        (f'<GetImagingSettings xmlns="{TIMG}"><VideoSourceToken>{UNKNOWN}</VideoSourceToken>'
         "</GetImagingSettings>", "imaging", "NoSource"),
        (f'<GetOptions xmlns="{TIMG}"><VideoSourceToken>{UNKNOWN}</VideoSourceToken>'
         "</GetOptions>", "imaging", "NoSource"),
    ]  # fmt: skip
    for body, service, subcode in asked:
        reply = device.post(body, service=service, auth=device.digest)
        assert reply.status_code in (400, 500), body
        assert subcodes(reply) == [*INVALID_ARG_VAL, f"{{{TER}}}{subcode}"], body


def test_media_get_video_source_configuration(device: Device) -> None:
    listed = device.call("<trt:GetVideoSourceConfigurations/>", "media")
    token = listed.find("trt:Configurations", NS).get("token")
    body = (
        "<trt:GetVideoSourceConfiguration><trt:ConfigurationToken>"
        f"{token}</trt:ConfigurationToken></trt:GetVideoSourceConfiguration>"
    )
    configuration = device.call(body, "media").find("trt:Configuration", NS)
    assert configuration.get("token") == token
    assert configuration.find("tt:SourceToken", NS) is not None


def test_knob_media_invalid_token_accepted(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(media_invalid_token_accepted=True))
    body = f"<trt:GetProfile><trt:ProfileToken>{UNKNOWN}</trt:ProfileToken></trt:GetProfile>"
    profile = device.call(body, "media").find("trt:Profile", NS)
    listed = device.call("<trt:GetProfiles/>", "media").find("trt:Profiles", NS)
    assert profile.get("token") == listed.get("token")  # the first profile, not a fault
    stream = (
        "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport>"
        "<tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
        f"<trt:ProfileToken>{UNKNOWN}</trt:ProfileToken></trt:GetStreamUri>"
    )
    reply = device.post(stream, service="media", auth=device.digest)
    assert f"{{{TER}}}NoProfile" in subcodes(reply)  # only GetProfile has the quirk


def test_knob_imaging_wrong_fault(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(imaging_wrong_fault=True))
    body = (
        f'<GetImagingSettings xmlns="{TIMG}"><VideoSourceToken>{UNKNOWN}</VideoSourceToken>'
        "</GetImagingSettings>"
    )
    reply = device.post(body, service="imaging", auth=device.digest)
    assert reply.status_code == 500
    assert subcodes(reply) == [f"{{{ENV}}}Receiver", f"{{{TER}}}ActionNotSupported"]


def _sizes(parent: etree._Element, path: str) -> list[tuple[int, int]]:
    return [
        (int(r.findtext("tt:Width", namespaces=NS)), int(r.findtext("tt:Height", namespaces=NS)))
        for r in parent.xpath(path, namespaces=NS)
    ]


ENCODER_OPTIONS = (
    f'<GetVideoEncoderConfigurationOptions xmlns="{TRT}"><ConfigurationToken>vec_1'
    "</ConfigurationToken><ProfileToken>profile_1</ProfileToken>"
    "</GetVideoEncoderConfigurationOptions>"
)


def test_media_configurations_lie_within_their_options(device: Device) -> None:
    profile = device.call("<trt:GetProfiles/>", service="media")[0]
    encoder = profile.find("tt:VideoEncoderConfiguration", NS)
    size = _sizes(encoder, "tt:Resolution")[0]
    options = device.call(ENCODER_OPTIONS, service="media")
    assert size in _sizes(options, ".//tt:H264/tt:ResolutionsAvailable")
    rate = float(encoder.findtext("tt:RateControl/tt:FrameRateLimit", namespaces=NS))
    low, high = (float(options.findtext(f".//tt:H264/tt:FrameRateRange/tt:{b}", namespaces=NS))
                 for b in ("Min", "Max"))  # fmt: skip
    assert low <= rate <= high
    bounds = profile.find("tt:VideoSourceConfiguration/tt:Bounds", NS)
    source = device.call(
        f'<GetVideoSourceConfigurationOptions xmlns="{TRT}"><ConfigurationToken>'
        f"{profile.find('tt:VideoSourceConfiguration', NS).get('token')}</ConfigurationToken>"
        "</GetVideoSourceConfigurationOptions>",
        service="media",
    )
    for attr, name in (("width", "WidthRange"), ("height", "HeightRange"), ("x", "XRange")):
        low = int(source.findtext(f".//tt:BoundsRange/tt:{name}/tt:Min", namespaces=NS))
        high = int(source.findtext(f".//tt:BoundsRange/tt:{name}/tt:Max", namespaces=NS))
        assert low <= int(bounds.get(attr)) <= high


def test_knob_encoder_options_without_current(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(encoder_options_without_current=True))
    profile = device.call("<trt:GetProfiles/>", service="media")[0]
    size = _sizes(profile, "tt:VideoEncoderConfiguration/tt:Resolution")[0]
    offered = _sizes(device.call(ENCODER_OPTIONS, service="media"), ".//tt:ResolutionsAvailable")
    assert offered and size not in offered


def test_knob_identity_blank(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(identity_blank=True))
    info = device.call("<tds:GetDeviceInformation/>")
    assert [child.text or "" for child in info] == ["FakeVMS", "SimCam 1000", "", "", "SIM-HW-1"]


def test_knob_omit_profile_scope(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(omit_profile_scope=True))
    scopes = device.call("<tds:GetScopes/>").xpath(".//tt:ScopeItem/text()", namespaces=NS)
    assert "onvif://www.onvif.org/Profile/Streaming" not in scopes
    assert "onvif://www.onvif.org/type/video_encoder" in scopes


def test_knob_hide_snapshot_capability(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(hide_snapshot_capability=True))
    caps = device.call("<trt:GetServiceCapabilities/>", "media").find("trt:Capabilities", NS)
    assert caps.get("SnapshotUri") == "false"
    body = "<trt:GetSnapshotUri><trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetSnapshotUri>"
    assert device.call(body, "media").findtext(".//tt:Uri", namespaces=NS) == device.url(
        "/snapshot.jpg"
    )
    conformant = start_device()
    caps = conformant.call("<trt:GetServiceCapabilities/>", "media").find("trt:Capabilities", NS)
    assert caps.get("SnapshotUri") == "true"


def test_knob_profiles_without_vsc(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(profiles_without_vsc=True))
    profile = device.call("<trt:GetProfiles/>", "media").find("trt:Profiles", NS)
    assert profile.find("tt:VideoSourceConfiguration", NS) is None
    assert profile.find("tt:VideoEncoderConfiguration", NS) is not None


def test_knob_encoder_list_size(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(encoder_list_size=(640, 360)))
    listed = device.call("<trt:GetVideoEncoderConfigurations/>", "media")
    assert _resolution(listed.find("trt:Configurations", NS)) == (640, 360)
    single = device.call(
        "<trt:GetVideoEncoderConfiguration><trt:ConfigurationToken>vec_1</trt:ConfigurationToken>"
        "</trt:GetVideoEncoderConfiguration>",
        "media",
    )
    assert _resolution(single.find("trt:Configuration", NS)) == (640, 360)
    profile = device.call("<trt:GetProfiles/>", "media")
    assert _resolution(profile.find(".//tt:VideoEncoderConfiguration", NS)) == (1280, 720)


def test_knob_stream_uri_host(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(stream_uri_host="127.0.1.1"))
    stream = device.call(
        "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport>"
        "<tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
        "<trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetStreamUri>",
        "media",
    )
    assert stream.findtext(".//tt:Uri", namespaces=NS) == f"rtsp://127.0.1.1:{RTSP_PORT}/stream1"
    snapshot = device.call(
        "<trt:GetSnapshotUri><trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetSnapshotUri>",
        "media",
    )
    assert (
        snapshot.findtext(".//tt:Uri", namespaces=NS)
        == f"http://127.0.1.1:{device.server.port}/snapshot.jpg"
    )


def test_knob_snapshot_size(start_device: Callable[..., Device]) -> None:
    _require_render_jpeg()
    device = start_device(with_knobs(snapshot_size=(320, 180)))
    reply = requests.get(device.url("/snapshot.jpg"), auth=device.digest, timeout=10)
    assert reply.status_code == 200
    assert _jpeg_size(reply.content) == (320, 180)


# --- HTTP layer --------------------------------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection(device: Device) -> None:
    request = _raw_post(envelope("<tds:GetHostname/>").encode())
    with socket.create_connection(("127.0.0.1", device.server.port), timeout=5) as sock:
        for _ in range(3):
            sock.sendall(request)
            assert _read_response(sock).startswith(b"HTTP/1.1 200 OK")


def test_chunked_body_is_accepted(device: Device) -> None:
    body = envelope("<tds:GetHostname/>").encode()
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 50]), body[i : i + 50]) for i in range(0, len(body), 50)
    )
    head = b"POST /onvif/device_service HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    with socket.create_connection(("127.0.0.1", device.server.port), timeout=5) as sock:
        sock.sendall(head + chunks + b"0\r\n\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 200 OK")


def test_oversized_body_and_headers_are_refused(device: Device) -> None:
    big = requests.post(
        device.url("/onvif/device_service"), data=b"x" * (1024 * 1024 + 1), timeout=5
    )
    assert big.status_code == 413
    huge_header = requests.get(
        device.url("/snapshot.jpg"), headers={"X-Big": "y" * 70_000}, timeout=5
    )
    assert huge_header.status_code == 431


def test_idle_connection_is_closed(run_async_server: StartServer) -> None:
    server = run_async_server(HttpServer(idle_timeout_s=0.2))
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        assert sock.recv(1) == b""  # the server hung up on its own


def test_unknown_path_is_404(device: Device) -> None:
    assert requests.get(device.url("/nope"), timeout=5).status_code == 404


# --- helpers -----------------------------------------------------------------------------------


def _date_time(element: etree._Element) -> datetime:
    def number(path: str) -> int:
        return int(element.findtext(path, namespaces=NS))

    return datetime(
        number("tt:Date/tt:Year"),
        number("tt:Date/tt:Month"),
        number("tt:Date/tt:Day"),
        number("tt:Time/tt:Hour"),
        number("tt:Time/tt:Minute"),
        number("tt:Time/tt:Second"),
        tzinfo=UTC,
    )


def _resolution(configuration: etree._Element) -> tuple[int, int]:
    return (
        int(configuration.findtext("tt:Resolution/tt:Width", namespaces=NS)),
        int(configuration.findtext("tt:Resolution/tt:Height", namespaces=NS)),
    )


def _require_render_jpeg() -> None:
    try:
        from fake_vms.media.snapshot import render_jpeg  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"snapshot renderer not available yet: {exc}")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from the JPEG's SOFn segment (no image library needed)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    offset = 2
    while offset < len(data):
        marker, length = data[offset + 1], struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return width, height
        offset += 2 + length
    raise AssertionError("JPEG has no SOF segment")


def _raw_post(body: bytes) -> bytes:
    head = (
        "POST /onvif/device_service HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/soap+xml\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return head


GUARANTEED = (
    "<trt:GetGuaranteedNumberOfVideoEncoderInstances><trt:ConfigurationToken>vsc_1"
    "</trt:ConfigurationToken></trt:GetGuaranteedNumberOfVideoEncoderInstances>"
)


def _use_counts(reply: etree._Element) -> list[int]:
    """UseCounts of a configuration listing, or of the video source and encoder configurations
    of a GetProfiles reply (profiles also carry audio configurations, not concerned here)."""
    kinds = (f"{{{TT}}}VideoSourceConfiguration", f"{{{TT}}}VideoEncoderConfiguration")
    in_profiles = [e.find(f"{{{TT}}}UseCount") for e in reply.iter() if e.tag in kinds]
    counts = in_profiles or list(reply.iter(f"{{{TT}}}UseCount"))
    return [int(e.text) for e in counts if e is not None]


def test_media_use_counts_follow_the_profiles(start_device: Callable[..., Device]) -> None:
    device = start_device()
    for operation in ("GetVideoSourceConfigurations", "GetVideoEncoderConfigurations"):
        assert _use_counts(device.call(f"<trt:{operation}/>", "media")) == [1]
    unused = start_device(with_knobs(profiles_without_vsc=True))
    assert _use_counts(unused.call("<trt:GetVideoSourceConfigurations/>", "media")) == [0]


def test_media1_h265_profile_lists_its_encoder(start_device: Callable[..., Device]) -> None:
    camera = replace(CAMERA, codec="H265", knobs=Knobs(media1_h265_profile_as_h264=True))
    device = start_device(camera)
    listed = device.call("<trt:GetVideoEncoderConfigurations/>", "media")
    assert [c.get("token") for c in listed] == ["vec_1", "vec_h265"]
    assert _use_counts(device.call("<trt:GetVideoSourceConfigurations/>", "media")) == [2]


def test_guaranteed_encoder_instances(device: Device) -> None:
    reply = device.call(GUARANTEED, "media")
    assert int(reply.findtext("trt:TotalNumber", namespaces=NS)) >= 1
    assert reply.find("trt:JPEG", NS) is None
    assert int(reply.findtext("trt:H264", namespaces=NS)) >= 1
    unknown = device.post(GUARANTEED.replace("vsc_1", "nope"), service="media", auth=device.digest)
    assert subcodes(unknown)[-1] == f"{{{TER}}}NoConfig"


def test_knob_use_count_stale(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(use_count_stale=True))
    assert _use_counts(device.call("<trt:GetProfiles/>", "media")) == [2, 2]
    assert _use_counts(device.call("<trt:GetVideoEncoderConfigurations/>", "media")) == [2]


def test_knob_guaranteed_jpeg_unoffered(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(guaranteed_jpeg_unoffered=True))
    assert int(device.call(GUARANTEED, "media").findtext("trt:JPEG", namespaces=NS)) == 1
    options = device.call("<trt:GetVideoEncoderConfigurationOptions/>", "media")
    assert options.find(".//tt:JPEG", NS) is None


def test_network_protocols_name_the_ports_served(device: Device) -> None:
    reply = device.call("<tds:GetNetworkProtocols/>")
    ports = {
        p.findtext("tt:Name", namespaces=NS): (
            p.findtext("tt:Enabled", namespaces=NS),
            [int(x.text) for x in p.findall("tt:Port", NS)],
        )
        for p in reply.findall("tds:NetworkProtocols", NS)
    }
    assert ports["HTTP"] == ("true", [device.server.port])
    assert ports["RTSP"] == ("true", [RTSP_PORT])
    assert ports["HTTPS"] == ("true", [device.server.https_port])


def test_knob_network_protocols_rtsp_port_offset(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(network_protocols_rtsp_port_offset=1))
    reply = device.call("<tds:GetNetworkProtocols/>")
    rtsp = [
        p
        for p in reply.findall("tds:NetworkProtocols", NS)
        if p.findtext("tt:Name", namespaces=NS) == "RTSP"
    ]
    assert [int(x.text) for x in rtsp[0].findall("tt:Port", NS)] == [RTSP_PORT + 1]


def test_get_users_never_carries_a_password_unless_knob(
    device: Device, start_device: Callable[..., Device]
) -> None:
    user = device.call("<tds:GetUsers/>").find("tds:User", NS)
    assert user.findtext("tt:UserLevel", namespaces=NS) == "Administrator"
    assert user.find("tt:Password", NS) is None
    leaky = start_device(with_knobs(users_password_returned=True))
    user = leaky.call("<tds:GetUsers/>").find("tds:User", NS)
    assert user.findtext("tt:Password", namespaces=NS) == leaky.camera.password


def _relay_count(device: Device) -> tuple[int, int]:
    caps = device.call(
        "<tds:GetCapabilities><tds:Category>Device</tds:Category></tds:GetCapabilities>"
    )
    counted = int(caps.findtext(".//tt:Device/tt:IO/tt:RelayOutputs", namespaces=NS))
    listed = len(device.call("<tds:GetRelayOutputs/>").findall("tds:RelayOutputs", NS))
    return counted, listed


def test_relay_outputs_agree_with_capabilities_unless_knob(
    device: Device, start_device: Callable[..., Device]
) -> None:
    assert _relay_count(device) == (1, 1)
    assert _relay_count(start_device(with_knobs(relay_outputs_capability_count=2))) == (2, 1)


def test_system_log_and_other_reads_answer(device: Device) -> None:
    log = device.call("<tds:GetSystemLog><tds:LogType>System</tds:LogType></tds:GetSystemLog>")
    assert log.findtext("tds:SystemLog/tt:String", namespaces=NS)
    assert (
        device.call("<tds:GetIPAddressFilter/>").findtext(
            "tds:IPAddressFilter/tt:Type", namespaces=NS
        )
        == "Deny"
    )
    assert device.call("<tds:GetRemoteUser/>").find("tds:RemoteUser", NS) is None
    dns = device.call("<tds:GetDNS/>")
    assert dns.findtext("tds:DNSInformation/tt:FromDHCP", namespaces=NS) == "false"
    ntp = device.call("<tds:GetNTP/>")
    assert ntp.findtext("tds:NTPInformation/tt:NTPManual/tt:Type", namespaces=NS) == "DNS"


def test_network_protocols_list_a_second_http_listener(start_device: Callable[..., Device]) -> None:
    device = start_device(with_knobs(services_elsewhere=True))
    reply = device.call("<tds:GetNetworkProtocols/>")
    http = [p for p in reply.findall("tds:NetworkProtocols", NS)
            if p.findtext("tt:Name", namespaces=NS) == "HTTP"]  # fmt: skip
    ports = [int(x.text) for x in http[0].findall("tt:Port", NS)]
    assert ports[0] == device.server.port and len(ports) == 2
