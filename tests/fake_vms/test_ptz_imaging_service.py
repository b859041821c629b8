"""The simulated PTZ, Imaging and OSD operations: schema-valid replies in every relevant persona,
and the behaviour the suite relies on (motion in time, presets, validation faults, OSD state).

Replies are validated against the service WSDL's embedded schema (which imports onvif.xsd), as
in test_onvif_schema.py; raw SOAP over HTTP Digest, as a minimal client would send it.
"""

from __future__ import annotations

import time
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

TPTZ = "http://www.onvif.org/ver20/ptz/wsdl"
TIMG = "http://www.onvif.org/ver20/imaging/wsdl"
TR2 = "http://www.onvif.org/ver20/media/wsdl"
PATHS = {TPTZ: "/onvif/ptz_service", TIMG: "/onvif/imaging_service", TR2: "/onvif/media2_service"}
PROFILE = "<tptz:ProfileToken>profile_1</tptz:ProfileToken>"
SOURCE = "<timg:VideoSourceToken>video_source_1</timg:VideoSourceToken>"
GENERIC = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"
DOMAIN_PERSONAS = sorted(
    name
    for name, persona in PERSONAS.items()
    if any(b.startswith(("PTZ-", "IMAGING-", "OSD-")) for b in persona.breaks)
)
READS: list[tuple[str, str]] = [
    (TPTZ, "<tptz:GetServiceCapabilities/>"),
    (TPTZ, "<tptz:GetNodes/>"),
    (TPTZ, "<tptz:GetNode><tptz:NodeToken>ptz_node_1</tptz:NodeToken></tptz:GetNode>"),
    (TPTZ, "<tptz:GetConfigurations/>"),
    (
        TPTZ,
        "<tptz:GetConfiguration><tptz:PTZConfigurationToken>ptz_config_1"
        "</tptz:PTZConfigurationToken></tptz:GetConfiguration>",
    ),
    (
        TPTZ,
        "<tptz:GetConfigurationOptions><tptz:ConfigurationToken>ptz_config_1"
        "</tptz:ConfigurationToken></tptz:GetConfigurationOptions>",
    ),
    (TPTZ, f"<tptz:GetStatus>{PROFILE}</tptz:GetStatus>"),
    (TPTZ, f"<tptz:GetPresets>{PROFILE}</tptz:GetPresets>"),
    (TIMG, "<timg:GetServiceCapabilities/>"),
    (TIMG, f"<timg:GetImagingSettings>{SOURCE}</timg:GetImagingSettings>"),
    (TIMG, f"<timg:GetOptions>{SOURCE}</timg:GetOptions>"),
    (TIMG, f"<timg:GetMoveOptions>{SOURCE}</timg:GetMoveOptions>"),
    (TR2, "<tr2:GetOSDs/>"),
    (
        TR2,
        "<tr2:GetOSDOptions><tr2:ConfigurationToken>vsc2_1</tr2:ConfigurationToken></tr2:GetOSDOptions>",
    ),
]
TEXT_OSD = (
    '<tr2:OSD token=""><tt:VideoSourceConfigurationToken>vsc2_1</tt:VideoSourceConfigurationToken>'
    "<tt:Type>Text</tt:Type><tt:Position><tt:Type>LowerLeft</tt:Type></tt:Position>"
    "<tt:TextString><tt:Type>Plain</tt:Type><tt:PlainText>{text}</tt:PlainText></tt:TextString>"
    "</tr2:OSD>"
)


