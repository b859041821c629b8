"""Access control: protected operations need credentials; wrong ones get a standard error."""

from __future__ import annotations

import secrets

import pytest

from conformance.answers import answer_of
from conformance.checks.device import check_bad_credentials, check_refused

PROTECTED = (
    ("devicemgmt", "GetUsers"),
    ("devicemgmt", "GetNetworkInterfaces"),
    ("media", "GetProfiles"),
)


@pytest.mark.requirement("ONVIF-DEV-AUTH-01")
def test_protected_operations_need_credentials(device, evidence):
    problems = []
    answers = {}
    for service, operation in PROTECTED:
        if service == "media":
            answer = answer_of(lambda op=operation: device.media(op, auth="none"))
        else:
            answer = answer_of(
                lambda svc=service, op=operation: device.onvif.call(svc, op, auth="none")
            )
        answers[operation] = {
            "kind": answer.kind,
            "http_status": answer.http_status,
            "subcodes": list(answer.subcodes),
        }
        problems += check_refused(operation, answer)
    evidence.measure("anonymous_answers", answers)
    assert not problems, "; ".join(problems)


UNKNOWN_USER_PREFIX = "ccs-nouser-"
"""Prefix of the random, non-existent user name ONVIF-DEV-AUTH-02 presents (readable in the
device's log as the suite's; short enough for devices that limit user names to 32 characters)."""


def unknown_user() -> str:
    """A user name no device has: a wrong password on a real account is what per-account
    lockout counts, while an unknown user is refused with the same fault (ONVIF Core 5.11.2
    names one ter:NotAuthorized for any credentials the device does not accept, and answering an
    unknown user differently would tell an attacker which accounts exist)."""
    return UNKNOWN_USER_PREFIX + secrets.token_hex(4)


@pytest.mark.requirement("ONVIF-DEV-AUTH-02")
def test_wrong_credentials_get_standard_fault(device, evidence, failed_logins):
    from conformance.clients.onvif import OnvifClient

    username = unknown_user()
    failed_logins.claim(1, "one WS-Security GetDeviceInformation as a non-existent user")
    wrong = OnvifClient(
        device.device.onvif_url,
        username,
        secrets.token_urlsafe(12),
        timeout=device.timeout,
        clock_offset=device.onvif.clock_offset,
        # Its random user name and password are masked in its own exchanges; added to the run's
        # redactor, every later text of the run was searched for every device's pair.
        redactor=device.redactor.child(),
    )
    evidence.measure("presented_user", "a random user name the device does not have")
    failed_logins.attempt()
    answer = answer_of(lambda: wrong.call("devicemgmt", "GetDeviceInformation", auth="wsse"))
    evidence.attach_exchanges("wrong-credentials-transcript", wrong.exchanges)
    evidence.measure(
        "answer",
        {
            "kind": answer.kind,
            "http_status": answer.http_status,
            "code": answer.code,
            "subcodes": list(answer.subcodes),
            "content_type": answer.content_type,
        },
    )
    problems = check_bad_credentials("GetDeviceInformation", answer)
    assert not problems, "; ".join(problems)
