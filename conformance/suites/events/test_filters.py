"""Subscription filters, refused filters and the end of an unrenewed pull point.

Filters are judged without any scene change: every subscription starts with the Initialized
state of the properties it selects (ONVIF Core, Properties), so an unfiltered pull point says
which properties exist and each filtered one must return exactly its share of them.
"""

from __future__ import annotations

import time

import pytest
from lxml import etree

from conformance.answers import answer_of
from conformance.checks.event_filters import (
    INVALID_CONTENT_FAULTS,
    INVALID_TOPIC_FAULTS,
    ITEM_FILTER,
    UNKNOWN_DIALECT_FAULTS,
    Probe,
    check_content_filtered,
    check_filter_refused,
    check_terminated,
    check_topic_filtered,
    content_choice,
    fault_names,
    item_filter,
    plan_topic_filters,
)
from conformance.checks.event_payloads import property_topics
from conformance.checks.events import (
    environment_refusal,
    initialized_topics,
    lifetime_s,
    messages_of,
    times_of,
)
from conformance.clients.events import (
    EventSession,
    NotificationConsumer,
    Subscription,
    absolute_in,
    message_content,
    topic_expression,
)
from conformance.clients.onvif import OnvifFault, OnvifHttpError
from conformance.outcomes import Inconclusive, not_applicable, not_tested
from conformance.suites.events.common import (
    SUBSCRIPTION_S,
    declared_for,
    event_properties,
    require_event_service,
)

UNKNOWN_DIALECT = "http://www.onvif.org/ver10/tev/topicExpression/NoSuchDialect"
INVALID_TOPIC = "tns1:VideoSource/[MotionAlarm"
INVALID_CONTENT = 'boolean(//tt:SimpleItem[@Name="Source" and '


def _cleanup(session: EventSession, evidence) -> None:
    for line in session.close():
        evidence.note(f"cleanup: {line}")


def _drain(
    session: EventSession, pull_point: Subscription, wanted: set[str], wait_s: float
) -> list[etree._Element]:
    """Pull until Initialized states of ``wanted`` arrived or ``wait_s`` passed, then end it."""
    raw = session.pull_until(
        pull_point, lambda m: wanted <= initialized_topics(messages_of(m)), wait_s
    )
    session.unsubscribe(pull_point)
    return raw


def _content_dialects(reply: etree._Element) -> list[str]:
    return [
        (el.text or "").strip()
        for el in reply.iter()
        if isinstance(el.tag, str) and etree.QName(el).localname == "MessageContentFilterDialect"
    ]


@pytest.mark.requirement("ONVIF-EVENT-FILTER-01")
def test_pull_point_filters_are_honoured(device, evidence, params, request):
    require_event_service(device, evidence, request)
    wait_s = float(params["event_wait_s"])
    declared = declared_for(device, request)
    properties = property_topics(declared)
    evidence.measure("property_topics_declared", properties)
    if not properties:
        not_applicable(
            'GetEventProperties declares no property topic (IsProperty="true"), so no filter '
            "can be judged without a scene change"
        )
    dialects = _content_dialects(event_properties(device).reply)
    evidence.measure("message_content_filter_dialects", dialects)
    session = EventSession(device)
    problems: list[str] = []
    try:
        baseline_pp = session.create_pull_point(absolute_in(device, SUBSCRIPTION_S))
        baseline = messages_of(_drain(session, baseline_pp, set(properties), wait_s))
        live = sorted(initialized_topics(baseline))
        evidence.measure("initialized_unfiltered", live)
        plan = plan_topic_filters(live)
        if not plan:
            raise Inconclusive(
                "an unfiltered pull point reported no ONVIF (tns1:) property as Initialized "
                f"within {wait_s:g} s, so no filter could be judged (a missing Initialized state "
                "is EVENT-SYNC-01's finding)"
            )
        judged = []
        for case in plan:
            pull_point = session.create_pull_point(
                absolute_in(device, SUBSCRIPTION_S),
                filter_elements=[topic_expression(case.expression)],
            )
            got = messages_of(_drain(session, pull_point, set(case.expected), wait_s))
            judged.append(
                {
                    "case": case.case,
                    "filter": case.expression,
                    "expected_initialized": list(case.expected),
                    "topics_received": sorted({m.topic for m in got}),
                }
            )
            problems += check_topic_filtered(case.label, case.expression, got, case.expected)
        choice = content_choice(baseline)
        if ITEM_FILTER in dialects and choice is not None:
            name, value, expected = choice
            pull_point = session.create_pull_point(
                absolute_in(device, SUBSCRIPTION_S),
                filter_elements=[message_content(item_filter(name, value))],
            )
            got = messages_of(_drain(session, pull_point, set(expected), wait_s))
            judged.append(
                {
                    "case": "EVENT-3-1-38",
                    "filter": item_filter(name, value),
                    "expected_initialized": list(expected),
                    "topics_received": sorted({m.topic for m in got}),
                }
            )
            problems += check_content_filtered(name, value, got, expected)
        else:
            evidence.note(
                "message content filter not judged: "
                + (
                    "GetEventProperties does not list the ItemFilter dialect"
                    if ITEM_FILTER not in dialects
                    else "no Initialized message carried a Source item"
                )
            )
        evidence.measure("filters", judged)
        evidence.expect("filtered_messages", "only matching topics; every selected property")
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)


