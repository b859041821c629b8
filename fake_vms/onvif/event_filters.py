"""The wsnt:Filter of a subscription request: topic expressions and message content filters.

ONVIF Core (Event handling, Notification filters) asks devices to support the ConcreteSet topic
expression dialect ("|" joins alternatives, "//." selects a topic's subtree) and, where message
content filtering is offered, the ItemFilter dialect, whose expressions test SimpleItems:
``boolean(//tt:SimpleItem[@Name="Source" and @Value="VideoSource_1"])``. A filter the device
cannot honour is refused with the WS-BaseNotification fault that names the problem
(InvalidTopicExpressionFault, TopicExpressionDialectUnknownFault,
InvalidMessageContentExpressionFault), carried as the fault's env:Detail element, so a client
knows the subscription was not created rather than silently getting everything.

Topic prefixes are resolved through the namespaces in scope of the request's TopicExpression,
so a client may bind the ONVIF topic namespace to any prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from fake_vms.onvif.event_bus import (
    CONCRETE_SET,
    SOURCE_ITEM,
    WS_TOPIC_CONCRETE,
    Event,
    TopicFilter,
)
from fake_vms.onvif.event_xml import bool_text
from fake_vms.onvif.soap import NSMAP, SoapFault
from fake_vms.site import CameraConfig

ITEM_FILTER = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
WSNT = NSMAP["wsnt"]
WSRF_BF = "http://docs.oasis-open.org/wsrf/bf-2"
TOPICS = NSMAP["tns1"]

_NCNAME = r"[A-Za-z_][\w.\-]*"
_PATH = re.compile(
    rf"^(?:(?P<prefix>{_NCNAME}):)?(?P<path>{_NCNAME}(?:/{_NCNAME})*)(?P<tree>//\.)?$"
)
_ITEM = re.compile(
    r"""^boolean\(\s*//(?:[A-Za-z_][\w.\-]*:)?SimpleItem\s*\[\s*@Name\s*=\s*(["'])(?P<name>[^"']*)\1"""
    r"""(?:\s+and\s+@Value\s*=\s*(["'])(?P<value>[^"']*)\3)?\s*\]\s*\)$"""
)


class FilterFault(SoapFault):
    """A refused filter: env:Sender/ter:InvalidArgVal with the wsnt fault as its env:Detail."""

    def __init__(self, name: str, reason: str, timestamp: str) -> None:
        super().__init__("Sender", ("InvalidArgVal",), f"{name}: {reason}")
        self.name = name
        detail = etree.Element(f"{{{WSNT}}}{name}", nsmap={"wsnt": WSNT, "wsrf-bf": WSRF_BF})
        etree.SubElement(detail, f"{{{WSRF_BF}}}Timestamp").text = timestamp
        etree.SubElement(detail, f"{{{WSRF_BF}}}Description").text = reason
        self.detail = detail

    @property
    def outcome(self) -> str:
        return "fault:wsnt:" + self.name


@dataclass(frozen=True)
class ContentFilter:
    """An ItemFilter test: some SimpleItem named ``name`` (with ``value``, if given)."""

    name: str
    value: str | None = None

    def matches(self, items: dict[str, str]) -> bool:
        if self.name not in items:
            return False
        return self.value is None or items[self.name] == self.value


@dataclass(frozen=True)
class SubscriptionFilter:
    topics: TopicFilter
    content: ContentFilter | None = None

    def matches(self, event: Event, camera: CameraConfig) -> bool:
        if camera.knobs.filters_ignored:
            return True
        if not self.topics.matches(event.topic.name):
            return False
        return self.content is None or self.content.matches(event_items(event, camera))


def event_items(event: Event, camera: CameraConfig) -> dict[str, str]:
    """The SimpleItems of the message sent for ``event`` (Source and Data), by name."""
    name, _, value = SOURCE_ITEM
    return {name: value, event.topic.data_item: bool_text(camera, event.state)}


def parse_filter(
    request: etree._Element, camera: CameraConfig, timestamp: str
) -> SubscriptionFilter:
    """The request's wsnt:Filter, or a :class:`FilterFault` naming what cannot be honoured."""
    accept_invalid = camera.knobs.invalid_filters_accepted
    alternatives: list[str] = []
    content: ContentFilter | None = None
    for element in request.iter(f"{{{WSNT}}}TopicExpression"):
        dialect = (element.get("Dialect") or "").strip()
        if dialect not in (CONCRETE_SET, WS_TOPIC_CONCRETE):
            if accept_invalid:
                continue
            raise FilterFault(
                "TopicExpressionDialectUnknownFault", f"unsupported dialect {dialect!r}", timestamp
            )
        for part in (element.text or "").split("|"):
            if not part.strip():
                continue  # an empty alternative selects nothing more
            topic = _topic(part.strip(), element, dialect)
            if topic is None:
                if accept_invalid:
                    continue
                raise FilterFault(
                    "InvalidTopicExpressionFault",
                    f"{part.strip()!r} is not a valid topic expression",
                    timestamp,
                )
            alternatives.append(topic)
    for element in request.iter(f"{{{WSNT}}}MessageContent"):
        parsed = _content((element.text or "").strip(), (element.get("Dialect") or "").strip())
        if parsed is None:
            if accept_invalid:
                continue
            raise FilterFault(
                "InvalidMessageContentExpressionFault",
                f"{(element.text or '').strip()!r} is not a supported ItemFilter expression",
                timestamp,
            )
        content = parsed
    return SubscriptionFilter(TopicFilter(tuple(alternatives)), content)


def _topic(text: str, element: etree._Element, dialect: str) -> str | None:
    """One alternative as ``tns1:A/B`` (or ``tns1:A`` for ``A//.``), else None if invalid."""
    match = _PATH.match(text)
    if match is None or (match["tree"] and dialect != CONCRETE_SET):
        return None
    prefix = match["prefix"]
    namespace = element.nsmap.get(prefix) if prefix else element.nsmap.get(None)
    if namespace is None:
        return None
    head = "tns1" if namespace == TOPICS else "{" + namespace + "}"
    return f"{head}:{match['path']}"


def _content(text: str, dialect: str) -> ContentFilter | None:
    if dialect != ITEM_FILTER:
        return None
    match = _ITEM.match(text)
    if match is None:
        return None
    return ContentFilter(match["name"], match["value"])
