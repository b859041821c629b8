"""Quirk knobs: event subscription filters and pull-point lifetime. Defaults are conformant.

Each knob breaks one of ONVIF-EVENT-FILTER-01, ONVIF-EVENT-FAULT-01 and
ONVIF-EVENT-TERMINATION-01 on the wire, as field devices do (a filter taken but not applied, a
malformed filter taken without a fault, a pull point that outlives its termination time).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventFilterKnobs:
    """Event service: filters and pull-point termination."""

    filters_ignored: bool = False
    """Subscriptions accept topic and message content filters but deliver every message."""
    invalid_filters_accepted: bool = False
    """A malformed topic expression, an unknown topic dialect or a malformed message content
    filter is dropped silently and the subscription created, instead of a wsnt fault."""
    termination_grace_s: float = 0.0
    """Pull points keep answering this long after their TerminationTime passed."""
