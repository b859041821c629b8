"""The ONVIF Media (ver10, trt) service of one simulated camera: one fixed H.264 profile.

A single fixed profile is what a Profile S client must cope with at minimum, and keeping it fixed
means every reported value traces straight back to :class:`CameraConfig` or a knob.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from fake_vms.media.streams import MAIN_STREAM, media1_stream
from fake_vms.onvif.media_audio import MediaAudio
from fake_vms.onvif.soap import Operation, child_text, element, invalid_arg_val, sub
from fake_vms.rtsp.multicast import MULTICAST_SUFFIX, MULTICAST_TTL, multicast_group
from fake_vms.site import CameraConfig

PROFILE_TOKEN = "profile_1"
PROFILE_NAME = "MainStream"
VIDEO_SOURCE_TOKEN = "video_source_1"
VSC_TOKEN = "vsc_1"
VEC_TOKEN = "vec_1"
QUALITY = 4
SNAPSHOT_PATH = "/snapshot.jpg"
H265_AS_H264_PROFILE = "profile_h265"
"""Listed only with knob media1_h265_profile_as_h264: the H.265 stream, mislabelled H264."""
H265_VEC_TOKEN = "vec_h265"
"""The video encoder configuration of :data:`H265_AS_H264_PROFILE`."""
GUARANTEED_INSTANCES = 2
"""GetGuaranteedNumberOfVideoEncoderInstances: H.264 streams per video source configuration."""


def service_capabilities(camera: CameraConfig) -> etree._Element:
    """trt:Capabilities, shared by GetServiceCapabilities and GetServices(IncludeCapability)."""
    capabilities = element(
        "trt:Capabilities", SnapshotUri=not camera.knobs.hide_snapshot_capability
    )
    sub(capabilities, "trt:ProfileCapabilities", MaximumNumberOfProfiles=1)
    sub(
        capabilities,
        "trt:StreamingCapabilities",
        RTPMulticast=not camera.knobs.multicast_off,
        RTP_TCP=True,
        RTP_RTSP_TCP=True,
    )
    return capabilities


@dataclass(frozen=True)
class MediaService:
    """Media operations; ``http_port`` serves snapshots, ``rtsp_port`` serves the stream."""

    camera: CameraConfig
    http_port: int
    rtsp_port: int

    def operations(self) -> dict[str, Operation]:
        return {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetProfiles": self.get_profiles,
            "GetProfile": self.get_profile,
            "GetVideoSources": self.get_video_sources,
            "GetVideoSourceConfigurations": self.get_video_source_configurations,
            "GetVideoSourceConfiguration": self.get_video_source_configuration,
            "GetVideoEncoderConfigurations": self.get_video_encoder_configurations,
            "GetVideoEncoderConfiguration": self.get_video_encoder_configuration,
            "GetVideoEncoderConfigurationOptions": self.get_video_encoder_configuration_options,
            "GetVideoSourceConfigurationOptions": self.get_video_source_configuration_options,
            "GetGuaranteedNumberOfVideoEncoderInstances": self.get_guaranteed_instances,
            "GetStreamUri": self.get_stream_uri,
            "GetSnapshotUri": self.get_snapshot_uri,
        } | self._audio().operations()

    def _audio(self) -> MediaAudio:
        return MediaAudio(self.camera, PROFILE_TOKEN, self._profile_tokens())

    def capabilities(self) -> etree._Element:
        return service_capabilities(self.camera)

    def legacy_capabilities(self, media: etree._Element, xaddr: str) -> None:
        """tt:Media of GetCapabilities (the address may be made wrong by a persona)."""
        sub(media, "tt:XAddr", xaddr)
        streaming = sub(media, "tt:StreamingCapabilities")
        sub(streaming, "tt:RTPMulticast", not self.camera.knobs.multicast_off)
        sub(streaming, "tt:RTP_TCP", True)
        sub(streaming, "tt:RTP_RTSP_TCP", True)

    @property
    def uri_host(self) -> str:
        host = self.camera.knobs.stream_uri_host or "127.0.0.1"
        userinfo = self.camera.knobs.uri_userinfo
        return f"{userinfo}@{host}" if userinfo else host

    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetServiceCapabilitiesResponse")
        response.append(service_capabilities(self.camera))
        return response

    def get_profiles(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetProfilesResponse")
        for token in self._profile_tokens():
            self._profile(sub(response, "trt:Profiles", token=token, fixed=True))
        return response

    def get_profile(self, request: etree._Element) -> etree._Element:
        tokens = self._profile_tokens()
        if self.camera.knobs.media_invalid_token_accepted and (
            child_text(request, "ProfileToken") not in tokens
        ):
            token = tokens[0]  # the quirk: a token never issued gets the first profile
        else:
            token = _require_profile(request, tokens)
        response = element("trt:GetProfileResponse")
        self._profile(sub(response, "trt:Profile", token=token, fixed=True))
        return response

    def _profile_tokens(self) -> tuple[str, ...]:
        if self.camera.knobs.media1_h265_profile_as_h264 and self.camera.codec == "H265":
            return (PROFILE_TOKEN, H265_AS_H264_PROFILE)
        return (PROFILE_TOKEN,)

    def get_video_sources(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetVideoSourcesResponse")
        source = sub(response, "trt:VideoSources", token=VIDEO_SOURCE_TOKEN)
        sub(source, "tt:Framerate", float(self.camera.fps))
        _resolution(sub(source, "tt:Resolution"), self.camera.width, self.camera.height)
        return response

    def get_video_source_configurations(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetVideoSourceConfigurationsResponse")
        self._video_source_configuration(sub(response, "trt:Configurations", token=VSC_TOKEN))
        return response

    def get_video_source_configuration(self, request: etree._Element) -> etree._Element:
        if child_text(request, "ConfigurationToken") != VSC_TOKEN:
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        response = element("trt:GetVideoSourceConfigurationResponse")
        self._video_source_configuration(sub(response, "trt:Configuration", token=VSC_TOKEN))
        return response

    def get_video_encoder_configurations(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetVideoEncoderConfigurationsResponse")
        for token in self._encoder_tokens():
            configuration = sub(response, "trt:Configurations", token=token)
            self._video_encoder_configuration(configuration, self._listed_size())
        return response

    def get_video_encoder_configuration(self, request: etree._Element) -> etree._Element:
        token = child_text(request, "ConfigurationToken")
        if token not in self._encoder_tokens():
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        response = element("trt:GetVideoEncoderConfigurationResponse")
        configuration = sub(response, "trt:Configuration", token=token)
        self._video_encoder_configuration(configuration, self._listed_size())
        return response

    def get_video_encoder_configuration_options(self, request: etree._Element) -> etree._Element:
        configuration = child_text(request, "ConfigurationToken")
        if configuration not in (None, *self._encoder_tokens()):
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        profile = child_text(request, "ProfileToken")
        if profile not in (None, *self._profile_tokens()):
            raise invalid_arg_val("NoProfile", "The requested profile does not exist")
        camera = self.camera
        response = element("trt:GetVideoEncoderConfigurationOptionsResponse")
        options = sub(response, "trt:Options")
        _range(sub(options, "tt:QualityRange"), 1, 5)
        h264 = sub(options, "tt:H264")
        for width, height in self._resolutions_available():
            _resolution(sub(h264, "tt:ResolutionsAvailable"), width, height)
        _range(sub(h264, "tt:GovLengthRange"), camera.gop, camera.gop)
        _range(sub(h264, "tt:FrameRateRange"), camera.fps, camera.fps)
        _range(sub(h264, "tt:EncodingIntervalRange"), 1, 1)
        sub(h264, "tt:H264ProfilesSupported", "Main")
        return response

    def get_video_source_configuration_options(self, request: etree._Element) -> etree._Element:
        configuration = child_text(request, "ConfigurationToken")
        if configuration not in (None, VSC_TOKEN):
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        profile = child_text(request, "ProfileToken")
        if profile not in (None, *self._profile_tokens()):
            raise invalid_arg_val("NoProfile", "The requested profile does not exist")
        response = element("trt:GetVideoSourceConfigurationOptionsResponse")
        options = sub(response, "trt:Options")
        bounds = sub(options, "tt:BoundsRange")
        _range(sub(bounds, "tt:XRange"), 0, 0)
        _range(sub(bounds, "tt:YRange"), 0, 0)
        _range(sub(bounds, "tt:WidthRange"), self.camera.width, self.camera.width)
        _range(sub(bounds, "tt:HeightRange"), self.camera.height, self.camera.height)
        sub(options, "tt:VideoSourceTokensAvailable", VIDEO_SOURCE_TOKEN)
        return response

    def get_guaranteed_instances(self, request: etree._Element) -> etree._Element:
        """GetGuaranteedNumberOfVideoEncoderInstances of the one video source configuration:
        H.264 only, as the encoder options offer (knob guaranteed_jpeg_unoffered adds JPEG)."""
        if child_text(request, "ConfigurationToken") != VSC_TOKEN:
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        response = element("trt:GetGuaranteedNumberOfVideoEncoderInstancesResponse")
        sub(response, "trt:TotalNumber", GUARANTEED_INSTANCES)
        if self.camera.knobs.guaranteed_jpeg_unoffered:
            sub(response, "trt:JPEG", 1)
        sub(response, "trt:H264", GUARANTEED_INSTANCES)
        return response

    def _encoder_tokens(self) -> tuple[str, ...]:
        """Every video encoder configuration: one per profile."""
        if H265_AS_H264_PROFILE in self._profile_tokens():
            return (VEC_TOKEN, H265_VEC_TOKEN)
        return (VEC_TOKEN,)

    def _use_count(self, token: str | None) -> int:
        """How many profiles use the configuration ``token`` (knob use_count_stale: one more)."""
        profiles = self._profile_tokens()
        if token == VSC_TOKEN:
            used = 0 if self.camera.knobs.profiles_without_vsc else len(profiles)
        else:
            used = sum(1 for p in profiles if self._encoder_of(p) == token)
        return used + (1 if self.camera.knobs.use_count_stale else 0)

    @staticmethod
    def _encoder_of(profile: str) -> str:
        return H265_VEC_TOKEN if profile == H265_AS_H264_PROFILE else VEC_TOKEN

    def _resolutions_available(self) -> list[tuple[int, int]]:
        """The camera's own size and its halves, largest first; knob
        encoder_options_without_current leaves the camera's own size out."""
        width, height = self.camera.width, self.camera.height
        sizes = [(width, height), (width // 2, height // 2), (width // 4, height // 4)]
        if self.camera.knobs.encoder_options_without_current:
            sizes = sizes[1:]
        return sizes

    def get_stream_uri(self, request: etree._Element) -> etree._Element:
        token = _require_profile(request, self._profile_tokens())
        # Media1 describes the H.264 stream; the mislabelled profile leads to the H.265 one.
        stream = MAIN_STREAM if token == H265_AS_H264_PROFILE else media1_stream(self.camera)
        response = element("trt:GetStreamUriResponse")
        uri = f"rtsp://{self.uri_host}:{self.rtsp_port}/{stream}"
        if request.findtext("{*}StreamSetup/{*}Stream", "").strip() == "RTP-Multicast":
            if self.camera.knobs.multicast_off:
                raise invalid_arg_val("InvalidStreamSetup", "RTP-Multicast is not supported")
            uri += MULTICAST_SUFFIX
        if request.findtext("{*}StreamSetup/{*}Transport/{*}Protocol", "").strip() == "HTTP":
            # RTSP over HTTP (Streaming 5.1.1.4) is tunnelled through the web-service port.
            uri = f"http://{self.uri_host}:{self.http_port}/rtsp-over-http/{stream}"
        _media_uri(sub(response, "trt:MediaUri"), uri)
        return response

    def get_snapshot_uri(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        uri = f"http://{self.uri_host}:{self.http_port}{SNAPSHOT_PATH}"
        response = element("trt:GetSnapshotUriResponse")
        _media_uri(sub(response, "trt:MediaUri"), uri)
        return response

    def _listed_size(self) -> tuple[int, int]:
        """Knob encoder_list_size affects only the encoder-configuration operations."""
        return self.camera.knobs.encoder_list_size or (self.camera.width, self.camera.height)

    def _profile(self, profile: etree._Element) -> None:
        lying = profile.get("token") == H265_AS_H264_PROFILE
        sub(profile, "tt:Name", "H265Stream" if lying else PROFILE_NAME)
        if not self.camera.knobs.profiles_without_vsc:
            self._video_source_configuration(
                sub(profile, "tt:VideoSourceConfiguration", token=VSC_TOKEN)
            )
        vec_token = self._encoder_of(str(profile.get("token")))
        configuration = sub(profile, "tt:VideoEncoderConfiguration", token=vec_token)
        self._video_encoder_configuration(configuration, (self.camera.width, self.camera.height))
        if self.camera.ptz:  # a PTZ camera's profile is ready for PTZ (ONVIF Media 5.2)
            from fake_vms.onvif.ptz_service import CONFIG_TOKEN, ptz_configuration

            ptz_configuration(
                sub(profile, "tt:PTZConfiguration", token=CONFIG_TOKEN),
                vendor=self.camera.knobs.ptz_vendor_spaces_only,
            )
        self._audio().add_to_profile(profile)

    def _video_source_configuration(self, configuration: etree._Element) -> None:
        sub(configuration, "tt:Name", "VideoSource")
        sub(configuration, "tt:UseCount", self._use_count(configuration.get("token")))
        sub(configuration, "tt:SourceToken", VIDEO_SOURCE_TOKEN)
        sub(
            configuration,
            "tt:Bounds",
            x=0,
            y=0,
            width=self.camera.width,
            height=self.camera.height,
        )

    def _video_encoder_configuration(
        self, configuration: etree._Element, size: tuple[int, int]
    ) -> None:
        camera = self.camera
        sub(configuration, "tt:Name", "VideoEncoder")
        sub(configuration, "tt:UseCount", self._use_count(configuration.get("token")))
        sub(configuration, "tt:Encoding", "H264")  # the ver10 enum has no H265
        _resolution(sub(configuration, "tt:Resolution"), *size)
        sub(configuration, "tt:Quality", float(QUALITY))
        rate = sub(configuration, "tt:RateControl")
        sub(rate, "tt:FrameRateLimit", camera.fps)
        sub(rate, "tt:EncodingInterval", 1)
        sub(rate, "tt:BitrateLimit", camera.bitrate_kbps)
        h264 = sub(configuration, "tt:H264")
        sub(h264, "tt:GovLength", camera.gop)
        sub(h264, "tt:H264Profile", "Main")
        multicast = sub(configuration, "tt:Multicast")
        address = sub(multicast, "tt:Address")
        sub(address, "tt:Type", "IPv4")
        if camera.knobs.multicast_off:
            group, port = "0.0.0.0", 0
        else:
            group, port = multicast_group(camera.name, media1_stream(camera))
        sub(address, "tt:IPv4Address", group)
        sub(multicast, "tt:Port", port)
        sub(multicast, "tt:TTL", MULTICAST_TTL)
        sub(multicast, "tt:AutoStart", False)
        sub(configuration, "tt:SessionTimeout", "PT60S")


def _require_profile(request: etree._Element, tokens: tuple[str, ...] = (PROFILE_TOKEN,)) -> str:
    token = child_text(request, "ProfileToken")
    if token not in tokens:
        raise invalid_arg_val("NoProfile", "The requested profile token does not exist")
    return token


def _resolution(parent: etree._Element, width: int, height: int) -> None:
    sub(parent, "tt:Width", width)
    sub(parent, "tt:Height", height)


def _range(parent: etree._Element, low: int, high: int) -> None:
    sub(parent, "tt:Min", low)
    sub(parent, "tt:Max", high)


def _media_uri(parent: etree._Element, uri: str) -> None:
    sub(parent, "tt:Uri", uri)
    sub(parent, "tt:InvalidAfterConnect", False)
    sub(parent, "tt:InvalidAfterReboot", False)
    sub(parent, "tt:Timeout", "PT0S")
