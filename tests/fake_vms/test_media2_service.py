"""The simulated Media2 (ver20) service: schema-valid answers, profiles per codec, URIs, faults.

Every response is validated against the official ver20 media WSDL's schema (as the Media1 and
device answers are in test_onvif_schema.py), for an H.264 camera, an H.265 camera and every
persona, so a persona breaks a requirement and never the message format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from lxml import etree
from requests.auth import HTTPDigestAuth
from test_onvif_schema import ENV, TT, service_schema

from fake_vms.onvif.server import OnvifServer
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, apply_persona

TR2 = "http://www.onvif.org/ver20/media/wsdl"
PATH = "/onvif/media2_service"
REQUESTS = [
    "<tr2:GetServiceCapabilities/>",
    "<tr2:GetProfiles/>",
    "<tr2:GetProfiles><tr2:Type>All</tr2:Type></tr2:GetProfiles>",
    "<tr2:GetProfiles><tr2:Token>m2_profile_1</tr2:Token><tr2:Type>VideoEncoder</tr2:Type>"
    "</tr2:GetProfiles>",
    "<tr2:GetStreamUri><tr2:Protocol>RtspUnicast</tr2:Protocol>"
    "<tr2:ProfileToken>m2_profile_1</tr2:ProfileToken></tr2:GetStreamUri>",
    "<tr2:GetStreamUri><tr2:Protocol>RTSP</tr2:Protocol>"
    "<tr2:ProfileToken>m2_profile_1</tr2:ProfileToken></tr2:GetStreamUri>",
    "<tr2:GetStreamUri><tr2:Protocol>RtspOverHttp</tr2:Protocol>"
    "<tr2:ProfileToken>m2_profile_1</tr2:ProfileToken></tr2:GetStreamUri>",
    "<tr2:GetSnapshotUri><tr2:ProfileToken>m2_profile_1</tr2:ProfileToken></tr2:GetSnapshotUri>",
    "<tr2:GetVideoSourceConfigurations/>",
    "<tr2:GetVideoEncoderConfigurations/>",
    "<tr2:GetVideoEncoderConfigurations><tr2:ProfileToken>m2_profile_1</tr2:ProfileToken>"
    "</tr2:GetVideoEncoderConfigurations>",
    "<tr2:GetVideoEncoderConfigurationOptions/>",
    "<tr2:GetVideoEncoderConfigurationOptions><tr2:ConfigurationToken>vec2_1"
    "</tr2:ConfigurationToken></tr2:GetVideoEncoderConfigurationOptions>",
    "<tr2:GetVideoEncoderInstances><tr2:ConfigurationToken>vsc2_1</tr2:ConfigurationToken>"
    "</tr2:GetVideoEncoderInstances>",
]
CAMERAS = {
    "h264": CameraConfig(name="cam-01"),
    "h265": CameraConfig(name="cam-01", codec="H265"),
} | {
    name: apply_persona(CameraConfig(name="cam-01", codec="H265"), persona)
    for name, persona in PERSONAS.items()
    # hostile devices answer outside the schema on purpose (tests/hostile); timer-jitter's
    # replies are the good camera's, each held to the next whole second
    if not persona.hostile and not persona.knobs.whole_second_timers
}


def _envelope(body: str) -> str:
    return f'<s:Envelope xmlns:s="{ENV}" xmlns:tr2="{TR2}" xmlns:tt="{TT}"><s:Body>{body}</s:Body></s:Envelope>'  # noqa: E501


def _post(server: OnvifServer, camera: CameraConfig, body: str) -> requests.Response:
    return requests.post(
        server.served_at(PATH),
        data=_envelope(body),
        auth=HTTPDigestAuth(camera.username, camera.password),
        timeout=5,
    )


def _body(reply: requests.Response) -> etree._Element:
    return etree.fromstring(reply.content).find(f"{{{ENV}}}Body")[0]


@pytest.mark.parametrize("camera_name", sorted(CAMERAS))
def test_every_media2_response_is_schema_valid(
    camera_name: str, run_async_server: Callable[[Any], Any]
) -> None:
    camera = CAMERAS[camera_name]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    schema = service_schema(TR2)
    defects = 0
    for body in REQUESTS:
        reply = _post(server, camera, body)
        if camera.knobs.media2_get_profiles_fault and "GetProfiles" in body:
            assert reply.status_code == 500 and b"ActionNotSupported" in reply.content
            continue
        assert reply.status_code == 200, (body, reply.text)
        child = _body(reply)
        document = etree.ElementTree(etree.fromstring(etree.tostring(child)))
        valid = schema.validate(document)
        if not valid and camera.knobs.omit_profile_use_count and "GetProfiles" in body:
            # profiles-no-usecount breaks the schema on purpose (fake_vms.personas.schema_invalid)
            assert "UseCount" in str(schema.error_log), str(schema.error_log)
            defects += 1
            continue
        assert valid, (body, str(schema.error_log))
    assert (defects > 0) is camera.knobs.omit_profile_use_count


def _profiles(server: OnvifServer, camera: CameraConfig) -> list[tuple[str, str]]:
    reply = _post(server, camera, "<tr2:GetProfiles><tr2:Type>All</tr2:Type></tr2:GetProfiles>")
    found = []
    for profile in _body(reply):
        encoding = profile.find(f".//{{{TT}}}Encoding")
        found.append((profile.get("token"), encoding.text))
    return found


def test_h264_camera_has_one_h264_profile(run_async_server: Callable[[Any], Any]) -> None:
    camera = CAMERAS["h264"]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    assert _profiles(server, camera) == [("m2_profile_1", "H264")]


def test_h265_camera_lists_h265_main_and_h264_second(
    run_async_server: Callable[[Any], Any],
) -> None:
    camera = CAMERAS["h265"]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    assert _profiles(server, camera) == [("m2_profile_1", "H265"), ("m2_profile_2", "H264")]
    uris = {}
    for token in ("m2_profile_1", "m2_profile_2"):
        for protocol in ("RtspUnicast", "RtspOverHttp"):
            reply = _post(
                server,
                camera,
                f"<tr2:GetStreamUri><tr2:Protocol>{protocol}</tr2:Protocol>"
                f"<tr2:ProfileToken>{token}</tr2:ProfileToken></tr2:GetStreamUri>",
            )
            uris[token, protocol] = _body(reply)[0].text
    assert uris["m2_profile_1", "RtspUnicast"] == "rtsp://127.0.0.1:8554/stream1"
    assert uris["m2_profile_2", "RtspUnicast"] == "rtsp://127.0.0.1:8554/stream2"
    assert uris["m2_profile_2", "RtspOverHttp"] == (
        f"http://127.0.0.1:{server.port}/rtsp-over-http/stream2"
    )


def test_media1_of_h265_camera_points_at_h264_stream(
    run_async_server: Callable[[Any], Any],
) -> None:
    """Media (ver10) cannot say H265, so its profile must lead to the H.264 stream."""
    camera = CAMERAS["h265"]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    reply = requests.post(
        f"http://127.0.0.1:{server.port}/onvif/media_service",
        data=(
            f'<s:Envelope xmlns:s="{ENV}" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
            f'xmlns:tt="{TT}"><s:Body><trt:GetStreamUri><trt:StreamSetup>'
            "<tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol>"
            "</tt:Transport></trt:StreamSetup><trt:ProfileToken>profile_1</trt:ProfileToken>"
            "</trt:GetStreamUri></s:Body></s:Envelope>"
        ),
        auth=HTTPDigestAuth(camera.username, camera.password),
        timeout=5,
    )
    assert reply.status_code == 200
    assert _body(reply).find(f".//{{{TT}}}Uri").text.endswith("/stream2")


@pytest.mark.parametrize(
    "body",
    [
        "<tr2:GetStreamUri><tr2:Protocol>RtspUnicast</tr2:Protocol>"
        "<tr2:ProfileToken>nope</tr2:ProfileToken></tr2:GetStreamUri>",
        "<tr2:GetStreamUri><tr2:Protocol>Carrier-Pigeon</tr2:Protocol>"
        "<tr2:ProfileToken>m2_profile_1</tr2:ProfileToken></tr2:GetStreamUri>",
        "<tr2:GetVideoEncoderConfigurations><tr2:ConfigurationToken>nope"
        "</tr2:ConfigurationToken></tr2:GetVideoEncoderConfigurations>",
        "<tr2:GetVideoEncoderInstances><tr2:ConfigurationToken>nope</tr2:ConfigurationToken>"
        "</tr2:GetVideoEncoderInstances>",
    ],
)
def test_bad_arguments_are_sender_faults(body: str, run_async_server: Callable[[Any], Any]) -> None:
    camera = CAMERAS["h265"]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    reply = _post(server, camera, body)
    assert reply.status_code == 400
    assert b"InvalidArgVal" in reply.content


def test_media2_needs_credentials(run_async_server: Callable[[Any], Any]) -> None:
    camera = CAMERAS["h265"]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    reply = requests.post(
        f"http://127.0.0.1:{server.port}{PATH}",
        data=_envelope("<tr2:GetProfiles/>"),
        timeout=5,
    )
    assert reply.status_code in (400, 401)
