"""Event-service client helpers: pull points, base-notification subscriptions and a consumer.

Why raw replies as well as zeep's: zeep drops the text of mixed-content elements such as
``wsnt:Topic`` and turns times into datetimes (losing whether the device wrote the ``Z`` the
ONVIF Core requires), so every helper returns the reply's SOAP Body child as lxml too, read back
from the client's own transcript; checks judge that. Every call is bounded (the client's
timeout; pull Timeouts are kept below it), every subscription the suite creates is remembered
and :meth:`EventSession.close` unsubscribes what is left, reporting what happened.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from conformance.clients.event_consumer import (  # re-exported: part of the events API
    NotificationConsumer,
    local_address_towards,
)
from conformance.clients.onvif import (
    OnvifError,
    OnvifHttpError,
    OnvifTimeout,
    OnvifUnreachable,
    parse_xml_safely,
)
from conformance.dut import SERVICE_NAMESPACES, DeviceUnderTest, same_authority
from conformance.outcomes import Inconclusive
from conformance.xsd_types import datetime_text, duration_text

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSNT = "http://docs.oasis-open.org/wsn/b-2"
WSA = "http://www.w3.org/2005/08/addressing"
BW2 = "http://docs.oasis-open.org/wsn/bw-2/"
TOPICS_NS = "http://www.onvif.org/ver10/topics"
CONCRETE_SET = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
ITEM_FILTER = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
TT = "http://www.onvif.org/ver10/schema"


@dataclass
class Subscription:
    """A subscription the suite created: where the device said it lives and where we reach it."""

    kind: str  # "pullpoint" | "base"
    address: str
    """SubscriptionReference/Address exactly as the device returned it."""
    url: str
    """Where the suite calls it: the address as given, unless that cannot be used (see
    :meth:`EventSession._at`); then the same path at the event service's authority."""
    reply: etree._Element
    """The creation reply's Body child."""
    fallback: str
    """The same path at the authority the event service answered on."""
    created_at: float = field(default_factory=time.monotonic)
    closed: bool = False
    settled: bool = False
    """Whether the first call decided where the subscription is reached."""
    notes: list[str] = field(default_factory=list)


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


def topic_expression(expression: str, dialect: str = CONCRETE_SET) -> etree._Element:
    """A wsnt:TopicExpression (``tns1:`` declared on it) for a wsnt:Filter."""
    element = etree.Element(
        f"{{{WSNT}}}TopicExpression", Dialect=dialect, nsmap={"tns1": TOPICS_NS}
    )
    element.text = expression
    return element


def message_content(expression: str, dialect: str = ITEM_FILTER) -> etree._Element:
    """A wsnt:MessageContent (``tt:`` declared on it) for a wsnt:Filter."""
    element = etree.Element(f"{{{WSNT}}}MessageContent", Dialect=dialect, nsmap={"tt": TT})
    element.text = expression
    return element


def topic_filter(expression: str) -> dict[str, Any]:
    """A wsnt:Filter holding one ConcreteSet TopicExpression (``tns1:`` declared on it)."""
    return {"_value_1": [topic_expression(expression)]}


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
        self,
        termination: str | None = None,
        topic: str | None = None,
        filter_elements: list[etree._Element] | None = None,
    ) -> Subscription:
        """CreatePullPointSubscription; a Filter of one ConcreteSet ``topic`` or of the given
        wsnt:TopicExpression / wsnt:MessageContent elements."""
        params: dict[str, Any] = {}
        if termination is not None:
            params["InitialTerminationTime"] = termination
        if topic is not None:
            params["Filter"] = topic_filter(topic)
        if filter_elements:
            params["Filter"] = {"_value_1": filter_elements}
        reply = self.call_events("CreatePullPointSubscription", **params)
        return self._remember("pullpoint", reply)

    def subscribe(
        self,
        consumer_url: str,
        termination: str | None = None,
        filter_elements: list[etree._Element] | None = None,
    ) -> Subscription:
        """WS-BaseNotification Subscribe; a Filter of the given wsnt:TopicExpression /
        wsnt:MessageContent elements, if any."""
        params: dict[str, Any] = {"ConsumerReference": {"Address": {"_value_1": consumer_url}}}
        if filter_elements:
            params["Filter"] = {"_value_1": filter_elements}
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
            kind, address, address, reply, fallback=same_authority(address, self.events_url)
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

        def call(url: str) -> None:
            nonlocal started
            started = time.monotonic()
            self.device.onvif.call(
                "pullpoint", "PullMessages", url=url, Timeout=timeout_text, MessageLimit=limit
            )

        self._at(subscription, call)
        elapsed = time.monotonic() - started
        return Pulled(last_reply(self.device), elapsed, float(timeout_text[2:-1]), limit)

    def _at(self, subscription: Subscription, call: Any) -> None:
        """``call(url)`` at the subscription's address as the device gave it (another port or
        path than the device service's is legal). Only if its first use cannot reach it
        (refused, timeout, HTTP 404 or 5xx without a SOAP envelope) is the same path tried at
        the event service's authority, and kept, with a note: the address fault is
        ONVIF-DEV-XADDR-01's to judge, not the event checks'."""
        try:
            call(subscription.url)
        except (OnvifUnreachable, OnvifTimeout, OnvifHttpError) as exc:
            unusable = not isinstance(exc, OnvifHttpError) or (
                exc.http_status == 404 or exc.http_status >= 500
            )
            if subscription.settled or not unusable or subscription.fallback == subscription.url:
                raise
            subscription.notes.append(
                f"{subscription.address} could not be used ({exc}); reached it at "
                f"{subscription.fallback}"
            )
            subscription.url = subscription.fallback
            call(subscription.url)
        finally:
            subscription.settled = True

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
        self._at(
            subscription,
            lambda url: self.device.onvif.call("pullpoint", "SetSynchronizationPoint", url=url),
        )

    def renew(self, subscription: Subscription, termination: str) -> etree._Element:
        self._at(
            subscription,
            lambda url: self.device.onvif.call(
                "subscription",
                "Renew",
                url=url,
                TerminationTime=termination,
                _soapheaders=ws_addressing(BW2 + "SubscriptionManager/RenewRequest", url),
            ),
        )
        return last_reply(self.device)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._at(
            subscription,
            lambda url: self.device.onvif.call(
                "subscription",
                "Unsubscribe",
                url=url,
                _soapheaders=ws_addressing(BW2 + "SubscriptionManager/UnsubscribeRequest", url),
            ),
        )
        subscription.closed = True

    def close(self) -> list[str]:
        """Unsubscribe everything still open; what happened to each, for the evidence."""
        report = []
        for subscription in self.subscriptions:
            report += subscription.notes
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


__all__ = [
    "EventSession",
    "NoEventService",
    "NotificationConsumer",
    "Pulled",
    "Subscription",
    "absolute_in",
    "absolute_in_text",
    "last_reply",
    "local_address_towards",
    "message_content",
    "relative",
    "topic_expression",
    "topic_filter",
    "ws_addressing",
]
