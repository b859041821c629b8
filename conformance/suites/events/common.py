"""What several event tests share: the declared topics and one sample of received events.

Asked once per device (``DeviceUnderTest.cached``): GetEventProperties, and one pull point
pulled until a motion and a tampering event have arrived (or ``event_wait_s`` passes), so the
topic, motion and tampering requirements judge the same messages and the run waits only once.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from conformance.checks.events import (
    MOTION_TOPIC,
    TAMPERING_TOPICS,
    MessageView,
    TopicDescription,
    declared_topics,
    is_event,
    messages_of,
    topic_dialects,
)
from conformance.clients.events import EventSession, absolute_in
from conformance.dut import DeviceUnderTest

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
