"""Personas: imaging and OSD quirks."""

from __future__ import annotations

from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = ()
