"""ONVIF-EVENT-FILTER-01, -FAULT-01 and -TERMINATION-01 check functions on good, broken and
legal-but-unusual device answers (no device: neutral views of replies)."""

from __future__ import annotations

from conformance.checks.event_filters import (
    INVALID_CONTENT_FAULTS,
    INVALID_TOPIC_FAULTS,
    Probe,
    check_content_filtered,
    check_filter_refused,
    check_terminated,
    check_topic_filtered,
    content_choice,
    fault_names,
    item_filter,
    plan_topic_filters,
    topic_matches,
)
from conformance.checks.events import MessageView

MOTION = "tns1:VideoSource/MotionAlarm"
SCENE = "tns1:VideoSource/GlobalSceneChange/ImagingService"
BLUR = "tns1:VideoSource/ImageTooBlurry/ImagingService"
INPUT = "tns1:Device/Trigger/DigitalInput"


def message(topic: str, operation: str | None = "Initialized", source: str = "vs1") -> MessageView:
    return MessageView(
        topic, "2026-01-01T00:00:00Z", operation, {"Source": source}, {"State": "false"}
    )


def test_concrete_set_matching():
    assert topic_matches(MOTION, MOTION)
    assert not topic_matches(MOTION + "/Extra", MOTION)  # a plain topic is no sub-tree
    assert topic_matches(SCENE, "tns1:VideoSource//.")
    assert topic_matches("tns1:VideoSource", "tns1:VideoSource//.")
    assert topic_matches(INPUT, f"{MOTION}| {INPUT} ")
    assert not topic_matches("tns1:VideoSourceX/A", "tns1:VideoSource//.")


def test_plan_prefers_a_subtree_that_leaves_a_topic_out():
    plan = {c.case: c for c in plan_topic_filters([MOTION, SCENE, BLUR, "vendor:X/Y"])}
    assert plan["EVENT-3-1-16"].expected == (SCENE,)
    assert plan["EVENT-3-1-33"].expression == f"{SCENE}|{MOTION}"
    assert plan["EVENT-3-1-34"].expression == "tns1:VideoSource/GlobalSceneChange//."
    assert plan["EVENT-3-1-35"].expected == (SCENE, BLUR)
    single = plan_topic_filters([MOTION])
    assert [c.case for c in single] == ["EVENT-3-1-16", "EVENT-3-1-34", "EVENT-3-1-35"]
    assert plan_topic_filters(["vendor:X/Y", "tns1:Flat"]) == []


def test_filtered_messages_pass_when_only_selected_topics_arrive():
    got = [message(MOTION), message(MOTION, "Changed")]
    assert check_topic_filtered("one topic", MOTION, got, (MOTION,)) == []


def test_filter_ignored_fails():
    got = [message(MOTION), message(SCENE), message(BLUR)]
    problems = check_topic_filtered("one topic", MOTION, got, (MOTION,))
    assert problems and SCENE in problems[0] and BLUR in problems[0]


def test_filter_that_drops_the_selected_property_fails():
    problems = check_topic_filtered("OR", f"{MOTION}|{SCENE}", [message(MOTION)], (MOTION, SCENE))
    assert problems and SCENE in problems[0] and "Initialized" in problems[0]


def test_content_filter():
    choice = content_choice([message(MOTION), message(SCENE), message(INPUT, source="io1")])
    assert choice == ("Source", "vs1", (SCENE, MOTION))
    assert (
        item_filter("Source", "vs1") == 'boolean(//tt:SimpleItem[@Name="Source" and @Value="vs1"])'
    )
    good = [message(MOTION), message(SCENE)]
    assert check_content_filtered("Source", "vs1", good, (MOTION, SCENE)) == []
    ignored = [*good, message(INPUT, source="io1")]
    assert INPUT in check_content_filtered("Source", "vs1", ignored, (MOTION, SCENE))[0]
    assert check_content_filtered("Source", "vs1", [], (MOTION,))
    assert content_choice([message(MOTION, "Changed")]) is None


def test_fault_names_by_subcode_or_detail_whatever_the_prefix():
    detail = (
        '<s:Detail xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
        '<n:InvalidTopicExpressionFault xmlns:n="http://docs.oasis-open.org/wsn/b-2">'
        "<x:Timestamp xmlns:x='http://docs.oasis-open.org/wsrf/bf-2'>2026-01-01T00:00:00Z</x:Timestamp>"
        "</n:InvalidTopicExpressionFault>"
        '<v:InvalidFilterFault xmlns:v="urn:vendor"/></s:Detail>'
    )
    assert fault_names(("{http://www.onvif.org/ver10/error}InvalidArgVal",), detail) == {
        "InvalidArgVal",
        "InvalidTopicExpressionFault",
    }
    assert fault_names(("wsntw:InvalidFilterFault",), "not xml <") == {"InvalidFilterFault"}


def test_filter_refused():
    assert (
        check_filter_refused(
            Probe("t", "fault", ("InvalidArgVal", "TopicNotSupportedFault")), INVALID_TOPIC_FAULTS
        )
        == []
    )
    assert (
        check_filter_refused(Probe("c", "fault", ("InvalidFilterFault",)), INVALID_CONTENT_FAULTS)
        == []
    )
    assert (
        "created a pull point"
        in check_filter_refused(Probe("t", "answered"), INVALID_TOPIC_FAULTS)[0]
    )
    assert (
        "names none"
        in check_filter_refused(Probe("t", "fault", ("InvalidArgVal",)), INVALID_TOPIC_FAULTS)[0]
    )
    assert "HTTP error" in check_filter_refused(Probe("t", "http"), INVALID_TOPIC_FAULTS)[0]


def test_terminated():
    assert check_terminated("fault", 400) == []
    assert check_terminated("http", 404) == []
    assert "did not end" in check_terminated("answered", 200)[0]
