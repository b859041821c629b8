"""Personas: Media2 (ver20), H.265 and codec-honesty quirks."""

from __future__ import annotations

from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = ()
