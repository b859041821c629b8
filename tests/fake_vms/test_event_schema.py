"""The simulated Event service: every reply validates against the ONVIF/OASIS schemas, and the
pull-point and base-notification life cycles behave as ONVIF Core 9 describes.

Replies are validated against the event WSDL's schema (which imports WS-BaseNotification,
WS-Topics and WS-Addressing); the tt:Message payloads inside wsnt:Message are lax wildcards
there, so each is validated again against onvif.xsd (through the Media WSDL, which imports it).
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from lxml import etree
from requests.auth import HTTPDigestAuth
from test_onvif_schema import ENV, TRT, TT, service_schema

from fake_vms.onvif.event_service import MAX_PULL_POINTS
from fake_vms.onvif.server import OnvifServer
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, apply_persona

TEV = "http://www.onvif.org/ver10/events/wsdl"
WSNT = "http://docs.oasis-open.org/wsn/b-2"
WSA = "http://www.w3.org/2005/08/addressing"
EVENT_PATH = "/onvif/event_service"
NS = {"tev": TEV, "wsnt": WSNT, "wsa": WSA, "tt": TT, "env": ENV}
SCHEMA_INVALID_BY_DESIGN = {"bad-utctime"}
"""Personas whose notifications are invalid on purpose (test_bad_utctime_is_schema_invalid)."""
EVENT_PERSONAS = sorted(
    name
    for name, persona in PERSONAS.items()
    if any(b.startswith("EVENT-") for b in persona.breaks)
    and persona.knobs.event_service_offered
    and name not in SCHEMA_INVALID_BY_DESIGN
)


def envelope(body: str, to: str | None = None) -> str:
    header = f"<s:Header><wsa:To>{to}</wsa:To></s:Header>" if to else ""
    return (
        f'<s:Envelope xmlns:s="{ENV}" xmlns:tev="{TEV}" xmlns:wsnt="{WSNT}" xmlns:wsa="{WSA}">'
        f"{header}<s:Body>{body}</s:Body></s:Envelope>"
    )


class Client:
    """Raw SOAP over HTTP Digest, as a minimal event client would send it."""

    def __init__(self, camera: CameraConfig, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()
        self.session.auth = HTTPDigestAuth(camera.username, camera.password)

    def post(self, url: str, body: str, status: int = 200) -> etree._Element:
        reply = self.session.post(url, data=envelope(body, url), timeout=10)
        assert reply.status_code == status, (body, reply.text)
        root = etree.fromstring(reply.content)
        return root

    def call(self, url: str, body: str) -> etree._Element:
        """The validated Body child of a successful reply."""
        root = self.post(url, body)
        child = root.find(f"{{{ENV}}}Body")[0]
        assert_valid(child)
        return child

    def event(self, body: str) -> etree._Element:
        return self.call(self.base + EVENT_PATH, body)


def assert_valid(element: etree._Element) -> None:
    schema = service_schema(TEV)
    document = etree.ElementTree(etree.fromstring(etree.tostring(element)))
    if not schema.validate(document):
        raise AssertionError(f"{etree.QName(element).localname}: {schema.error_log}")
    for message in element.iterfind(".//tt:Message", NS):
        payload = etree.ElementTree(etree.fromstring(etree.tostring(message)))
        media = service_schema(TRT)
        if not media.validate(payload):
            raise AssertionError(f"tt:Message: {media.error_log}")


CREATE = (
    "<tev:CreatePullPointSubscription>"
    "<tev:InitialTerminationTime>PT60S</tev:InitialTerminationTime>"
    "</tev:CreatePullPointSubscription>"
)


def pull(timeout: str = "PT1S", limit: int = 10) -> str:
    return (
        f"<tev:PullMessages><tev:Timeout>{timeout}</tev:Timeout>"
        f"<tev:MessageLimit>{limit}</tev:MessageLimit></tev:PullMessages>"
    )


def address_of(reply: etree._Element) -> str:
    return reply.findtext(".//wsa:Address", namespaces=NS).strip()


def operations_of(reply: etree._Element) -> list[str]:
    return [m.get("PropertyOperation") for m in reply.iterfind(".//tt:Message", NS)]


@pytest.fixture
def make_client(run_async_server: Callable[[Any], Any]) -> Callable[[CameraConfig], Client]:
    def make(camera: CameraConfig) -> Client:
        server = run_async_server(OnvifServer(camera, rtsp_port=8554))
        return Client(camera, server.port)

    return make


@pytest.mark.parametrize("persona", ["conformant", *EVENT_PERSONAS])
def test_pull_point_life_cycle_is_schema_valid(
    persona: str, make_client: Callable[[CameraConfig], Client]
) -> None:
    camera = CameraConfig(name="cam-01")
    if persona != "conformant":
        camera = apply_persona(camera, PERSONAS[persona])
    client = make_client(camera)
    capabilities = client.event("<tev:GetServiceCapabilities/>")
    assert int(capabilities[0].get("MaxPullPoints")) == MAX_PULL_POINTS
    properties = client.event("<tev:GetEventProperties/>")
    assert (
        properties.find("wstop:TopicSet", {"wstop": "http://docs.oasis-open.org/wsn/t-1"})
        is not None
    )
    absolute = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    created = client.event(
        "<tev:CreatePullPointSubscription><tev:InitialTerminationTime>"
        f"{absolute}</tev:InitialTerminationTime></tev:CreatePullPointSubscription>"
    )
    address = address_of(created)
    assert address.startswith(client.base + EVENT_PATH + "/")
    first = client.call(address, pull())
    assert "Initialized" in operations_of(first)
    client.call(address, "<tev:SetSynchronizationPoint/>")
    client.call(address, pull())
    client.call(
        address,
        f"<wsnt:Renew><wsnt:TerminationTime>{absolute}</wsnt:TerminationTime></wsnt:Renew>",
    )
    client.call(address, "<wsnt:Unsubscribe/>")
    gone = client.post(address, pull(), status=400)
    assert gone.find(".//env:Fault", NS) is not None


def test_relative_time_honoured_and_sync_point_resends(make_client) -> None:
    client = make_client(CameraConfig(name="cam-01"))
    created = client.event(CREATE)
    current = created.findtext("wsnt:CurrentTime", namespaces=NS)
    termination = created.findtext("wsnt:TerminationTime", namespaces=NS)
    assert current.endswith("Z") and termination.endswith("Z")
    from datetime import datetime

    lifetime = datetime.fromisoformat(termination) - datetime.fromisoformat(current)
    assert 59 <= lifetime.total_seconds() <= 61
    address = address_of(created)
    assert operations_of(client.call(address, pull(limit=100))).count("Initialized") >= 2
    client.call(address, "<tev:SetSynchronizationPoint/>")
    assert "Initialized" in operations_of(client.call(address, pull(limit=100)))
    client.call(address, "<wsnt:Unsubscribe/>")


def test_pull_messages_waits_for_events_within_timeout(make_client) -> None:
    client = make_client(CameraConfig(name="cam-01"))
    address = address_of(client.event(CREATE))
    client.call(address, pull(limit=100))  # drain the Initialized states
    started = time.monotonic()
    reply = client.call(address, pull("PT3S", 1))
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, "motion changes every second: the pull must return with it"
    assert operations_of(reply) == ["Changed"]
    client.call(address, "<wsnt:Unsubscribe/>")


def test_pull_point_limit_and_recovery(make_client) -> None:
    client = make_client(CameraConfig(name="cam-01"))
    addresses = [address_of(client.event(CREATE)) for _ in range(MAX_PULL_POINTS)]
    refused = client.post(client.base + EVENT_PATH, CREATE, status=500)
    assert refused.find(".//env:Fault", NS) is not None
    client.call(addresses[0], "<wsnt:Unsubscribe/>")
    addresses[0] = address_of(client.event(CREATE))
    for address in addresses:
        client.call(address, "<wsnt:Unsubscribe/>")


class _Consumer(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def consumer() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []
    handler = type("Consumer", (_Consumer,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/notify", received
    server.shutdown()
    server.server_close()


def test_base_notification_delivers_notify(make_client, consumer) -> None:
    url, received = consumer
    client = make_client(CameraConfig(name="cam-01"))
    reply = client.event(
        f"<wsnt:Subscribe><wsnt:ConsumerReference><wsa:Address>{url}</wsa:Address>"
        "</wsnt:ConsumerReference><wsnt:InitialTerminationTime>PT30S"
        "</wsnt:InitialTerminationTime></wsnt:Subscribe>"
    )
    address = address_of(reply)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(received) < 2:
        time.sleep(0.05)
    assert received, "no Notify reached the consumer"
    for body in received:
        notify = etree.fromstring(body).find(f"{{{ENV}}}Body")[0]
        assert etree.QName(notify).localname == "Notify"
        assert_valid(notify)
    client.call(
        address, "<wsnt:Renew><wsnt:TerminationTime>PT20S</wsnt:TerminationTime></wsnt:Renew>"
    )
    client.call(address, "<wsnt:Unsubscribe/>")


def test_non_loopback_consumer_is_refused(make_client) -> None:
    client = make_client(CameraConfig(name="cam-01"))
    refused = client.post(
        client.base + EVENT_PATH,
        "<wsnt:Subscribe><wsnt:ConsumerReference><wsa:Address>http://192.0.2.1/notify"
        "</wsa:Address></wsnt:ConsumerReference></wsnt:Subscribe>",
        status=400,
    )
    assert refused.find(".//env:Fault", NS) is not None


def test_expired_pull_points_are_removed(make_client) -> None:
    """Expiry frees capacity: state stays bounded even if a client never unsubscribes."""
    client = make_client(CameraConfig(name="cam-01"))
    expires = int(time.time()) + 2
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
    create_soon = (
        "<tev:CreatePullPointSubscription><tev:InitialTerminationTime>"
        f"{soon}</tev:InitialTerminationTime></tev:CreatePullPointSubscription>"
    )
    addresses = [address_of(client.event(create_soon)) for _ in range(MAX_PULL_POINTS)]
    client.post(client.base + EVENT_PATH, CREATE, status=500)
    time.sleep(max(0.0, expires - time.time() + 0.1))
    assert client.post(addresses[0], pull(), status=400).find(".//env:Fault", NS) is not None
    client.call(address_of(client.event(CREATE)), "<wsnt:Unsubscribe/>")


def test_bad_utctime_is_schema_invalid(make_client) -> None:
    """The bad-utctime persona's UtcTime ends in Z but is no xs:dateTime: libxml2 agrees."""
    client = make_client(apply_persona(CameraConfig(name="cam-01"), PERSONAS["bad-utctime"]))
    address = address_of(client.event(CREATE))
    reply = client.post(address, pull(limit=100))
    message = reply.find(".//tt:Message", NS)
    assert message.get("UtcTime") == "2026-13-01T00:00:00Z"
    with pytest.raises(AssertionError, match="UtcTime"):
        assert_valid(reply.find(f"{{{ENV}}}Body")[0])


