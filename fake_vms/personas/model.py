"""A persona: a named quirk set that makes a device non-conformant in one known way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fake_vms.personas.knobs import Knobs


@dataclass(frozen=True)
class Persona:
    name: str
    description: str
    breaks: tuple[str, ...]
    """Requirement IDs that must fail against this persona (and no others); empty only for a
    legal oddity."""
    provenance: str
    """Where the quirk was seen in the field (client projects' issues and code)."""
    knobs: Knobs = field(default_factory=Knobs)
    clock_offset_s: float = 0.0
    camera_overrides: dict[str, Any] = field(default_factory=dict)
    """CameraConfig fields the quirk needs (e.g. ``{"ptz": True}``: a PTZ quirk needs a PTZ)."""
    hostile: bool = False
    """A hostile device (fake_vms.hostile): ``breaks`` must each be fail or inconclusive with a
    reason, other requirements may pass or be fail/inconclusive with a reason, every test ends
    within a bound set by the timeout, and the run completes (see conformance.selftest)."""
    expects: dict[str, str] = field(default_factory=dict)
    """Requirement IDs this persona must *not* fail, with the outcome they must have instead
    (``pass`` where the spec allows what the persona does, ``not_claimed`` or ``not_applicable``
    where it removes what a requirement judges). A persona may declare only ``expects``: a legal
    but unusual device the suite must pass."""
    legal: bool = False
    """A legal oddity (fake_vms.personas.oddities): unusual but conformant, it breaks nothing
    and must pass every requirement (the self-test judges it on the whole profile)."""
    applies_to: Literal["camera", "vms"] = "camera"
    """What the persona makes misbehave: a simulated camera (a site's ``cameras:``) or the
    simulated VMS (a site's ``vms: {persona: ...}``, the VMS as the cameras' client)."""
    breaks_cameras: tuple[str, ...] = ()
    """A VMS persona whose quirk shows only with some cameras (e.g. those asked for UDP): the
    self-test cameras whose pairs it breaks; empty means every camera's pair."""
    affects: tuple[str, ...] = ()
    """A legal oddity whose quirk shows only in these requirement domains (e.g. ``("events",)``
    for whole-second timers): the targeted self-test judges it on them and the baseline profile
    instead of the whole profile (the full self-test still judges everything). Empty: the quirk
    may show anywhere, so every run judges the whole profile."""
