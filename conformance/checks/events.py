"""Checks of the ONVIF Event service: topics, subscription lifetimes, pulls and payloads.

Pure functions over the SOAP Body children the event helpers return (lxml elements, not zeep
objects: zeep drops wsnt:Topic text and the "Z" of times, which is exactly what is judged here).
Each ``check_*`` returns a list of problems, empty when the device conforms.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree

from conformance.xsd_types import parse_datetime, utc_datetime_problem

TOPICS_NS = "http://www.onvif.org/ver10/topics"
WSTOP = "http://docs.oasis-open.org/wsn/t-1"
WSNT = "http://docs.oasis-open.org/wsn/b-2"
TT = "http://www.onvif.org/ver10/schema"
XS = "http://www.w3.org/2001/XMLSchema"
CONCRETE_SET = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
MOTION_TOPIC = "tns1:VideoSource/MotionAlarm"
TAMPERING_TOPICS = (
    "tns1:VideoSource/ImageTooBlurry",
    "tns1:VideoSource/ImageTooDark",
    "tns1:VideoSource/ImageTooBright",
    "tns1:VideoSource/GlobalSceneChange",
)
"""Profile T: at least one of these tampering topics (any sub-topic, e.g. /ImagingService)."""
_PREFIXES = {TOPICS_NS: "tns1", XS: "xs", TT: "tt"}


@dataclass(frozen=True)
class TopicDescription:
    """A topic of GetEventProperties' TopicSet and its message description (item -> type)."""

    topic: str
    is_property: bool
    source: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
    described: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MessageView:
    """One wsnt:NotificationMessage as the checks see it."""

    topic: str
    utc_time: str | None
    operation: str | None
    source: dict[str, str]
    data: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _qname_text(value: str, element: etree._Element) -> str:
    """A QName-valued text ("xs:boolean") with its prefix normalised via the namespaces in scope."""
    prefix, sep, local = value.strip().rpartition(":")
    namespace = element.nsmap.get(prefix or None) if sep else element.nsmap.get(None)
    if namespace is None:
        return value.strip()
    return f"{_PREFIXES.get(namespace, '{' + namespace + '}')}:{local}"


def topic_name(topic: etree._Element) -> str:
    """wsnt:Topic text with the first segment's prefix normalised (tns1 = ONVIF topics)."""
    text = (topic.text or "").strip()
    head, sep, rest = text.partition("/")
    return _qname_text(head, topic) + (sep + rest if sep else "")


def declared_topics(properties: etree._Element) -> dict[str, TopicDescription]:
    """Topics marked wstop:topic="true" in a GetEventPropertiesResponse's TopicSet."""
    topic_set = properties.find(f"{{{WSTOP}}}TopicSet")
    found: dict[str, TopicDescription] = {}
    if topic_set is None:
        return found

    def walk(element: etree._Element, path: list[str], prefix: str) -> None:
        for child in element:
            if not isinstance(child.tag, str) or etree.QName(child).namespace == TT:
                continue
            qname = etree.QName(child)
            child_prefix = prefix or _PREFIXES.get(qname.namespace, "{" + qname.namespace + "}")
            child_path = [*path, qname.localname]
            if child.get(f"{{{WSTOP}}}topic") in ("true", "1"):
                name = f"{child_prefix}:{'/'.join(child_path)}"
                found[name] = _description(name, child)
            walk(child, child_path, child_prefix)

    walk(topic_set, [], "")
    return found


def _description(name: str, topic: etree._Element) -> TopicDescription:
    description = topic.find(f"{{{TT}}}MessageDescription")
    if description is None:
        return TopicDescription(name, False, described=False)

    def items(part: str) -> dict[str, str]:
        return {
            item.get("Name", ""): _qname_text(item.get("Type", ""), item)
            for item in description.iterfind(f"{{{TT}}}{part}/{{{TT}}}SimpleItemDescription")
        }

    return TopicDescription(
        name,
        description.get("IsProperty") in ("true", "1"),
        items("Source"),
        items("Data"),
    )


def topic_dialects(properties: etree._Element) -> list[str]:
    return [(d.text or "").strip() for d in properties.iter(f"{{{WSNT}}}TopicExpressionDialect")]


