"""Every simulated ONVIF response validates against the official ONVIF schemas.

The suite judges real devices against these schemas, so the simulator must be schema-valid in
every persona: a persona may break one requirement, never the message format, except the
personas built to break the schema requirement itself (fake_vms.personas.schema_invalid), which
must break it in exactly the one reply they declare.

libxml2 enforces XSD's Unique Particle Attribution rule, which ~30 ONVIF types violate (an
optional element followed by an ``xs:any``). Those wildcards are removed in memory before
compiling; the files on disk are never modified. Removing a wildcard only makes validation
stricter, and none of the affected types occur in the simulator's responses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from lxml import etree
from requests.auth import HTTPDigestAuth

from conformance import schema as schema_module
from conformance.clients.wsdl import WSDL_ROOT
from fake_vms.onvif.server import OnvifServer
from fake_vms.personas import PERSONAS, Persona
from fake_vms.personas.schema_invalid import SCHEMA_REQUIREMENT
from fake_vms.site import CameraConfig, apply_persona

XS = "http://www.w3.org/2001/XMLSchema"
ENV = "http://www.w3.org/2003/05/soap-envelope"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TRT = "http://www.onvif.org/ver10/media/wsdl"
TT = "http://www.onvif.org/ver10/schema"
# The suite's own offline loader (ONVIF-DEV-SCHEMA-01 judges devices with it): the simulator's
# replies are held to the same compiled schemas a device's are.
SERVICE_WSDLS = schema_module.SERVICE_WSDLS
service_schema = schema_module.service_schema


def soap_envelope(body: str) -> str:
    return (
        f'<s:Envelope xmlns:s="{ENV}" xmlns:tds="{TDS}" xmlns:trt="{TRT}" xmlns:tt="{TT}">'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    )


STREAM_SETUP = (
    "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
    "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
)
REQUESTS: list[tuple[str, str]] = [
    (TDS, "<tds:GetSystemDateAndTime/>"),
    (TDS, "<tds:GetDeviceInformation/>"),
    (
        TDS,
        "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>",
    ),
    (TDS, "<tds:GetServices><tds:IncludeCapability>true</tds:IncludeCapability></tds:GetServices>"),
    (TDS, "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>"),
    (TDS, "<tds:GetServiceCapabilities/>"),
    (TDS, "<tds:GetScopes/>"),
    (TDS, "<tds:GetNetworkInterfaces/>"),
    (TDS, "<tds:GetUsers/>"),
    (TDS, "<tds:GetHostname/>"),
    (TDS, "<tds:GetWsdlUrl/>"),
    (TDS, "<tds:GetDNS/>"),
    (TDS, "<tds:GetNTP/>"),
    (TDS, "<tds:GetNetworkProtocols/>"),
    (TDS, "<tds:GetNetworkDefaultGateway/>"),
    (TDS, "<tds:GetDynamicDNS/>"),
    (TDS, "<tds:GetSystemLog><tds:LogType>System</tds:LogType></tds:GetSystemLog>"),
    (TDS, "<tds:GetRemoteUser/>"),
    (TDS, "<tds:GetIPAddressFilter/>"),
    (TDS, "<tds:GetRelayOutputs/>"),
    (TRT, "<trt:GetServiceCapabilities/>"),
    (TRT, "<trt:GetProfiles/>"),
    (TRT, "<trt:GetProfile><trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetProfile>"),
    (TRT, "<trt:GetVideoSources/>"),
    (TRT, "<trt:GetVideoSourceConfigurations/>"),
    (
        TRT,
        "<trt:GetVideoSourceConfiguration><trt:ConfigurationToken>vsc_1"
        "</trt:ConfigurationToken></trt:GetVideoSourceConfiguration>",
    ),
    (TRT, "<trt:GetVideoEncoderConfigurations/>"),
    (
        TRT,
        "<trt:GetVideoEncoderConfiguration><trt:ConfigurationToken>vec_1"
        "</trt:ConfigurationToken></trt:GetVideoEncoderConfiguration>",
    ),
    (TRT, "<trt:GetVideoEncoderConfigurationOptions/>"),
    (
        TRT,
        "<trt:GetGuaranteedNumberOfVideoEncoderInstances><trt:ConfigurationToken>vsc_1"
        "</trt:ConfigurationToken></trt:GetGuaranteedNumberOfVideoEncoderInstances>",
    ),
    (
        TRT,
        f"<trt:GetStreamUri>{STREAM_SETUP}<trt:ProfileToken>profile_1</trt:ProfileToken>"
        "</trt:GetStreamUri>",
    ),
    (  # RTSP over HTTP: the tunnel URI on the web-service port
        TRT,
        f"<trt:GetStreamUri>{STREAM_SETUP.replace('>RTSP<', '>HTTP<')}"
        "<trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetStreamUri>",
    ),
    (
        TRT,
        "<trt:GetSnapshotUri><trt:ProfileToken>profile_1</trt:ProfileToken></trt:GetSnapshotUri>",
    ),
]
SERVICE_PATHS = {TDS: "/onvif/device_service", TRT: "/onvif/media_service"}


def _assert_valid(namespace: str, element: etree._Element) -> None:
    schema = service_schema(namespace)
    document = etree.ElementTree(etree.fromstring(etree.tostring(element)))
    if not schema.validate(document):
        raise AssertionError(f"{etree.QName(element).localname}: {schema.error_log}")


def _breaks_schema(persona: Persona) -> bool:
    """Built to break the schema requirement (fake_vms.personas.schema_invalid): exempt from
    the validity test on purpose, and held to breaking it in the way it declares."""
    return SCHEMA_REQUIREMENT in persona.breaks


CAMERAS = {"conformant": CameraConfig(name="cam-01")} | {
    name: apply_persona(CameraConfig(name="cam-01"), persona)
    for name, persona in PERSONAS.items()
    # hostile devices answer outside the schema on purpose (tests/hostile); timer-jitter's
    # replies are the good camera's, each held to the next whole second (34 s here for nothing)
    if not persona.hostile and not _breaks_schema(persona) and not persona.knobs.whole_second_timers
}
SCHEMA_BREAKERS = sorted(name for name, p in PERSONAS.items() if _breaks_schema(p))
EXPECTED_SCHEMA_ERRORS = {
    "profiles-no-usecount": ("GetProfilesResponse", "UseCount"),
    "undeclared-prefix": ("GetCapabilitiesResponse", "onvif:MediaCapabilities"),
    "wrong-case-enum": ("GetSystemDateAndTimeResponse", "'ntp'"),
}
"""Each schema-breaking persona: the one reply that must be invalid, and a word of the error."""


def _replies(camera: CameraConfig, server: OnvifServer) -> list[tuple[str, etree._Element]]:
    """(namespace, Body child) of every request of :data:`REQUESTS`, each sent to where the
    camera really serves its service."""
    session = requests.Session()
    session.auth = HTTPDigestAuth(camera.username, camera.password)
    replies = []
    for namespace, body in REQUESTS:
        url = server.served_at(SERVICE_PATHS[namespace])
        reply = session.post(url, data=soap_envelope(body), timeout=5)
        assert reply.status_code == 200, (body, reply.text)
        replies.append((namespace, etree.fromstring(reply.content).find(f"{{{ENV}}}Body")[0]))
    return replies


@pytest.mark.parametrize("camera_name", sorted(CAMERAS))
def test_every_response_is_schema_valid(
    camera_name: str, run_async_server: Callable[[Any], Any]
) -> None:
    camera = CAMERAS[camera_name]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    for namespace, child in _replies(camera, server):
        _assert_valid(namespace, child)
        for nested in child.iterfind(f"{{{TDS}}}Service/{{{TDS}}}Capabilities/*"):
            _assert_valid(etree.QName(nested).namespace, _as_response(nested))


def test_every_schema_breaking_persona_is_checked() -> None:
    assert set(SCHEMA_BREAKERS) == set(EXPECTED_SCHEMA_ERRORS)


@pytest.mark.parametrize("persona", SCHEMA_BREAKERS)
def test_schema_breaking_persona_breaks_exactly_one_reply(
    persona: str, run_async_server: Callable[[Any], Any]
) -> None:
    """The persona's replies are all well-formed (lxml parses them) and all valid but one,
    which fails validation for the declared reason: what ONVIF-DEV-SCHEMA-01 must catch."""
    camera = apply_persona(CameraConfig(name="cam-01"), PERSONAS[persona])
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    invalid = {}
    for namespace, child in _replies(camera, server):
        try:
            _assert_valid(namespace, child)
        except AssertionError as exc:
            invalid[etree.QName(child).localname] = str(exc)
    reply, word = EXPECTED_SCHEMA_ERRORS[persona]
    assert list(invalid) == [reply], invalid
    assert word in invalid[reply], invalid[reply]


def _as_response(capabilities: etree._Element) -> etree._Element:
    """Wrap a service's Capabilities (from GetServices) in its GetServiceCapabilitiesResponse,
    the only global element that gives it a type to validate against."""
    namespace = etree.QName(capabilities).namespace
    response = etree.Element(f"{{{namespace}}}GetServiceCapabilitiesResponse")
    response.append(etree.fromstring(etree.tostring(capabilities)))
    return response


def test_fault_envelope_is_schema_valid(run_async_server: Callable[[Any], Any]) -> None:
    """Faults validate against the SOAP 1.2 envelope schema, subcode QNames included."""
    camera = CameraConfig(name="cam-01")
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    reply = requests.post(
        f"http://127.0.0.1:{server.port}/onvif/media_service",
        data=soap_envelope("<trt:GetStreamUri/>"),
        auth=HTTPDigestAuth(camera.username, camera.password),
        timeout=5,
    )
    assert reply.status_code == 400
    resolver = schema_module._LocalResolver()
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(resolver)
    envelope_xsd = etree.parse(str(WSDL_ROOT / "external" / "soap-envelope"), parser)
    etree.XMLSchema(envelope_xsd).assertValid(etree.fromstring(reply.content))
