"""Quirk knobs: Media2 (ver20) service, H.265 and codec reporting.

Defaults are the conformant behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Media2Knobs:
    """Media2 (ver20) service, H.265 and codec reporting."""

    media1_h265_profile_as_h264: bool = False
    """Media (ver10) also lists a profile for the H.265 main stream, calling its encoding H264
    (ver10 has no H265 value), so a Media1 client gets H.265 where it was promised H.264."""
    media2_get_profiles_fault: bool = False
    """Media2 is advertised in GetServices, but GetProfiles answers ter:ActionNotSupported."""
    media2_encoder_gov_length: int | None = None
    """Media2 encoder configurations report this GOV length, outside their own options."""
    media2_uri_host: str | None = None
    """Media2 GetStreamUri/GetSnapshotUri return this host instead of the device's own."""
