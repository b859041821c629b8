"""Device identity, service list, service addresses and the validity of core replies."""

from __future__ import annotations

import threading

import pytest

from conformance.checks.device import (
    advertised_xaddrs,
    capability_xaddrs,
    check_identity,
    check_scopes,
    check_service_entries,
    check_services_consistent,
    check_xaddrs,
    extension_xaddrs,
    identity_of,
    scopes_of,
    service_entries,
    service_xaddrs,
    xaddr_namespace,
)
from conformance.clients.addresses import probe_xaddr
from conformance.clients.onvif import OnvifFault, OnvifHttpError
from conformance.dut import NS_DEVICE, NS_MEDIA, STREAM_SETUP_UDP


@pytest.mark.requirement("ONVIF-DEV-INFO-01")
def test_device_identity_complete(device, evidence, conformance_run):
    info = device.onvif.call("devicemgmt", "GetDeviceInformation")
    values = identity_of(info)
    evidence.measure("identity", values)
    declared = conformance_run.target.spec.firmware
    if declared:
        evidence.claim("firmware", declared)
        if declared != values.get("FirmwareVersion"):
            evidence.note(
                f"firmware under test {values.get('FirmwareVersion')!r} differs from "
                f"the target's declared {declared!r}"
            )
    problems = check_identity(values)
    assert not problems, "; ".join(problems)


def _capabilities(device):
    return device.onvif.call("devicemgmt", "GetCapabilities", Category=["All"])


def _pre_auth(device, operation, problems, **params):
    """A PRE_AUTH call asked without credentials; a device that demands them anyway is a
    finding, and the call is asked again with credentials so the check can go on to judge what
    the reply advertises (one fault must not hide the others)."""
    try:
        return device.onvif.call("devicemgmt", operation, auth="none", **params)
    except (OnvifFault, OnvifHttpError) as exc:
        problems.append(f"{operation} without credentials (PRE_AUTH) was refused: {exc}")
        return device.onvif.call("devicemgmt", operation, **params)


@pytest.mark.requirement("ONVIF-DEV-SVC-01")
def test_services_and_capabilities_agree(device, evidence):
    problems: list[str] = []
    listed = _pre_auth(device, "GetServices", problems, IncludeCapability=False)
    entries = service_entries(listed)
    services = service_xaddrs(listed)
    caps = _pre_auth(device, "GetCapabilities", problems, Category=["All"])
    capabilities = capability_xaddrs(caps) | extension_xaddrs(caps)
    evidence.measure("services", entries)
    evidence.measure("capabilities", capabilities)
    problems += check_service_entries(entries)
    problems += check_services_consistent(services, capabilities)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-DEV-XADDR-01")
def test_xaddrs_on_device_address(device, evidence):
    xaddrs = advertised_xaddrs(device.services(), _capabilities(device))
    evidence.measure("xaddrs", xaddrs)
    evidence.expect("scheme and host", device.device.onvif_url)
    problems = check_xaddrs(device.device.onvif_url, xaddrs)
    # Each distinct address is asked once, here, so its transcript is this check's evidence.
    answers: dict[str, str | None] = {}
    for where, url in xaddrs.items():
        namespace = xaddr_namespace(where) or NS_DEVICE
        if url not in answers:
            answers[url] = probe_xaddr(device.onvif, url, namespace)
        if answers[url] is not None:
            problems.append(f"{where}: {url} does not answer: {answers[url]}")
    evidence.measure("answers", {url: problem or "answers" for url, problem in answers.items()})
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-DEV-SCOPES-01")
def test_scopes_declare_profile_and_identity(device, evidence):
    scopes = scopes_of(device.onvif.call("devicemgmt", "GetScopes"))
    evidence.measure("scopes", scopes)
    problems = check_scopes(scopes)
    assert not problems, "; ".join(problems)


DEVICE_CALLS = (
    ("GetSystemDateAndTime", {}),
    ("GetCapabilities", {"Category": ["All"]}),
    ("GetServices", {"IncludeCapability": False}),
    ("GetDeviceInformation", {}),
    ("GetScopes", {}),
)


def _my_last_exchange(device):
    mine = threading.get_ident()  # not the prefetcher's calls to the same device
    return next(x for x in reversed(device.onvif.exchanges) if x.thread_id == mine)


@pytest.mark.requirement("ONVIF-DEV-SCHEMA-01")
def test_core_replies_schema_valid(device, evidence):
    from conformance.schema import validate_reply

    replies: list[tuple[str, str, object]] = []  # (operation, namespace, exchange)

    def ask(service, namespace, operation, **params):
        try:
            result = (
                device.onvif.call("devicemgmt", operation, **params)
                if service == "devicemgmt"
                else device.call(service, operation, **params)
            )
        except (OnvifFault, OnvifHttpError) as exc:
            # A refusal is judged by the requirement of that operation, not by this one.
            evidence.note(f"{operation} not validated: the device refused it ({exc})")
            return None
        except Exception as exc:  # noqa: BLE001 - unreadable replies are judged below
            if type(exc).__name__ != "OnvifProtocolError":
                raise
            result = None
        replies.append((operation, namespace, _my_last_exchange(device)))
        return result

    for operation, params in DEVICE_CALLS:
        ask("devicemgmt", NS_DEVICE, operation, **params)
    if device.offers("media"):
        profiles = ask("media", NS_MEDIA, "GetProfiles")
        token = next(
            (p.token for p in profiles or [] if getattr(p, "VideoEncoderConfiguration", None)),
            None,
        )
        if token is not None:
            ask("media", NS_MEDIA, "GetStreamUri", StreamSetup=STREAM_SETUP_UDP, ProfileToken=token)
    errors: dict[str, list[dict]] = {}
    for operation, namespace, exchange in replies:
        evidence.attach_text(f"{operation}-reply", exchange.response_xml, ext="xml")
        found = validate_reply(namespace, exchange.response_xml)
        if found:
            errors[operation] = [e.to_dict() for e in found]
    evidence.measure("validated", [op for op, _, _ in replies])
    evidence.measure("invalid", sorted(errors))
    if errors:
        evidence.attach_json("schema-errors", errors)
    seen_elsewhere = [
        f"{op}: {text}" for op, text in device.onvif.schema_violations if op not in errors
    ]
    for text in seen_elsewhere[:20]:
        evidence.note(f"read leniently elsewhere in the run: {text}")
    problems = [
        f"{op}: "
        + "; ".join(f"line {e['line']}: {e['message']}" for e in errs[:3])
        + (f" (+{len(errs) - 3} more)" if len(errs) > 3 else "")
        for op, errs in errors.items()
    ]
    assert not problems, "; ".join(problems)
