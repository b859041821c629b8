"""Quirk knobs: Media2 (ver20) service, H.265 and codec reporting.

Defaults are the conformant behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Media2Knobs:
    """Media2 (ver20) service, H.265 and codec reporting."""
