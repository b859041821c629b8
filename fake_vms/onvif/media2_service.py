"""The ONVIF Media2 (ver20, tr2) service of one simulated camera.

Profile T clients use Media2 because Media (ver10) cannot describe H.265. Every camera has a
main profile in its own codec on ``stream1``; an H.265 camera also has an H.264 profile on
``stream2`` (see :mod:`fake_vms.media.streams`). The profiles are fixed, so every value traces
back to :class:`CameraConfig` or a Media2 knob. OSD operations (another module) share the
namespace and are merged in.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from fake_vms.media.streams import camera_streams
from fake_vms.onvif import media2_configs, osd
from fake_vms.onvif.media2_audio import Media2Audio
from fake_vms.onvif.media_service import QUALITY, SNAPSHOT_PATH, VIDEO_SOURCE_TOKEN
from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.soap import Operation, SoapFault, child_text, element, invalid_arg_val, sub

VSC_TOKEN = "vsc2_1"
ENCODER_PROFILE = "Main"
MAX_PROFILES = 8
RTSP_PROTOCOLS = ("RtspUnicast", "RTSP")
"""RTP over UDP (RtspUnicast) and RTP/RTSP/TCP (RTSP) share one RTSP URI."""
TUNNEL_PROTOCOL = "RtspOverHttp"
TUNNEL_PATH = "/rtsp-over-http"


@dataclass(frozen=True)
class StreamProfile:
    """One fixed Media2 profile: its token, name, encoder token, codec and stream."""

    token: str
    name: str
    encoder_token: str
    encoding: str
    stream: str


def stream_profiles(context: ServiceContext) -> list[StreamProfile]:
    """The camera's Media2 profiles, main stream first."""
    profiles = []
    for index, (stream, codec) in enumerate(camera_streams(context.camera).items(), start=1):
        name = "MainStream" if index == 1 else f"{codec}Stream"
        profiles.append(StreamProfile(f"m2_profile_{index}", name, f"vec2_{index}", codec, stream))
    return profiles


def service_capabilities() -> etree._Element:
    """tr2:Capabilities, shared by GetServiceCapabilities and GetServices(IncludeCapability)."""
    capabilities = element(
        "tr2:Capabilities", SnapshotUri=True, Rotation=False, VideoSourceMode=True, OSD=True
    )
    sub(
        capabilities,
        "tr2:ProfileCapabilities",
        MaximumNumberOfProfiles=MAX_PROFILES,
        ConfigurationsSupported="VideoSource VideoEncoder",
    )
    sub(
        capabilities,
        "tr2:StreamingCapabilities",
        RTSPStreaming=True,
        RTPMulticast=False,
        RTP_RTSP_TCP=True,
        NonAggregateControl=False,
    )
    return capabilities


def build(context: ServiceContext) -> Media2Service:
    """The registry's factory (see fake_vms.onvif.registry)."""
    return Media2Service(context)


