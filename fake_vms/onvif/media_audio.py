"""Audio of one simulated camera: one microphone input and one speaker output, as a camera with
audio and a backchannel has them, served by Media (ver10) here and by Media2 in
:mod:`fake_vms.onvif.media2_audio`.

The configurations are fixed (G.711 at 8000 Hz, 64 kbps) and live in the main profile of each
service. The RTSP stream is not touched: its SDP stays video-only, so the audio here is what the
configuration operations report, not a track a client could play. Knobs in
:mod:`fake_vms.personas.knobs_audio` make single replies wrong in one way each.
"""

from __future__ import annotations

from lxml import etree

from fake_vms.onvif.soap import TT, Operation, child_text, element, invalid_arg_val, sub
from fake_vms.site import CameraConfig

AUDIO_SOURCE_TOKEN = "AudioSource_1"
AUDIO_OUTPUT_TOKEN = "AudioOutput_1"
ASC_TOKEN = "asc_1"
AEC_TOKEN = "aec_1"
AOC_TOKEN = "aoc_1"
ADC_TOKEN = "adc_1"
CHANNELS = 1
ENCODING = "G711"
"""tt:AudioEncoding of Media (ver10); Media2 names the same codec by its MIME name, PCMU."""
BITRATE_KBPS = 64
SAMPLE_RATE_KHZ = 8
"""G.711 samples at 8 kHz; onvif.xsd gives Bitrate in kbps and SampleRate in kHz."""
SEND_PRIMACY = "www.onvif.org/ver20/HalfDuplex/Auto"
OUTPUT_LEVEL = 50
OUTPUT_LEVEL_RANGE = (0, 100)
LISTED_SAMPLE_RATE_KHZ = 16
"""What GetAudioEncoderConfigurations reports with knob audio_list_sample_rate_wrong."""


def source_configuration(configuration: etree._Element) -> None:
    """The body of tt:AudioSourceConfiguration (the caller names the element and token)."""
    sub(configuration, "tt:Name", "AudioSource")
    sub(configuration, "tt:UseCount", 1)
    sub(configuration, "tt:SourceToken", AUDIO_SOURCE_TOKEN)


def output_configuration(configuration: etree._Element) -> None:
    """The body of tt:AudioOutputConfiguration: the speaker, half duplex as most cameras are."""
    sub(configuration, "tt:Name", "AudioOutput")
    sub(configuration, "tt:UseCount", 1)
    sub(configuration, "tt:OutputToken", AUDIO_OUTPUT_TOKEN)
    sub(configuration, "tt:SendPrimacy", SEND_PRIMACY)
    sub(configuration, "tt:OutputLevel", OUTPUT_LEVEL)


def decoder_configuration(configuration: etree._Element) -> None:
    """The body of tt:AudioDecoderConfiguration (no settings of its own)."""
    sub(configuration, "tt:Name", "AudioDecoder")
    sub(configuration, "tt:UseCount", 1)


def source_options(options: etree._Element) -> None:
    sub(options, "tt:InputTokensAvailable", AUDIO_SOURCE_TOKEN)


def output_options(options: etree._Element) -> None:
    sub(options, "tt:OutputTokensAvailable", AUDIO_OUTPUT_TOKEN)
    sub(options, "tt:SendPrimacyOptions", SEND_PRIMACY)
    level = sub(options, "tt:OutputLevelRange")
    sub(level, "tt:Min", OUTPUT_LEVEL_RANGE[0])
    sub(level, "tt:Max", OUTPUT_LEVEL_RANGE[1])


def multicast(parent: etree._Element) -> None:
    """tt:MulticastConfiguration: no multicast audio (address 0.0.0.0, port 0)."""
    address = sub(parent, "tt:Address")
    sub(address, "tt:Type", "IPv4")
    sub(address, "tt:IPv4Address", "0.0.0.0")
    sub(parent, "tt:Port", 0)
    sub(parent, "tt:TTL", 1)
    sub(parent, "tt:AutoStart", False)


def int_items(parent: etree._Element, tag: str, values: tuple[int, ...]) -> None:
    """tt:IntItems: one tt:Items per value (shared with Media2's options)."""
    items = sub(parent, tag)
    for value in values:
        sub(items, "tt:Items", value)


# Order of tt:Profile's children (onvif.xsd); audio is inserted where the schema puts it.
_PROFILE_ORDER = (
    "Name",
    "VideoSourceConfiguration",
    "AudioSourceConfiguration",
    "VideoEncoderConfiguration",
    "AudioEncoderConfiguration",
    "VideoAnalyticsConfiguration",
    "PTZConfiguration",
    "MetadataConfiguration",
    "Extension",
)


