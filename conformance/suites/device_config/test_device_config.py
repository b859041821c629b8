"""Device management configuration reads (ONVIF-DEV-NET-01, -USERS-01, -READS-01), as ONVIF's
Base device test cases GET DNS / NTP / NETWORK INTERFACE / NETWORK PROTOCOLS / DEFAULT GATEWAY /
DYNAMIC DNS CONFIGURATION, GETUSERS, USER TOKEN PROFILE, GETSYSTEMLOG, GET REMOTE USER, GET IP
ADDRESS FILTER and GETRELAYOUTPUTS ask. All are reads: nothing on the device changes.

Control-room engineers auditing an estate rely on these answers, so beyond "answered" each is
compared with what the device was seen doing: its interface reports the address it answers on,
and its network protocols list the ports its service addresses and stream URI use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.checks.capabilities import SERVICE_KEYS
from conformance.checks.device import Refusal
from conformance.checks.device_config import (
    Read,
    Served,
    check_io_reads,
    check_network_reads,
    check_users,
    refused_access,
)
from conformance.checks.device_config_views import (
    dns_view,
    dynamic_dns_view,
    gateway_view,
    interfaces_view,
    ip_filter_view,
    ntp_view,
    protocols_view,
    relay_capability_count,
    relay_outputs_view,
    system_log_view,
    users_view,
)
from conformance.checks.faults import describe, is_not_implemented
from conformance.outcomes import not_applicable, not_tested


def _read(device, operation: str, view: Callable[[Any], Any], **params: Any) -> Read:
    """One Device service read: the answer's neutral record and, if it answered, its view."""
    from conformance.clients.onvif import OnvifFault, OnvifHttpError

    try:
        result = device.onvif.call("devicemgmt", operation, **params)
    except OnvifFault as fault:
        answer = Refusal(
            "fault", http_status=fault.http_status, code=fault.code, subcodes=tuple(fault.subcodes)
        )
        return Read(operation, answer)
    except OnvifHttpError as err:
        return Read(operation, Refusal("http", http_status=err.http_status))
    return Read(operation, Refusal("answered", http_status=200), view(result))


def _measured(read: Read) -> Any:
    return read.view if read.answer.kind == "answered" else describe(read.answer)


def _served(device, evidence) -> Served:
    """The ports the suite really reached the device's services and stream on. A service or
    stream the suite cannot reach is another requirement's finding: left out, with a note."""
    from conformance.clients.onvif import OnvifError
    from conformance.outcomes import Inconclusive

    served = Served()
    served.add(device.device.onvif_url, "device service")
    for service in device.services():
        namespace = str(service.Namespace)
        if namespace in SERVICE_KEYS:
            try:
                url = device.service_url(namespace)
            except OnvifError as exc:
                evidence.note(f"{namespace} left out of the port comparison: {exc}")
                continue
            if url:
                served.add(url, f"{SERVICE_KEYS[namespace]} service")
    try:
        if device.offers("media"):
            served.add(device.stream_url(), "stream URI")
    except (OnvifError, Inconclusive) as exc:
        evidence.note(f"the stream URI is left out of the port comparison: {exc}")
    return served


@pytest.mark.requirement("ONVIF-DEV-NET-01")
def test_network_configuration_reads(device, evidence):
    reads = {
        read.operation: read
        for read in (
            _read(device, "GetNetworkInterfaces", interfaces_view),
            _read(device, "GetDNS", dns_view),
            _read(device, "GetNTP", ntp_view),
            _read(device, "GetNetworkProtocols", protocols_view),
            _read(device, "GetNetworkDefaultGateway", gateway_view),
            _read(device, "GetDynamicDNS", dynamic_dns_view),
        )
    }
    host = urlsplit(device.device.onvif_url).hostname or ""
    served = _served(device, evidence)
    evidence.measure("reads", {op: _measured(read) for op, read in reads.items()})
    evidence.expect(
        "consistency",
        {
            "interface address": host,
            "protocol ports": {k: sorted(v) for k, v in served.ports.items()},
        },
    )
    problems, notes = check_network_reads(reads, host, served)
    for note in notes:
        evidence.note(note)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-DEV-USERS-01")
def test_get_users(device, evidence):
    read = _read(device, "GetUsers", users_view)
    evidence.measure("users", _measured(read))
    if refused_access(read.answer):
        not_tested(
            f"GetUsers is Administrator-only (READ_SYSTEM_SECRET) and the suite's account was "
            f"refused it ({describe(read.answer)}): give the target an Administrator account"
        )
    evidence.expect("users", "at least one, each with Username and UserLevel, no Password")
    problems = check_users(read)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-DEV-READS-01")
def test_log_user_filter_and_relay_reads(device, evidence):
    system_log = _read(device, "GetSystemLog", system_log_view, LogType="System")
    remote_user = _read(
        device, "GetRemoteUser", lambda r: {"RemoteUser": getattr(r, "RemoteUser", r) is not None}
    )
    ip_filter = _read(device, "GetIPAddressFilter", ip_filter_view)
    relays = _read(device, "GetRelayOutputs", relay_outputs_view)
    capabilities = device.onvif.call("devicemgmt", "GetCapabilities", Category=["Device"])
    count = relay_capability_count(capabilities)
    reads = (system_log, remote_user, ip_filter, relays)
    evidence.measure("reads", {r.operation: _measured(r) for r in reads})
    evidence.measure("GetCapabilities Device.IO.RelayOutputs", count)
    declined = [is_not_implemented(r.answer) or refused_access(r.answer) for r in reads]
    if not count and all(declined):
        if any(refused_access(r.answer) for r in reads):
            not_tested(
                "the device declined or refused the suite's account every read and counts no "
                "relay output: give the target an Administrator account to judge them"
            )
        not_applicable("the device declines all four optional reads and counts no relay output")
    problems, notes = check_io_reads(system_log, remote_user, ip_filter, relays, count)
    for note in notes:
        evidence.note(note)
    assert not problems, "; ".join(problems)
