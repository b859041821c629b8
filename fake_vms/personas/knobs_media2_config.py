"""Quirk knobs: Media2 (ver20) configuration listings and options.

Defaults are the conformant behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Media2ConfigKnobs:
    """Media2 video source configuration options and configuration listings."""

    media2_source_options_width_max: int | None = None
    """Media2 GetVideoSourceConfigurationOptions offers a WidthRange up to this width only, so
    the video source configuration's Bounds (the full sensor width) lie outside it."""
    media2_source_list_use_count: int | None = None
    """Media2 GetVideoSourceConfigurations reports this UseCount for the video source
    configuration, though every profile holds it (GetProfiles reports the true count)."""
