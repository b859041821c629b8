"""Event checks judged on recorded replies of the known-good camera and the event personas, and
on hand-written real-world replies (see fixtures/events/real-world/README.md).

Recordings come from tests/checks/events/record_events.py; they are the SOAP Body children the
suites judge (read back from the client's transcript), so these tests see what a run sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from conformance.checks.event_payloads import (
    check_initialized,
    check_topics,
    property_topics,
    typed_values,
)
from conformance.checks.events import (
    MOTION_TOPIC,
    TAMPERING_TOPICS,
    check_event_properties,
    check_keep_alive,
    check_lifetime,
    check_max_pull_points,
    check_notify,
    check_pull,
    check_received,
    check_sync,
    check_unsubscribe,
    check_utc_z,
    declared_topics,
    environment_refusal,
    initialized_topics,
    lifetime_s,
    messages_of,
    times_of,
    topic_dialects,
)
from conformance.xsd_types import type_problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
ENV = "http://www.w3.org/2003/05/soap-envelope"


def load(device: str, name: str) -> etree._Element:
    return etree.parse(str(FIXTURES / device / f"{name}.xml")).getroot()


def declared(device: str = "good"):
    return declared_topics(load(device, "GetEventProperties"))


def sample(device: str):
    return messages_of(list(load(device, "Messages.sample")))


# -- EVENT-PROPS-01 -----------------------------------------------------------------------------


def test_properties_good():
    properties = load("good", "GetEventProperties")
    topics = declared_topics(properties)
    assert MOTION_TOPIC in topics
    assert topics[MOTION_TOPIC].data == {"State": "xs:boolean"}
    assert topics[MOTION_TOPIC].source == {"Source": "tt:ReferenceToken"}
    assert topics[MOTION_TOPIC].is_property
    assert check_event_properties(topics, topic_dialects(properties)) == []


def test_properties_misspelt_motion_topic():
    properties = load("misspelt-motion-topic", "GetEventProperties")
    problems = check_event_properties(declared_topics(properties), topic_dialects(properties))
    assert problems == [f"{MOTION_TOPIC} is not declared"]


def test_properties_without_tampering():
    properties = load("no-tampering-topics", "GetEventProperties")
    problems = check_event_properties(declared_topics(properties), topic_dialects(properties))
    assert len(problems) == 1 and problems[0].startswith("no tampering topic is declared")


def test_properties_empty_and_without_dialect():
    assert check_event_properties({}, []) == [
        'GetEventProperties declares no topic (no wstop:topic="true" in its TopicSet)'
    ]
    problems = check_event_properties(declared(), [])
    assert problems == [
        "TopicExpressionDialect does not list "
        "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
    ]


# -- EVENT-PULL-01 ------------------------------------------------------------------------------


def test_relative_termination_good():
    current, termination = times_of(load("good", "CreatePullPointSubscription.relative"))
    assert 59.0 <= lifetime_s(current, termination) <= 61.0
    assert check_lifetime("Create", current, termination, 60, 2.0) == []


def test_relative_termination_rejected_is_a_fault():
    reply = load("relative-termination-rejected", "CreatePullPointSubscription.relative")
    assert etree.QName(reply).localname == "Fault"


def test_termination_time_is_now_persona():
    current, termination = times_of(
        load("termination-time-is-now", "CreatePullPointSubscription.relative")
    )
    problems = check_lifetime("Create", current, termination, 60, 2.0)
    assert len(problems) == 1 and "is 0.0 s, requested 60 s" in problems[0]


def test_termination_time_is_now_real_world():
    current, termination = times_of(load("real-world", "CreatePullPointSubscription.vista-now"))
    assert check_lifetime("Create", current, termination, 60, 2.0) == [
        "Create: TerminationTime - CurrentTime is 0.0 s, requested 60 s (tolerance 2 s)"
    ]


def test_times_without_zone_real_world():
    current, termination = times_of(load("real-world", "CreatePullPointSubscription.no-zone"))
    problems = check_lifetime("Create", current, termination, 60, 2.0)
    assert problems == [
        "Create CurrentTime '2019-06-01T11:00:00' is not valid: not in UTC with the 'Z' designator",
        "Create TerminationTime '2019-06-01T11:01:00' is not valid: not in UTC with the 'Z' "
        "designator",
    ]


def test_utc_offset_instead_of_z():
    assert check_utc_z("T", "2019-06-01T11:00:00+00:00") == [
        "T '2019-06-01T11:00:00+00:00' is not valid: not in UTC with the 'Z' designator"
    ]
    assert check_utc_z("T", None) == ["T is missing"]
    assert check_utc_z("T", "2019-06-31T11:00:00Z") == [
        "T '2019-06-31T11:00:00Z' is not valid: day 31 does not exist in month 06 of 2019"
    ]


# -- EVENT-PULL-02 ------------------------------------------------------------------------------


def test_keep_alive_good():
    reply = load("good", "PullMessages.keepalive")
    current, termination = times_of(reply)
    assert check_keep_alive(current, termination, 6.0, 1.0) == []
    assert len(messages_of(reply)) == 1


def test_keep_alive_missing_persona():
    current, termination = times_of(load("pullmessages-no-keepalive", "PullMessages.keepalive"))
    problems = check_keep_alive(current, termination, 6.0, 1.0)
    assert len(problems) == 1 and "does not keep it alive" in problems[0]


def test_pull_timeout_and_limit():
    assert check_pull(1.2, 1.0, 1, 1, 1.0) == []
    assert check_pull(5.0, 1.0, 1, 3, 1.0) == [
        "PullMessages took 5.00 s with Timeout 1 s (allowed 1 s more plus the measured round "
        "trip 0.00 s)",
        "PullMessages returned 3 messages with MessageLimit 1",
    ]


@pytest.mark.parametrize("elapsed", [1.8, 1.95, 2.02])
def test_pull_whole_second_timers_are_allowed(elapsed):
    """Issue 12.6: a 1 s pull answered in 1.8-2.02 s by whole-second timers, with the round
    trip of an immediate answer measured at 0.03 s, is within Timeout + 1 s + round trip."""
    assert check_pull(elapsed, 1.0, 1, 0, 1.0, 0.03) == []
    assert check_pull(2.2, 1.0, 1, 0, 1.0, 0.03) != []


# -- EVENT-RENEW-01 -----------------------------------------------------------------------------


def test_renew_good():
    current, termination = times_of(load("good", "Renew.relative"))
    assert check_lifetime("Renew", current, termination, 30, 2.0) == []


def test_renew_relative_misread_persona():
    current, termination = times_of(load("renew-relative-misread", "Renew.relative"))
    assert termination.startswith("1970-01-01T00:00:30")
    problems = check_lifetime("Renew", current, termination, 30, 2.0)
    assert len(problems) == 1 and "requested 30 s" in problems[0]


# -- EVENT-UNSUB-01 / EVENT-MAXPP-01 ------------------------------------------------------------


def test_unsubscribe_answers():
    assert check_unsubscribe("fault", "answered") == []
    assert check_unsubscribe("http", "answered") == []
    assert check_unsubscribe("answered", "fault") == [
        "PullMessages at the unsubscribed address still answered",
        "the other subscription stopped working after the first was unsubscribed (fault)",
    ]


def test_max_pull_points():
    capabilities = load("good", "GetServiceCapabilities")[0]
    advertised = int(capabilities.get("MaxPullPoints"))
    assert check_max_pull_points(advertised, [4, 4], 2) == []
    assert check_max_pull_points(1, [4], 2) == ["MaxPullPoints is 1, at least 2 required"]
    assert check_max_pull_points(None, [4, 0], 2) == [
        "GetServiceCapabilities does not state MaxPullPoints",
        "pull point 2 of 2 received no message",
    ]


# -- EVENT-SYNC-01 ------------------------------------------------------------------------------


def test_sync_good():
    before = initialized_topics(messages_of(load("good", "PullMessages.initial")))
    after = initialized_topics(messages_of(load("good", "PullMessages.after-sync")))
    assert MOTION_TOPIC in before
    assert check_sync(before, after) == []


def test_sync_persona():
    before = initialized_topics(messages_of(load("no-initialized-on-sync", "PullMessages.initial")))
    after = initialized_topics(
        messages_of(load("no-initialized-on-sync", "PullMessages.after-sync"))
    )
    problems = check_sync(before, after)
    assert len(problems) == 1 and problems[0].startswith("after SetSynchronizationPoint")
    assert check_sync(set(), set())[0].startswith("no Initialized property state")


# -- EVENT-TOPIC-01 -----------------------------------------------------------------------------


def test_topics_good():
    messages = sample("good") + messages_of(load("good", "PullMessages.initial"))
    assert {m.operation for m in messages} == {"Initialized", "Changed"}
    assert check_topics(messages, declared()) == []


def test_topics_state_as_active_persona():
    problems = check_topics(sample("state-as-active"), declared("state-as-active"))
    assert any(
        p.startswith(f"{MOTION_TOPIC} Data/State = '") and "is not a valid xs:boolean" in p
        for p in problems
    ), problems


def test_topics_undeclared_persona():
    problems = check_topics(sample("undeclared-topic"), declared("undeclared-topic"))
    assert problems == ["tns1:RuleEngine/CellMotionDetector/Motion is received but not declared"]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "PullMessages.avtech-vendor-topic",
            ["tns1:VideoAnalytics/tnsav:MotionDetection is received but not declared"],
        ),
        (
            "PullMessages.cell-motion-suffix",
            ["tns1:RuleEngine/CellMotionDetector/Motion//. is received but not declared"],
        ),
        ("PullMessages.dahua-state-1", []),
    ],
)
def test_topics_real_world(fixture, expected):
    assert check_topics(messages_of(load("real-world", fixture)), declared()) == expected


def test_value_types():
    assert type_problem("1", "xs:boolean") is None and type_problem("active", "xs:boolean")
    assert type_problem("-3", "xs:int") is None and type_problem("x", "xs:int")
    assert type_problem("2021-03-07T21:46:06Z", "xs:dateTime") is None
    assert type_problem("03-07-2021T21:46:06Z", "xs:dateTime")  # HA #52991
    assert type_problem("", "tt:ReferenceToken")


def test_bad_utctime_persona():
    """Issue 14.5: month 13 ends in Z yet is no xs:dateTime; the value is quoted."""
    messages = sample("bad-utctime")
    assert messages and {m.utc_time for m in messages} == {"2026-13-01T00:00:00Z"}
    problems = check_topics(messages, declared("bad-utctime"))
    assert problems and all("UtcTime '2026-13-01T00:00:00Z'" in p for p in problems)
    assert all("month 13 is not 01-12" in p for p in problems)
    values = typed_values(messages, declared("bad-utctime"))
    assert any(v.value == "2026-13-01T00:00:00Z" and v.problem for v in values)
    assert check_topics(sample("good"), declared()) == []


def test_utctime_missing_seconds():
    good = sample("good")[0]
    broken = type(good)(good.topic, "2026-12-07T03:10Z", good.operation, good.source, good.data)
    assert check_topics([broken], declared()) == [
        f"{good.topic}: UtcTime '2026-12-07T03:10Z' is not an xs:dateTime in UTC with 'Z' "
        "(not the xs:dateTime form YYYY-MM-DDThh:mm:ss[.s][Z|±hh:mm])"
    ]


# -- Initialized state (passive, issue 13.3) ----------------------------------------------------


def test_initialized_good():
    topics = declared()
    assert property_topics(topics)
    initial = messages_of(load("good", "PullMessages.initial"))
    assert check_initialized(initial, topics, "on subscription") == []
    after = messages_of(load("good", "PullMessages.after-sync"))
    assert check_initialized(after, topics, "after SetSynchronizationPoint") == []


def test_initialized_without_state():
    topics = declared()
    initial = messages_of(load("good", "PullMessages.initial"))
    stripped = [type(m)(m.topic, m.utc_time, m.operation, m.source, {}) for m in initial]
    problems = check_initialized(stripped, topics, "on subscription")
    assert problems and all("carries no Data item" in p for p in problems)
    assert check_initialized([], topics, "on subscription")[0].startswith(
        "no Initialized message arrived on subscription"
    )


def test_environment_refusal():
    detail = (
        '<env:Detail xmlns:env="http://www.w3.org/2003/05/soap-envelope">The consumer '
        "address 127.0.0.1 is not routable</env:Detail>"
    )
    assert environment_refusal(detail) == "The consumer address 127.0.0.1 is not routable"
    assert environment_refusal("") is None
    assert environment_refusal("<Detail>Invalid argument</Detail>") is None


# -- EVENT-MOTION-01 / EVENT-TAMPER-01 ----------------------------------------------------------


def test_motion_and_tampering_good():
    messages = sample("good")
    assert check_received(messages, (MOTION_TOPIC,), "motion", 4) == []
    assert check_received(messages, TAMPERING_TOPICS, "tampering", 4) == []


@pytest.mark.parametrize("persona", ["no-motion-events", "misspelt-motion-topic"])
def test_motion_missing(persona):
    problems = check_received(sample(persona), (MOTION_TOPIC,), "motion", 4)
    assert len(problems) == 1 and problems[0].startswith("no motion event (Changed) arrived")


@pytest.mark.parametrize("persona", ["no-tamper-events", "no-tampering-topics"])
def test_tampering_missing(persona):
    problems = check_received(sample(persona), TAMPERING_TOPICS, "tampering", 4)
    assert len(problems) == 1 and problems[0].startswith("no tampering event (Changed)")
    assert check_received(sample(persona), (MOTION_TOPIC,), "motion", 4) == []


def test_initialized_alone_is_not_an_event():
    initial = messages_of(load("no-motion-events", "PullMessages.initial"))
    assert check_received(initial, (MOTION_TOPIC,), "motion", 1) != []


# -- EVENT-NOTIFY-01 ----------------------------------------------------------------------------


def test_notify_good():
    notify = load("good", "Notify")
    assert etree.QName(notify).localname == "Notify"
    assert check_notify(messages_of(notify), 2) == []


def test_notify_never_sent_persona():
    assert not (FIXTURES / "notify-never-sent" / "Notify.xml").exists()
    assert check_notify([], 2) == ["no Notify reached the consumer within 2 s"]


def test_no_check_passes_on_nothing():
    """Issue 14.3: every event check given an empty device reply (no topics, no messages, no
    pull points, no Initialized state) reports a problem; none passes on nothing."""
    empty_props = etree.fromstring(
        b'<GetEventPropertiesResponse xmlns="http://www.onvif.org/ver10/events/wsdl"/>'
    )
    nothing = messages_of(empty_props)
    assert nothing == []
    assert check_event_properties(declared_topics(empty_props), topic_dialects(empty_props))
    assert check_topics(nothing, declared())
    assert check_received(nothing, (MOTION_TOPIC,), "motion", 1)
    assert check_received(nothing, TAMPERING_TOPICS, "tampering", 1)
    assert check_notify(nothing, 1)
    assert check_sync(set(), set())
    assert check_initialized(nothing, declared(), "on subscription")
    assert check_max_pull_points(4, [], 2)
    assert check_lifetime("Create", *times_of(empty_props), 60, 2.0)
    assert check_keep_alive(*times_of(empty_props), 6.0, 1.0)
