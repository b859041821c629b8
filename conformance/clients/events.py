"""Event-service client helpers: pull points, base-notification subscriptions and a consumer.

Why raw replies as well as zeep's: zeep drops the text of mixed-content elements such as
``wsnt:Topic`` and turns times into datetimes (losing whether the device wrote the ``Z`` the
ONVIF Core requires), so every helper returns the reply's SOAP Body child as lxml too, read back
from the client's own transcript; checks judge that. Every call is bounded (the client's
timeout; pull Timeouts are kept below it), every subscription the suite creates is remembered
and :meth:`EventSession.close` unsubscribes what is left, reporting what happened.
"""

from __future__ import annotations

import contextlib
import http.server
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from conformance.clients.onvif import OnvifError, parse_xml_safely
from conformance.dut import SERVICE_NAMESPACES, DeviceUnderTest, same_authority
from conformance.outcomes import Inconclusive
from conformance.xsd_types import datetime_text, duration_text

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSNT = "http://docs.oasis-open.org/wsn/b-2"
WSA = "http://www.w3.org/2005/08/addressing"
BW2 = "http://docs.oasis-open.org/wsn/bw-2/"
TOPICS_NS = "http://www.onvif.org/ver10/topics"
CONCRETE_SET = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
MAX_CONSUMER_BODY = 1024 * 1024
MAX_CONSUMER_MESSAGES = 200


@dataclass
class Subscription:
    """A subscription the suite created: where the device said it lives and where we reach it."""

    kind: str  # "pullpoint" | "base"
    address: str
    """SubscriptionReference/Address exactly as the device returned it."""
    url: str
    """The same address on the device's own host and port (see ``dut.same_authority``)."""
    reply: etree._Element
    """The creation reply's Body child."""
    created_at: float = field(default_factory=time.monotonic)
    closed: bool = False


@dataclass
class Pulled:
    """One PullMessages answer."""

    reply: etree._Element
    elapsed_s: float
    timeout_s: float
    limit: int


def last_reply(device: DeviceUnderTest) -> etree._Element:
    """The SOAP Body child of the device's most recent answer, from the client's transcript."""
    exchange = device.onvif.exchanges[-1]
    root = parse_xml_safely(exchange.response_xml.encode("utf-8"))
    body = root.find(f"{{{SOAP12_ENV}}}Body")
    if body is None or not len(body):
        from conformance.clients.onvif import OnvifProtocolError

        raise OnvifProtocolError(f"{exchange.operation} reply has no SOAP 1.2 Body")
    return body[0]


def topic_filter(expression: str) -> dict[str, Any]:
    """A wsnt:Filter holding one ConcreteSet TopicExpression (``tns1:`` declared on it)."""
    element = etree.Element(
        f"{{{WSNT}}}TopicExpression", Dialect=CONCRETE_SET, nsmap={"tns1": TOPICS_NS}
    )
    element.text = expression
    return {"_value_1": [element]}


def ws_addressing(action: str, to: str) -> list[etree._Element]:
    """wsa:Action, wsa:MessageID and wsa:To for operations whose WSDL (OASIS bw-2) declares no
    action, so zeep adds none; ONVIF Core requires WS-Addressing on event requests (Q21/Q23)."""
    headers = []
    for name, value in (("Action", action), ("MessageID", f"urn:uuid:{uuid.uuid4()}"), ("To", to)):
        header = etree.Element(f"{{{WSA}}}{name}", nsmap={"wsa": WSA})
        header.text = value
        headers.append(header)
    return headers


def absolute_in_text(now: datetime, seconds: float) -> str:
    """``now`` plus ``seconds`` as an xs:dateTime in UTC with "Z" (valid for any input).

    Whole seconds, as the suite always sent: fractions are valid xs:dateTime, but some field
    devices parse InitialTerminationTime with a fixed format."""
    return datetime_text(now + timedelta(seconds=max(0.0, seconds)))


def absolute_in(device: DeviceUnderTest, seconds: float) -> str:
    """An absolute UTC time ``seconds`` from now on the device's clock (as a Z-time string)."""
    return absolute_in_text(device.onvif.device_now(), seconds)


def relative(seconds: float) -> str:
    """A relative time (InitialTerminationTime, Renew) as an xs:duration."""
    return duration_text(seconds)


