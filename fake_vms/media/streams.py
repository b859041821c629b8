"""Which live streams a simulated camera serves, and in which codec.

Every camera serves ``stream1`` in its own codec. An H.265 camera also serves ``stream2`` in
H.264 at the same size, because Media (ver10) can describe only JPEG, MPEG4 and H.264: a
conformant H.265 camera's Media1 profile points at that H.264 stream, while Media2 lists both.
The ONVIF services and the RTSP server both read this, so URIs and streams always agree.
"""

from __future__ import annotations

from fake_vms.site import CameraConfig

MAIN_STREAM = "stream1"
H264_SECOND_STREAM = "stream2"


def camera_streams(camera: CameraConfig) -> dict[str, str]:
    """Stream name -> codec, main stream first."""
    streams = {MAIN_STREAM: camera.codec}
    if camera.codec != "H264":
        streams[H264_SECOND_STREAM] = "H264"
    return streams


def media1_stream(camera: CameraConfig) -> str:
    """The H.264 stream that the Media (ver10) profile describes."""
    return MAIN_STREAM if camera.codec == "H264" else H264_SECOND_STREAM
