"""The simulated Media2 configuration reads (fake_vms.onvif.media2_configs): schema-valid
answers for the good cameras, faults for unknown tokens, and each Media2-config knob changing
the wire the way its persona says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree
from test_media2_service import CAMERAS, _body, _post
from test_onvif_schema import TT, service_schema

from fake_vms.onvif.server import OnvifServer
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, apply_persona

TR2 = "http://www.onvif.org/ver20/media/wsdl"
REQUESTS = [
    "<tr2:GetVideoSourceConfigurationOptions/>",
    "<tr2:GetVideoSourceConfigurationOptions><tr2:ConfigurationToken>vsc2_1"
    "</tr2:ConfigurationToken><tr2:ProfileToken>m2_profile_1</tr2:ProfileToken>"
    "</tr2:GetVideoSourceConfigurationOptions>",
    "<tr2:GetVideoSourceModes><tr2:VideoSourceToken>video_source_1</tr2:VideoSourceToken>"
    "</tr2:GetVideoSourceModes>",
    "<tr2:GetMetadataConfigurations/>",
    "<tr2:GetMetadataConfigurations><tr2:ProfileToken>m2_profile_1</tr2:ProfileToken>"
    "</tr2:GetMetadataConfigurations>",
]
PERSONA_NAMES = ("media2-source-outside-options", "media2-source-list-use-count")


@pytest.mark.parametrize("camera_name", ["h264", "h265", *PERSONA_NAMES])
def test_media2_config_replies_are_schema_valid(
    camera_name: str, run_async_server: Callable[[Any], Any]
) -> None:
    camera = CAMERAS[camera_name]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    schema = service_schema(TR2)
    for body in REQUESTS:
        reply = _post(server, camera, body)
        assert reply.status_code == 200, (body, reply.text)
        document = etree.ElementTree(etree.fromstring(etree.tostring(_body(reply))))
        assert schema.validate(document), (body, str(schema.error_log))


@pytest.mark.parametrize(
    ("body", "subcode"),
    [
        ("<tr2:GetMetadataConfigurations><tr2:ConfigurationToken>nope</tr2:ConfigurationToken>"
         "</tr2:GetMetadataConfigurations>", "NoConfig"),
        ("<tr2:GetVideoSourceConfigurationOptions><tr2:ConfigurationToken>nope"
         "</tr2:ConfigurationToken></tr2:GetVideoSourceConfigurationOptions>", "NoConfig"),
        ("<tr2:GetVideoSourceModes><tr2:VideoSourceToken>nope</tr2:VideoSourceToken>"
         "</tr2:GetVideoSourceModes>", "NoVideoSource"),
    ],
)  # fmt: skip
def test_unknown_tokens_are_invalid_arg_val(
    body: str, subcode: str, run_async_server: Callable[[Any], Any]
) -> None:
    camera = CAMERAS["h264"]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    reply = _post(server, camera, body)
    assert reply.status_code in (400, 500)
    values = etree.fromstring(reply.content).xpath("//*[local-name()='Value']/text()")
    assert [v.split(":")[-1] for v in values] == ["Sender", "InvalidArgVal", subcode]


def _width(reply_body: etree._Element, path: str) -> int:
    return int(reply_body.xpath(path, namespaces={"tt": TT, "tr2": TR2})[0])


def test_good_camera_source_bounds_within_options(run_async_server: Callable[[Any], Any]) -> None:
    camera = CAMERAS["h264"]
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    listed = _body(_post(server, camera, "<tr2:GetVideoSourceConfigurations/>"))
    options = _body(_post(server, camera, REQUESTS[0]))
    width = _width(listed, "//tt:Bounds/@width")
    assert _width(options, "//tt:WidthRange/tt:Min/text()") <= width
    assert width <= _width(options, "//tt:WidthRange/tt:Max/text()")
    assert _width(listed, "//tt:UseCount/text()") == 1


def test_knob_source_options_width_max(run_async_server: Callable[[Any], Any]) -> None:
    camera = apply_persona(CameraConfig(name="cam-01"), PERSONAS[PERSONA_NAMES[0]])
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    options = _body(_post(server, camera, REQUESTS[0]))
    assert _width(options, "//tt:WidthRange/tt:Max/text()") < camera.width


def test_knob_source_list_use_count(run_async_server: Callable[[Any], Any]) -> None:
    camera = apply_persona(CameraConfig(name="cam-01"), PERSONAS[PERSONA_NAMES[1]])
    server = run_async_server(OnvifServer(camera, rtsp_port=8554))
    listed = _body(_post(server, camera, "<tr2:GetVideoSourceConfigurations/>"))
    profiles = _body(
        _post(server, camera, "<tr2:GetProfiles><tr2:Type>All</tr2:Type></tr2:GetProfiles>")
    )
    assert _width(listed, "//tt:UseCount/text()") == 0
    assert _width(profiles, "//tr2:VideoSource/tt:UseCount/text()") >= 1