class NoEventService(Inconclusive):
    """GetServices lists no Event service (the suite judges it: see suites/events/conftest)."""


class EventSession:
    """Event operations on one device, remembering every subscription to clean it up."""

    def __init__(self, device: DeviceUnderTest) -> None:
        self.device = device
        self.subscriptions: list[Subscription] = []

    def __enter__(self) -> EventSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the event service ------------------------------------------------------------------
    @property
    def events_url(self) -> str:
        url = self.device.service_url(SERVICE_NAMESPACES["events"])
        if url is None:
            raise NoEventService("GetServices lists no event service")
        return url

    def call_events(self, operation: str, **params: Any) -> etree._Element:
        self.device.onvif.call("events", operation, url=self.events_url, **params)
        return last_reply(self.device)

    def capabilities(self) -> etree._Element:
        """The tev:Capabilities element of GetServiceCapabilities."""
        reply = self.call_events("GetServiceCapabilities")
        found = next((c for c in reply if isinstance(c.tag, str)), None)
        return found if found is not None else etree.Element("Capabilities")

    def create_pull_point(
        self, termination: str | None = None, topic: str | None = None
    ) -> Subscription:
        params: dict[str, Any] = {}
        if termination is not None:
            params["InitialTerminationTime"] = termination
        if topic is not None:
            params["Filter"] = topic_filter(topic)
        reply = self.call_events("CreatePullPointSubscription", **params)
        return self._remember("pullpoint", reply)

    def subscribe(self, consumer_url: str, termination: str | None = None) -> Subscription:
        params: dict[str, Any] = {"ConsumerReference": {"Address": {"_value_1": consumer_url}}}
        if termination is not None:
            params["InitialTerminationTime"] = termination
        params["_soapheaders"] = ws_addressing(
            BW2 + "NotificationProducer/SubscribeRequest", self.events_url
        )
        self.device.onvif.call("notification", "Subscribe", url=self.events_url, **params)
        return self._remember("base", last_reply(self.device))

    def _remember(self, kind: str, reply: etree._Element) -> Subscription:
        address = (reply.findtext(".//{http://www.w3.org/2005/08/addressing}Address") or "").strip()
        if not address:
            from conformance.clients.onvif import OnvifProtocolError

            raise OnvifProtocolError("the reply carries no SubscriptionReference/Address")
        subscription = Subscription(
            kind, address, same_authority(address, self.device.device.onvif_url), reply
        )
        self.subscriptions.append(subscription)
        return subscription

    # -- a subscription ---------------------------------------------------------------------
    def pull(self, subscription: Subscription, timeout_s: float, limit: int) -> Pulled:
        """PullMessages; the Timeout is kept 1 s under the client's, so it never times out.

        The Timeout sent is :func:`duration_text` of the wanted seconds (valid for any float);
        ``Pulled.timeout_s`` is exactly what that text says, so checks judge what was asked.
        """
        timeout_text = duration_text(min(timeout_s, self.device.timeout - 1.0))
        started = time.monotonic()
        self.device.onvif.call(
            "pullpoint",
            "PullMessages",
            url=subscription.url,
            Timeout=timeout_text,
            MessageLimit=limit,
        )
        elapsed = time.monotonic() - started
        return Pulled(last_reply(self.device), elapsed, float(timeout_text[2:-1]), limit)

    def pull_until(
        self,
        subscription: Subscription,
        done: Any,
        wait_s: float,
        *,
        pull_timeout_s: float = 2.0,
        limit: int = 100,
    ) -> list[etree._Element]:
        """Pull repeatedly until ``done(messages)`` or ``wait_s`` passes; every message seen."""
        messages: list[etree._Element] = []
        deadline = time.monotonic() + wait_s
        while True:
            remaining = deadline - time.monotonic()
            pulled = self.pull(subscription, min(pull_timeout_s, max(remaining, 0.0)), limit)
            messages += pulled.reply.findall(f"{{{WSNT}}}NotificationMessage")
            if done(messages) or time.monotonic() >= deadline:
                return messages

    def sync_point(self, subscription: Subscription) -> None:
        self.device.onvif.call("pullpoint", "SetSynchronizationPoint", url=subscription.url)

    def renew(self, subscription: Subscription, termination: str) -> etree._Element:
        self.device.onvif.call(
            "subscription",
            "Renew",
            url=subscription.url,
            TerminationTime=termination,
            _soapheaders=ws_addressing(BW2 + "SubscriptionManager/RenewRequest", subscription.url),
        )
        return last_reply(self.device)

    def unsubscribe(self, subscription: Subscription) -> None:
        self.device.onvif.call(
            "subscription",
            "Unsubscribe",
            url=subscription.url,
            _soapheaders=ws_addressing(
                BW2 + "SubscriptionManager/UnsubscribeRequest", subscription.url
            ),
        )
        subscription.closed = True

    def close(self) -> list[str]:
        """Unsubscribe everything still open; what happened to each, for the evidence."""
        report = []
        for subscription in self.subscriptions:
            if subscription.closed:
                report.append(f"{subscription.kind} {subscription.address}: unsubscribed")
                continue
            try:
                self.unsubscribe(subscription)
                report.append(f"{subscription.kind} {subscription.address}: unsubscribed")
            except OnvifError as exc:
                subscription.closed = True
                report.append(f"{subscription.kind} {subscription.address}: already gone ({exc})")
        return report


