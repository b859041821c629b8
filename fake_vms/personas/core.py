"""Personas of the Profile S core: device, media and live-streaming quirks."""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "clock-skew",
        "Device clock is 10 minutes fast (so are its recordings: no multi-camera export aligns)",
        ("ONVIF-DEV-TIME-02", "EXPORT-MULTI-01"),
        "Clock lost after reboot: home-assistant/core#121952, lumeohq/onvif-rs#121",
        clock_offset_s=600.0,
    ),
    Persona(
        "time-needs-auth",
        "GetSystemDateAndTime demands credentials",
        ("ONVIF-DEV-TIME-01",),
        "Panasonic, Digital Barriers, Vivotek: agsh/onvif src/onvif.ts, agsh/onvif#301",
        knobs=Knobs(time_requires_auth=True),
    ),
    Persona(
        "blank-identity",
        "GetDeviceInformation returns an empty firmware version and serial number",
        ("ONVIF-DEV-INFO-01", "SEC-FW-01"),
        "Generic identities on clone cameras: OpenIPC/viewer#67, agsh/onvif PR #65",
        knobs=Knobs(identity_blank=True),
    ),
    Persona(
        "capabilities-mismatch",
        "GetCapabilities advertises a Media address that GetServices does not, and nothing "
        "answers there (an advertised but dead address is also XADDR-01's finding)",
        ("ONVIF-DEV-SVC-01", "ONVIF-DEV-XADDR-01"),
        "Mismatched XAddrs between calls: OpenIPC/viewer#67, home-assistant/core#84551",
        knobs=Knobs(capabilities_media_path="/onvif/Media"),
    ),
    Persona(
        "xaddr-wrong-port",
        "Service XAddrs advertise a port the device does not listen on",
        ("ONVIF-DEV-XADDR-01",),
        "NAT and port-forwarded devices: agsh/onvif#41, python-onvif-zeep PR #48",
        knobs=Knobs(xaddr_port_offset=1000),
    ),
    Persona(
        "open-protected-ops",
        "Authentication is off: protected operations answer with no or wrong credentials",
        (
            "ONVIF-DEV-AUTH-01",
            "ONVIF-DEV-AUTH-02",
            # secure-by-default: everything is served, whatever credentials come with it
            "SEC-NOANON-01",
            "SEC-DEFCRED-01",
            "SEC-NOBASIC-01",
            "SEC-NONCE-01",
            "SEC-CREATED-01",
            "SEC-LOCKOUT-01",
        ),
        "Devices shipped with authentication off: SCC Secure by Default guidance",
        knobs=Knobs(protected_ops_open=True),
    ),
    Persona(
        "html-auth-fault",
        "Wrong credentials get an HTML error page instead of a SOAP NotAuthorized fault",
        ("ONVIF-DEV-AUTH-02",),
        "HikVision HTML 401 pages: agsh/onvif lib/cam.js, edgexfoundry/device-onvif-camera#132",
        knobs=Knobs(bad_credentials_html=True),
    ),
    Persona(
        "missing-profile-scope",
        "GetScopes omits the Profile S scope",
        ("ONVIF-DEV-SCOPES-01",),
        "ONVIF not enabled by default, incomplete scopes: onvif/specs#520",
        knobs=Knobs(omit_profile_scope=True),
    ),
    Persona(
        "hidden-snapshot",
        "Media capabilities deny snapshots although GetSnapshotUri works",
        ("ONVIF-DISC-CLAIMS-01",),
        "Capabilities that contradict behaviour: agsh/onvif#200, OpenIPC/viewer#67",
        knobs=Knobs(hide_snapshot_capability=True),
    ),
    Persona(
        "profiles-without-vsc",
        "Media profiles carry no VideoSourceConfiguration",
        ("ONVIF-MEDIA-PROF-01",),
        "Happytime server and some devices: agsh/onvif src/onvif.ts; UniFi Protect needs it",
        knobs=Knobs(profiles_without_vsc=True),
    ),
    Persona(
        "encoder-list-mismatch",
        "GetVideoEncoderConfigurations disagrees with the profile's encoder resolution",
        ("ONVIF-MEDIA-ENC-01", "ONVIF-CONS-MEDIA-01"),
        "Inconsistent configuration views: agsh/onvif lib/cam.js, OpenIPC/viewer#67",
        knobs=Knobs(encoder_list_size=(640, 360)),
    ),
    Persona(
        "encoder-outside-options",
        "Media GetVideoEncoderConfigurationOptions leaves the main profile's resolution out of "
        "ResolutionsAvailable (only smaller sizes are offered)",
        ("ONVIF-OPT-MEDIA-01",),
        "Field quirk after firmware updates: the options table is replaced while the stored "
        "configuration keeps a resolution the new table no longer lists, so a client cannot "
        "write the configuration it read back; what ONVIF's MEDIA-2-3-4 'PROFILES AND VIDEO "
        "ENCODER CONFIGURATION OPTIONS CONSISTENCY' looks for",
        knobs=Knobs(encoder_options_without_current=True),
    ),
    Persona(
        "foreign-stream-uri",
        "GetStreamUri and GetSnapshotUri return an address other than the device's",
        ("ONVIF-MEDIA-URI-01",),
        "127.0.1.1 and private addresses in URIs: BigTonyTones/Tonys-Onvf-RTSP-Server#12, "
        "agsh/onvif#170",
        knobs=Knobs(stream_uri_host="127.0.1.1"),
    ),
    Persona(
        "snapshot-wrong-size",
        "The snapshot JPEG is smaller than the configured resolution",
        ("ONVIF-MEDIA-SNAP-02",),
        "Snapshot content problems: home-assistant/core#43376, sproctor/ONVIF-Camera-Kotlin PR #20",
        knobs=Knobs(snapshot_size=(320, 180)),
    ),
    Persona(
        "no-rtsp-udp",
        "RTSP SETUP over RTP/UDP is refused",
        ("STREAM-RTSP-UDP-01",),
        "Firewalled or TCP-only encoders: bluenviron/mediamtx#233",
        knobs=Knobs(rtsp_udp_supported=False),
    ),
    Persona(
        "no-rtsp-tcp",
        "RTSP SETUP with TCP interleaving is refused",
        ("STREAM-RTSP-TCP-01",),
        "Cameras without RTP/RTSP/TCP: ngraziano/SharpRTSP#43, scottlamb/retina interop issues",
        knobs=Knobs(rtsp_tcp_supported=False),
    ),
    Persona(
        "single-stream-client",
        "The camera streams to one RTSP client at a time: a SETUP or PLAY while another "
        "session plays is answered 453 Not Enough Bandwidth (sessions one after another work)",
        ("STREAM-CLIENTS-01",),
        "Cameras limited to one RTSP session: roflcoopter/viseron#800 (a D-Link that 'can only "
        "handle one stream at a time', '453 Not Enough Bandwidth'), "
        "homebridge-plugins/homebridge-camera-ffmpeg#2 ('method SETUP failed: 453 Not Enough "
        "Bandwidth'), blakeblackshear/frigate#4431 ('Some cameras only support 1 active "
        "connection')",
        knobs=Knobs(rtsp_max_playing_sessions=1),
    ),
    Persona(
        "open-rtsp",
        "The RTSP stream plays without credentials",
        ("STREAM-RTSP-AUTH-01", "SEC-NOANON-01"),
        "Anonymous RTSP left enabled: SCC Secure by Default, RTSS RTSP authentication annex",
        knobs=Knobs(rtsp_auth_required=False),
    ),
    Persona(
        "stream-resolution-mismatch",
        "The stream is encoded at 640x360 while the encoder configuration says otherwise",
        ("STREAM-FORMAT-01",),
        "Streams that differ from configuration: scottlamb/retina interop issues",
        knobs=Knobs(stream_size=(640, 360)),
    ),
    Persona(
        "half-frame-rate",
        "The stream runs at half the configured frame rate",
        ("STREAM-FPS-01",),
        "Encoders that cannot sustain the configured rate: moonfire-nvr#213 (a=framerate lies)",
        knobs=Knobs(fps_divisor=2),
    ),
    Persona(
        "timestamp-jumps",
        "RTP timestamps jump backwards once a second",
        ("STREAM-TS-01",),
        "Non-monotonic RTP timestamps: scottlamb/retina#17, bluenviron/mediamtx#1300",
        knobs=Knobs(timestamp_glitch_every=25),
    ),
    Persona(
        "dropped-frames",
        "One frame in fifty (every 2 s) is lost at capture: never encoded or sent, the RTP "
        "timestamps skip it, and recordings and exports lack it too",
        ("STREAM-CONT-01", "EXPORT-FRAMES-01"),
        "Frame loss under load: ONVIF test specs exclude 'missing audio/video frames'",
        knobs=Knobs(drop_frame_every=50),
    ),
    Persona(
        "service-caps-fault",
        "The Imaging service answers GetServiceCapabilities with env:Receiver/"
        "ter:ActionNotSupported, though GetServices lists it (every other service answers)",
        ("ONVIF-CAP-SVC-01",),
        "Services implemented without their GetServiceCapabilities (firmware written against "
        "GetCapabilities only): the failure ONVIF's IMAGING-3-1-1 and the other '<SERVICE> "
        "SERVICE CAPABILITIES' test cases look for",
        knobs=Knobs(service_caps_fault="imaging"),
    ),
    Persona(
        "service-caps-inconsistent",
        "GetServices(IncludeCapability=true) gives Media2 capabilities with Rotation and OSD "
        "the opposite of what Media2 GetServiceCapabilities says",
        ("ONVIF-CAP-CONSIST-01",),
        "Capabilities in GetServices built from other code than the service's own: the "
        "failure ONVIF's MEDIA2-7-1-2 and the other 'GET SERVICES AND GET <SERVICE> SERVICE "
        "CAPABILITIES CONSISTENCY' test cases look for",
        knobs=Knobs(services_caps_differ=True),
    ),
    Persona(
        "capabilities-category-missing",
        "GetCapabilities leaves out the Imaging category (All omits it, Category=Imaging is a "
        "NoSuchService fault) although GetServices lists the Imaging service",
        ("ONVIF-CAP-LEGACY-01",),
        "Devices whose GetCapabilities lags GetServices (a service added in firmware but not "
        "to the legacy call): the failure ONVIF's DEVICE-1-1-10 IMAGING CAPABILITIES looks for",
        knobs=Knobs(capabilities_omit_category="Imaging"),
    ),
    Persona(
        "invalid-token-accepted",
        "Media GetProfile given a profile token the device never issued returns the first "
        "profile instead of the fault env:Sender/ter:InvalidArgVal/ter:NoProfile",
        ("ONVIF-FAULT-MEDIA-01",),
        "Firmware that looks profiles up leniently and falls back to the default profile (seen "
        "in the field: clients that cache a stale token are silently handed another stream); "
        "what ONVIF's '... INVALID TOKEN' media test cases look for",
        knobs=Knobs(media_invalid_token_accepted=True),
    ),
)
