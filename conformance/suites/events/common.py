"""What several event tests share: the declared topics and one sample of received events.

Asked once per device (``DeviceUnderTest.cached``): GetEventProperties, and one pull point
pulled until a motion and a tampering event have arrived (or ``event_wait_s`` passes), so the
topic, motion and tampering requirements judge the same messages and the run waits only once.
Also shared: the judgement of a device with no Event service at all (every event test starts
with :func:`require_event_service`), and a sample taken around a stimulus (a scene change made
by the run's ``--stimulus``) for motion and tampering when the passive sample had none.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from conformance.checks.events import (
    MOTION_TOPIC,
    TAMPERING_TOPICS,
    WSNT,
    MessageView,
    TopicDescription,
    declared_topics,
    is_event,
    messages_of,
    topic_dialects,
)
from conformance.clients.events import EventSession, absolute_in
from conformance.clients.onvif import OnvifError
from conformance.dut import SERVICE_NAMESPACES, DeviceUnderTest, same_authority
from conformance.outcomes import Blocked, not_claimed
from conformance.suites.events.stimulus import NoStimulus, Stimulus

PROPS_ID = "EVENT-PROPS-01"
"""The requirement that judges GetEventProperties (others needing it are blocked by it)."""
EVENT_PATH = "/onvif/event_service"
"""Where ONVIF devices conventionally serve events (probed when none is advertised)."""

SUBSCRIPTION_S = 60.0
"""Absolute lifetime of the suite's own subscriptions (unsubscribed at the end of each test)."""


@dataclass
class Properties:
    declared: dict[str, TopicDescription]
    dialects: list[str]
    reply: etree._Element


@dataclass
class Sample:
    messages: list[MessageView]
    waited_s: float
    cleanup: list[str]


def event_properties(device: DeviceUnderTest) -> Properties:
    def ask() -> Properties:
        reply = EventSession(device).call_events("GetEventProperties")
        return Properties(declared_topics(reply), topic_dialects(reply), reply)

    return device.cached("events:properties", ask)


def declared_for(device: DeviceUnderTest, request) -> dict[str, TopicDescription]:
    """The declared topics for a check that needs them but does not judge GetEventProperties:
    if it failed, the check is blocked by EVENT-PROPS-01, which carries the fail."""
    from conformance.plugin import RUN_KEY  # imported late, as the plugin loads the suites

    try:
        return event_properties(device).declared
    except OnvifError as exc:
        in_profile = request.config.stash[RUN_KEY].profile.get(PROPS_ID) is not None
        raise Blocked(PROPS_ID, f"GetEventProperties failed: {exc}", in_profile=in_profile) from exc


def event_sample(device: DeviceUnderTest, wait_s: float) -> Sample:
    """Messages from one pull point until motion and tampering arrived or ``wait_s`` passed."""

    def done(raw: list[etree._Element]) -> bool:
        views = messages_of(raw)
        return any(is_event(m, (MOTION_TOPIC,)) for m in views) and any(
            is_event(m, TAMPERING_TOPICS) for m in views
        )

    def collect() -> Sample:
        with EventSession(device) as session:
            pull_point = session.create_pull_point(
                absolute_in(device, max(SUBSCRIPTION_S, wait_s + 30))
            )
            raw = session.pull_until(pull_point, done, wait_s)
            cleanup = session.close()
        return Sample(messages_of(raw), wait_s, cleanup)

    return device.cached("events:sample", collect)


@dataclass
class Stimulated:
    messages: list[MessageView]
    made: str
    cleanup: list[str]


def stimulated_sample(
    device: DeviceUnderTest, stimulus: Stimulus, kind: str, roots: tuple[str, ...], wait_s: float
) -> Stimulated:
    """A fresh pull point, drained of its Initialized state, then the stimulus, then every
    message until a change under ``roots`` arrives or ``wait_s`` passes. Raises
    :class:`NoStimulus` (before subscribing) when the run has no stimulus."""
    if not stimulus.configured:
        raise NoStimulus(stimulus.describe())

    def done(raw: list[etree._Element]) -> bool:
        return any(is_event(m, roots) for m in messages_of(raw))

    with EventSession(device) as session:
        pull_point = session.create_pull_point(absolute_in(device, SUBSCRIPTION_S + wait_s))
        initial = session.pull(pull_point, 0, 1000).reply
        made = stimulus.make(device.name, kind)
        raw = session.pull_until(pull_point, done, wait_s)
        cleanup = session.close()
    return Stimulated(
        messages_of(list(initial.iter(f"{{{WSNT}}}NotificationMessage")) + raw), made, cleanup
    )


def require_event_service(device: DeviceUnderTest, evidence, request) -> None:
    """Judge a device that offers no Event service before any event check runs.

    ONVIF Core 5.1.2 makes the Event service mandatory for every device, and Profile S and T
    mandate events: where the profile makes the requirement mandatory (or the supplier claims
    events), a device without the service fails it, with the device's own answer as evidence
    (CreatePullPointSubscription at the address GetCapabilities advertises, else at the
    conventional path). Where the requirement is conditional and unclaimed it is not_claimed.
    """
    from conformance.plugin import RUN_KEY  # imported late, as the plugin loads the suites

    namespace = SERVICE_NAMESPACES["events"]
    if device.service_url(namespace) is not None:
        return
    run = request.config.stash[RUN_KEY]
    entry = run.profile.get(request.node.get_closest_marker("requirement").args[0])
    claimed = "events" in device.device.claims.features
    evidence.measure("event_service_in_get_services", False)
    if entry is not None and entry.level != "mandatory" and not claimed:
        not_claimed(f"GetServices lists no Event service ({namespace}) and events are not claimed")
    probe = _advertised_events_address(device) or same_authority(
        EVENT_PATH, device.device.onvif_url
    )
    try:
        device.onvif.call("events", "CreatePullPointSubscription", url=probe)
        answer = "answered (yet GetServices does not list the service)"
    except OnvifError as exc:
        answer = str(exc)
    evidence.measure("create_pull_point_probe", {"url": probe, "answer": answer})
    title = run.profile.title if entry is not None and entry.level == "mandatory" else "The claim"
    raise AssertionError(
        f"{title} requires the Event service; the device offers none (GetServices omits "
        f"{namespace}; CreatePullPointSubscription at {probe}: {answer})"
    )


def _advertised_events_address(device: DeviceUnderTest) -> str | None:
    """The Events XAddr of GetCapabilities, if the device advertises one there."""
    try:
        capabilities = device.onvif.call("devicemgmt", "GetCapabilities", Category="All")
    except OnvifError:
        return None
    events = getattr(capabilities, "Events", None)
    address = getattr(events, "XAddr", None) if events is not None else None
    return str(address) if address else None
