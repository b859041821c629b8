"""The simulated camera's focus on the wire (IMAGING-MOVE-01): GetMoveOptions offers absolute
and continuous focus, GetStatus reports the focus status (both schema-valid, see Client.post),
an unknown video source gets ter:NoSource, and the persona's knob turns GetStatus into
env:Receiver/ter:ActionNotSupported while GetMoveOptions still offers focus."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from test_ptz_imaging_service import SOURCE, TIMG, TT, Client

from fake_vms.onvif.server import OnvifServer
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, apply_persona

MOVE_OPTIONS = f"<timg:GetMoveOptions>{SOURCE}</timg:GetMoveOptions>"
STATUS = f"<timg:GetStatus>{SOURCE}</timg:GetStatus>"


@pytest.fixture
def start(run_async_server: Callable[[Any], Any]) -> Callable[[CameraConfig], Client]:
    def start_camera(camera: CameraConfig) -> Client:
        return Client(camera, run_async_server(OnvifServer(camera, rtsp_port=8554)).port)

    return start_camera


def _moves(client: Client) -> list[str]:
    options = client.post(TIMG, MOVE_OPTIONS)[0]
    return [child.tag.split("}")[1] for child in options]


def test_focus_offered_and_status_reported(start: Callable[[CameraConfig], Client]) -> None:
    client = start(CameraConfig(name="cam-01"))
    assert _moves(client) == ["Absolute", "Continuous"]
    status = client.post(TIMG, STATUS)
    assert status.findtext(f".//{{{TT}}}FocusStatus20/{{{TT}}}MoveStatus") == "IDLE"
    unknown = "<timg:GetStatus><timg:VideoSourceToken>nope</timg:VideoSourceToken></timg:GetStatus>"
    assert client.fault_subcodes(TIMG, unknown)[-1] == "ter:NoSource"


def test_knob_focus_status_unsupported(start: Callable[[CameraConfig], Client]) -> None:
    camera = apply_persona(CameraConfig(name="cam-01"), PERSONAS["imaging-focus-status-missing"])
    client = start(camera)
    assert _moves(client) == ["Absolute", "Continuous"]
    fault = client.post(TIMG, STATUS, status=500)
    values = [v.text for v in fault.iter("{http://www.w3.org/2003/05/soap-envelope}Value")]
    assert values[-1] == "ter:ActionNotSupported"


def test_stop_and_empty_set_fault_on_an_unknown_source(
    start: Callable[[CameraConfig], Client],
) -> None:
    """ONVIF-FAULT-IMAGING-02's probes: ter:NoSource; on the real source Stop, a speed-0 focus
    Move and an empty SetImagingSettings answer (schema-valid) and change nothing."""
    client = start(CameraConfig(name="cam-01"))
    unknown = "<timg:VideoSourceToken>nope</timg:VideoSourceToken>"
    empty = "<timg:ImagingSettings/>"
    still = "<timg:Focus><tt:Continuous><tt:Speed>0</tt:Speed></tt:Continuous></timg:Focus>"
    for body in (
        f"<timg:Stop>{unknown}</timg:Stop>",
        f"<timg:Move>{unknown}{still}</timg:Move>",
        f"<timg:SetImagingSettings>{unknown}{empty}</timg:SetImagingSettings>",
    ):
        assert client.fault_subcodes(TIMG, body)[-1] == "ter:NoSource"
    before = client.post(TIMG, f"<timg:GetImagingSettings>{SOURCE}</timg:GetImagingSettings>")
    client.post(TIMG, f"<timg:Move>{SOURCE}{still}</timg:Move>")
    client.post(TIMG, f"<timg:Stop>{SOURCE}</timg:Stop>")
    client.post(TIMG, f"<timg:SetImagingSettings>{SOURCE}{empty}</timg:SetImagingSettings>")
    after = client.post(TIMG, f"<timg:GetImagingSettings>{SOURCE}</timg:GetImagingSettings>")
    assert [e.text for e in before.iter()] == [e.text for e in after.iter()]
