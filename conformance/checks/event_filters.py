"""Checks of event subscription filters, refused filters and pull-point termination.

Pure functions over neutral views (:class:`~conformance.checks.events.MessageView` lists, fault
names, answer labels), so they are unit-tested without a device. Filters follow ONVIF Core
(Event handling, Notification filters): ConcreteSet topic expressions, where "|" joins
alternatives and "//." selects a topic and its sub-tree, and ItemFilter message content
expressions on SimpleItems. Each ``check_*`` returns a list of problems, empty when conformant.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from conformance.checks.events import MessageView

WSNT_NAMESPACES = ("http://docs.oasis-open.org/wsn/b-2", "http://docs.oasis-open.org/wsn/bw-2")
"""Where WS-BaseNotification faults live: b-2 (the fault elements), bw-2 (the WSDL's names)."""
ITEM_FILTER = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"

INVALID_TOPIC_FAULTS = (
    "InvalidTopicExpressionFault",
    "TopicNotSupportedFault",
    "InvalidFilterFault",
)
UNKNOWN_DIALECT_FAULTS = ("TopicExpressionDialectUnknownFault", "InvalidFilterFault")
INVALID_CONTENT_FAULTS = ("InvalidMessageContentExpressionFault", "InvalidFilterFault")


@dataclass(frozen=True)
class TopicFilterCase:
    """One topic filter to try: the ONVIF case it follows, its expression, what it selects."""

    case: str
    label: str
    expression: str
    expected: tuple[str, ...]
    """Property topics the unfiltered pull point reported that this filter selects."""


def alternatives(expression: str) -> list[tuple[str, bool]]:
    """(topic, whole sub-tree?) for each "|"-joined alternative of a ConcreteSet expression."""
    found = []
    for part in expression.split("|"):
        part = part.strip()
        if part:
            subtree = part.endswith("//.")
            found.append((part.removesuffix("//.") if subtree else part, subtree))
    return found


def topic_matches(topic: str, expression: str) -> bool:
    """Whether a (prefix-normalised) topic is selected by a ConcreteSet expression."""
    for root, subtree in alternatives(expression):
        if topic == root or (subtree and topic.startswith(root + "/")):
            return True
    return False


def plan_topic_filters(live: list[str]) -> list[TopicFilterCase]:
    """Filters built from the ONVIF topics (``tns1:``) a pull point reported as Initialized.

    One topic (EVENT-3-1-16); two topics OR-ed (EVENT-3-1-33, needs two); a sub-tree
    (EVENT-3-1-34) and that sub-tree OR a topic outside it (EVENT-3-1-35). The sub-tree is the
    broadest one that leaves some reported topic out, so a device that ignores the filter is
    seen; only where every topic shares one root is the whole root used. Sorted input gives a
    repeatable plan.
    """
    topics = sorted(t for t in set(live) if t.startswith("tns1:") and "/" in t)
    if not topics:
        return []

    def case(case_id: str, label: str, expression: str) -> TopicFilterCase:
        selected = tuple(t for t in topics if topic_matches(t, expression))
        return TopicFilterCase(case_id, label, expression, selected)

    def under(root: str) -> int:
        return sum(t == root or t.startswith(root + "/") for t in topics)

    roots = sorted({"/".join(t.split("/")[:n]) for t in topics for n in range(1, t.count("/") + 1)})
    proper = [r for r in roots if 0 < under(r) < len(topics)]
    root = max(proper, key=under) if proper else topics[0].split("/")[0]
    outside = [t for t in topics if not (t == root or t.startswith(root + "/"))]
    plan = [case("EVENT-3-1-16", "one topic", topics[0])]
    if len(topics) > 1:
        plan.append(case("EVENT-3-1-33", "OR of two topics", f"{topics[0]}|{topics[-1]}"))
    plan.append(case("EVENT-3-1-34", "topic sub-tree", f"{root}//."))
    other = outside[0] if outside else topics[-1]
    plan.append(case("EVENT-3-1-35", "sub-tree OR topic", f"{root}//.|{other}"))
    return plan


def _initialized(messages: list[MessageView]) -> set[str]:
    return {m.topic for m in messages if m.operation == "Initialized"}


def check_topic_filtered(
    label: str, expression: str, messages: list[MessageView], expected: tuple[str, ...]
) -> list[str]:
    """Every message matches the filter; each selected property arrived as Initialized."""
    if not expected:
        return [f"{label} filter {expression!r}: no reported property to judge it by"]
    problems = []
    outside = sorted({m.topic for m in messages if not topic_matches(m.topic, expression)})
    if outside:
        problems.append(
            f"{label} filter {expression!r} returned messages of other topics: "
            + ", ".join(outside)
        )
    missing = sorted(set(expected) - _initialized(messages))
    if missing:
        problems.append(
            f"{label} filter {expression!r}: no Initialized state for the selected "
            "propert" + ("ies " if len(missing) > 1 else "y ") + ", ".join(missing)
        )
    return problems


def item_filter(name: str, value: str) -> str:
    """An ItemFilter expression selecting messages with SimpleItem ``name`` = ``value``."""
    quote = "'" if '"' in value or '"' in name else '"'
    return f"boolean(//tt:SimpleItem[@Name={quote}{name}{quote} and @Value={quote}{value}{quote}])"


def content_choice(messages: list[MessageView]) -> tuple[str, str, tuple[str, ...]] | None:
    """A Source item (name, value) of the Initialized messages, and the topics that carry it."""
    pairs: dict[tuple[str, str], set[str]] = {}
    for message in messages:
        if message.operation == "Initialized" and message.topic.startswith("tns1:"):
            for name, value in message.source.items():
                pairs.setdefault((name, value), set()).add(message.topic)
    if not pairs:
        return None
    (name, value), topics = max(sorted(pairs.items()), key=lambda item: len(item[1]))
    return name, value, tuple(sorted(topics))


def check_content_filtered(
    name: str, value: str, messages: list[MessageView], expected: tuple[str, ...]
) -> list[str]:
    """Every message carries SimpleItem ``name`` = ``value``; each selected property arrived."""
    if not expected:
        return [f"message content filter on {name}={value!r}: no reported property to judge it by"]
    problems = []
    other = sorted(
        {m.topic for m in messages if m.source.get(name) != value and m.data.get(name) != value}
    )
    if other:
        problems.append(
            f"message content filter {item_filter(name, value)} returned messages without "
            f"{name}={value!r}, of topics: " + ", ".join(other)
        )
    missing = sorted(set(expected) - _initialized(messages))
    if missing:
        problems.append(
            f"message content filter on {name}={value!r}: no Initialized state for "
            + ", ".join(missing)
        )
    return problems


def fault_names(subcodes: tuple[str, ...] | list[str], detail_xml: str) -> set[str]:
    """WS-BaseNotification fault names a SOAP fault carries: Subcode local names (Clark or
    prefixed QNames) and the elements of env:Detail in a WS-BaseNotification namespace."""
    names = {code.rpartition("}")[2].rpartition(":")[2] for code in subcodes if code}
    if detail_xml.strip():
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            detail = etree.fromstring(detail_xml.encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            return names
        for element in detail.iter():
            if isinstance(element.tag, str):
                qname = etree.QName(element)
                if qname.namespace in WSNT_NAMESPACES:
                    names.add(qname.localname)
    return names


@dataclass(frozen=True)
class Probe:
    """How the device answered one malformed filter."""

    label: str
    answer: str  # "answered" (a pull point was created) | "fault" | "http"
    names: tuple[str, ...] = ()
    """WS-BaseNotification fault names found (see :func:`fault_names`)."""
    environment: str = ""
    """A Subscribe fault whose Detail blames the consumer's address (the lab's network): the
    filter was never judged, so the probe is not either (see EVENT-NOTIFY-01)."""


def check_filter_refused(probe: Probe, accepted: tuple[str, ...]) -> list[str]:
    """ONVIF-EVENT-FAULT-01: the malformed filter was refused with one of the named faults."""
    if probe.answer == "answered":
        return [
            f"{probe.label}: CreatePullPointSubscription created a pull point instead of a fault"
        ]
    if probe.answer != "fault":
        return [f"{probe.label}: refused with an HTTP error and no SOAP fault naming the problem"]
    if not set(probe.names) & set(accepted):
        found = ", ".join(sorted(probe.names)) or "none"
        return [
            f"{probe.label}: the fault names none of {', '.join(accepted)} (WS-BaseNotification "
            f"names found: {found})"
        ]
    return []


def check_terminated(answer: str, http_status: int | None) -> list[str]:
    """ONVIF-EVENT-TERMINATION-01: PullMessages after TerminationTime is refused."""
    if answer == "answered":
        return [
            "PullMessages after the pull point's TerminationTime was answered "
            f"(HTTP {http_status}): the pull point did not end"
        ]
    if answer not in ("fault", "http"):
        return [f"PullMessages after TerminationTime: no answer to judge ({answer})"]
    return []
