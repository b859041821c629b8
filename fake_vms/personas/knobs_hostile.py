"""Quirk knobs: hostile devices (issue 5). Defaults are the conformant behaviour.

Behaviours are implemented in :mod:`fake_vms.hostile`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HostileKnobs:
    """Hostile wire behaviour on the ONVIF HTTP port and the RTSP port."""

    hostile_http: str = ""
    """One of ``fake_vms.hostile.HTTP_BEHAVIOURS`` for every request on the ONVIF HTTP port
    (SOAP and snapshots alike); "" answers normally."""
    hostile_rtsp: str = ""
    """One of ``fake_vms.hostile.RTSP_BEHAVIOURS`` for every RTSP connection; "" is normal."""
    rtp_flood_factor: int = 1
    """RTP is sent this many times faster than the declared frame rate (1 = at the rate)."""
