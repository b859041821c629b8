"""Event topics: what GetEventProperties declares and what actually arrives (Q24)."""

from __future__ import annotations

import pytest

from conformance.checks.events import (
    MOTION_TOPIC,
    TAMPERING_TOPICS,
    check_event_properties,
    check_received,
    check_topics,
)
from conformance.suites.events.common import event_properties, event_sample


@pytest.mark.requirement("EVENT-PROPS-01")
def test_event_properties_declare_motion_and_tampering(device, evidence):
    properties = event_properties(device)
    evidence.measure("declared_topics", sorted(properties.declared))
    evidence.measure("topic_expression_dialects", properties.dialects)
    evidence.attach_json("declared-topics", properties.declared)
    evidence.expect("topics", [MOTION_TOPIC, "one of " + ", ".join(TAMPERING_TOPICS)])
    problems = check_event_properties(properties.declared, properties.dialects)
    assert not problems, "; ".join(problems)


def _sample(device, evidence, params):
    sample = event_sample(device, float(params["event_wait_s"]))
    evidence.measure("messages_received", len(sample.messages))
    evidence.measure("topics_received", sorted({m.topic for m in sample.messages}))
    evidence.attach_json("messages", sample.messages)
    for line in sample.cleanup:
        evidence.note(f"cleanup: {line}")
    return sample


@pytest.mark.requirement("EVENT-TOPIC-01")
def test_received_topics_are_declared_and_typed(device, evidence, params):
    sample = _sample(device, evidence, params)
    declared = event_properties(device).declared
    evidence.measure("declared_topics", sorted(declared))
    problems = check_topics(sample.messages, declared)
    if not sample.messages:
        problems.append(f"no message arrived within {sample.waited_s:g} s")
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EVENT-MOTION-01")
def test_motion_event_arrives(device, evidence, params):
    sample = _sample(device, evidence, params)
    evidence.expect("event", f"{MOTION_TOPIC} Changed within {sample.waited_s:g} s")
    problems = check_received(sample.messages, (MOTION_TOPIC,), "motion", sample.waited_s)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EVENT-TAMPER-01")
def test_tampering_event_arrives(device, evidence, params):
    sample = _sample(device, evidence, params)
    evidence.expect("event", f"a tampering topic Changed within {sample.waited_s:g} s")
    problems = check_received(sample.messages, TAMPERING_TOPICS, "tampering", sample.waited_s)
    assert not problems, "; ".join(problems)