class Client:
    def __init__(self, camera: CameraConfig, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()
        self.session.auth = HTTPDigestAuth(camera.username, camera.password)

    def post(self, namespace: str, body: str, status: int = 200) -> etree._Element:
        envelope = (
            f'<s:Envelope xmlns:s="{ENV}" xmlns:tptz="{TPTZ}" xmlns:timg="{TIMG}" '
            f'xmlns:tr2="{TR2}" xmlns:tt="{TT}"><s:Body>{body}</s:Body></s:Envelope>'
        )
        reply = self.session.post(self.base + PATHS[namespace], data=envelope, timeout=5)
        assert reply.status_code == status, (body, reply.text)
        child = etree.fromstring(reply.content).find(f"{{{ENV}}}Body")[0]
        if status == 200:
            schema = service_schema(namespace)
            document = etree.ElementTree(etree.fromstring(etree.tostring(child)))
            assert schema.validate(document), f"{body}: {schema.error_log}"
        return child

    def fault_subcodes(self, namespace: str, body: str) -> list[str]:
        fault = self.post(namespace, body, status=400)
        return [v.text for v in fault.iter(f"{{{ENV}}}Value")]

    def position(self) -> tuple[float, float, float]:
        status = self.post(TPTZ, f"<tptz:GetStatus>{PROFILE}</tptz:GetStatus>")
        pan_tilt = status.find(f".//{{{TT}}}PanTilt")
        zoom = status.find(f".//{{{TT}}}Position/{{{TT}}}Zoom")
        return float(pan_tilt.get("x")), float(pan_tilt.get("y")), float(zoom.get("x"))


@pytest.fixture
def start(run_async_server: Callable[[Any], Any]) -> Callable[[CameraConfig], Client]:
    def start_camera(camera: CameraConfig) -> Client:
        server = run_async_server(OnvifServer(camera, rtsp_port=8554))
        return Client(camera, server.port)

    return start_camera


@pytest.mark.parametrize("persona", ["good", *DOMAIN_PERSONAS])
def test_every_reply_is_schema_valid(persona: str, start: Callable[[CameraConfig], Client]) -> None:
    camera = apply_persona(CameraConfig(name="cam-01", ptz=True), PERSONAS.get(persona))
    client = start(camera)
    for namespace, body in READS:
        if persona == "osd-options-unsupported" and "GetOSDOptions" in body:
            assert client.post(namespace, body, status=500) is not None
            continue
        client.post(namespace, body)
    moves = [
        f'<tptz:ContinuousMove>{PROFILE}<tptz:Velocity><tt:PanTilt x="0.5" y="0"/></tptz:Velocity>'
        "<tptz:Timeout>PT2S</tptz:Timeout></tptz:ContinuousMove>",
        f"<tptz:Stop>{PROFILE}<tptz:PanTilt>true</tptz:PanTilt></tptz:Stop>",
        f'<tptz:RelativeMove>{PROFILE}<tptz:Translation><tt:PanTilt x="0.1" y="0"/>'
        "</tptz:Translation></tptz:RelativeMove>",
        f"<tptz:GotoHomePosition>{PROFILE}</tptz:GotoHomePosition>",
        f"<tptz:SetHomePosition>{PROFILE}</tptz:SetHomePosition>",
        f"<tptz:SetPreset>{PROFILE}<tptz:PresetName>p1</tptz:PresetName></tptz:SetPreset>",
    ]
    for body in moves:
        if persona == "ptz-timeout-rejected" and "<tptz:Timeout>" in body:
            # The quirk refuses any Timeout with a SOAP fault (an env:Sender fault: HTTP 400).
            assert client.post(TPTZ, body, status=400) is not None
            continue
        client.post(TPTZ, body)
    client.post(
        TIMG,
        f"<timg:SetImagingSettings>{SOURCE}<timg:ImagingSettings><tt:Brightness>60</tt:Brightness>"
        "</timg:ImagingSettings></timg:SetImagingSettings>",
    )
    created = client.post(TR2, f"<tr2:CreateOSD>{TEXT_OSD.format(text='hi')}</tr2:CreateOSD>")
    assert created.findtext(f"{{{TR2}}}OSDToken")


def test_no_ptz_service_without_ptz(start: Callable[[CameraConfig], Client]) -> None:
    client = start(CameraConfig(name="fixed"))
    reply = client.session.post(client.base + PATHS[TPTZ], data=b"<x/>", timeout=5)
    assert reply.status_code == 404


def test_absolute_move_travels_then_arrives(start: Callable[[CameraConfig], Client]) -> None:
    client = start(CameraConfig(name="dome", ptz=True))
    client.post(
        TPTZ,
        f"<tptz:AbsoluteMove>{PROFILE}<tptz:Position>"
        f'<tt:PanTilt x="-0.8" y="0.4" space="{GENERIC}"/><tt:Zoom x="0.5"/>'
        "</tptz:Position></tptz:AbsoluteMove>",
    )
    status = client.post(TPTZ, f"<tptz:GetStatus>{PROFILE}</tptz:GetStatus>")
    assert status.findtext(f".//{{{TT}}}MoveStatus/{{{TT}}}PanTilt") == "MOVING"
    time.sleep(0.35)
    assert client.position() == (-0.8, 0.4, 0.5)
    status = client.post(TPTZ, f"<tptz:GetStatus>{PROFILE}</tptz:GetStatus>")
    assert status.findtext(f".//{{{TT}}}MoveStatus/{{{TT}}}PanTilt") == "IDLE"
    assert status.findtext(f".//{{{TT}}}UtcTime").endswith("Z")


def test_continuous_move_stops_and_timeout_range(start: Callable[[CameraConfig], Client]) -> None:
    client = start(CameraConfig(name="dome", ptz=True))
    velocity = '<tptz:Velocity><tt:PanTilt x="1" y="0"/></tptz:Velocity>'
    subcodes = client.fault_subcodes(
        TPTZ,
        f"<tptz:ContinuousMove>{PROFILE}{velocity}<tptz:Timeout>PT120S</tptz:Timeout>"
        "</tptz:ContinuousMove>",
    )
    assert subcodes[-1] == "ter:TimeoutNotSupported"
    client.post(TPTZ, f"<tptz:ContinuousMove>{PROFILE}{velocity}</tptz:ContinuousMove>")
    time.sleep(0.2)
    client.post(TPTZ, f"<tptz:Stop>{PROFILE}</tptz:Stop>")
    stopped = client.position()
    assert stopped[0] > 0.1
    time.sleep(0.1)
    assert client.position() == stopped


def test_presets_round_trip_and_persona(start: Callable[[CameraConfig], Client]) -> None:
    good = start(CameraConfig(name="dome", ptz=True))
    reply = good.post(TPTZ, f"<tptz:SetPreset>{PROFILE}</tptz:SetPreset>")
    token = reply.findtext(f"{{{TPTZ}}}PresetToken")
    presets = good.post(TPTZ, f"<tptz:GetPresets>{PROFILE}</tptz:GetPresets>")
    assert [p.get("token") for p in presets] == [token]
    body = f"<tptz:PresetToken>{token}</tptz:PresetToken>"
    good.post(TPTZ, f"<tptz:GotoPreset>{PROFILE}{body}</tptz:GotoPreset>")
    good.post(TPTZ, f"<tptz:RemovePreset>{PROFILE}{body}</tptz:RemovePreset>")
    assert len(good.post(TPTZ, f"<tptz:GetPresets>{PROFILE}</tptz:GetPresets>")) == 0
    bad = start(apply_persona(CameraConfig(name="b"), PERSONAS["ptz-presets-not-saved"]))
    bad.post(TPTZ, f"<tptz:SetPreset>{PROFILE}</tptz:SetPreset>")
    assert len(bad.post(TPTZ, f"<tptz:GetPresets>{PROFILE}</tptz:GetPresets>")) == 0


def test_imaging_settings_are_validated_and_kept(start: Callable[[CameraConfig], Client]) -> None:
    client = start(CameraConfig(name="cam"))
    subcodes = client.fault_subcodes(
        TIMG,
        f"<timg:SetImagingSettings>{SOURCE}<timg:ImagingSettings><tt:Contrast>101</tt:Contrast>"
        "</timg:ImagingSettings></timg:SetImagingSettings>",
    )
    assert subcodes[-2:] == ["ter:InvalidArgVal", "ter:SettingsInvalid"]
    client.post(
        TIMG,
        f"<timg:SetImagingSettings>{SOURCE}<timg:ImagingSettings><tt:Contrast>20</tt:Contrast>"
        "</timg:ImagingSettings></timg:SetImagingSettings>",
    )
    settings = client.post(TIMG, f"<timg:GetImagingSettings>{SOURCE}</timg:GetImagingSettings>")
    assert settings.findtext(f".//{{{TT}}}Contrast") == "20.0"


def test_osd_create_and_delete(start: Callable[[CameraConfig], Client]) -> None:
    client = start(CameraConfig(name="cam"))
    created = client.post(TR2, f"<tr2:CreateOSD>{TEXT_OSD.format(text='gate 3')}</tr2:CreateOSD>")
    token = created.findtext(f"{{{TR2}}}OSDToken")
    osds = client.post(TR2, "<tr2:GetOSDs/>")
    assert [o.get("token") for o in osds] == ["osd_1", token]
    assert osds[1].findtext(f".//{{{TT}}}PlainText") == "gate 3"
    client.post(TR2, f"<tr2:DeleteOSD><tr2:OSDToken>{token}</tr2:OSDToken></tr2:DeleteOSD>")
    assert [o.get("token") for o in client.post(TR2, "<tr2:GetOSDs/>")] == ["osd_1"]


def test_ptz_site_file_and_persona_overrides() -> None:
    from pathlib import Path

    from fake_vms.site import load_site

    root = Path(__file__).resolve().parents[2]
    site = load_site(root / "fixtures" / "sites" / "ptz.yaml")
    assert [(c.name, c.ptz) for c in site.cameras] == [
        ("ptz-dome-01", True),
        ("fixed-cam-01", False),
    ]
    # A PTZ persona turns PTZ on even on a fixed camera: its quirk needs a PTZ to show.
    forced = load_site(root / "fixtures" / "sites" / "demo.yaml", persona="ptz-stop-ignored")
    assert all(c.ptz and c.knobs.ptz_stop_ignored for c in forced.cameras)
