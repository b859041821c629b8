"""Device identity, service list and service addresses."""

from __future__ import annotations

import pytest

from conformance.checks.device import (
    advertised_xaddrs,
    capability_xaddrs,
    check_identity,
    check_scopes,
    check_services_consistent,
    check_xaddrs,
    identity_of,
    scopes_of,
    service_xaddrs,
)


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
    return device.onvif.call("devicemgmt", "GetCapabilities", auth="none", Category=["All"])


@pytest.mark.requirement("ONVIF-DEV-SVC-01")
def test_services_and_capabilities_agree(device, evidence):
    services = service_xaddrs(device.services())
    capabilities = capability_xaddrs(_capabilities(device))
    evidence.measure("services", services)
    evidence.measure("capabilities", capabilities)
    problems = check_services_consistent(services, capabilities)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-DEV-XADDR-01")
def test_xaddrs_on_device_address(device, evidence):
    xaddrs = advertised_xaddrs(device.services(), _capabilities(device))
    evidence.measure("xaddrs", xaddrs)
    evidence.expect("authority", device.device.onvif_url)
    problems = check_xaddrs(device.device.onvif_url, xaddrs)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-DEV-SCOPES-01")
def test_scopes_declare_profile_and_identity(device, evidence):
    scopes = scopes_of(device.onvif.call("devicemgmt", "GetScopes"))
    evidence.measure("scopes", scopes)
    problems = check_scopes(scopes)
    assert not problems, "; ".join(problems)
