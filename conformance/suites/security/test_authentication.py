"""Authentication hardening: default credentials, anonymous access, Basic, replay, freshness."""

from __future__ import annotations

import copy
import os
import time
from datetime import timedelta

import pytest
from requests.auth import HTTPBasicAuth

from conformance.answers import answer_of
from conformance.checks.device import check_refused
from conformance.checks.security import (
    check_default_credentials,
    check_no_basic,
    check_replay_rejected,
    check_rtsp_anonymous,
    check_snapshot_anonymous,
    check_stale_created,
)
from conformance.dut import with_host
from conformance.outcomes import not_applicable, not_tested
from conformance.suites.device.test_access_control import PROTECTED
from conformance.suites.security.accounts import client_as, default_credentials, label

PROBE_OPERATION = ("devicemgmt", "GetDeviceInformation")
"""A read-only protected operation used to see whether some credentials are accepted."""

DEVICE_INFO_ENVELOPE = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    b'<tds:GetDeviceInformation xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/>'
    b"</s:Body></s:Envelope>"
)


def _summary(answer) -> dict:
    return {
        "kind": answer.kind,
        "http_status": answer.http_status,
        "subcodes": list(answer.subcodes),
    }


@pytest.mark.requirement("SEC-DEFCRED-01")
def test_default_credentials_refused(device, evidence, conformance_run, failed_logins):
    pairs = default_credentials(conformance_run)
    evidence.claim("default_credentials", [label(u, p) for u, p in pairs])
    if not pairs:
        not_tested("the target lists no default credentials with a password for this make")
    failed_logins.claim(
        2 * len(pairs),
        "GetDeviceInformation by WS-Security and by HTTP Digest as each default credential: "
        + ", ".join(label(u, p) for u, p in pairs),
    )
    accepted: dict[str, bool] = {}
    for username, password in pairs:
        client = client_as(device, username, password, private=True)
        ok = False
        for auth in ("wsse", "digest"):  # each ONVIF authentication the device may offer
            failed_logins.attempt()
            answer = answer_of(lambda a=auth, c=client: c.call(*PROBE_OPERATION, auth=a))
            ok = ok or answer.kind == "answered"
        accepted[label(username, password)] = ok
        # The device's answers to each default credential (the client masks its password).
        evidence.attach_exchanges(f"soap-transcript-{username}", client.exchanges)
    evidence.measure("accepted", accepted)
    problems = check_default_credentials(accepted)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("SEC-NOANON-01")
def test_nothing_reachable_without_credentials(device, evidence):
    from conformance.clients.rtsp import probe
    from conformance.clients.snapshot import fetch_snapshot

    problems: list[str] = []
    soap = {}
    for service, operation in PROTECTED:  # the same set ONVIF-DEV-AUTH-01 judges
        if service == "media":
            answer = answer_of(lambda op=operation: device.media(op, auth="none"))
        else:
            answer = answer_of(
                lambda svc=service, op=operation: device.onvif.call(svc, op, auth="none")
            )
        soap[operation] = _summary(answer)
        problems += check_refused(operation, answer)
    evidence.measure("anonymous_soap", soap)

    exchange = probe(device.stream_url(), method="DESCRIBE", timeout=device.timeout)
    evidence.attach_exchanges("anonymous-describe", [exchange])
    evidence.measure("anonymous_rtsp_status", exchange.status)
    problems += check_rtsp_anonymous(exchange.status)

    snapshot_uri = None
    try:
        profile = device.main_profile()
        snapshot_uri = str(device.media("GetSnapshotUri", ProfileToken=profile.token).Uri)
    except Exception as exc:  # noqa: BLE001 - no snapshot URI: nothing to reach anonymously
        evidence.note(f"no snapshot URI to probe ({type(exc).__name__})")
    status = None
    if snapshot_uri:
        # On the device's own host, as for the stream: a wrong address is ONVIF-MEDIA-URI-01's
        # finding, not a reason to leave anonymous access unjudged.
        snapshot_uri = with_host(snapshot_uri, device.device.host)
        status = fetch_snapshot(snapshot_uri, None, None, timeout=device.timeout).status
        evidence.measure("anonymous_snapshot_status", status)
    problems += check_snapshot_anonymous(status, bool(snapshot_uri))
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("SEC-NOBASIC-01")
def test_no_basic_over_plain_http(device, evidence, failed_logins):
    url = device.device.onvif_url
    if url.startswith("https:"):
        not_applicable("the device service is reached over HTTPS: Basic would not be cleartext")
    user, password = device.device.username, device.device.password
    if not user or password is None:
        not_tested("the target gives no credentials to present with Basic")
    # A device that refuses Basic may count it as a failed login on the real account.
    failed_logins.claim(1, "GetDeviceInformation with HTTP Basic and the device's credentials")
    anonymous = answer_of(lambda: device.onvif.call(*PROBE_OPERATION, auth="none"))
    evidence.measure("challenge", list(anonymous.www_authenticate))
    failed_logins.attempt()
    raw = device.onvif.post_raw(url, DEVICE_INFO_ENVELOPE, auth=HTTPBasicAuth(user, password))
    evidence.measure("basic_answer_status", raw.status)
    basic = answer_of(lambda: None) if raw.status == 200 else _refused(raw.status)
    problems = check_no_basic(anonymous.www_authenticate, basic)
    assert not problems, "; ".join(problems)


def _refused(status: int):
    from conformance.checks.device import Refusal

    return Refusal("http", http_status=status)


@pytest.mark.requirement("SEC-NONCE-01")
def test_replayed_nonce_rejected(device, evidence, failed_logins):
    failed_logins.claim(1, "GetDeviceInformation with a WS-Security token replayed byte for byte")
    client = device.onvif
    header = client.wsse_header(nonce=os.urandom(16))
    replay = copy.deepcopy(header)  # byte-for-byte the same token: a captured request resent
    first = answer_of(lambda: client.call(*PROBE_OPERATION, auth="wsse", security_header=header))
    time.sleep(0.2)
    failed_logins.attempt()
    again = answer_of(lambda: client.call(*PROBE_OPERATION, auth="wsse", security_header=replay))
    evidence.measure("first_use", _summary(first))
    evidence.measure("replay", _summary(again))
    problems = check_replay_rejected(first, again)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("SEC-CREATED-01")
def test_stale_created_rejected(device, evidence, params, failed_logins):
    age = float(params.get("stale_age_s", 3600))
    failed_logins.claim(1, f"GetDeviceInformation with a WS-Security token created {age:g} s ago")
    client = device.onvif
    fresh = answer_of(lambda: client.call(*PROBE_OPERATION, auth="wsse"))
    if fresh.kind != "answered":
        from conformance.outcomes import Inconclusive

        raise Inconclusive(f"a fresh UsernameToken was refused ({fresh.kind}); cannot judge")
    stale_at = client.device_now() - timedelta(seconds=age)
    header = client.wsse_header(created=stale_at)
    failed_logins.attempt()
    answer = answer_of(lambda: client.call(*PROBE_OPERATION, auth="wsse", security_header=header))
    evidence.measure("created", stale_at.isoformat())
    evidence.measure("stale_answer", _summary(answer))
    problems = check_stale_created(answer, age)
    assert not problems, "; ".join(problems)
