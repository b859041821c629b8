"""Real-time pull-point subscriptions: lifetime, PullMessages, Renew, Unsubscribe, limits (Q22)."""

from __future__ import annotations

import pytest

from conformance.answers import answer_of
from conformance.checks.event_payloads import check_initialized, property_topics
from conformance.checks.events import (
    check_keep_alive,
    check_lifetime,
    check_max_pull_points,
    check_pull,
    check_sync,
    check_unsubscribe,
    initialized_topics,
    lifetime_s,
    messages_of,
    times_of,
)
from conformance.clients.events import (
    EventSession,
    NotificationConsumer,
    absolute_in,
    relative,
)
from conformance.clients.onvif import OnvifError
from conformance.outcomes import not_applicable
from conformance.suites.events.common import (
    SUBSCRIPTION_S,
    declared_for,
    require_event_service,
)


def _cleanup(session: EventSession, evidence) -> None:
    for line in session.close():
        evidence.note(f"cleanup: {line}")


@pytest.mark.requirement("EVENT-PULL-01")
def test_relative_initial_termination_time(device, evidence, params, request):
    require_event_service(device, evidence, request)
    requested = float(params["termination_s"])
    session = EventSession(device)
    try:
        pull_point = session.create_pull_point(relative(requested))
        current, termination = times_of(pull_point.reply)
        evidence.measure("subscription_address", pull_point.address)
        evidence.measure("current_time", current)
        evidence.measure("termination_time", termination)
        evidence.measure("lifetime_s", lifetime_s(current, termination))
        evidence.expect("lifetime_s", requested)
        problems = check_lifetime(
            "CreatePullPointSubscription",
            current,
            termination,
            requested,
            float(params["tolerance_s"]),
        )
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EVENT-PULL-02")
def test_pull_messages_timeout_limit_and_keep_alive(device, evidence, params, request):
    require_event_service(device, evidence, request)
    slack, tolerance = float(params["slack_s"]), float(params["tolerance_s"])
    session = EventSession(device)
    try:
        # A short absolute lifetime: only PullMessages' keep-alive can carry it past its end.
        pull_point = session.create_pull_point(
            absolute_in(device, float(params["initial_lifetime_s"]))
        )
        first = session.pull(pull_point, float(params["keepalive_timeout_s"]), 1)
        count = len(messages_of(first.reply))
        current, termination = times_of(first.reply)
        evidence.measure(
            "keepalive_pull",
            {
                "timeout_s": first.timeout_s,
                "messages": count,
                "elapsed_s": first.elapsed_s,
                "lifetime_after_s": lifetime_s(current, termination),
            },
        )
        problems = check_keep_alive(current, termination, first.timeout_s, tolerance)
        drain = session.pull(pull_point, 0, 100)  # drain what is queued: an answer with no wait
        # The round trip of answers that need no wait (the queued first pull and the drain):
        # what the network and the device's own timers add to any answer.
        immediate = [drain.elapsed_s] + ([first.elapsed_s] if count else [])
        round_trip = max(immediate)
        evidence.measure("round_trip_s", round_trip)
        problems = check_pull(first.elapsed_s, first.timeout_s, 1, count, slack, round_trip) + (
            problems
        )
        probe = session.pull(pull_point, float(params["probe_timeout_s"]), 1)
        probe_count = len(messages_of(probe.reply))
        evidence.measure(
            "timeout_probe",
            {"timeout_s": probe.timeout_s, "messages": probe_count, "elapsed_s": probe.elapsed_s},
        )
        evidence.expect("pull_answer_within_s", f"Timeout + {slack:g} + round trip")
        problems += check_pull(probe.elapsed_s, probe.timeout_s, 1, probe_count, slack, round_trip)
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EVENT-RENEW-01")
def test_renew_extends_subscription(device, evidence, params, request):
    require_event_service(device, evidence, request)
    requested = float(params["renew_s"])
    session = EventSession(device)
    try:
        pull_point = session.create_pull_point(absolute_in(device, SUBSCRIPTION_S))
        renewed = session.renew(pull_point, relative(requested))
        current, termination = times_of(renewed)
        evidence.measure("current_time", current)
        evidence.measure("termination_time", termination)
        evidence.measure("lifetime_s", lifetime_s(current, termination))
        evidence.expect("lifetime_s", requested)
        problems = check_lifetime(
            "Renew", current, termination, requested, float(params["tolerance_s"])
        )
        after = answer_of(lambda: session.pull(pull_point, 0, 10))
        evidence.measure("pull_after_renew", after.kind)
        if after.kind != "answered":
            problems.append(
                f"PullMessages after Renew failed ({after.kind} HTTP {after.http_status})"
            )
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EVENT-UNSUB-01")
def test_unsubscribe_ends_only_that_subscription(device, evidence, request):
    require_event_service(device, evidence, request)
    session = EventSession(device)
    try:
        with NotificationConsumer() as consumer:
            first = session.create_pull_point(absolute_in(device, SUBSCRIPTION_S))
            try:  # the other subscription: base notification, else a second pull point
                other = session.subscribe(consumer.url, absolute_in(device, SUBSCRIPTION_S))
            except OnvifError as exc:
                evidence.note(f"Subscribe refused ({exc}); a second pull point is used instead")
                other = session.create_pull_point(absolute_in(device, SUBSCRIPTION_S))
            evidence.measure("other_subscription", other.kind)
            session.unsubscribe(first)
            gone = answer_of(lambda: session.pull(first, 0, 1))
            if other.kind == "base":
                survivor = answer_of(
                    lambda: session.renew(other, absolute_in(device, SUBSCRIPTION_S))
                )
            else:
                survivor = answer_of(lambda: session.pull(other, 0, 1))
            evidence.measure("unsubscribed_address_answer", f"{gone.kind} {gone.http_status}")
            evidence.measure("other_subscription_answer", f"{survivor.kind} {survivor.http_status}")
            problems = check_unsubscribe(gone.kind, survivor.kind)
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EVENT-MAXPP-01")
def test_concurrent_pull_points(device, evidence, params, request):
    require_event_service(device, evidence, request)
    minimum = int(params["min_pull_points"])
    session = EventSession(device)
    problems: list[str] = []
    try:
        raw = session.capabilities().get("MaxPullPoints")
        advertised = int(raw) if raw is not None and raw.strip().lstrip("-").isdigit() else None
        evidence.measure("max_pull_points", advertised)
        evidence.expect("max_pull_points", f">= {minimum}")
        pull_points = []
        for index in range(1, minimum + 1):
            try:
                pull_points.append(session.create_pull_point(absolute_in(device, SUBSCRIPTION_S)))
            except OnvifError as exc:
                problems.append(f"creating pull point {index} of {minimum} failed: {exc}")
                break
        counts = [
            len(session.pull_until(pp, bool, float(params["event_wait_s"]))) for pp in pull_points
        ]
        evidence.measure("messages_per_pull_point", counts)
        problems += check_max_pull_points(advertised, counts, minimum)
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("EVENT-SYNC-01")
def test_synchronization_point_resends_properties(device, evidence, params, request):
    require_event_service(device, evidence, request)
    session = EventSession(device)
    try:
        declared = declared_for(device, request)
        evidence.measure("property_topics_declared", property_topics(declared))
        if not property_topics(declared):
            not_applicable(
                'GetEventProperties declares no property topic (IsProperty="true"), so there is '
                "no state to send as Initialized"
            )
        pull_point = session.create_pull_point(absolute_in(device, SUBSCRIPTION_S))
        first = messages_of(session.pull(pull_point, 1, 100).reply)
        before = initialized_topics(first)
        session.sync_point(pull_point)
        raw = (
            session.pull_until(
                pull_point,
                lambda m: before <= initialized_topics(messages_of(m)),
                float(params["event_wait_s"]),
            )
            if before
            else []
        )
        resent = messages_of(raw)
        after = initialized_topics(resent)
        evidence.measure("initialized_on_subscribe", sorted(before))
        evidence.measure("initialized_after_sync_point", sorted(after))
        evidence.attach_json("initialized-on-subscribe", [m for m in first if m.operation])
        evidence.attach_json("after-sync-point", resent)
        problems = check_initialized(first, declared, "on subscription")
        if before:
            problems += check_sync(before, after)
        if after:
            problems += check_initialized(resent, declared, "after SetSynchronizationPoint")
    finally:
        _cleanup(session, evidence)
    assert not problems, "; ".join(problems)
