"""The ONVIF Replay Control service (ver10, trp): where to replay a recording, and for how long
an idle replay session is kept.

The URI leads to the camera's own RTSP server (``/replay/<recording token>``), which implements
the replay itself (:mod:`fake_vms.rtsp.replay`).
"""

from __future__ import annotations

from lxml import etree

from fake_vms.onvif.profile_g_common import CameraRecording, parse_duration, seconds_duration
from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.soap import Operation, child_text, element, invalid_arg_val, sub

SESSION_TIMEOUT_RANGE = (10.0, 300.0)
REPLAY_PATH = "/replay/"
TUNNEL_PATH = "/rtsp-over-http"
"""RTSP over HTTP (Streaming 5.1.1.4) is tunnelled through the web-service port, replay too."""


class ReplayService:
    """GetReplayUri and the (per camera) replay configuration."""

    def __init__(self, context: ServiceContext) -> None:
        self.camera = context.camera
        self.rtsp_port = context.rtsp_port
        self.http_port = context.http_port
        self.recording = CameraRecording(context)
        self.session_timeout_s = 60.0

    def operations(self) -> dict[str, Operation]:
        return {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetReplayUri": self.get_replay_uri,
            "GetReplayConfiguration": self.get_replay_configuration,
            "SetReplayConfiguration": self.set_replay_configuration,
        }

    def capabilities(self) -> etree._Element:
        low, high = SESSION_TIMEOUT_RANGE
        return element(
            "trp:Capabilities",
            ReversePlayback=True,
            SessionTimeoutRange=f"{low:g} {high:g}",
            RTP_RTSP_TCP=True,
        )

    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("trp:GetServiceCapabilitiesResponse")
        response.append(self.capabilities())
        return response

    def get_replay_uri(self, request: etree._Element) -> etree._Element:
        token = child_text(request, "RecordingToken")
        if token != self.recording.token:
            raise invalid_arg_val("NoRecording", f"No recording with token {token!r}")
        response = element("trp:GetReplayUriResponse")
        protocol = request.findtext("{*}StreamSetup/{*}Transport/{*}Protocol", "").strip()
        if protocol == "HTTP":
            uri = f"http://127.0.0.1:{self.http_port}{TUNNEL_PATH}{REPLAY_PATH}{token}"
        else:
            uri = f"rtsp://127.0.0.1:{self.rtsp_port}{REPLAY_PATH}{token}"
        sub(response, "trp:Uri", uri)
        return response

    def get_replay_configuration(self, _request: etree._Element) -> etree._Element:
        response = element("trp:GetReplayConfigurationResponse")
        configuration = sub(response, "trp:Configuration")
        sub(configuration, "tt:SessionTimeout", seconds_duration(self.session_timeout_s))
        return response

    def set_replay_configuration(self, request: etree._Element) -> etree._Element:
        configuration = next(
            (
                c
                for c in request
                if isinstance(c.tag, str) and etree.QName(c).localname == "Configuration"
            ),
            None,
        )
        timeout = (
            parse_duration(child_text(configuration, "SessionTimeout"))
            if (configuration is not None)
            else None
        )
        low, high = SESSION_TIMEOUT_RANGE
        if timeout is None or not low <= timeout <= high:
            raise invalid_arg_val("ConfigModify", "SessionTimeout outside SessionTimeoutRange")
        self.session_timeout_s = timeout
        return element("trp:SetReplayConfigurationResponse")
