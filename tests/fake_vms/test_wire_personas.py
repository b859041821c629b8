"""The wire-shape personas on the wire, seen by an independent client (onvif-zeep).

Legal oddities (fake_vms.personas.oddities) must be usable by a strict, schema-driven client:
onvif-zeep reads them as it reads the conformant camera. Schema-invalid personas
(fake_vms.personas.schema_invalid) must show their defect to that same client (a parse error,
a missing value, a value off the enumeration) while a lenient reader (lxml) still finds every
value a client needs. tests/fake_vms/test_onvif_schema.py proves the XSD side of both.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from lxml import etree
from requests.auth import HTTPDigestAuth

from fake_vms.onvif.server import OnvifServer
from fake_vms.onvif.shaping import TOKEN_LENGTH, VENDOR, long_token, short_token
from fake_vms.onvif.soap import ENV, TT
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, apply_persona

onvif = pytest.importorskip("onvif", reason="onvif-zeep is an optional test dependency")

TDS = "http://www.onvif.org/ver10/device/wsdl"
RTSP_PORT = 8554


def _camera(persona: str) -> CameraConfig:
    return apply_persona(CameraConfig(name="cam-wire", ptz=True), PERSONAS[persona])


def _zeep(server: OnvifServer, camera: CameraConfig) -> Any:
    return onvif.ONVIFCamera(
        "127.0.0.1", server.port, camera.username, camera.password, no_cache=True
    )


def _post(url: str, camera: CameraConfig, body: str) -> requests.Response:
    envelope = (
        f'<s:Envelope xmlns:s="{ENV}" xmlns:tds="{TDS}" '
        f'xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><s:Body>{body}</s:Body></s:Envelope>'
    )
    auth = HTTPDigestAuth(camera.username, camera.password)
    return requests.post(url, data=envelope, auth=auth, timeout=5)


# -- legal oddities ----------------------------------------------------------------------------
def test_legal_oddities_break_nothing() -> None:
    legal = {name for name, p in PERSONAS.items() if p.legal}
    assert legal >= {
        "services-elsewhere",
        "soap-prefixes",
        "long-tokens",
        "extra-elements",
        "short-keepalive",
        "timer-jitter",
        "notify-needs-routable",
    }
    assert all(PERSONAS[name].breaks == () for name in legal)


@pytest.mark.parametrize("persona", ["soap-prefixes", "long-tokens", "extra-elements"])
def test_zeep_reads_a_legal_oddity_like_the_good_camera(
    persona: str, run_async_server: Callable[[Any], Any]
) -> None:
    camera = _camera(persona)
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    client = _zeep(server, camera)
    assert client.devicemgmt.GetDeviceInformation().Model == camera.model
    assert client.devicemgmt.GetSystemDateAndTime().DateTimeType == "NTP"
    media = client.create_media_service()
    (profile,) = media.GetProfiles()
    assert profile.VideoEncoderConfiguration.Encoding == "H264"
    setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
    uri = media.GetStreamUri({"StreamSetup": setup, "ProfileToken": profile.token}).Uri
    assert uri.startswith("rtsp://127.0.0.1:")
    if persona == "long-tokens":  # the long token is the one the device accepts back
        assert len(profile.token) == TOKEN_LENGTH and short_token(profile.token) == "profile_1"


def test_soap_prefixes_on_the_wire(run_async_server: Callable[[Any], Any]) -> None:
    camera = _camera("soap-prefixes")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    reply = _post(server.served_at("/onvif/device_service"), camera, "<tds:GetCapabilities/>")
    text = reply.text
    assert "<SOAP-ENV:Envelope" in text and "<GetCapabilitiesResponse>" in text
    assert "<tt1:XAddr>" in text and "<env:" not in text and "<tt:" not in text
    fault = _post(server.served_at("/onvif/media_service"), camera, "<trt:GetStreamUri/>")
    assert fault.status_code == 400
    root = etree.fromstring(fault.content)
    code = root.find(f".//{{{ENV}}}Code/{{{ENV}}}Value")
    assert code.text == "SOAP-ENV:Sender" and code.nsmap["SOAP-ENV"] == ENV


def test_long_tokens_on_the_wire(run_async_server: Callable[[Any], Any]) -> None:
    camera = _camera("long-tokens")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    root = etree.fromstring(
        _post(server.served_at("/onvif/media_service"), camera, "<trt:GetProfiles/>").content
    )
    tokens = {el.get("token") for el in root.iter() if el.get("token")}
    assert tokens and all(len(t) == TOKEN_LENGTH for t in tokens), tokens
    assert long_token("profile_1") in tokens


def test_extra_elements_on_the_wire(run_async_server: Callable[[Any], Any]) -> None:
    camera = _camera("extra-elements")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    url = server.served_at("/onvif/device_service")
    root = etree.fromstring(_post(url, camera, "<tds:GetServices/>").content)
    assert root.find(f"{{{ENV}}}Header/{{{VENDOR}}}DeviceHint") is not None
    assert root.findall(f".//{{{TDS}}}Service/{{{VENDOR}}}Vendor")


def test_services_elsewhere_advertises_and_serves_another_port_and_path(
    run_async_server: Callable[[Any], Any],
) -> None:
    camera = _camera("services-elsewhere")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    client = _zeep(server, camera)
    services = {s.Namespace: s.XAddr for s in client.devicemgmt.GetServices(False)}
    device = urlsplit(services[TDS])
    media = urlsplit(services["http://www.onvif.org/ver10/media/wsdl"])
    assert device.port == server.port and device.path == "/onvif/device_service"
    assert media.hostname == device.hostname
    assert media.port != device.port and media.path.startswith("/gateway/")
    caps = client.devicemgmt.GetCapabilities({"Category": "All"})
    assert caps.Media.XAddr == services["http://www.onvif.org/ver10/media/wsdl"]
    assert caps.Events.XAddr.startswith(f"http://127.0.0.1:{media.port}/gateway/")
    # the advertised address answers; the device's own port does not serve Media
    assert _post(caps.Media.XAddr, camera, "<trt:GetProfiles/>").status_code == 200
    own = f"http://127.0.0.1:{server.port}/onvif/media_service"
    assert _post(own, camera, "<trt:GetProfiles/>").status_code == 404


def test_services_elsewhere_event_subscription_lives_at_the_advertised_address(
    run_async_server: Callable[[Any], Any],
) -> None:
    """A pull point created through the second listener is addressed, and pulled, there."""
    camera = _camera("services-elsewhere")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    events = server.served_at("/onvif/event_service")
    tev = "http://www.onvif.org/ver10/events/wsdl"
    envelope = f'<s:Envelope xmlns:s="{ENV}" xmlns:tev="{tev}"><s:Body>{{}}</s:Body></s:Envelope>'
    auth = HTTPDigestAuth(camera.username, camera.password)
    created = requests.post(
        events, data=envelope.format("<tev:CreatePullPointSubscription/>"), auth=auth, timeout=5
    )
    assert created.status_code == 200, created.text
    address = etree.fromstring(created.content).find(
        f".//{{{tev}}}SubscriptionReference/{{http://www.w3.org/2005/08/addressing}}Address"
    )
    assert address is not None and address.text.startswith(events + "/")
    pull = "<tev:PullMessages><tev:Timeout>PT1S</tev:Timeout><tev:MessageLimit>5</tev:MessageLimit>"
    pulled = requests.post(
        address.text, data=envelope.format(pull + "</tev:PullMessages>"), auth=auth, timeout=5
    )
    assert pulled.status_code == 200, pulled.text


def test_short_keepalive_closes_an_idle_connection(run_async_server: Callable[[Any], Any]) -> None:
    camera = _camera("short-keepalive")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    body = (
        f'<s:Envelope xmlns:s="{ENV}" xmlns:tds="{TDS}"><s:Body><tds:GetSystemDateAndTime/>'
        "</s:Body></s:Envelope>"
    ).encode()
    head = (
        f"POST /onvif/device_service HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}"
        "\r\nContent-Type: application/soap+xml\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head + body)
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200") and b"Connection: keep-alive" in first
        started = time.monotonic()
        while sock.recv(65536):  # the rest of the reply, then the server's close
            pass
        assert time.monotonic() - started < 2.0
    # a client that reconnects (as every HTTP client must) keeps working across idle gaps
    session = requests.Session()
    session.auth = HTTPDigestAuth(camera.username, camera.password)
    for _ in range(3):
        reply = session.post(server.served_at("/onvif/device_service"), data=body, timeout=5)
        assert reply.status_code == 200
        time.sleep(0.4)


# -- schema-invalid but usable -----------------------------------------------------------------
def test_zeep_sees_the_undeclared_prefix(run_async_server: Callable[[Any], Any]) -> None:
    camera = _camera("undeclared-prefix")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    # onvif-zeep asks GetCapabilities on connecting: it cannot even connect
    with pytest.raises(onvif.exceptions.ONVIFError, match="No namespace defined for 'onvif'"):
        _zeep(server, camera)
    raw = _post(server.served_at("/onvif/device_service"), camera, "<tds:GetCapabilities/>")
    media = etree.fromstring(raw.content).find(f".//{{{TT}}}Media/{{{TT}}}XAddr")
    assert media is not None and media.text.endswith("/onvif/media_service")  # still readable


def test_zeep_sees_the_missing_use_count(run_async_server: Callable[[Any], Any]) -> None:
    camera = _camera("profiles-no-usecount")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    (profile,) = _zeep(server, camera).create_media_service().GetProfiles()
    assert profile.VideoEncoderConfiguration.UseCount is None  # required, and absent
    assert profile.VideoEncoderConfiguration.Encoding == "H264"  # everything else is there
    assert profile.VideoSourceConfiguration.SourceToken


def test_zeep_sees_the_wrong_case_enumeration(run_async_server: Callable[[Any], Any]) -> None:
    camera = _camera("wrong-case-enum")
    server = run_async_server(OnvifServer(camera, rtsp_port=RTSP_PORT))
    reply = _zeep(server, camera).devicemgmt.GetSystemDateAndTime()
    assert reply.DateTimeType == "ntp"  # not one of Manual, NTP
    assert reply.UTCDateTime.Date.Year >= 2024  # the time itself reads fine
