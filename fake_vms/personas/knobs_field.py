"""Quirk knobs: faults seen in the field (issue 13), one wire behaviour each.

Defaults are the conformant behaviour. Each knob reproduces one fault a client project's issue
tracker reports from a real device (the personas in :mod:`fake_vms.personas.field` cite them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldKnobs:
    """SDP, RTSP session, device time, snapshot, discovery and PTZ faults from field reports."""

    sdp_omit_lines: tuple[str, ...] = ()
    """SDP session-level line types left out of DESCRIBE (e.g. ("o",), ("t",)): RFC 4566
    makes v=, o=, s= and t= mandatory; cameras omit them (retina #52, #33)."""
    sdp_origin_truncated: bool = False
    """The o= line stops after the network type: ``o=- 1001 1 IN `` (gortsplib #618)."""
    sdp_connection_no_addrtype: bool = False
    """The c= line has no address type: ``c=IN 127.0.0.1`` (gortsplib #1025)."""
    sdp_connection_empty: bool = False
    """The c= line is sent with no value at all: ``c=`` (mediamtx #85, a Sony SNC-WR630)."""
    sdp_rtpmap_suffix: str = ""
    """Appended to the a=rtpmap line (e.g. " ": 'a=rtpmap:96 H264/90000 ', moonfire-nvr #213)."""
    sdp_framerate: str = ""
    """The a=framerate value sent instead of the real rate ("" = the real rate), e.g. "0S"."""
    rtsp_keepalive_unanswered: tuple[str, ...] = ()
    """These methods, sent within a session, get no response at all; the stream goes on
    (SharpRTSP #63: a Hipcam never answers GET_PARAMETER)."""
    rtsp_basic_auth_only: bool = False
    """RTSP 401 challenges offer only Basic, and Basic credentials are accepted."""
    omit_utc_datetime: bool = False
    """GetSystemDateAndTime answers LocalDateTime only, without UTCDateTime."""
    snapshot_content_type: str = "image/jpeg"
    """The Content-Type of the snapshot JPEG."""
    snapshot_anonymous: bool = False
    """The snapshot URL serves the JPEG without credentials (the services still need them)."""
    snapshot_basic_only: bool = False
    """The snapshot URL challenges with Basic only and accepts only Basic credentials."""
    wsd_xaddr_link_local: bool = False
    """ProbeMatch XAddrs name only an IPv6 link-local address (http://[fe80::...]:port/...)."""
    ptz_timeout_rejected: bool = False
    """ContinuousMove faults whenever it carries a Timeout, even one inside PTZTimeout."""
