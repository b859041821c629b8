"""Media2 (ver20) configuration read operations beyond profiles and encoders: video source
configuration options, video source modes and metadata configurations.

Kept apart from :mod:`fake_vms.onvif.media2_service` (which registers them) so that service
stays a readable size. Every value traces back to :class:`CameraConfig` or a Media2 knob.
The camera has one video source configuration (``VSC_TOKEN``, in every profile) and one
metadata configuration that no fixed profile holds (a client may add it to a profile of its
own; the simulator streams no metadata track, so it claims none in its profiles).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from fake_vms.onvif.media_service import VIDEO_SOURCE_TOKEN
from fake_vms.onvif.soap import Operation, child_text, element, invalid_arg_val, sub
from fake_vms.site import CameraConfig

METADATA_TOKEN = "mdc2_1"
VIDEO_SOURCE_MODE_TOKEN = "vsmode_1"


def operations(
    camera: CameraConfig, vsc_token: str, profile_tokens: list[str], encodings: list[str]
) -> dict[str, Operation]:
    """The operations for one camera. ``profile_tokens`` are its Media2 profiles' tokens
    (a ProfileToken filter must name one) and ``encodings`` the codecs its encoders use."""
    check_profile = _profile_check(profile_tokens)
    return {
        "GetVideoSourceConfigurationOptions": lambda request: get_video_source_options(
            camera, vsc_token, check_profile, request
        ),
        "GetVideoSourceModes": lambda request: get_video_source_modes(camera, encodings, request),
        "GetMetadataConfigurations": lambda request: get_metadata_configurations(
            check_profile, request
        ),
    }


def _profile_check(tokens: list[str]) -> Callable[[etree._Element], None]:
    def check(request: etree._Element) -> None:
        token = child_text(request, "ProfileToken")
        if token is not None and token not in tokens:
            raise invalid_arg_val("NoProfile", "The requested profile token does not exist")

    return check


def get_video_source_options(
    camera: CameraConfig,
    vsc_token: str,
    check_profile: Callable[[etree._Element], None],
    request: etree._Element,
) -> etree._Element:
    """No cropping: X/Y fixed at 0, width and height the sensor's (as the documentation of
    tt:VideoSourceConfigurationOptions asks of such a device). Knob
    media2_source_options_width_max narrows WidthRange below the sensor."""
    configuration = child_text(request, "ConfigurationToken")
    if configuration is not None and configuration != vsc_token:
        raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
    check_profile(request)
    width, height = camera.width, camera.height
    width_max = camera.knobs.media2_source_options_width_max or width
    response = element("tr2:GetVideoSourceConfigurationOptionsResponse")
    options = sub(response, "tr2:Options", MaximumNumberOfProfiles=8)
    bounds = sub(options, "tt:BoundsRange")
    _range(sub(bounds, "tt:XRange"), 0, 0)
    _range(sub(bounds, "tt:YRange"), 0, 0)
    _range(sub(bounds, "tt:WidthRange"), min(width, width_max), width_max)
    _range(sub(bounds, "tt:HeightRange"), height, height)
    sub(options, "tt:VideoSourceTokensAvailable", VIDEO_SOURCE_TOKEN)
    return response


def get_video_source_modes(
    camera: CameraConfig, encodings: list[str], request: etree._Element
) -> etree._Element:
    """One mode, the one in use: the sensor's size and frame rate (Media2 5.x video source
    mode). An unknown source is ter:NoVideoSource."""
    if child_text(request, "VideoSourceToken") != VIDEO_SOURCE_TOKEN:
        raise invalid_arg_val("NoVideoSource", "The requested video source does not exist")
    response = element("tr2:GetVideoSourceModesResponse")
    mode = sub(response, "tr2:VideoSourceModes", token=VIDEO_SOURCE_MODE_TOKEN, Enabled=True)
    sub(mode, "tr2:MaxFramerate", float(camera.fps))
    resolution = sub(mode, "tr2:MaxResolution")
    sub(resolution, "tt:Width", camera.width)
    sub(resolution, "tt:Height", camera.height)
    sub(mode, "tr2:Encodings", " ".join(encodings))
    sub(mode, "tr2:Reboot", False)
    return response


def get_metadata_configurations(
    check_profile: Callable[[etree._Element], None], request: etree._Element
) -> etree._Element:
    """The one metadata configuration; with a ProfileToken, those compatible with it (all)."""
    configuration = child_text(request, "ConfigurationToken")
    if configuration is not None and configuration != METADATA_TOKEN:
        raise invalid_arg_val("NoConfig", "The requested configuration does not exist")
    check_profile(request)
    response = element("tr2:GetMetadataConfigurationsResponse")
    metadata = sub(response, "tr2:Configurations", token=METADATA_TOKEN)
    sub(metadata, "tt:Name", "Metadata")
    sub(metadata, "tt:UseCount", 0)
    sub(metadata, "tt:Analytics", False)
    multicast = sub(metadata, "tt:Multicast")
    address = sub(multicast, "tt:Address")
    sub(address, "tt:Type", "IPv4")
    sub(address, "tt:IPv4Address", "0.0.0.0")
    sub(multicast, "tt:Port", 0)
    sub(multicast, "tt:TTL", 1)
    sub(multicast, "tt:AutoStart", False)
    sub(metadata, "tt:SessionTimeout", "PT60S")
    return response


def _range(parent: etree._Element, low: float, high: float) -> None:
    sub(parent, "tt:Min", low)
    sub(parent, "tt:Max", high)
