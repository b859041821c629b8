"""User levels and brute-force protection, judged on the Operator test account."""

from __future__ import annotations

import time

import pytest

from conformance.answers import answer_of
from conformance.checks.security import check_lockout, check_privilege
from conformance.outcomes import Inconclusive
from conformance.suites.security.accounts import client_as, operator_credentials

PROBE = ("devicemgmt", "GetDeviceInformation")
ADMIN_ONLY = ("devicemgmt", "GetUsers")
"""Read-only but Administrator-only (READ_SYSTEM_SECRET): judges privileges without changing
anything on the device."""


def _operator(device, conformance_run):
    username, password = operator_credentials(conformance_run)
    client = client_as(device, username, password)
    works = answer_of(lambda: client.call(*PROBE, auth="wsse"))
    if works.kind != "answered":
        raise Inconclusive(
            f"the Operator test account cannot log in (kind={works.kind}, HTTP "
            f"{works.http_status}); check security.operator in the target"
        )
    return client, username, password


@pytest.mark.requirement("SEC-PRIV-01")
def test_operator_cannot_call_admin_operations(device, evidence, conformance_run):
    client, _, _ = _operator(device, conformance_run)
    answer = answer_of(lambda: client.call(*ADMIN_ONLY, auth="wsse"))
    evidence.attach_exchanges("operator-calls", client.exchanges)
    evidence.measure(
        "operator_GetUsers",
        {"kind": answer.kind, "http_status": answer.http_status, "subcodes": list(answer.subcodes)},
    )
    problems = check_privilege(ADMIN_ONLY[1], answer)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("SEC-LOCKOUT-01")
def test_failed_logins_locked_or_slowed(device, evidence, conformance_run, params, failed_logins):
    """Intrusive: it may lock the Operator test account. The restore is waiting the lock out
    (bounded by max_lockout_s) and verifying that the right password works again."""
    client, username, password = _operator(device, conformance_run)
    attempts = int(params.get("failed_attempts", 8))
    failed_logins.claim(attempts, "wrong passwords for the Operator test account, on purpose")
    wrong = client_as(device, username, password + "-wrong")
    latencies: list[float] = []
    for _ in range(attempts):
        failed_logins.attempt()
        started = time.monotonic()
        answer = answer_of(lambda: wrong.call(*PROBE, auth="wsse"))
        latencies.append(round(time.monotonic() - started, 3))
        if answer.kind == "answered":
            evidence.attach_exchanges("soap-transcript-wrong-password", wrong.exchanges)
            raise AssertionError("a wrong password was accepted: there is nothing to lock out")
    good = answer_of(lambda: client.call(*PROBE, auth="wsse"))
    locked = good.kind != "answered"
    evidence.attach_exchanges("soap-transcript-wrong-password", wrong.exchanges)
    evidence.measure("failed_attempts", attempts)
    evidence.measure("answer_times_s", latencies)
    evidence.measure("right_password_refused_after", locked)

    limit = float(params.get("max_lockout_s", 120))
    started = time.monotonic()
    restored = not locked
    while not restored and time.monotonic() - started < limit:
        time.sleep(1.0)
        restored = answer_of(lambda: client.call(*PROBE, auth="wsse")).kind == "answered"
    waited = round(time.monotonic() - started, 1) if locked else 0.0
    evidence.measure("restore", {"account_works_again": restored, "waited_s": waited})
    problems = check_lockout(
        locked,
        latencies,
        float(params.get("slowdown_factor", 3.0)),
        float(params.get("min_slowdown_s", 0.5)),
    )
    evidence.attach_exchanges("soap-transcript-right-password", client.exchanges)
    if not restored:
        problems.append(f"the Operator account still refused the right password after {limit} s")
    assert not problems, "; ".join(problems)
