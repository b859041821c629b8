"""XML of the Event service: the declared topic set and the notification messages.

Kept apart from the service logic so the shapes that clients parse (and the schema tests check)
are in one place: wstop:TopicSet with tt:MessageDescription per topic, and
wsnt:NotificationMessage with a tt:Message carrying UtcTime, PropertyOperation and SimpleItems.
"""

from __future__ import annotations

from lxml import etree

from fake_vms.onvif.event_bus import CONCRETE_SET, SOURCE_ITEM, Event, Topic, format_utc
from fake_vms.onvif.soap import NSMAP, element, sub
from fake_vms.site import CameraConfig

WSTOP = NSMAP["wstop"]
WSA_ACTION = "wsa:Action"


def topic_set(topics: tuple[Topic, ...]) -> etree._Element:
    """wstop:TopicSet: one element per topic path level, the leaf marked wstop:topic="true"."""
    topic_set_el = element("wstop:TopicSet")
    for topic in topics:
        if not topic.declared:
            continue
        parent = topic_set_el
        for level in topic.name.split("/"):
            local = level.split(":", 1)[-1]
            found = next(
                (c for c in parent if isinstance(c.tag, str) and etree.QName(c).localname == local),
                None,
            )
            parent = found if found is not None else sub(parent, f"tns1:{local}")
        parent.set(f"{{{WSTOP}}}topic", "true")
        description = sub(parent, "tt:MessageDescription", IsProperty=True)
        name, kind, _ = SOURCE_ITEM
        sub(sub(description, "tt:Source"), "tt:SimpleItemDescription", Name=name, Type=kind)
        sub(
            sub(description, "tt:Data"),
            "tt:SimpleItemDescription",
            Name=topic.data_item,
            Type="xs:boolean",
        )
    return topic_set_el


def bool_text(camera: CameraConfig, value: bool) -> str:
    """xs:boolean lexical form, unless a persona encodes booleans its own way."""
    encoding = camera.knobs.bool_encoding
    if encoding:
        return encoding[0] if value else encoding[1]
    return "true" if value else "false"


def notification_message(
    parent: etree._Element,
    event: Event,
    camera: CameraConfig,
    producer: str,
    subscription: str | None = None,
) -> None:
    """Append one wsnt:NotificationMessage for ``event`` to ``parent``."""
    message_el = sub(parent, "wsnt:NotificationMessage")
    if subscription is not None:
        sub(sub(message_el, "wsnt:SubscriptionReference"), "wsa:Address", subscription)
    sub(message_el, "wsnt:Topic", event.topic.name, Dialect=CONCRETE_SET)
    sub(sub(message_el, "wsnt:ProducerReference"), "wsa:Address", producer)
    body = sub(
        sub(message_el, "wsnt:Message"),
        "tt:Message",
        UtcTime=camera.knobs.bad_utc_time or format_utc(event.at),
        PropertyOperation=event.operation,
    )
    name, _, value = SOURCE_ITEM
    sub(sub(body, "tt:Source"), "tt:SimpleItem", Name=name, Value=value)
    sub(
        sub(body, "tt:Data"),
        "tt:SimpleItem",
        Name=event.topic.data_item,
        Value=bool_text(camera, event.state),
    )


def action(uri: str) -> etree._Element:
    """The WS-Addressing Action header block the event WSDL declares for a message."""
    return element(WSA_ACTION, uri)