def local_address_towards(device_url: str) -> str:
    """The local address this host uses to reach the device (the route's source address).

    Why: a notification consumer must listen where the device can reach it. A UDP "connect"
    sends nothing; it only makes the kernel pick the route and so the source address. A device
    on loopback gets 127.0.0.1; a device on the lab network gets this host's lab address.
    """
    parts = urlsplit(device_url)
    host = parts.hostname or "127.0.0.1"
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((host, parts.port or 80))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


class NotificationConsumer:
    """A WS-BaseNotification consumer on a free port, for the duration of a test.

    It listens on ``host`` only: by default the local address the suite uses to reach the
    device (so a device on the lab network can reach it, and nothing else is exposed), or the
    run's ``--consumer-address``. When that address is not local (a NAT or port-forward in the
    lab) it listens on ``bind_host`` and advertises ``host``. Bodies and message counts are
    capped.
    """

    @classmethod
    def towards(cls, device_url: str, address: str | None = None) -> NotificationConsumer:
        """A consumer the device at ``device_url`` can reach: on ``address`` (the run's
        ``--consumer-address``) if given, else on the local address that routes to it. An
        ``address`` that is not local (NAT) is advertised while listening on the route's."""
        route = local_address_towards(device_url)
        if not address:
            return cls(route)
        try:
            return cls(address)
        except OSError:
            return cls(address, bind_host=route)

    def __init__(self, host: str = "127.0.0.1", bind_host: str | None = None) -> None:
        self.host = host
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.path = f"/notify/{secrets.token_hex(6)}"
        consumer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, MAX_CONSUMER_BODY))
                if self.path == consumer.path:
                    consumer._receive(body)
                self.send_response(200 if self.path == consumer.path else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server_class = http.server.ThreadingHTTPServer
        if ":" in (bind_host or host):
            server_class = type("V6Server", (server_class,), {"address_family": socket.AF_INET6})
        self._server = server_class((bind_host or host, 0), Handler)
        self._server.timeout = 2
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_address[1]}{self.path}"

    def _receive(self, body: bytes) -> None:
        with self._arrived:
            if len(self.bodies) < MAX_CONSUMER_MESSAGES:
                self.bodies.append(body)
            self._arrived.notify_all()

    def messages(self) -> list[etree._Element]:
        """Every wsnt:NotificationMessage received so far (unparseable bodies are skipped)."""
        found = []
        with self._lock:
            bodies = list(self.bodies)
        for body in bodies:
            with contextlib.suppress(OnvifError):
                found += parse_xml_safely(body).iter(f"{{{WSNT}}}NotificationMessage")
        return found

    def wait(self, done: Any, wait_s: float) -> list[etree._Element]:
        """Wait until ``done(messages)`` or ``wait_s`` passes."""
        deadline = time.monotonic() + wait_s
        while True:
            messages = self.messages()
            remaining = deadline - time.monotonic()
            if done(messages) or remaining <= 0:
                return messages
            with self._arrived:
                self._arrived.wait(min(remaining, 0.5))

    def __enter__(self) -> NotificationConsumer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
