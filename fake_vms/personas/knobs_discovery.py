"""Quirk knobs: WS-Discovery and RTSP transports (HTTP tunnelling, keep-alive).

Defaults are the conformant behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiscoveryKnobs:
    """WS-Discovery and RTSP transports (HTTP tunnelling, keep-alive)."""

    wsd_silent: bool = False
    """The camera never answers a WS-Discovery Probe (no ProbeMatch)."""
    wsd_xaddr_host: str | None = None
    """ProbeMatch XAddrs carry this host (e.g. 0.0.0.0) instead of the device's address."""
    wsd_omit_nvt_type: bool = False
    """ProbeMatch Types list only tds:Device, without dn:NetworkVideoTransmitter."""
    rtsp_http_tunnel: bool = True
    """RTSP over HTTP is served at /rtsp-over-http/ on the ONVIF HTTP port (else 404)."""
    tunnel_base64_strict: bool = False
    """The tunnel decodes each POST read on its own as strict base64, so line breaks, or a
    4-character group split across writes, tear the tunnel down (RTSS-1-1-45 catches it)."""
    rtsp_keepalive_rejected: tuple[str, ...] = ()
    """These methods, sent within a session as keep-alives, are answered 400 and the
    connection is closed, ending the stream (mediamtx #842; SharpRTSP #63)."""
