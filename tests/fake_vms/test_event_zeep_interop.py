"""An independent client (onvif-zeep, with its own bundled WSDLs) uses the simulated Event service.

onvif-zeep creates a pull point itself when it connects (as python-onvif-zeep-based tools such as
Home Assistant's predecessor did), so this is evidence that the simulator's event service speaks
ONVIF as other clients understand it, not just the suite's dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from fake_vms.onvif.server import OnvifServer
from fake_vms.site import CameraConfig

onvif = pytest.importorskip("onvif", reason="onvif-zeep is an optional test dependency")

CAMERA = CameraConfig(name="cam-zeep-events")


@pytest.fixture
def camera(run_async_server: Callable[[Any], Any]) -> Any:
    server = run_async_server(OnvifServer(CAMERA, rtsp_port=8554))
    return onvif.ONVIFCamera(
        "127.0.0.1", server.port, CAMERA.username, CAMERA.password, no_cache=True
    )


def test_pull_point_created_and_pulled(camera: Any) -> None:
    address = camera.xaddrs.get("http://www.onvif.org/ver10/events/wsdl/PullPointSubscription")
    if not address:
        pytest.skip("onvif-zeep did not create a pull point (its WSDL copy lacks it)")
    assert "/onvif/event_service/pullpoint/" in address
    pullpoint = camera.create_pullpoint_service()
    reply = pullpoint.PullMessages({"Timeout": timedelta(seconds=2), "MessageLimit": 10})
    assert reply.NotificationMessage, "the Initialized property states must arrive"
    message = reply.NotificationMessage[0].Message._value_1
    assert message.get("PropertyOperation") == "Initialized"
    assert message.get("UtcTime").endswith("Z")
    # onvif-zeep's WSDL copy has no Unsubscribe on the pull point binding: it expires in 60 s.


def test_event_properties(camera: Any) -> None:
    properties = camera.create_events_service().GetEventProperties()
    assert properties.FixedTopicSet is True
    assert properties.TopicSet is not None
