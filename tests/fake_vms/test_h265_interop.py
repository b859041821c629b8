"""Independent clients against an H.265 camera: FFmpeg plays both streams, onvif-zeep reads Media2.

FFmpeg (through PyAV, exactly as ``av.open(url, options={"rtsp_transport": "tcp"})``) has its
own RTSP client and RFC 7798 depacketiser, so it decoding the H.265 stream is evidence that the
simulator's packetisation and SDP are right, not merely self-consistent with the suite's client.

onvif-zeep 0.2.12 bundles no ver20 media WSDL (its ``SERVICES`` has no Media2 entry), so its
``ONVIFService`` (its own WS-UsernameToken digest and zeep set-up) is pointed at the official
ver20 WSDL shipped in conformance/wsdl; a no-network transport resolves the schema imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import av
import pytest

from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site

onvif = pytest.importorskip("onvif", reason="onvif-zeep is an optional test dependency")

CAMERA = CameraConfig(name="cam-h265", codec="H265", width=640, height=360, fps=25, gop=25)
NS_MEDIA2 = "http://www.onvif.org/ver20/media/wsdl"
FRAMES = 15


@pytest.fixture(scope="module")
def ready() -> Iterator[dict[str, Any]]:
    with SimulatorThread(Site("h265", (CAMERA,))) as simulator:
        yield simulator.host.ready()["devices"][0]


def _decode(url: str) -> tuple[str, int, int, int]:
    """(decoder name, width, height, frames) of the first FRAMES frames FFmpeg decodes."""
    container = av.open(url, options={"rtsp_transport": "tcp"}, timeout=10)
    try:
        stream = container.streams.video[0]
        frames, size = 0, (0, 0)
        for frame in container.decode(stream):
            frames, size = frames + 1, (frame.width, frame.height)
            if frames >= FRAMES:
                break
        return stream.codec_context.name, *size, frames
    finally:
        container.close()


@pytest.mark.parametrize(("path", "decoder"), [("stream1", "hevc"), ("stream2", "h264")])
def test_ffmpeg_decodes_each_stream(ready: dict[str, Any], path: str, decoder: str) -> None:
    url = f"rtsp://{CAMERA.username}:{CAMERA.password}@127.0.0.1:{ready['rtsp_port']}/{path}"
    assert _decode(url) == (decoder, CAMERA.width, CAMERA.height, FRAMES)


def test_onvif_zeep_media2_profiles_and_stream_uri(ready: dict[str, Any]) -> None:
    from onvif.client import ONVIFService

    from conformance.clients.wsdl import WSDL_ROOT, OfflineTransport

    camera = onvif.ONVIFCamera(
        "127.0.0.1", ready["http_port"], CAMERA.username, CAMERA.password, no_cache=True
    )
    services = camera.devicemgmt.GetServices({"IncludeCapability": False})
    xaddr = next(s.XAddr for s in services if s.Namespace == NS_MEDIA2)
    media2 = ONVIFService(
        xaddr,
        CAMERA.username,
        CAMERA.password,
        str(WSDL_ROOT / "onvif" / "ver20" / "media" / "wsdl" / "media.wsdl"),
        no_cache=True,
        binding_name=f"{{{NS_MEDIA2}}}Media2Binding",
        transport=OfflineTransport(),
    )
    profiles = media2.GetProfiles({"Type": ["All"]})
    encodings = [p.Configurations.VideoEncoder.Encoding for p in profiles]
    assert encodings == ["H265", "H264"]
    uris = [
        media2.GetStreamUri({"Protocol": "RtspUnicast", "ProfileToken": p.token}) for p in profiles
    ]
    assert uris == [
        f"rtsp://127.0.0.1:{ready['rtsp_port']}/stream1",
        f"rtsp://127.0.0.1:{ready['rtsp_port']}/stream2",
    ]