def _probe(create, label: str, *, consumer: bool = False) -> Probe:
    """How the device answered ``create()`` (which sends one malformed filter); with a
    ``consumer`` (Subscribe), whether the fault blames the consumer's address instead."""
    try:
        create()
    except OnvifFault as fault:
        names = tuple(sorted(fault_names(tuple(fault.subcodes), fault.detail)))
        blamed = (environment_refusal(fault.detail) or "") if consumer else ""
        return Probe(label, "fault", names, blamed)
    except OnvifHttpError:
        return Probe(label, "http")
    return Probe(label, "answered")


def _notification_producers(session: EventSession) -> int:
    """MaxNotificationProducers of the event service capabilities (0 when absent or unreadable):
    ONVIF Core requires the NotificationProducer interface (Subscribe) only when it is above 0."""
    raw = (session.capabilities().get("MaxNotificationProducers") or "").strip()
    return int(raw) if raw.isdigit() else 0


@pytest.mark.requirement("ONVIF-EVENT-FAULT-01")
def test_malformed_filters_are_refused(device, evidence, request):
    require_event_service(device, evidence, request)
    cases = (
        (
            f"invalid topic expression {INVALID_TOPIC!r}",
            [topic_expression(INVALID_TOPIC)],
            INVALID_TOPIC_FAULTS,
        ),
        (
            f"topic expression in unknown dialect {UNKNOWN_DIALECT}",
            [topic_expression("tns1:VideoSource//.", dialect=UNKNOWN_DIALECT)],
            UNKNOWN_DIALECT_FAULTS,
        ),
        (
            f"invalid message content expression {INVALID_CONTENT!r}",
            [message_content(INVALID_CONTENT)],
            INVALID_CONTENT_FAULTS,
        ),
    )
    session = EventSession(device)
    problems: list[str] = []
    answers = []

    def judge(probe: Probe, accepted: tuple[str, ...]) -> None:
        answers.append(
            {"request": probe.label, "answer": probe.answer, "faults": list(probe.names)}
        )
        if probe.environment:
            evidence.note(
                f"{probe.label}: not judged, the device refused the consumer: {probe.environment}"
            )
            return
        problems.extend(check_filter_refused(probe, accepted))

    try:
        for label, elements, accepted in cases:
            judge(
                _probe(
                    lambda e=elements: session.create_pull_point(
                        absolute_in(device, SUBSCRIPTION_S), filter_elements=e
                    ),
                    f"CreatePullPointSubscription with {label}",
                ),
                accepted,
            )
        producers = _notification_producers(session)
        evidence.measure("max_notification_producers", producers)
        if producers:
            consumer_address = request.config.getoption("consumer_address", None)
            with NotificationConsumer.towards(
                device.device.onvif_url, consumer_address
            ) as consumer:
                label, elements, accepted = cases[0]
                judge(
                    _probe(
                        lambda: session.subscribe(
                            consumer.url, absolute_in(device, SUBSCRIPTION_S), elements
                        ),
                        f"Subscribe with {label}",
                        consumer=True,
                    ),
                    accepted,
                )
        else:
            evidence.note("Subscribe not probed: MaxNotificationProducers is 0 or absent")
        evidence.measure("answers", answers)
        evidence.expect("answers", "a SOAP fault naming the WS-BaseNotification filter fault")
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-EVENT-TERMINATION-01")
def test_unrenewed_pull_point_ends(device, evidence, params, request):
    require_event_service(device, evidence, request)
    requested = float(params["lifetime_s"])
    slack, max_wait = float(params["slack_s"]), float(params["max_wait_s"])
    session = EventSession(device)
    try:
        pull_point = session.create_pull_point(absolute_in(device, requested))
        created = time.monotonic()
        stated = lifetime_s(*times_of(pull_point.reply))
        evidence.measure("requested_lifetime_s", requested)
        evidence.measure("stated_lifetime_s", stated)
        if stated is not None and stated > max_wait:
            not_tested(
                f"the device stated a lifetime of {stated:.1f} s for a pull point asked to live "
                f"{requested:g} s; waiting for it is beyond max_wait_s {max_wait:g} s"
            )
        # Gone once both what was asked and what the device stated have passed: a device that
        # misstates its TerminationTime is EVENT-PULL-01's finding, not this one's.
        lifetime = requested if stated is None else max(stated, requested)
        time.sleep(max(0.0, lifetime + slack - (time.monotonic() - created)))
        evidence.measure("pulled_after_s", round(time.monotonic() - created, 2))
        after = answer_of(lambda: session.pull(pull_point, 1, 1))
        evidence.measure("pull_after_termination", f"{after.kind} {after.http_status}")
        evidence.expect("pull_after_termination", "a SOAP fault or an HTTP error")
        problems = check_terminated(after.kind, after.http_status)
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)
