"""Quirk knobs: PTZ nodes and configurations read inconsistently. Defaults are conformant."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PtzConfigKnobs:
    """PTZ configuration reads (PTZ-CONS-01) and GetNode's fault (PTZ-FAULT-01)."""

    ptz_config_node_token: str | None = None
    """The PTZ service's GetConfigurations and GetConfiguration name this NodeToken, a node
    GetNodes does not list (the Media profile's copy keeps the real node)."""
    ptz_get_node_any_token: bool = False
    """GetNode answers any NodeToken with the device's node instead of ter:NoEntity."""
