"""Quirk knobs: Imaging service and OSD. Defaults are the conformant behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImagingKnobs:
    """Imaging service and OSD."""

    imaging_settings_not_applied: bool = False
    """SetImagingSettings answers OK but changes nothing."""
    imaging_options_brightness: tuple[float, float] | None = None
    """GetOptions advertises this Brightness range instead of the one the device really uses."""
    osd_create_ignored: bool = False
    """CreateOSD answers with a token but the OSD is never created."""
    osd_options_unsupported: bool = False
    """GetOSDOptions is answered with ter:ActionNotSupported (the other OSD operations work)."""
    imaging_wrong_fault: bool = False
    """An unknown VideoSourceToken is answered env:Receiver/ter:ActionNotSupported instead of
    env:Sender/ter:InvalidArgVal/ter:NoSource."""
    imaging_focus_status_unsupported: bool = False
    """GetMoveOptions offers focus moves but GetStatus answers env:Receiver/
    ter:ActionNotSupported (Imaging: a device with remote focus "shall support" GetStatus)."""
