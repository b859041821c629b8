"""Personas: WS-Discovery and RTSP transport quirks."""

from __future__ import annotations

from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = ()