class Media2Service:
    """Media2 operations for one camera (read-only: the profiles are fixed)."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.camera = context.camera
        self.profiles = stream_profiles(context)

    def operations(self) -> dict[str, Operation]:
        operations: dict[str, Operation] = {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetProfiles": self.get_profiles,
            "GetStreamUri": self.get_stream_uri,
            "GetSnapshotUri": self.get_snapshot_uri,
            "GetVideoSourceConfigurations": self.get_video_source_configurations,
            "GetVideoEncoderConfigurations": self.get_video_encoder_configurations,
            "GetVideoEncoderConfigurationOptions": self.get_video_encoder_configuration_options,
            "GetVideoEncoderInstances": self.get_video_encoder_instances,
        }
        configs = media2_configs.operations(
            self.camera,
            VSC_TOKEN,
            [p.token for p in self.profiles],
            list(dict.fromkeys(p.encoding for p in self.profiles)),
        )
        return operations | configs | osd.operations(self.context) | self._audio().operations()

    def _audio(self) -> Media2Audio:
        return Media2Audio(self.camera, tuple(p.token for p in self.profiles))

    def capabilities(self) -> etree._Element:
        return service_capabilities()

    @property
    def uri_host(self) -> str:
        host = self.camera.knobs.media2_uri_host or "127.0.0.1"
        userinfo = self.camera.knobs.uri_userinfo
        return f"{userinfo}@{host}" if userinfo else host

    # --- operations -----------------------------------------------------------------------

    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("tr2:GetServiceCapabilitiesResponse")
        response.append(service_capabilities())
        return response

    def get_profiles(self, request: etree._Element) -> etree._Element:
        """Without Type only names and tokens are returned (Media2 5.2.2); "All" gives all."""
        if self.camera.knobs.media2_get_profiles_fault:
            raise SoapFault(
                "Receiver", ("ActionNotSupported",), "Optional Action Not Implemented: GetProfiles"
            )
        token = child_text(request, "Token")
        types = _texts(request, "Type")
        if token is not None and token not in {p.token for p in self.profiles}:
            raise invalid_arg_val("NoProfile", "The requested profile token does not exist")
        response = element("tr2:GetProfilesResponse")
        for profile in self.profiles:
            if token is not None and profile.token != token:
                continue
            entry = sub(response, "tr2:Profiles", token=profile.token, fixed=True)
            sub(entry, "tr2:Name", profile.name)
            wanted = {"VideoSource", "VideoEncoder"} if "All" in types else set(types)
            if wanted & {"VideoSource", "VideoEncoder"}:
                configurations = sub(entry, "tr2:Configurations")
                if "VideoSource" in wanted:
                    self._video_source(sub(configurations, "tr2:VideoSource", token=VSC_TOKEN))
                if "VideoEncoder" in wanted:
                    vec = sub(
                        configurations, "tr2:VideoEncoder", token=profile.encoder_token,
                        **self._vec_attributes(),
                    )  # fmt: skip
                    self._video_encoder(vec, profile)
            self._audio().add_to_profile(entry, types)
        return response

    def get_stream_uri(self, request: etree._Element) -> etree._Element:
        profile = self._profile(child_text(request, "ProfileToken"))
        protocol = child_text(request, "Protocol")
        if protocol in RTSP_PROTOCOLS:
            uri = f"rtsp://{self.uri_host}:{self.context.rtsp_port}/{profile.stream}"
        elif protocol == TUNNEL_PROTOCOL:
            # Same port as the web service, for NAT traversal (Media2 GetStreamUri).
            uri = f"http://{self.uri_host}:{self.context.http_port}{TUNNEL_PATH}/{profile.stream}"
        else:
            raise invalid_arg_val("InvalidStreamSetup", f"Unsupported protocol {protocol!r}")
        response = element("tr2:GetStreamUriResponse")
        sub(response, "tr2:Uri", uri)
        return response

    def get_snapshot_uri(self, request: etree._Element) -> etree._Element:
        self._profile(child_text(request, "ProfileToken"))
        response = element("tr2:GetSnapshotUriResponse")
        sub(response, "tr2:Uri", f"http://{self.uri_host}:{self.context.http_port}{SNAPSHOT_PATH}")
        return response

    def get_video_source_configurations(self, request: etree._Element) -> etree._Element:
        self._check_filters(request, {VSC_TOKEN})
        response = element("tr2:GetVideoSourceConfigurationsResponse")
        listed = self.camera.knobs.media2_source_list_use_count
        self._video_source(sub(response, "tr2:Configurations", token=VSC_TOKEN), listed)
        return response

    def get_video_encoder_configurations(self, request: etree._Element) -> etree._Element:
        response = element("tr2:GetVideoEncoderConfigurationsResponse")
        for profile in self._encoder_profiles(request):
            vec = sub(
                response, "tr2:Configurations", token=profile.encoder_token,
                **self._vec_attributes(),
            )  # fmt: skip
            self._video_encoder(vec, profile)
        return response

    def get_video_encoder_configuration_options(self, request: etree._Element) -> etree._Element:
        """One Options element per encoding the selected encoder(s) can use."""
        camera = self.camera
        encodings = dict.fromkeys(p.encoding for p in self._encoder_profiles(request))
        response = element("tr2:GetVideoEncoderConfigurationOptionsResponse")
        for encoding in encodings:
            options = sub(
                response,
                "tr2:Options",
                GovLengthRange=f"{camera.gop} {camera.gop}",
                FrameRatesSupported=f"{float(camera.fps):g}",
                ProfilesSupported=ENCODER_PROFILE,
                ConstantBitRateSupported=False,
            )
            sub(options, "tt:Encoding", encoding)
            _range(sub(options, "tt:QualityRange"), 1.0, 5.0)
            resolution = sub(options, "tt:ResolutionsAvailable")
            sub(resolution, "tt:Width", camera.width)
            sub(resolution, "tt:Height", camera.height)
            _range(sub(options, "tt:BitrateRange"), camera.bitrate_kbps, camera.bitrate_kbps)
        return response

    def get_video_encoder_instances(self, request: etree._Element) -> etree._Element:
        """How many streams of each codec the video source can run at once (Media2 5.8.4)."""
        if child_text(request, "ConfigurationToken") != VSC_TOKEN:
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        response = element("tr2:GetVideoEncoderInstancesResponse")
        info = sub(response, "tr2:Info")
        for encoding in dict.fromkeys(p.encoding for p in self.profiles):
            codec = sub(info, "tr2:Codec")
            sub(codec, "tr2:Encoding", encoding)
            sub(codec, "tr2:Number", 2)
        sub(info, "tr2:Total", 2 * len(self.profiles))
        return response

    # --- helpers --------------------------------------------------------------------------

    def _profile(self, token: str | None) -> StreamProfile:
        for profile in self.profiles:
            if profile.token == token:
                return profile
        raise invalid_arg_val("NoProfile", "The requested profile token does not exist")

    def _encoder_profiles(self, request: etree._Element) -> list[StreamProfile]:
        """Profiles whose encoder matches the optional ConfigurationToken/ProfileToken."""
        self._check_filters(request, {p.encoder_token for p in self.profiles})
        configuration = child_text(request, "ConfigurationToken")
        token = child_text(request, "ProfileToken")
        return [
            p
            for p in self.profiles
            if configuration in (None, p.encoder_token) and token in (None, p.token)
        ]

    def _check_filters(self, request: etree._Element, configurations: set[str]) -> None:
        configuration = child_text(request, "ConfigurationToken")
        if configuration is not None and configuration not in configurations:
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        token = child_text(request, "ProfileToken")
        if token is not None:
            self._profile(token)

    def _vec_attributes(self) -> dict[str, object]:
        gov = self.camera.knobs.media2_encoder_gov_length or self.camera.gop
        return {"GovLength": gov, "Profile": ENCODER_PROFILE}

    def _video_source(self, configuration: etree._Element, use_count: int | None = None) -> None:
        camera = self.camera
        sub(configuration, "tt:Name", "VideoSource")
        sub(configuration, "tt:UseCount", len(self.profiles) if use_count is None else use_count)
        sub(configuration, "tt:SourceToken", VIDEO_SOURCE_TOKEN)
        sub(configuration, "tt:Bounds", x=0, y=0, width=camera.width, height=camera.height)

    def _video_encoder(self, configuration: etree._Element, profile: StreamProfile) -> None:
        camera = self.camera
        sub(configuration, "tt:Name", profile.name)
        sub(configuration, "tt:UseCount", 1)
        sub(configuration, "tt:Encoding", profile.encoding)
        resolution = sub(configuration, "tt:Resolution")
        sub(resolution, "tt:Width", camera.width)
        sub(resolution, "tt:Height", camera.height)
        rate = sub(configuration, "tt:RateControl", ConstantBitRate=False)
        sub(rate, "tt:FrameRateLimit", float(camera.fps))
        sub(rate, "tt:BitrateLimit", camera.bitrate_kbps)
        sub(configuration, "tt:Quality", float(QUALITY))


def _texts(parent: etree._Element, local_name: str) -> list[str]:
    return [
        (child.text or "").strip()
        for child in parent
        if isinstance(child.tag, str) and etree.QName(child).localname == local_name
    ]


def _range(parent: etree._Element, low: float, high: float) -> None:
    sub(parent, "tt:Min", low)
    sub(parent, "tt:Max", high)
