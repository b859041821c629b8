"""An independent client (onvif-zeep, its own WSDL copies) drives the simulated PTZ and Imaging
services: GetStatus, ContinuousMove then Stop, and GetImagingSettings/GetOptions.

onvif-zeep finds the services through GetCapabilities, as many VMSs do, so this also shows that
the legacy PTZ and Imaging capability addresses are usable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from fake_vms.onvif.server import OnvifServer
from fake_vms.site import CameraConfig

onvif = pytest.importorskip("onvif", reason="onvif-zeep is an optional test dependency")

CAMERA = CameraConfig(name="dome-zeep", ptz=True)


@pytest.fixture
def camera(run_async_server: Callable[[Any], Any]) -> Any:
    server = run_async_server(OnvifServer(CAMERA, rtsp_port=8554))
    return onvif.ONVIFCamera(
        "127.0.0.1", server.port, CAMERA.username, CAMERA.password, no_cache=True
    )


def test_ptz_status_continuous_move_and_stop(camera: Any) -> None:
    ptz = camera.create_ptz_service()
    token = camera.create_media_service().GetProfiles()[0].token
    before = ptz.GetStatus({"ProfileToken": token})
    assert before.MoveStatus.PanTilt == "IDLE"
    request = ptz.create_type("ContinuousMove")
    request.ProfileToken = token
    request.Velocity = {"PanTilt": {"x": 0.5, "y": 0.0}, "Zoom": {"x": 0.0}}
    ptz.ContinuousMove(request)
    time.sleep(0.2)
    assert ptz.GetStatus({"ProfileToken": token}).MoveStatus.PanTilt == "MOVING"
    ptz.Stop({"ProfileToken": token, "PanTilt": True, "Zoom": True})
    stopped = ptz.GetStatus({"ProfileToken": token})
    assert stopped.MoveStatus.PanTilt == "IDLE"
    assert stopped.Position.PanTilt.x > before.Position.PanTilt.x
    time.sleep(0.1)
    assert ptz.GetStatus({"ProfileToken": token}).Position.PanTilt.x == stopped.Position.PanTilt.x


def test_imaging_settings_and_options(camera: Any) -> None:
    imaging = camera.create_imaging_service()
    source = camera.create_media_service().GetVideoSources()[0].token
    settings = imaging.GetImagingSettings({"VideoSourceToken": source})
    options = imaging.GetOptions({"VideoSourceToken": source})
    assert options.Brightness.Min <= settings.Brightness <= options.Brightness.Max
    assert settings.IrCutFilter in options.IrCutFilterModes