def insert_in_order(parent: etree._Element, child: etree._Element, order: tuple[str, ...]) -> None:
    """Put ``child`` before the first sibling that comes after it in ``order``."""
    rank = order.index(etree.QName(child).localname)
    for index, sibling in enumerate(parent):
        name = etree.QName(sibling).localname if isinstance(sibling.tag, str) else ""
        if name in order and order.index(name) > rank:
            parent.insert(index, child)
            return
    parent.append(child)


class MediaAudio:
    """Media (ver10) audio operations of one camera, and the audio parts of its main profile."""

    def __init__(self, camera: CameraConfig, main_profile: str, profiles: tuple[str, ...]) -> None:
        self.camera = camera
        self.main_profile = main_profile
        self.profiles = profiles

    def operations(self) -> dict[str, Operation]:
        if not self.camera.audio:
            return {}
        return {
            "GetAudioSources": self.get_audio_sources,
            "GetAudioOutputs": self.get_audio_outputs,
            "GetAudioSourceConfigurations": self.get_audio_source_configurations,
            "GetAudioSourceConfiguration": self.get_audio_source_configuration,
            "GetAudioSourceConfigurationOptions": self.get_audio_source_configuration_options,
            "GetAudioEncoderConfigurations": self.get_audio_encoder_configurations,
            "GetAudioEncoderConfiguration": self.get_audio_encoder_configuration,
            "GetAudioEncoderConfigurationOptions": self.get_audio_encoder_configuration_options,
            "GetAudioOutputConfigurations": self.get_audio_output_configurations,
            "GetAudioOutputConfiguration": self.get_audio_output_configuration,
            "GetAudioOutputConfigurationOptions": self.get_audio_output_configuration_options,
            "GetAudioDecoderConfigurations": self.get_audio_decoder_configurations,
            "GetAudioDecoderConfiguration": self.get_audio_decoder_configuration,
            "GetAudioDecoderConfigurationOptions": self.get_audio_decoder_configuration_options,
        }

    def add_to_profile(self, profile: etree._Element) -> None:
        """The main profile carries the audio source and encoder, and (in its Extension) the
        speaker's output and decoder configurations, as a backchannel-capable camera's does."""
        if not self.camera.audio or profile.get("token") != self.main_profile:
            return
        ns = TT
        source = etree.Element(f"{{{ns}}}AudioSourceConfiguration", token=ASC_TOKEN)
        source_configuration(source)
        insert_in_order(profile, source, _PROFILE_ORDER)
        encoder = etree.Element(f"{{{ns}}}AudioEncoderConfiguration", token=AEC_TOKEN)
        self._encoder(encoder, SAMPLE_RATE_KHZ)
        insert_in_order(profile, encoder, _PROFILE_ORDER)
        extension = profile.find(f"{{{ns}}}Extension")
        if extension is None:
            extension = etree.Element(f"{{{ns}}}Extension")
            insert_in_order(profile, extension, _PROFILE_ORDER)
        output = etree.Element(f"{{{ns}}}AudioOutputConfiguration", token=AOC_TOKEN)
        output_configuration(output)
        extension.insert(0, output)
        decoder = etree.Element(f"{{{ns}}}AudioDecoderConfiguration", token=ADC_TOKEN)
        decoder_configuration(decoder)
        extension.insert(1, decoder)

    # --- operations -----------------------------------------------------------------------

    def get_audio_sources(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetAudioSourcesResponse")
        source = sub(response, "trt:AudioSources", token=AUDIO_SOURCE_TOKEN)
        sub(source, "tt:Channels", CHANNELS)
        return response

    def get_audio_outputs(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetAudioOutputsResponse")
        sub(response, "trt:AudioOutputs", token=AUDIO_OUTPUT_TOKEN)
        return response

    def get_audio_source_configurations(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetAudioSourceConfigurationsResponse")
        source_configuration(sub(response, "trt:Configurations", token=ASC_TOKEN))
        return response

    def get_audio_source_configuration(self, request: etree._Element) -> etree._Element:
        self._require_configuration(request, ASC_TOKEN)
        response = element("trt:GetAudioSourceConfigurationResponse")
        source_configuration(sub(response, "trt:Configuration", token=ASC_TOKEN))
        return response

    def get_audio_source_configuration_options(self, request: etree._Element) -> etree._Element:
        self._check_filters(request, ASC_TOKEN)
        response = element("trt:GetAudioSourceConfigurationOptionsResponse")
        source_options(sub(response, "trt:Options"))
        return response

    def get_audio_encoder_configurations(self, _request: etree._Element) -> etree._Element:
        rate = LISTED_SAMPLE_RATE_KHZ if self.camera.knobs.audio_list_sample_rate_wrong else None
        response = element("trt:GetAudioEncoderConfigurationsResponse")
        self._encoder(sub(response, "trt:Configurations", token=AEC_TOKEN), rate or SAMPLE_RATE_KHZ)
        return response

    def get_audio_encoder_configuration(self, request: etree._Element) -> etree._Element:
        self._require_configuration(request, AEC_TOKEN)
        response = element("trt:GetAudioEncoderConfigurationResponse")
        self._encoder(sub(response, "trt:Configuration", token=AEC_TOKEN), SAMPLE_RATE_KHZ)
        return response

    def get_audio_encoder_configuration_options(self, request: etree._Element) -> etree._Element:
        self._check_filters(request, AEC_TOKEN)
        response = element("trt:GetAudioEncoderConfigurationOptionsResponse")
        option = sub(sub(response, "trt:Options"), "tt:Options")
        sub(option, "tt:Encoding", ENCODING)
        int_items(option, "tt:BitrateList", (BITRATE_KBPS,))
        int_items(option, "tt:SampleRateList", (SAMPLE_RATE_KHZ,))
        return response

    def get_audio_output_configurations(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetAudioOutputConfigurationsResponse")
        output_configuration(sub(response, "trt:Configurations", token=AOC_TOKEN))
        return response

    def get_audio_output_configuration(self, request: etree._Element) -> etree._Element:
        self._require_configuration(request, AOC_TOKEN)
        response = element("trt:GetAudioOutputConfigurationResponse")
        output_configuration(sub(response, "trt:Configuration", token=AOC_TOKEN))
        return response

    def get_audio_output_configuration_options(self, request: etree._Element) -> etree._Element:
        self._check_filters(request, AOC_TOKEN)
        response = element("trt:GetAudioOutputConfigurationOptionsResponse")
        output_options(sub(response, "trt:Options"))
        return response

    def get_audio_decoder_configurations(self, _request: etree._Element) -> etree._Element:
        response = element("trt:GetAudioDecoderConfigurationsResponse")
        decoder_configuration(sub(response, "trt:Configurations", token=ADC_TOKEN))
        return response

    def get_audio_decoder_configuration(self, request: etree._Element) -> etree._Element:
        self._require_configuration(request, ADC_TOKEN)
        response = element("trt:GetAudioDecoderConfigurationResponse")
        decoder_configuration(sub(response, "trt:Configuration", token=ADC_TOKEN))
        return response

    def get_audio_decoder_configuration_options(self, request: etree._Element) -> etree._Element:
        self._check_filters(request, ADC_TOKEN)
        response = element("trt:GetAudioDecoderConfigurationOptionsResponse")
        g711 = sub(sub(response, "trt:Options"), "tt:G711DecOptions")
        int_items(g711, "tt:Bitrate", (BITRATE_KBPS,))
        int_items(g711, "tt:SampleRateRange", (SAMPLE_RATE_KHZ,))
        return response

    # --- helpers --------------------------------------------------------------------------

    def _encoder(self, configuration: etree._Element, sample_rate: int) -> None:
        sub(configuration, "tt:Name", "AudioEncoder")
        sub(configuration, "tt:UseCount", 1)
        sub(configuration, "tt:Encoding", ENCODING)
        sub(configuration, "tt:Bitrate", BITRATE_KBPS)
        sub(configuration, "tt:SampleRate", sample_rate)
        multicast(sub(configuration, "tt:Multicast"))
        sub(configuration, "tt:SessionTimeout", "PT60S")

    def _require_configuration(self, request: etree._Element, token: str) -> None:
        """Unknown tokens: env:Sender/ter:InvalidArgVal/ter:NoConfig (Media fault tables); knob
        audio_unknown_token_accepted answers with the one configuration instead."""
        if self.camera.knobs.audio_unknown_token_accepted:
            return
        if child_text(request, "ConfigurationToken") != token:
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")

    def _check_filters(self, request: etree._Element, token: str) -> None:
        """The options operations' optional ConfigurationToken and ProfileToken."""
        if self.camera.knobs.audio_unknown_token_accepted:
            return
        if child_text(request, "ConfigurationToken") not in (None, token):
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        if child_text(request, "ProfileToken") not in (None, *self.profiles):
            raise invalid_arg_val("NoProfile", "The requested profile does not exist")
