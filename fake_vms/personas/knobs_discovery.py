"""Quirk knobs: WS-Discovery and RTSP transports (HTTP tunnelling).

Defaults are the conformant behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiscoveryKnobs:
    """WS-Discovery and RTSP transports (HTTP tunnelling)."""
