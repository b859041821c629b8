"""The simulated Event service's subscription filters, filter faults and pull-point termination.

On the wire, as any client sees them: ConcreteSet topic filters (with the ONVIF topic namespace
bound to any prefix), ItemFilter message content filters, the WS-BaseNotification faults for
filters it cannot honour (schema-valid detail elements), and the knobs that break each.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree
from test_event_schema import (
    EVENT_PATH,
    NS,
    TT,
    Client,
    address_of,
    assert_valid,
    pull,
    service_schema,
)

from fake_vms.onvif.event_service import MAX_PULL_POINTS
from fake_vms.onvif.server import OnvifServer
from fake_vms.onvif.shaping import long_token
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, apply_persona

TEV = "http://www.onvif.org/ver10/events/wsdl"
TOPICS = "http://www.onvif.org/ver10/topics"
CONCRETE_SET = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
ITEM_FILTER = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
MOTION = "VideoSource/MotionAlarm"


@pytest.fixture
def make_client(run_async_server: Callable[[Any], Any]) -> Callable[[CameraConfig], Client]:
    def make(camera: CameraConfig) -> Client:
        server = run_async_server(OnvifServer(camera, rtsp_port=8554))
        return Client(camera, server.port)

    return make


def create(
    topic: str | None = None, content: str | None = None, dialect: str = CONCRETE_SET
) -> str:
    """CreatePullPointSubscription with a Filter; the topic namespace is bound to ``ev``."""
    parts = []
    if topic is not None:
        parts.append(
            f'<wsnt:TopicExpression Dialect="{dialect}" xmlns:ev="{TOPICS}">{topic}'
            "</wsnt:TopicExpression>"
        )
    if content is not None:
        parts.append(
            f'<wsnt:MessageContent Dialect="{ITEM_FILTER}" xmlns:tt="{TT}">{content}'
            "</wsnt:MessageContent>"
        )
    return (
        "<tev:CreatePullPointSubscription><tev:Filter>"
        + "".join(parts)
        + "</tev:Filter><tev:InitialTerminationTime>PT60S</tev:InitialTerminationTime>"
        "</tev:CreatePullPointSubscription>"
    )


def initialized(client, body: str) -> list[str]:
    """Topics of the Initialized messages a pull point created with ``body`` sends first."""
    address = address_of(client.event(body))
    reply = client.call(address, pull(limit=100))
    client.call(address, "<wsnt:Unsubscribe/>")
    return sorted(
        (m.findtext("wsnt:Topic", namespaces=NS) or "").strip()
        for m in reply.iterfind(".//wsnt:NotificationMessage", NS)
        if m.find(".//tt:Message", NS).get("PropertyOperation") == "Initialized"
    )


def test_topic_filters_select_topics_or_and_subtrees(make_client) -> None:
    client = make_client(CameraConfig(name="cam-01"))
    everything = initialized(client, create())
    assert len(everything) == 3
    assert initialized(client, create(f"ev:{MOTION}")) == [f"tns1:{MOTION}"]
    tamper = [t for t in everything if "GlobalSceneChange" in t]
    assert initialized(client, create("ev:VideoSource/GlobalSceneChange//.")) == tamper
    assert initialized(client, create(f"ev:VideoSource/GlobalSceneChange//.|ev:{MOTION}")) == (
        sorted([*tamper, f"tns1:{MOTION}"])
    )
    assert initialized(client, create("ev:VideoSource//.")) == everything
    assert initialized(client, create("ev:Device/Trigger")) == []


def test_message_content_filter_selects_by_simple_item(make_client) -> None:
    client = make_client(CameraConfig(name="cam-01"))
    everything = initialized(client, create())
    source = 'boolean(//tt:SimpleItem[@Name="Source" and @Value="video_source_1"])'
    assert initialized(client, create(content=source)) == everything
    other = "boolean(//tt:SimpleItem[@Name='Source' and @Value='elsewhere'])"
    assert initialized(client, create(content=other)) == []
    assert initialized(client, create(f"ev:{MOTION}", source)) == [f"tns1:{MOTION}"]


def _fault(client, body: str) -> tuple[list[str], etree._Element]:
    root = client.post(client.base + EVENT_PATH, body, status=400)
    subcodes = [v.text for v in root.iterfind(".//env:Subcode/env:Value", NS)]
    detail = root.find(".//env:Detail", NS)[0]
    document = etree.ElementTree(etree.fromstring(etree.tostring(detail)))
    schema = service_schema(TEV)
    assert schema.validate(document), schema.error_log
    return subcodes, detail


def test_filters_it_cannot_honour_are_refused_with_wsnt_faults(make_client) -> None:
    client = make_client(CameraConfig(name="cam-01"))
    cases = (
        (create("ev:VideoSource/[MotionAlarm"), "InvalidTopicExpressionFault"),
        (create("undeclared:VideoSource"), "InvalidTopicExpressionFault"),
        (
            create(f"ev:{MOTION}", dialect="urn:no-such-dialect"),
            "TopicExpressionDialectUnknownFault",
        ),
        (
            create(content='boolean(//tt:SimpleItem[@Name="Source" and '),
            "InvalidMessageContentExpressionFault",
        ),
    )
    for body, name in cases:
        subcodes, detail = _fault(client, body)
        assert subcodes == ["ter:InvalidArgVal"]
        assert etree.QName(detail) == etree.QName(NS["wsnt"], name)
    # nothing was created: every pull point is still free
    addresses = [address_of(client.event(create())) for _ in range(MAX_PULL_POINTS)]
    for address in addresses:
        client.call(address, "<wsnt:Unsubscribe/>")


def test_filters_ignored_knob_delivers_everything(make_client) -> None:
    camera = apply_persona(CameraConfig(name="cam-01"), PERSONAS["event-filters-ignored"])
    client = make_client(camera)
    assert initialized(client, create(f"ev:{MOTION}")) == initialized(client, create())


def test_invalid_filters_accepted_knob_creates_the_pull_point(make_client) -> None:
    camera = apply_persona(CameraConfig(name="cam-01"), PERSONAS["event-filter-faults-missing"])
    client = make_client(camera)
    created = client.event(create("ev:VideoSource/[MotionAlarm"))
    assert_valid(created)
    client.call(address_of(created), "<wsnt:Unsubscribe/>")


def _expiring(client) -> str:
    expires = int(time.time()) + 2
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
    address = address_of(
        client.event(
            "<tev:CreatePullPointSubscription><tev:InitialTerminationTime>"
            f"{soon}</tev:InitialTerminationTime></tev:CreatePullPointSubscription>"
        )
    )
    time.sleep(max(0.0, expires - time.time() + 0.3))
    return address


def test_unrenewed_pull_point_ends_and_the_grace_knob_keeps_it(make_client) -> None:
    client = make_client(CameraConfig(name="cam-01"))
    assert (
        client.post(_expiring(client), pull("PT0S"), status=400).find(".//env:Fault", NS)
        is not None
    )
    camera = apply_persona(CameraConfig(name="cam-01"), PERSONAS["pull-point-outlives-termination"])
    late = make_client(camera)
    address = _expiring(late)
    late.call(address, pull("PT0S"))
    late.call(address, "<wsnt:Unsubscribe/>")


def test_long_tokens_inside_a_content_filter_are_understood(make_client) -> None:
    """The long-tokens oddity names its video source with a long token on the wire; a client
    filtering on that token (inside the ItemFilter expression) gets the messages carrying it."""
    camera = apply_persona(CameraConfig(name="cam-01"), PERSONAS["long-tokens"])
    client = make_client(camera)
    everything = initialized(client, create())
    source = long_token("video_source_1")
    expression = f'boolean(//tt:SimpleItem[@Name="Source" and @Value="{source}"])'
    assert initialized(client, create(content=expression)) == everything
