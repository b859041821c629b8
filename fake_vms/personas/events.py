"""Personas: event service quirks (pull points, subscriptions, topics)."""

from __future__ import annotations

from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = ()
