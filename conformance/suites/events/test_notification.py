"""WS-BaseNotification: Subscribe, Notify to the consumer, Renew and Unsubscribe."""

from __future__ import annotations

import pytest

from conformance.checks.events import (
    check_notify,
    environment_refusal,
    lifetime_s,
    messages_of,
    times_of,
)
from conformance.clients.events import EventSession, NotificationConsumer, absolute_in
from conformance.clients.onvif import OnvifFault
from conformance.outcomes import not_testable_here
from conformance.suites.events.common import SUBSCRIPTION_S, require_event_service


@pytest.mark.requirement("EVENT-NOTIFY-01")
def test_base_notification_delivers(device, evidence, params, request):
    require_event_service(device, evidence, request)
    consumer_address = request.config.getoption("consumer_address", None)
    wait_s = float(params["event_wait_s"])
    session = EventSession(device)
    try:
        with NotificationConsumer.towards(device.device.onvif_url, consumer_address) as consumer:
            evidence.measure("consumer_address", consumer.host)
            try:
                subscription = session.subscribe(consumer.url, absolute_in(device, SUBSCRIPTION_S))
            except OnvifFault as fault:
                why = environment_refusal(fault.detail)
                if why is None:
                    raise
                evidence.measure("subscribe_fault_detail", why)
                not_testable_here(
                    f"the device refused the notification consumer at {consumer.host} for a "
                    f"reason of the lab's network, not its own: {why} (give a consumer address "
                    "the device can reach with --consumer-address)"
                )
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
