"""Personas: named quirk sets that make a simulated device non-conformant in one known way.

Each persona declares the requirement IDs it must break (a legal oddity breaks none and must
pass everything). ``cctv-conformance selftest`` runs the
suite against every persona and fails on any difference in either direction, so a check that
cannot catch its persona is found out, and so is a persona that breaks more than it says.
The provenance line says where the quirk was seen in the field. Personas are grouped by domain,
one module each; this package gathers them.
"""

from __future__ import annotations

from fake_vms.personas import (
    audio,
    consistency,
    core,
    device_config,
    discovery,
    event_filters,
    events,
    export,
    field,
    hostile,
    imaging,
    media2,
    media2_config,
    oddities,
    ptz,
    ptz_config,
    recording,
    replay_modes,
    schema_invalid,
    search_paging,
    security,
    spec_exact,
    vms,
)
from fake_vms.personas.model import Persona

__all__ = ["PERSONAS", "Persona", "get_persona"]


def _gather() -> dict[str, Persona]:
    gathered: dict[str, Persona] = {}
    for module in (
        core,
        media2,
        media2_config,
        events,
        event_filters,
        ptz,
        ptz_config,
        imaging,
        discovery,
        export,
        hostile,
        security,
        recording,
        search_paging,
        replay_modes,
        spec_exact,
        vms,
        field,
        oddities,
        schema_invalid,
        audio,
        consistency,
        device_config,
    ):
        for persona in module.PERSONAS:
            if persona.name in gathered:
                raise ValueError(f"duplicate persona name {persona.name!r} in {module.__name__}")
            gathered[persona.name] = persona
    return gathered


PERSONAS: dict[str, Persona] = _gather()


def get_persona(name: str | None) -> Persona | None:
    """Return the persona called ``name``; ``None`` or ``"good"`` means the conformant device."""
    if name in (None, "", "good"):
        return None
    try:
        return PERSONAS[name]
    except KeyError:
        known = ", ".join(sorted(PERSONAS))
        raise KeyError(f"unknown persona {name!r}; known personas: {known}") from None
