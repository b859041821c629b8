"""Quirk knobs: PTZ service. Defaults are the conformant behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PtzKnobs:
    """PTZ service."""
