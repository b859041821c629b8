"""Quirk knobs: PTZ service. Defaults are the conformant behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PtzKnobs:
    """PTZ service (quirk family Q29 of the research notes)."""

    ptz_stop_ignored: bool = False
    """Stop answers OK but the movement carries on until its timeout."""
    ptz_no_movestatus: bool = False
    """GetStatus omits MoveStatus although the capabilities say MoveStatus=true."""
    ptz_reject_combined_axes: bool = False
    """AbsoluteMove with both PanTilt and Zoom is refused (one axis group at a time works)."""
    ptz_presets_not_saved: bool = False
    """SetPreset answers with a token but stores nothing."""
    ptz_vendor_spaces_only: bool = False
    """The node advertises vendor-specific coordinate spaces instead of the generic ones."""