def test_no_event_service_is_absent(make_client) -> None:
    client = make_client(apply_persona(CameraConfig(name="cam-01"), PERSONAS["no-event-service"]))
    reply = client.session.post(client.base + EVENT_PATH, data=envelope(CREATE), timeout=10)
    assert reply.status_code == 404


def test_notify_needs_routable_says_why_in_detail(make_client) -> None:
    client = make_client(
        apply_persona(CameraConfig(name="cam-01"), PERSONAS["notify-needs-routable"])
    )
    body = (
        "<wsnt:Subscribe><wsnt:ConsumerReference><wsa:Address>http://127.0.0.1:9/n"
        "</wsa:Address></wsnt:ConsumerReference></wsnt:Subscribe>"
    )
    fault = client.post(client.base + EVENT_PATH, body, status=400)
    detail = fault.findtext(".//env:Detail", namespaces=NS)
    assert "127.0.0.1 is not routable" in detail


def test_stimulus_endpoint_raises_motion_on_a_quiet_camera(make_client) -> None:
    camera = CameraConfig(name="cam-01")
    object.__setattr__(camera, "instrumentation", False)  # before the site flag exists
    client = make_client(camera)
    address = address_of(client.event(CREATE))
    client.call(address, pull(limit=100))  # drain the Initialized states
    quiet = client.call(address, pull("PT1.5S", 10))
    assert operations_of(quiet) == [], "instrumentation off: nothing happens on its own"
    anonymous = requests.post(client.base + "/stimulus?kind=motion", timeout=10)
    assert anonymous.status_code == 401
    made = client.session.post(client.base + "/stimulus?kind=motion", timeout=10)
    assert made.status_code == 200, made.text
    assert client.session.post(client.base + "/stimulus?kind=smoke", timeout=10).status_code == 400
    changed = client.call(address, pull("PT3S", 10))
    states = [
        (m.get("PropertyOperation"), m.find("tt:Data/tt:SimpleItem", NS).get("Value"))
        for m in changed.iterfind(".//tt:Message", NS)
    ]
    assert states[0] == ("Changed", "true")
    time.sleep(1.1)
    after = client.call(address, pull("PT1S", 10))
    assert ("Changed", "false") in [
        (m.get("PropertyOperation"), m.find("tt:Data/tt:SimpleItem", NS).get("Value"))
        for m in after.iterfind(".//tt:Message", NS)
    ]