def messages_of(parent: etree._Element | list[etree._Element]) -> list[MessageView]:
    """Every NotificationMessage in a reply (or a list of NotificationMessage elements)."""
    elements = (
        parent if isinstance(parent, list) else list(parent.iter(f"{{{WSNT}}}NotificationMessage"))
    )
    views = []
    for message in elements:
        topic = message.find(f"{{{WSNT}}}Topic")
        body = message.find(f"{{{WSNT}}}Message/{{{TT}}}Message")

        def items(part: str, body: etree._Element | None = body) -> dict[str, str]:
            if body is None:
                return {}
            return {
                i.get("Name", ""): i.get("Value", "")
                for i in body.iterfind(f"{{{TT}}}{part}/{{{TT}}}SimpleItem")
            }

        views.append(
            MessageView(
                topic=topic_name(topic) if topic is not None else "",
                utc_time=body.get("UtcTime") if body is not None else None,
                operation=body.get("PropertyOperation") if body is not None else None,
                source=items("Source"),
                data=items("Data"),
            )
        )
    return views


def _under(topic: str, roots: tuple[str, ...]) -> bool:
    return any(topic == root or topic.startswith(root + "/") for root in roots)


def check_event_properties(declared: dict[str, TopicDescription], dialects: list[str]) -> list[str]:
    """EVENT-PROPS-01: the topic set declares motion and tampering, with message descriptions."""
    problems = []
    if not declared:
        return ['GetEventProperties declares no topic (no wstop:topic="true" in its TopicSet)']
    if MOTION_TOPIC not in declared:
        problems.append(f"{MOTION_TOPIC} is not declared")
    if not any(_under(topic, TAMPERING_TOPICS) for topic in declared):
        problems.append(
            "no tampering topic is declared (one of " + ", ".join(TAMPERING_TOPICS) + ")"
        )
    if CONCRETE_SET not in dialects:
        problems.append(f"TopicExpressionDialect does not list {CONCRETE_SET}")
    for name, description in declared.items():
        if not description.described or not description.data:
            problems.append(f"{name} has no MessageDescription with Data items")
    return problems


def parse_utc(text: str | None) -> datetime | None:
    """A valid xs:dateTime that carries a zone, else None (naive times cannot be compared)."""
    return parse_datetime(text)


def times_of(reply: etree._Element) -> tuple[str | None, str | None]:
    """(CurrentTime, TerminationTime) texts of a subscription reply, whatever their prefix."""
    found: dict[str, str] = {}
    for child in reply:
        if isinstance(child.tag, str):
            local = etree.QName(child).localname
            if local in ("CurrentTime", "TerminationTime") and local not in found:
                found[local] = (child.text or "").strip()
    return found.get("CurrentTime"), found.get("TerminationTime")


def check_utc_z(name: str, text: str | None) -> list[str]:
    """ONVIF Core 9.1: CurrentTime and TerminationTime are xs:dateTime in UTC with "Z"."""
    if text is None:
        return [f"{name} is missing"]
    problem = utc_datetime_problem(text)
    return [f"{name} {text!r} is not valid: {problem}"] if problem else []


def lifetime_s(current: str | None, termination: str | None) -> float | None:
    """TerminationTime - CurrentTime in seconds, as the device states them."""
    now, end = parse_utc(current), parse_utc(termination)
    if now is None or end is None:
        return None
    return (end - now).total_seconds()


def check_lifetime(
    what: str, current: str | None, termination: str | None, requested_s: float, tolerance_s: float
) -> list[str]:
    """EVENT-PULL-01 / EVENT-RENEW-01: times in Z, and TerminationTime - CurrentTime ~ requested."""
    problems = check_utc_z(f"{what} CurrentTime", current) + check_utc_z(
        f"{what} TerminationTime", termination
    )
    lifetime = lifetime_s(current, termination)
    if lifetime is not None and abs(lifetime - requested_s) > tolerance_s:
        problems.append(
            f"{what}: TerminationTime - CurrentTime is {lifetime:.1f} s, requested "
            f"{requested_s:g} s (tolerance {tolerance_s:g} s)"
        )
    return problems


def check_pull(
    elapsed_s: float,
    timeout_s: float,
    limit: int,
    count: int,
    slack_s: float,
    round_trip_s: float = 0.0,
) -> list[str]:
    """EVENT-PULL-02: a PullMessages answer within Timeout and holding at most MessageLimit.

    Allowed: Timeout + ``slack_s`` (1 s: devices with whole-second timers answer a 1 s pull
    after up to 2 s) + ``round_trip_s``, the measured time of an answer that needs no wait, so
    a slow network or a loaded device is not taken for a late one.
    """
    problems = []
    if elapsed_s > timeout_s + slack_s + round_trip_s:
        problems.append(
            f"PullMessages took {elapsed_s:.2f} s with Timeout {timeout_s:g} s (allowed "
            f"{slack_s:g} s more plus the measured round trip {round_trip_s:.2f} s)"
        )
    if count > limit:
        problems.append(f"PullMessages returned {count} messages with MessageLimit {limit}")
    return problems


