"""Quirk knobs: every way a simulated device can be made non-conformant.

A knob's default is the conformant behaviour. Personas (``fake_vms.personas``) set one or a few
knobs so that a device breaks in one known way; the services read ``camera.knobs.<name>``.
Knobs are grouped by domain, one frozen dataclass each (newer domains in ``knobs_<domain>.py``),
and combined into one flat :class:`Knobs`, so a persona's whole deviation is visible at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_vms.personas.knobs_audio import AudioKnobs
from fake_vms.personas.knobs_consistency import ConsistencyKnobs
from fake_vms.personas.knobs_device_config import DeviceConfigKnobs
from fake_vms.personas.knobs_discovery import DiscoveryKnobs
from fake_vms.personas.knobs_event_filters import EventFilterKnobs
from fake_vms.personas.knobs_events import EventKnobs
from fake_vms.personas.knobs_export import ExportKnobs
from fake_vms.personas.knobs_field import FieldKnobs
from fake_vms.personas.knobs_hostile import HostileKnobs
from fake_vms.personas.knobs_imaging import ImagingKnobs
from fake_vms.personas.knobs_media2 import Media2Knobs
from fake_vms.personas.knobs_media2_config import Media2ConfigKnobs
from fake_vms.personas.knobs_ptz import PtzKnobs
from fake_vms.personas.knobs_ptz_config import PtzConfigKnobs
from fake_vms.personas.knobs_recording import RecordingKnobs
from fake_vms.personas.knobs_replay_modes import ReplayModesKnobs
from fake_vms.personas.knobs_search_paging import SearchPagingKnobs
from fake_vms.personas.knobs_security import SecurityKnobs
from fake_vms.personas.knobs_spec import SpecKnobs
from fake_vms.personas.knobs_vms import VmsKnobs
from fake_vms.personas.knobs_wire import WireKnobs


@dataclass(frozen=True)
class DeviceKnobs:
    """ONVIF device service."""

    time_requires_auth: bool = False
    """GetSystemDateAndTime demands credentials (it is PRE_AUTH in ONVIF Core)."""
    protected_ops_open: bool = False
    """Protected operations answer without any credentials."""
    bad_credentials_html: bool = False
    """Wrong credentials get HTTP 400 with an HTML page instead of a SOAP NotAuthorized fault."""
    xaddr_port_offset: int = 0
    """Service XAddrs advertise the device's port plus this offset."""
    xaddr_base: str | None = None
    """Service XAddrs advertise this base (``scheme://host:port/prefix``) before each service's
    path: a gateway serving the services on another port and path (legal per ONVIF Core)."""
    capabilities_media_path: str | None = None
    """GetCapabilities advertises this path for Media, disagreeing with GetServices."""
    uri_userinfo: str | None = None
    """``user:password`` put in every stream and snapshot URI the media services return (some
    devices embed an account's credentials in their URIs; the suite must redact them)."""
    identity_blank: bool = False
    """GetDeviceInformation returns empty FirmwareVersion and SerialNumber."""
    omit_profile_scope: bool = False
    """GetScopes omits the onvif://www.onvif.org/Profile/Streaming scope."""
    hide_snapshot_capability: bool = False
    """Media capabilities say SnapshotUri=false although GetSnapshotUri works."""
    service_caps_fault: str | None = None
    """The service of this name (registry name: ``imaging``, ``media2``...) answers
    GetServiceCapabilities with env:Receiver/ter:ActionNotSupported."""
    services_caps_differ: bool = False
    """GetServices(IncludeCapability=true) gives Media2 capabilities with Rotation and OSD the
    opposite of what Media2 GetServiceCapabilities says."""
    capabilities_omit_category: str | None = None
    """GetCapabilities leaves out this category although GetServices lists its service (All
    omits it; asked for alone, it is a NoSuchService fault)."""


@dataclass(frozen=True)
class MediaKnobs:
    """ONVIF media (ver10) service."""

    profiles_without_vsc: bool = False
    """Media profiles carry no VideoSourceConfiguration."""
    media_invalid_token_accepted: bool = False
    """Media GetProfile given a profile token the device never issued returns its first profile
    instead of the fault env:Sender/ter:InvalidArgVal/ter:NoProfile."""
    encoder_list_size: tuple[int, int] | None = None
    """GetVideoEncoderConfigurations reports this resolution, disagreeing with the profile."""
    encoder_options_without_current: bool = False
    """Media GetVideoEncoderConfigurationOptions lists only smaller resolutions: the main
    profile's own resolution is absent from ResolutionsAvailable."""
    stream_uri_host: str | None = None
    """GetStreamUri/GetSnapshotUri return this host instead of the device's own."""
    snapshot_size: tuple[int, int] | None = None
    """The snapshot JPEG has this size instead of the configured resolution."""


@dataclass(frozen=True)
class RtspKnobs:
    """RTSP / RTP."""

    rtsp_udp_supported: bool = True
    """SETUP with RTP/AVP (UDP) is accepted."""
    rtsp_tcp_supported: bool = True
    """SETUP with RTP/AVP/TCP (interleaved) is accepted."""
    rtsp_auth_required: bool = True
    """RTSP requests need Digest credentials."""
    stream_size: tuple[int, int] | None = None
    """The RTSP stream is encoded at this size instead of the configured resolution."""
    fps_divisor: int = 1
    """The stream really runs at fps / fps_divisor (RTP clock and pacing both)."""
    drop_frame_every: int = 0
    """Every Nth captured frame never reaches the encoder (lost at capture): it is not sent,
    recorded or exported, and RTP timestamps and recording times skip over it."""
    timestamp_glitch_every: int = 0
    """Every Nth access unit carries an RTP timestamp earlier than the previous one."""
    rtsp_max_playing_sessions: int = 0
    """At most this many live sessions may play at once (0: no limit): a SETUP or PLAY that
    would start one more while that many play is answered 453 Not Enough Bandwidth. A session
    ended by TEARDOWN or by its closed connection no longer counts."""


@dataclass(frozen=True)
class Knobs(
    DeviceKnobs,
    MediaKnobs,
    RtspKnobs,
    Media2Knobs,
    Media2ConfigKnobs,
    EventKnobs,
    EventFilterKnobs,
    PtzKnobs,
    PtzConfigKnobs,
    RecordingKnobs,
    SearchPagingKnobs,
    ReplayModesKnobs,
    ImagingKnobs,
    DiscoveryKnobs,
    ExportKnobs,
    HostileKnobs,
    SecurityKnobs,
    SpecKnobs,
    VmsKnobs,
    FieldKnobs,
    WireKnobs,
    AudioKnobs,
    ConsistencyKnobs,
    DeviceConfigKnobs,
):
    """Every knob of every domain, flat: services read ``camera.knobs.<name>``."""
