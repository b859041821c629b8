"""Personas: event subscription filters and pull-point termination.

Each breaks one of ONVIF-EVENT-FILTER-01, ONVIF-EVENT-FAULT-01 and ONVIF-EVENT-TERMINATION-01
on the wire (what any client sees), as the ONVIF device test cases the requirements implement
look for.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "event-filters-ignored",
        "Pull points accept a topic or message content filter and then deliver every message",
        ("ONVIF-EVENT-FILTER-01",),
        "A filter taken but not applied leaves every client filtering on its own and pulling "
        "traffic it asked not to get; what ONVIF's EVENT-3-1-16, -33, -34, -35 and -38 "
        "(PullMessages filter, OR, topic sub-tree, message content filter) look for",
        knobs=Knobs(filters_ignored=True),
    ),
    Persona(
        "event-filter-faults-missing",
        "CreatePullPointSubscription takes a malformed topic expression, an unknown topic "
        "dialect or a malformed message content filter without a fault",
        ("ONVIF-EVENT-FAULT-01",),
        "A device that drops what it cannot parse creates a subscription the client did not "
        "ask for (everything instead of nothing); what ONVIF's EVENT-3-1-17 and EVENT-3-1-22 "
        "(invalid message content filter, invalid topic expression) look for",
        knobs=Knobs(invalid_filters_accepted=True),
    ),
    Persona(
        "pull-point-outlives-termination",
        "A pull point nobody pulls or renews keeps answering for 60 s after its TerminationTime",
        ("ONVIF-EVENT-TERMINATION-01",),
        "Pull points that outlive their termination time pile up on devices with a small "
        "MaxPullPoints until new subscriptions are refused; what ONVIF's EVENT-3-1-20 "
        "(pull point timeout) looks for",
        knobs=Knobs(termination_grace_s=60.0),
    ),
)
