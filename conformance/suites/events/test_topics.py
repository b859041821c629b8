"""Event topics: what GetEventProperties declares and what actually arrives (Q24).

Motion and tampering need a scene change: a sample taken without one decides only when the
change happened anyway; otherwise the run's ``--stimulus`` makes one, and without a stimulus
the verdict is ``no stimulus:`` (not_tested), never ``fail`` (a quiet room is not a fault).
"""

from __future__ import annotations

import pytest

from conformance.checks.event_payloads import check_topics, typed_values
from conformance.checks.events import (
    MOTION_TOPIC,
    TAMPERING_TOPICS,
    check_event_properties,
    check_received,
)
from conformance.outcomes import Inconclusive, not_tested
from conformance.suites.events.common import (
    declared_for,
    event_properties,
    event_sample,
    require_event_service,
    stimulated_sample,
)
from conformance.suites.events.stimulus import NO_STIMULUS, NoStimulus, run_stimulus


@pytest.mark.requirement("EVENT-PROPS-01")
def test_event_properties_declare_motion_and_tampering(device, evidence, request):
    require_event_service(device, evidence, request)
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
def test_received_topics_are_declared_and_typed(device, evidence, params, request):
    require_event_service(device, evidence, request)
    sample = _sample(device, evidence, params)
    declared = declared_for(device, request)
    evidence.measure("declared_topics", sorted(declared))
    if not sample.messages:
        raise Inconclusive(
            f"no message arrived within {sample.waited_s:g} s, so no topic or value could be "
            "judged (a missing Initialized state is EVENT-SYNC-01's finding)"
        )
    values = typed_values(sample.messages, declared)
    evidence.measure("typed_values_checked", len(values))
    evidence.attach_json("typed-values", values)
    problems = check_topics(sample.messages, declared)
    assert not problems, "; ".join(problems)


def _event_arrives(device, evidence, params, stimulus, kind: str, roots: tuple[str, ...]):
    """Pass on a change seen without stimulus; else stimulate; else not_tested (no stimulus)."""
    what = "motion" if kind == "motion" else "tampering"
    sample = _sample(device, evidence, params)
    if not check_received(sample.messages, roots, what, sample.waited_s):
        evidence.note(f"a {what} change arrived without a stimulus")
        return
    wait_s = float(params["event_wait_s"])
    evidence.measure("stimulus", stimulus.describe())
    try:
        stimulated = stimulated_sample(device, stimulus, kind, roots, wait_s)
    except NoStimulus as exc:
        states = sorted({f"{m.topic}={m.data}" for m in sample.messages if is_initial(m, roots)})
        not_tested(
            f"{NO_STIMULUS}no {what} change arrived within {sample.waited_s:g} s and the run "
            f"could not make one ({exc}); Initialized state seen: {', '.join(states) or 'none'}"
        )
    evidence.note(f"stimulus: {stimulated.made}")
    evidence.measure("messages_after_stimulus", len(stimulated.messages))
    evidence.attach_json("messages-after-stimulus", stimulated.messages)
    for line in stimulated.cleanup:
        evidence.note(f"cleanup: {line}")
    problems = check_received(stimulated.messages, roots, what, wait_s)
    assert not problems, "; ".join(problems) + f" after the stimulus ({stimulus.describe()})"


def is_initial(message, roots: tuple[str, ...]) -> bool:
    return message.operation == "Initialized" and any(
        message.topic == r or message.topic.startswith(r + "/") for r in roots
    )


@pytest.mark.requirement("EVENT-MOTION-01")
def test_motion_event_arrives(device, evidence, params, request):
    require_event_service(device, evidence, request)
    stimulus = run_stimulus(request)
    evidence.expect("event", f"{MOTION_TOPIC} Changed within {params['event_wait_s']} s")
    _event_arrives(device, evidence, params, stimulus, "motion", (MOTION_TOPIC,))


@pytest.mark.requirement("EVENT-TAMPER-01")
def test_tampering_event_arrives(device, evidence, params, request):
    require_event_service(device, evidence, request)
    stimulus = run_stimulus(request)
    evidence.expect("event", f"a tampering topic Changed within {params['event_wait_s']} s")
    _event_arrives(device, evidence, params, stimulus, "tamper", TAMPERING_TOPICS)