def check_keep_alive(
    current: str | None, termination: str | None, timeout_s: float, tolerance_s: float
) -> list[str]:
    """EVENT-PULL-02: after PullMessages the pull point lives at least its Timeout (Core 9.1.2)."""
    lifetime = lifetime_s(current, termination)
    if lifetime is None:
        return [
            f"PullMessages times unreadable: CurrentTime {current!r}, TerminationTime "
            f"{termination!r}"
        ]
    if lifetime < timeout_s - tolerance_s:
        return [
            f"after PullMessages with Timeout {timeout_s:g} s the pull point ends in "
            f"{lifetime:.1f} s: PullMessages does not keep it alive"
        ]
    return []


def is_event(message: MessageView, roots: tuple[str, ...]) -> bool:
    """A real occurrence under ``roots``: a Changed property or a non-property message."""
    return _under(message.topic, roots) and message.operation in (None, "", "Changed")


def check_received(
    messages: list[MessageView], roots: tuple[str, ...], what: str, waited_s: float
) -> list[str]:
    """EVENT-MOTION-01 / EVENT-TAMPER-01: at least one event of the kind arrived in time."""
    if any(is_event(m, roots) for m in messages):
        return []
    topics = sorted({m.topic for m in messages})
    return [
        f"no {what} event (Changed) arrived within {waited_s:g} s; topics received: "
        + (", ".join(topics) or "none")
    ]


def initialized_topics(messages: list[MessageView]) -> set[str]:
    return {m.topic for m in messages if m.operation == "Initialized"}


def check_sync(before: set[str], after: set[str]) -> list[str]:
    """EVENT-SYNC-01: SetSynchronizationPoint re-sends Initialized for every property."""
    if not before:
        return [
            "no Initialized property state arrived after subscribing, so there is no "
            "property to re-synchronise"
        ]
    missing = sorted(before - after)
    if missing:
        return ["after SetSynchronizationPoint no Initialized message for: " + ", ".join(missing)]
    return []


def check_max_pull_points(advertised: int | None, counts: list[int], minimum: int) -> list[str]:
    """EVENT-MAXPP-01: MaxPullPoints >= minimum and concurrent pull points all receive events."""
    problems = [] if counts else ["no pull point could be created, so none could be judged"]
    if advertised is None:
        problems.append("GetServiceCapabilities does not state MaxPullPoints")
    elif advertised < minimum:
        problems.append(f"MaxPullPoints is {advertised}, at least {minimum} required")
    for index, count in enumerate(counts, start=1):
        if count == 0:
            problems.append(f"pull point {index} of {len(counts)} received no message")
    return problems


def check_unsubscribe(gone_answer: str, survivor_answer: str) -> list[str]:
    """EVENT-UNSUB-01: the unsubscribed address answers with a fault; another one lives on.

    Answers are labels: "answered", "fault" (a SOAP fault or an HTTP error), "unreachable".
    """
    problems = []
    if gone_answer == "answered":
        problems.append("PullMessages at the unsubscribed address still answered")
    if survivor_answer != "answered":
        problems.append(
            f"the other subscription stopped working after the first was unsubscribed "
            f"({survivor_answer})"
        )
    return problems


def check_notify(messages: list[MessageView], waited_s: float) -> list[str]:
    """EVENT-NOTIFY-01: Notify reached the consumer with at least one well-formed message."""
    if not messages:
        return [f"no Notify reached the consumer within {waited_s:g} s"]
    if not any(m.topic and m.utc_time for m in messages):
        return ["Notify arrived but no message has a Topic and a tt:Message UtcTime"]
    return []


_ENVIRONMENT_WORDS = re.compile(
    r"\b(?:not\s+routable|unroutable|non-routable|not\s+reachable|unreachable|cannot\s+reach|"
    r"loopback|link-local)\b",
    re.IGNORECASE,
)


def environment_refusal(detail_xml: str) -> str | None:
    """The text of a fault Detail that blames the consumer's address, else None.

    EVENT-NOTIFY-01: a device that refuses a consumer because the address is not routable or
    not reachable from it (a loopback or link-local address, a lab without a route) is telling
    the lab something about its network, not failing the requirement; the Detail is quoted.
    """
    text = " ".join(_detail_text(detail_xml).split())
    return text if text and _ENVIRONMENT_WORDS.search(text) else None


def _detail_text(detail_xml: str) -> str:
    if not detail_xml.strip():
        return ""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        return " ".join(etree.fromstring(detail_xml.encode("utf-8"), parser).itertext())
    except etree.XMLSyntaxError:
        return detail_xml
