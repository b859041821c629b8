"""Access control: protected operations need credentials; wrong ones get a standard error."""

from __future__ import annotations

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


@pytest.mark.requirement("ONVIF-DEV-AUTH-02")
def test_wrong_credentials_get_standard_fault(device, evidence):
    from conformance.clients.onvif import OnvifClient

    wrong = OnvifClient(
        device.device.onvif_url,
        device.device.username or "admin",
        (device.device.password or "") + "-wrong-password",
        timeout=device.timeout,
        clock_offset=device.onvif.clock_offset,
        redactor=device.redactor,
    )
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
