"""Quirk knobs: Imaging service and OSD. Defaults are the conformant behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImagingKnobs:
    """Imaging service and OSD."""
