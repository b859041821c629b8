"""An independent ONVIF client (onvif-zeep, WS-UsernameToken digest) works against the simulator.

onvif-zeep ships its own copy of the ONVIF WSDLs and was written against real cameras, so it
agreeing with the simulator is evidence that the simulator speaks ONVIF, not just our dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from fake_vms.onvif.server import OnvifServer
from fake_vms.site import CameraConfig

onvif = pytest.importorskip("onvif", reason="onvif-zeep is an optional test dependency")

CAMERA = CameraConfig(name="cam-zeep", width=1920, height=1080, fps=30, gop=60)
RTSP_PORT = 8554


@pytest.fixture
def client(run_async_server: Callable[[Any], Any]) -> tuple[Any, OnvifServer]:
    server = run_async_server(OnvifServer(CAMERA, rtsp_port=RTSP_PORT))
    camera = onvif.ONVIFCamera(
        "127.0.0.1", server.port, CAMERA.username, CAMERA.password, no_cache=True
    )
    return camera, server


def test_device_information(client: tuple[Any, OnvifServer]) -> None:
    camera, _ = client
    info = camera.devicemgmt.GetDeviceInformation()
    assert info.Manufacturer == CAMERA.manufacturer
    assert info.Model == CAMERA.model
    assert info.FirmwareVersion == CAMERA.firmware
    assert info.SerialNumber == CAMERA.serial
    assert info.HardwareId == CAMERA.hardware_id


def test_system_date_and_time(client: tuple[Any, OnvifServer]) -> None:
    camera, _ = client
    reply = camera.devicemgmt.GetSystemDateAndTime()
    assert reply.DateTimeType == "NTP"
    assert reply.DaylightSavings is False
    assert reply.TimeZone.TZ == "GMT0BST,M3.5.0/1,M10.5.0"
    date, time = reply.UTCDateTime.Date, reply.UTCDateTime.Time
    reported = datetime(
        date.Year, date.Month, date.Day, time.Hour, time.Minute, time.Second, tzinfo=UTC
    )
    assert abs((reported - datetime.now(UTC)).total_seconds()) < 5


def test_profiles(client: tuple[Any, OnvifServer]) -> None:
    camera, _ = client
    profiles = camera.create_media_service().GetProfiles()
    assert [p.token for p in profiles] == ["profile_1"]
    encoder = profiles[0].VideoEncoderConfiguration
    assert profiles[0].Name == "MainStream"
    assert (encoder.Encoding, encoder.Resolution.Width, encoder.Resolution.Height) == (
        "H264",
        1920,
        1080,
    )
    assert encoder.RateControl.FrameRateLimit == 30
    assert encoder.H264.GovLength == 60
    assert profiles[0].VideoSourceConfiguration.SourceToken == "video_source_1"


def test_stream_and_snapshot_uris(client: tuple[Any, OnvifServer]) -> None:
    camera, server = client
    media = camera.create_media_service()
    stream = media.GetStreamUri(
        {
            "ProfileToken": "profile_1",
            "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
        }
    )
    assert stream.Uri == f"rtsp://127.0.0.1:{RTSP_PORT}/stream1"
    assert stream.InvalidAfterConnect is False
    snapshot = media.GetSnapshotUri({"ProfileToken": "profile_1"})
    assert snapshot.Uri == f"http://127.0.0.1:{server.port}/snapshot.jpg"


def test_operations_are_logged_as_authenticated(client: tuple[Any, OnvifServer]) -> None:
    camera, server = client
    camera.devicemgmt.GetDeviceInformation()
    logged = [(op.operation, op.authenticated, op.outcome) for op in server.oplog.entries()]
    assert ("GetDeviceInformation", True, "200") in logged
    assert all(op.device == CAMERA.name and op.protocol == "onvif" for op in server.oplog.entries())
