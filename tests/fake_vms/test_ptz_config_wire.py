"""The simulated PTZ configuration reads on the wire: the known-good camera's nodes,
configurations and options agree and GetNode faults on an unknown token; each PTZ-CONS-01 /
PTZ-FAULT-01 knob changes exactly what a client sees (replies schema-valid, see Client.post)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from test_ptz_imaging_service import TPTZ, TT, Client

from fake_vms.onvif.server import OnvifServer
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, apply_persona

GET_CONFIGURATION = (
    "<tptz:GetConfiguration><tptz:PTZConfigurationToken>ptz_config_1"
    "</tptz:PTZConfigurationToken></tptz:GetConfiguration>"
)
UNKNOWN_NODE = "<tptz:GetNode><tptz:NodeToken>no-such-node</tptz:NodeToken></tptz:GetNode>"


@pytest.fixture
def start(run_async_server: Callable[[Any], Any]) -> Callable[[CameraConfig], Client]:
    def start_camera(camera: CameraConfig) -> Client:
        return Client(camera, run_async_server(OnvifServer(camera, rtsp_port=8554)).port)

    return start_camera


def _camera(persona: str | None = None) -> CameraConfig:
    return apply_persona(CameraConfig(name="cam-01", ptz=True), PERSONAS.get(persona or ""))


def _node_tokens(client: Client) -> list[str]:
    return [n.get("token") for n in client.post(TPTZ, "<tptz:GetNodes/>")]


def _config_node_tokens(client: Client) -> list[str]:
    listed = client.post(TPTZ, "<tptz:GetConfigurations/>")
    single = client.post(TPTZ, GET_CONFIGURATION)
    return [c.findtext(f"{{{TT}}}NodeToken") for reply in (listed, single) for c in reply]


def test_known_good_reads_agree_and_get_node_faults(start: Callable[[CameraConfig], Client]):
    client = start(_camera())
    assert _config_node_tokens(client) == ["ptz_node_1", "ptz_node_1"]
    assert _node_tokens(client) == ["ptz_node_1"]
    subcodes = client.fault_subcodes(TPTZ, UNKNOWN_NODE)
    assert subcodes[0].endswith("Sender") and subcodes[1:] == ["ter:InvalidArgVal", "ter:NoEntity"]


def test_orphan_node_knob(start: Callable[[CameraConfig], Client]):
    client = start(_camera("ptz-config-orphan-node"))
    assert _config_node_tokens(client) == ["0", "0"]
    assert _node_tokens(client) == ["ptz_node_1"]


def test_get_node_any_token_knob(start: Callable[[CameraConfig], Client]):
    client = start(_camera("ptz-get-node-any-token"))
    node = client.post(TPTZ, UNKNOWN_NODE)[0]
    assert node.get("token") == "ptz_node_1"


def test_vendor_spaces_configuration_names_the_vendor_defaults(
    start: Callable[[CameraConfig], Client],
):
    client = start(_camera("ptz-vendor-spaces-only"))
    configuration = client.post(TPTZ, GET_CONFIGURATION)[0]
    default = configuration.findtext(f"{{{TT}}}DefaultContinuousPanTiltVelocitySpace")
    options = client.post(
        TPTZ,
        "<tptz:GetConfigurationOptions><tptz:ConfigurationToken>ptz_config_1"
        "</tptz:ConfigurationToken></tptz:GetConfigurationOptions>",
    )
    listed = [u.text for u in options.iter(f"{{{TT}}}URI")]
    assert default.startswith("http://www.example.com/ptz/VendorSpace") and default in listed
