"""Media2 (ver20) audio operations of one simulated camera: the microphone and speaker of
:mod:`fake_vms.onvif.media_audio`, with Media2's own configuration tokens, in the main profile.

Media2's Get*Configurations take optional ConfigurationToken and ProfileToken filters and answer
unknown ones with env:Sender/ter:InvalidArgVal/ter:NoConfig or ter:NoProfile (Media2 fault
tables); the encoder names G.711 by its MIME name, PCMU (Media2 5.3).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from fake_vms.onvif.media_audio import (
    BITRATE_KBPS,
    SAMPLE_RATE_KHZ,
    decoder_configuration,
    insert_in_order,
    int_items,
    multicast,
    output_configuration,
    output_options,
    source_configuration,
    source_options,
)
from fake_vms.onvif.soap import NSMAP, Operation, child_text, element, invalid_arg_val, sub
from fake_vms.site import CameraConfig

ASC2_TOKEN = "asc2_1"
AEC2_TOKEN = "aec2_1"
AOC2_TOKEN = "aoc2_1"
ADC2_TOKEN = "adc2_1"
ENCODING2 = "PCMU"
WRONG_BITRATE_KBPS = 128
"""What the encoder configurations report with knob media2_audio_bitrate_wrong."""
AUDIO_TYPES = ("AudioSource", "AudioEncoder", "AudioOutput", "AudioDecoder")
"""tr2:ConfigurationEnumeration values this module answers for in GetProfiles."""
_SET_ORDER = (
    "VideoSource",
    "AudioSource",
    "VideoEncoder",
    "AudioEncoder",
    "Analytics",
    "PTZ",
    "Metadata",
    "AudioOutput",
    "AudioDecoder",
    "Receiver",
    "Extension",
)
"""Order of tr2:ConfigurationSet's children (media.wsdl ver20)."""


class Media2Audio:
    """Media2 audio operations; ``profiles`` are the Media2 profile tokens, main one first."""

    def __init__(self, camera: CameraConfig, profiles: tuple[str, ...]) -> None:
        self.camera = camera
        self.profiles = profiles

    def operations(self) -> dict[str, Operation]:
        if not self.camera.audio:
            return {}
        return {
            "GetAudioSourceConfigurations": self._listing(
                "AudioSourceConfigurations", ASC2_TOKEN, source_configuration
            ),
            "GetAudioEncoderConfigurations": self._listing(
                "AudioEncoderConfigurations", AEC2_TOKEN, self._encoder
            ),
            "GetAudioOutputConfigurations": self._listing(
                "AudioOutputConfigurations", AOC2_TOKEN, output_configuration
            ),
            "GetAudioDecoderConfigurations": self._listing(
                "AudioDecoderConfigurations", ADC2_TOKEN, decoder_configuration
            ),
            "GetAudioSourceConfigurationOptions": self._options(
                "AudioSourceConfigurationOptions", ASC2_TOKEN, source_options
            ),
            "GetAudioEncoderConfigurationOptions": self._options(
                "AudioEncoderConfigurationOptions", AEC2_TOKEN, _codec_options
            ),
            "GetAudioOutputConfigurationOptions": self._options(
                "AudioOutputConfigurationOptions", AOC2_TOKEN, output_options
            ),
            "GetAudioDecoderConfigurationOptions": self._options(
                "AudioDecoderConfigurationOptions", ADC2_TOKEN, _codec_options
            ),
        }

    def add_to_profile(self, entry: etree._Element, types: list[str]) -> None:
        """GetProfiles: the main profile's audio configurations the request's Type asks for."""
        if not self.camera.audio or not self.profiles or entry.get("token") != self.profiles[0]:
            return
        wanted = set(AUDIO_TYPES) if "All" in types else set(types) & set(AUDIO_TYPES)
        if not wanted:
            return
        tr2 = NSMAP["tr2"]
        configurations = entry.find(f"{{{tr2}}}Configurations")
        if configurations is None:
            configurations = sub(entry, "tr2:Configurations")
        parts: tuple[tuple[str, str, Callable[[etree._Element], None]], ...] = (
            ("AudioSource", ASC2_TOKEN, source_configuration),
            ("AudioEncoder", AEC2_TOKEN, self._encoder),
            ("AudioOutput", AOC2_TOKEN, output_configuration),
            ("AudioDecoder", ADC2_TOKEN, decoder_configuration),
        )
        for name, token, fill in parts:
            if name in wanted:
                configuration = etree.Element(f"{{{tr2}}}{name}", token=token)
                fill(configuration)
                insert_in_order(configurations, configuration, _SET_ORDER)

    # --- builders -------------------------------------------------------------------------

    def _listing(self, name: str, token: str, fill: Callable[[etree._Element], None]) -> Operation:
        def operation(request: etree._Element) -> etree._Element:
            self._check_filters(request, token)
            response = element(f"tr2:Get{name}Response")
            fill(sub(response, "tr2:Configurations", token=token))
            return response

        return operation

    def _options(self, name: str, token: str, fill: Callable[[etree._Element], None]) -> Operation:
        def operation(request: etree._Element) -> etree._Element:
            self._check_filters(request, token)
            response = element(f"tr2:Get{name}Response")
            fill(sub(response, "tr2:Options"))
            return response

        return operation

    def _check_filters(self, request: etree._Element, token: str) -> None:
        """The one configuration is compatible with every profile, so valid filters always
        select it; unknown tokens fault (knob audio_unknown_token_accepted ignores them)."""
        if self.camera.knobs.audio_unknown_token_accepted:
            return
        if child_text(request, "ConfigurationToken") not in (None, token):
            raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
        profile = child_text(request, "ProfileToken")
        if profile is not None and profile not in self.profiles:
            raise invalid_arg_val("NoProfile", "The requested profile does not exist")

    def _encoder(self, configuration: etree._Element) -> None:
        wrong = self.camera.knobs.media2_audio_bitrate_wrong
        sub(configuration, "tt:Name", "AudioEncoder")
        sub(configuration, "tt:UseCount", 1)
        sub(configuration, "tt:Encoding", ENCODING2)
        multicast(sub(configuration, "tt:Multicast"))
        sub(configuration, "tt:Bitrate", WRONG_BITRATE_KBPS if wrong else BITRATE_KBPS)
        sub(configuration, "tt:SampleRate", SAMPLE_RATE_KHZ)


def _codec_options(options: etree._Element) -> None:
    """tt:AudioEncoder2ConfigurationOptions (also the decoder's options in Media2)."""
    sub(options, "tt:Encoding", ENCODING2)
    int_items(options, "tt:BitrateList", (BITRATE_KBPS,))
    int_items(options, "tt:SampleRateList", (SAMPLE_RATE_KHZ,))
