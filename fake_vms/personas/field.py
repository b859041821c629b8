"""Personas: faults real devices show on the wire, each from a field report (issue 13).

Every persona reproduces one fault that a client project's issue tracker reports from a real
camera (the provenance names the repository and issue), makes the simulator misbehave on the
wire in that one way, and declares the requirement whose text the fault breaks. Knobs are in
:mod:`fake_vms.personas.knobs_field`.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

SDP = ("STREAM-SDP-01",)
KEEPALIVE = ("STREAM-KEEPALIVE-01",)

PERSONAS: tuple[Persona, ...] = (
    # --- SDP (RFC 4566) -----------------------------------------------------------------------
    Persona(
        "sdp-no-origin",
        "The DESCRIBE SDP has no o= (origin) line",
        SDP,
        "scottlamb/retina#52 and scottlamb/moonfire-nvr#187 ('Unable to parse SDP: No origin "
        "line', a 'macro-video' RTSP server camera)",
        knobs=Knobs(sdp_omit_lines=("o",)),
    ),
    Persona(
        "sdp-no-timing",
        "The DESCRIBE SDP has no t= (timing) line before its media section",
        SDP,
        "scottlamb/retina#33 (GeoVision GV-EBD4701: SDP without t=, 'SdpInvalidSyntax: m=')",
        knobs=Knobs(sdp_omit_lines=("t",)),
    ),
    Persona(
        "sdp-origin-truncated",
        "The o= line stops after the network type ('o=- 1001 1 IN ')",
        SDP,
        "bluenviron/gortsplib#618 (Uniview IPC2125LE: \"invalid syntax 'o=- 1001 1 IN '\")",
        knobs=Knobs(sdp_origin_truncated=True),
    ),
    Persona(
        "sdp-connection-no-addrtype",
        "The c= line has no address type ('c=IN 127.0.0.1')",
        SDP,
        'bluenviron/gortsplib#1025 ("invalid SDP: sdp: invalid syntax `c=IN 192.168.4.27`")',
        knobs=Knobs(sdp_connection_no_addrtype=True),
    ),
    Persona(
        "sdp-empty-connection",
        "The SDP carries an empty connection line ('c=')",
        SDP,
        'bluenviron/mediamtx#85 (Sony SNC-WR630: "ERR: sdp: invalid syntax `c=`"; also #68)',
        knobs=Knobs(sdp_connection_empty=True),
    ),
    Persona(
        "sdp-framerate-garbage",
        "The SDP's a=framerate attribute is not a number ('a=framerate:0S')",
        SDP,
        "scottlamb/moonfire-nvr#213 (camera SDP with 'a=framerate:0S'); research notes Q12",
        knobs=Knobs(sdp_framerate="0S"),
    ),
    Persona(
        "sdp-rtpmap-trailing-space",
        "The SDP's rtpmap ends in a space after the clock rate ('a=rtpmap:96 H264/90000 ')",
        SDP,
        "scottlamb/moonfire-nvr#213 (camera SDP 'a=rtpmap:96 H264/90000 ' with a trailing "
        "space, rejected by strict parsers); research notes Q12",
        knobs=Knobs(sdp_rtpmap_suffix=" "),
    ),
    Persona(
        "sdp-media-only",
        "The DESCRIBE SDP is only a media section: no v=, o=, s=, c= or t= session lines (so a "
        "multicast DESCRIBE names no group either)",
        (*SDP, "STREAM-MCAST-01"),
        "AlexxIT/go2rtc#679 (camera answers DESCRIBE with 'm=video 0 RTP/AVP 96', rtpmap and "
        "control only: 'sdp: syntax error')",
        knobs=Knobs(sdp_omit_lines=("v", "o", "s", "c", "t")),
    ),
    # --- RTSP session and authentication -----------------------------------------------------
    Persona(
        "get-parameter-unanswered",
        "GET_PARAMETER within a session is never answered (OPTIONS is); the stream goes on",
        KEEPALIVE,
        "ngraziano/SharpRTSP#63 (Hipcam RealServer/V1.0: GET_PARAMETER keep-alives get no "
        "response, 'some camera do not want GET_PARAMETER but instead need OPTION')",
        knobs=Knobs(rtsp_keepalive_unanswered=("GET_PARAMETER",)),
    ),
    Persona(
        "rtsp-basic-only",
        "RTSP 401 challenges offer only Basic (cleartext credentials), never Digest",
        ("STREAM-RTSP-AUTH-01",),
        "ngraziano/SharpRTSP#33 ('camera supports only Basic authorisation', WWW-Authenticate: "
        "Basic realm=...); ONVIF Core requires RTSP Digest",
        knobs=Knobs(rtsp_basic_auth_only=True),
    ),
    # --- device service ----------------------------------------------------------------------
    Persona(
        "time-no-utc",
        "GetSystemDateAndTime answers LocalDateTime only, without UTCDateTime",
        ("ONVIF-DEV-TIME-02",),
        "agsh/onvif PR #65 ('some cam do not return the UTC time', HiKam A7); home-assistant/"
        "core onvif device.py falls back to LocalDateTime + TZ when UTCDateTime is missing",
        knobs=Knobs(omit_utc_datetime=True),
    ),
    # --- snapshot ----------------------------------------------------------------------------
    Persona(
        "snapshot-octet-stream",
        "The snapshot JPEG is served as application/octet-stream instead of image/jpeg",
        ("ONVIF-MEDIA-SNAP-02", "MEDIA2-URI-01"),
        "sproctor/ONVIF-Camera-Kotlin PR #20 (Lorex firmware labels the snapshot JPEG "
        "application/octet-stream); research notes Q26",
        knobs=Knobs(snapshot_content_type="application/octet-stream"),
    ),
    Persona(
        "snapshot-anonymous",
        "The snapshot URL serves the picture without any credentials",
        ("SEC-NOANON-01",),
        "motioneye-project/motioneye#751 ('I can use the Snapshot URL and see it without "
        "password'); openvideolibs/python-onvif-zeep-async PR #88 (snapshot fetched without "
        "user/pass)",
        knobs=Knobs(snapshot_anonymous=True),
    ),
    Persona(
        "snapshot-basic-only",
        "The snapshot URL challenges with Basic only and refuses Digest credentials",
        ("ONVIF-MEDIA-SNAP-01", "MEDIA2-URI-01"),
        "home-assistant/core#43376 (snapshots that need Basic: the ONVIF integration grew a "
        "'snapshot_auth: basic' option); ONVIF Media 5.4: the snapshot URI uses HTTP Digest",
        knobs=Knobs(snapshot_basic_only=True),
    ),
    # --- WS-Discovery ------------------------------------------------------------------------
    Persona(
        "wsd-xaddr-link-local",
        "ProbeMatch XAddrs name only an IPv6 link-local address (http://[fe80::...]:port/...)",
        ("WSD-XADDR-01",),
        "agsh/onvif#93 (XAddrs with an IPv6 link-local address); lumeohq/onvif-rs PR #97 "
        "(filter link-local XAddrs); evercam/evercam-discovery-java#22",
        knobs=Knobs(wsd_xaddr_link_local=True),
    ),
    # --- PTZ ---------------------------------------------------------------------------------
    Persona(
        "ptz-timeout-rejected",
        "ContinuousMove faults ('TimeoutNotSupported') whenever it carries a Timeout, even one "
        "inside the advertised PTZTimeout range",
        ("PTZ-CONT-01",),
        "Jazea/Onvif.Core#30 (Bosch: ContinuousMove refused, 'timeout is an unsupported "
        "field'); home-assistant/core#27744 ('The specified timeout argument is not within the "
        "supported timeout range')",
        knobs=Knobs(ptz_timeout_rejected=True),
    ),
)
