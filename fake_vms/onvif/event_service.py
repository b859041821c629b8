"""The ONVIF Event service (tev) of one simulated camera: pull points and base notification.

ONVIF Core 9 requires the Real-time Pull-Point Notification Interface (CreatePullPointSubscription,
PullMessages, Renew, Unsubscribe, SetSynchronizationPoint) and, for Profile S, WS-BaseNotification
(Subscribe, with Notify POSTed to the client's consumer). Each subscription has its own address
below /onvif/event_service; state is bounded: expired subscriptions are removed, at most
MAX_PULL_POINTS pull points and MAX_BASE_SUBSCRIPTIONS base subscriptions exist at once, and
each queue keeps at most QUEUE_LIMIT messages. Every wait is bounded and runs on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import deque
from dataclasses import dataclass, field

from lxml import etree

from fake_vms.clock import device_now
from fake_vms.onvif import event_xml
from fake_vms.onvif.event_bus import (
    CONCRETE_SET,
    WS_TOPIC_CONCRETE,
    Event,
    camera_topics,
    changes_between,
    epoch_plus,
    format_utc,
    initialized,
    next_change_after,
    parse_date_time,
    parse_duration,
)
from fake_vms.onvif.event_filters import SubscriptionFilter, parse_filter
from fake_vms.onvif.event_notify import check_consumer, post_notify
from fake_vms.onvif.event_stimulus import Stimuli
from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.reply import REQUEST_PATH, Reply
from fake_vms.onvif.soap import NSMAP, Operation, SoapFault, child_text, element, sub

EVENT_PATH = "/onvif/event_service"
PULLPOINT_PREFIX = EVENT_PATH + "/pullpoint/"
SUBSCRIPTION_PREFIX = EVENT_PATH + "/subscription/"
MAX_PULL_POINTS = 4
MAX_BASE_SUBSCRIPTIONS = 8
MAX_NOTIFICATION_PRODUCERS = 8
MAX_PULL_TIMEOUT_S = 60.0
MAX_MESSAGE_LIMIT = 1000
DEFAULT_TERMINATION_S = 60.0
MAX_TERMINATION_S = 3600.0
QUEUE_LIMIT = 256
NOTIFY_BATCH = 50

WSNT = NSMAP["wsnt"]
TEV_ACTION = "http://www.onvif.org/ver10/events/wsdl/"
BW2_ACTION = "http://docs.oasis-open.org/wsn/bw-2/"
TOPIC_NAMESPACE_LOCATION = "http://www.onvif.org/onvif/ver10/topics/topicns.xml"
ITEM_FILTER = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
SCHEMA_LOCATION = "http://www.onvif.org/onvif/ver10/schema/onvif.xsd"


@dataclass
class Subscription:
    """A pull point or a base-notification subscription; times are device-clock epoch seconds."""

    id: str
    kind: str  # "pullpoint" | "base"
    path: str
    address: str
    termination: float
    filter: SubscriptionFilter
    cursor: float
    pending: deque[Event] = field(default_factory=lambda: deque(maxlen=QUEUE_LIMIT))
    consumer: str | None = None
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


def resource_unknown() -> SoapFault:
    """The subscription was unsubscribed, expired or never existed (WS-ResourceFramework)."""
    return SoapFault("Sender", ("InvalidArgVal",), "ResourceUnknown: no such subscription")


class EventService:
    """Event service operations for one camera; subscriptions live on this instance."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.camera = context.camera
        self.topics = camera_topics(context.camera)
        self.subscriptions: dict[str, Subscription] = {}
        self.stimuli = Stimuli()
        self._closed = False

    # -- registry interface ---------------------------------------------------------------------
    def operations(self) -> dict[str, Operation]:
        return {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetEventProperties": self.get_event_properties,
            "CreatePullPointSubscription": self.create_pull_point_subscription,
            "PullMessages": self.pull_messages,
            "SetSynchronizationPoint": self.set_synchronization_point,
            f"{{{WSNT}}}Subscribe": self.subscribe,
            f"{{{WSNT}}}Renew": self.renew,
            f"{{{WSNT}}}Unsubscribe": self.unsubscribe,
        }

    def capabilities(self) -> etree._Element:
        return element(
            "tev:Capabilities",
            WSSubscriptionPolicySupport=True,
            WSPausableSubscriptionManagerInterfaceSupport=False,
            MaxNotificationProducers=MAX_NOTIFICATION_PRODUCERS,
            MaxPullPoints=MAX_PULL_POINTS,
            PersistentNotificationStorage=False,
        )

    def legacy_capabilities(self, events: etree._Element, xaddr: str) -> None:
        """tt:Events of GetCapabilities."""
        sub(events, "tt:XAddr", xaddr)
        sub(events, "tt:WSSubscriptionPolicySupport", True)
        sub(events, "tt:WSPullPointSupport", True)
        sub(events, "tt:WSPausableSubscriptionManagerInterfaceSupport", False)

    async def close(self) -> None:
        """Stop delivering and wake every waiting PullMessages (the server is stopping)."""
        self._closed = True
        tasks = [s.task for s in self.subscriptions.values() if s.task is not None]
        for subscription in list(self.subscriptions.values()):
            self._drop(subscription)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.subscriptions.clear()

    def stimulate(self, kind: str) -> bool:
        """A scene change in front of the camera (POST /stimulus): wake every subscription."""
        accepted = self.stimuli.add(kind, self.now())
        for subscription in self.subscriptions.values():
            subscription.wakeup.set()
        return accepted

    # -- helpers --------------------------------------------------------------------------------
    def now(self) -> float:
        return device_now(self.camera).timestamp()

    def _reply(self, body: etree._Element, action: str) -> Reply:
        return Reply(body, [event_xml.action(action)])

    def _purge(self) -> None:
        """Remove expired subscriptions, so state stays bounded however clients behave."""
        now = self.now()
        grace = self.camera.knobs.termination_grace_s
        for subscription in list(self.subscriptions.values()):
            if subscription.termination + (grace if subscription.kind == "pullpoint" else 0) <= now:
                self._drop(subscription)

    def _drop(self, subscription: Subscription) -> None:
        self.subscriptions.pop(subscription.id, None)
        subscription.wakeup.set()

    def _current(self, kind: str | None = None) -> Subscription:
        """The live subscription the request path names, else a ResourceUnknown fault."""
        self._purge()
        path = REQUEST_PATH.get()
        for subscription in self.subscriptions.values():
            if subscription.path == path and kind in (None, subscription.kind):
                return subscription
        raise resource_unknown()

    def _termination(self, text: str | None, now: float, *, create: bool = False) -> float:
        """An AbsoluteOrRelativeTimeType value as device epoch seconds (bounded)."""
        text = (text or "").strip()
        if not text:
            return now + DEFAULT_TERMINATION_S
        if text.startswith("P"):
            if create and self.camera.knobs.relative_termination_rejected:
                raise SoapFault(
                    "Sender",
                    ("InvalidArgVal",),
                    "UnacceptableInitialTerminationTimeFault: relative times are not supported",
                )
            seconds = parse_duration(text)
            if seconds is None:
                raise SoapFault("Sender", ("InvalidArgVal",), f"Invalid duration {text!r}")
            if not create and self.camera.knobs.renew_relative_as_absolute:
                return epoch_plus(seconds).timestamp()
            return now + min(seconds, MAX_TERMINATION_S)
        moment = parse_date_time(text)
        if moment is None or moment.timestamp() <= now:
            raise SoapFault(
                "Sender",
                ("InvalidArgVal",),
                f"UnacceptableTerminationTimeFault: {text!r} is not a time in the future",
            )
        return min(moment.timestamp(), now + MAX_TERMINATION_S)

    def _new(self, kind: str, request: etree._Element, now: float) -> Subscription:
        selection = parse_filter(request, self.camera, format_utc(now))
        ident = secrets.token_hex(8)
        path = (PULLPOINT_PREFIX if kind == "pullpoint" else SUBSCRIPTION_PREFIX) + ident
        subscription = Subscription(
            id=ident,
            kind=kind,
            path=path,
            address=self.context.xaddr(path),
            termination=self._termination(
                child_text(request, "InitialTerminationTime"), now, create=True
            ),
            filter=selection,
            cursor=now,
        )
        self._queue(subscription, initialized(self.topics, now, self.stimuli))
        return subscription

    def _queue(self, subscription: Subscription, events: list[Event]) -> None:
        subscription.pending.extend(
            e for e in events if subscription.filter.matches(e, self.camera)
        )

    def _collect(self, subscription: Subscription) -> None:
        """Queue the state changes since the subscription's cursor."""
        now = self.now()
        self._queue(
            subscription, changes_between(self.topics, subscription.cursor, now, self.stimuli)
        )
        subscription.cursor = now

    def _messages(self, parent: etree._Element, events: list[Event], sub_address: str | None):
        producer = self.context.xaddr(EVENT_PATH)
        for event in events:
            event_xml.notification_message(parent, event, self.camera, producer, sub_address)

    def _time_pair(self, parent: etree._Element, prefix: str, termination: float) -> None:
        sub(parent, f"{prefix}:CurrentTime", format_utc(self.now()))
        sub(parent, f"{prefix}:TerminationTime", format_utc(termination))

    # -- event service endpoint -----------------------------------------------------------------
    def get_service_capabilities(self, _request: etree._Element) -> Reply:
        response = element("tev:GetServiceCapabilitiesResponse")
        response.append(self.capabilities())
        return self._reply(response, TEV_ACTION + "EventPortType/GetServiceCapabilitiesResponse")

    def get_event_properties(self, _request: etree._Element) -> Reply:
        response = element("tev:GetEventPropertiesResponse")
        sub(response, "tev:TopicNamespaceLocation", TOPIC_NAMESPACE_LOCATION)
        sub(response, "wsnt:FixedTopicSet", True)
        response.append(event_xml.topic_set(self.topics))
        sub(response, "wsnt:TopicExpressionDialect", CONCRETE_SET)
        sub(response, "wsnt:TopicExpressionDialect", WS_TOPIC_CONCRETE)
        sub(response, "tev:MessageContentFilterDialect", ITEM_FILTER)
        sub(response, "tev:MessageContentSchemaLocation", SCHEMA_LOCATION)
        return self._reply(response, TEV_ACTION + "EventPortType/GetEventPropertiesResponse")

    def create_pull_point_subscription(self, request: etree._Element) -> Reply:
        self._purge()
        limit = self.camera.knobs.pull_point_limit or MAX_PULL_POINTS
        if sum(s.kind == "pullpoint" for s in self.subscriptions.values()) >= limit:
            raise SoapFault(
                "Receiver", ("Action", "MaxPullPoints"), "Maximum number of pull points reached"
            )
        now = self.now()
        subscription = self._new("pullpoint", request, now)
        self.subscriptions[subscription.id] = subscription
        response = element("tev:CreatePullPointSubscriptionResponse")
        sub(sub(response, "tev:SubscriptionReference"), "wsa:Address", subscription.address)
        reported = now if self.camera.knobs.termination_time_is_now else subscription.termination
        sub(response, "wsnt:CurrentTime", format_utc(now))
        sub(response, "wsnt:TerminationTime", format_utc(reported))
        return self._reply(
            response, TEV_ACTION + "EventPortType/CreatePullPointSubscriptionResponse"
        )

    def subscribe(self, request: etree._Element) -> Reply:
        """WS-BaseNotification Subscribe: Notify goes to the consumer, loopback addresses only."""
        self._purge()
        consumer = next(
            (
                (el.text or "").strip()
                for el in request.iter(f"{{{NSMAP['wsa']}}}Address")
                if etree.QName(el.getparent()).localname == "ConsumerReference"
            ),
            "",
        )
        check_consumer(consumer, self.camera.knobs.notify_needs_routable)
        if sum(s.kind == "base" for s in self.subscriptions.values()) >= MAX_BASE_SUBSCRIPTIONS:
            raise SoapFault("Receiver", ("Action",), "Maximum number of subscriptions reached")
        now = self.now()
        subscription = self._new("base", request, now)
        subscription.consumer = consumer
        self.subscriptions[subscription.id] = subscription
        subscription.task = asyncio.get_running_loop().create_task(self._deliver(subscription))
        response = element("wsnt:SubscribeResponse")
        sub(sub(response, "wsnt:SubscriptionReference"), "wsa:Address", subscription.address)
        self._time_pair(response, "wsnt", subscription.termination)
        return self._reply(response, BW2_ACTION + "NotificationProducer/SubscribeResponse")

    # -- subscription endpoints -----------------------------------------------------------------
    async def pull_messages(self, request: etree._Element) -> Reply:
        """Answer at once if messages are queued, else when one arrives or Timeout passes."""
        subscription = self._current("pullpoint")
        timeout = parse_duration(child_text(request, "Timeout") or "")
        if timeout is None:
            raise SoapFault("Sender", ("InvalidArgVal",), "Timeout must be an xs:duration")
        timeout = min(timeout, MAX_PULL_TIMEOUT_S)
        try:
            limit = max(1, min(int(child_text(request, "MessageLimit") or "1"), MAX_MESSAGE_LIMIT))
        except ValueError:
            raise SoapFault("Sender", ("InvalidArgVal",), "MessageLimit must be an int") from None
        self._keep_alive(subscription, timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._collect(subscription)
            remaining = deadline - loop.time()
            if subscription.pending or remaining <= 0 or self._closed:
                break
            upcoming = next_change_after(self.topics, self.now(), self.stimuli)
            wait = remaining if upcoming is None else min(remaining, upcoming - self.now() + 0.005)
            subscription.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(subscription.wakeup.wait(), max(wait, 0.0))
            if subscription.id not in self.subscriptions:
                break  # unsubscribed or expired meanwhile: answer with what there is
        count = min(limit, len(subscription.pending))
        events = [subscription.pending.popleft() for _ in range(count)]
        self._keep_alive(subscription, timeout)
        response = element("tev:PullMessagesResponse")
        self._time_pair(response, "tev", subscription.termination)
        self._messages(response, events, None)
        return self._reply(response, TEV_ACTION + "PullPointSubscription/PullMessagesResponse")

    def _keep_alive(self, subscription: Subscription, timeout: float) -> None:
        """ONVIF Core 9.1.2: after PullMessages the pull point lives at least its Timeout."""
        if self.camera.knobs.pullmessages_extends_lifetime:
            subscription.termination = max(subscription.termination, self.now() + timeout)

    def set_synchronization_point(self, _request: etree._Element) -> Reply:
        subscription = self._current("pullpoint")
        if self.camera.knobs.sync_point_resends:
            self._collect(subscription)
            self._queue(subscription, initialized(self.topics, self.now(), self.stimuli))
            subscription.wakeup.set()
        response = element("tev:SetSynchronizationPointResponse")
        return self._reply(
            response, TEV_ACTION + "PullPointSubscription/SetSynchronizationPointResponse"
        )

    def renew(self, request: etree._Element) -> Reply:
        subscription = self._current()
        now = self.now()
        subscription.termination = self._termination(child_text(request, "TerminationTime"), now)
        response = element("wsnt:RenewResponse")
        sub(response, "wsnt:TerminationTime", format_utc(subscription.termination))
        sub(response, "wsnt:CurrentTime", format_utc(now))
        return self._reply(response, BW2_ACTION + "SubscriptionManager/RenewResponse")

    def unsubscribe(self, _request: etree._Element) -> Reply:
        subscription = self._current()
        victims = (
            list(self.subscriptions.values())
            if self.camera.knobs.unsubscribe_kills_all
            else [subscription]
        )
        for victim in victims:
            self._drop(victim)
        response = element("wsnt:UnsubscribeResponse")
        return self._reply(response, BW2_ACTION + "SubscriptionManager/UnsubscribeResponse")

    # -- base notification delivery -------------------------------------------------------------
    async def _deliver(self, subscription: Subscription) -> None:
        """POST Notify to the consumer as events happen, until the subscription ends."""
        assert subscription.consumer is not None
        while subscription.id in self.subscriptions and not self._closed:
            if subscription.termination <= self.now():
                self._drop(subscription)
                return
            self._collect(subscription)
            if subscription.pending and self.camera.knobs.notify_delivered:
                batch = [
                    subscription.pending.popleft()
                    for _ in range(min(NOTIFY_BATCH, len(subscription.pending)))
                ]
                notify = element("wsnt:Notify")
                self._messages(notify, batch, subscription.address)
                await post_notify(subscription.consumer, notify)
            elif not self.camera.knobs.notify_delivered:
                subscription.pending.clear()
            upcoming = next_change_after(self.topics, self.now(), self.stimuli)
            wait = 5.0 if upcoming is None else min(5.0, upcoming - self.now() + 0.005)
            subscription.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(subscription.wakeup.wait(), max(wait, 0.0))
