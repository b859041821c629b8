"""WS-BaseNotification: Subscribe, Notify to the consumer, Renew and Unsubscribe."""

from __future__ import annotations

import ipaddress

import pytest

from conformance.checks.events import check_notify, lifetime_s, messages_of, times_of
from conformance.clients.events import EventSession, NotificationConsumer, absolute_in
from conformance.outcomes import Inconclusive
from conformance.suites.events.common import SUBSCRIPTION_S


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.mark.requirement("EVENT-NOTIFY-01")
def test_base_notification_delivers(device, evidence, params):
    if not _is_loopback(device.device.host):
        raise Inconclusive(
            "the suite's notification consumer listens on 127.0.0.1 only; a device on "
            f"{device.device.host} cannot reach it"
        )
    wait_s = float(params["event_wait_s"])
    session = EventSession(device)
    try:
        with NotificationConsumer() as consumer:
            subscription = session.subscribe(consumer.url, absolute_in(device, SUBSCRIPTION_S))
            evidence.measure("subscription_address", subscription.address)
            raw = consumer.wait(bool, wait_s)
            messages = messages_of(raw)
            evidence.measure("notify_messages", len(messages))
            evidence.attach_json("notified-messages", messages)
            problems = check_notify(messages, wait_s)
            renewed = session.renew(subscription, absolute_in(device, SUBSCRIPTION_S))
            evidence.measure("renew_lifetime_s", lifetime_s(*times_of(renewed)))
            session.unsubscribe(subscription)
    finally:
        for line in session.close():
            evidence.note(f"cleanup: {line}")
    assert not problems, "; ".join(problems)
