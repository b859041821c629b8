"""Quirk knobs: Event service. Defaults are the conformant behaviour.

Each knob reproduces one field quirk of Q21-Q24 in the research notes (subscription lifetimes,
pull-point limits, topics and payloads), so a persona can switch exactly one of them on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventKnobs:
    """Event service."""

    relative_termination_rejected: bool = False
    """CreatePullPointSubscription faults on a relative (xs:duration) InitialTerminationTime."""
    termination_time_is_now: bool = False
    """CreatePullPointSubscription reports TerminationTime equal to CurrentTime (lifetime kept)."""
    pullmessages_extends_lifetime: bool = True
    """PullMessages keeps the pull point alive for at least its Timeout (ONVIF Core 9.1.2)."""
    renew_relative_as_absolute: bool = False
    """Renew reads a relative duration as an absolute time since 1970 (so it expires at once)."""
    pull_point_limit: int | None = None
    """Pull points actually honoured, whatever MaxPullPoints advertises (None: as advertised)."""
    unsubscribe_kills_all: bool = False
    """Unsubscribe of one subscription ends every subscription of the device."""
    sync_point_resends: bool = True
    """SetSynchronizationPoint re-sends every property's state as Initialized."""
    bool_encoding: tuple[str, str] | None = None
    """SimpleItem values for true/false (e.g. ("active", "inactive")) instead of xs:boolean."""
    undeclared_topic: str | None = None
    """An extra topic emitted with motion but absent from GetEventProperties."""
    motion_topic: str = "tns1:VideoSource/MotionAlarm"
    """The topic motion is declared and emitted under (a persona may misspell it)."""
    motion_events: bool = True
    """Motion state changes are emitted (Initialized state is always sent)."""
    tamper_events: bool = True
    """Tampering state changes are emitted (Initialized state is always sent)."""
    tamper_topics_declared: bool = True
    """The tampering topics exist at all (declared and emitted)."""
    notify_delivered: bool = True
    """Base-notification subscriptions get Notify messages POSTed to their consumer."""
    notify_needs_routable: bool = False
    """Subscribe refuses a consumer on a loopback address, saying why in the fault's Detail (a
    device that needs a routable unicast consumer: the lab's limit, not the device's fault)."""
    event_service_offered: bool = True
    """GetServices and GetCapabilities list the Event service and its address answers; when
    False the device has no Event service at all (its path answers HTTP 404)."""
    bad_utc_time: str | None = None
    """Every notification's tt:Message/@UtcTime is this text (e.g. an invalid xs:dateTime)."""
    whole_second_timers: bool = False
    """Replies leave on the device's next whole-second tick (up to 1 s late), so a PullMessages
    with Timeout T answers after T to T + 1 s, as field devices with coarse timers do."""
