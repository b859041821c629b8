"""Device identity, service list and service addresses."""

from __future__ import annotations

import pytest

from conformance.checks.device import (
    IDENTITY_FIELDS,
    check_identity,
    check_scopes,
    check_services_consistent,
    check_xaddrs,
)


@pytest.mark.requirement("ONVIF-DEV-INFO-01")
def test_device_identity_complete(device, evidence, conformance_run):
    info = device.onvif.call("devicemgmt", "GetDeviceInformation")
    values = {name: getattr(info, name, None) for name in IDENTITY_FIELDS}
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


def _capability_xaddrs(device) -> dict[str, str]:
    caps = device.onvif.call("devicemgmt", "GetCapabilities", auth="none", Category=["All"])
    found = {}
    for category in ("Device", "Media", "Events", "PTZ", "Imaging", "Analytics"):
        section = getattr(caps, category, None)
        xaddr = getattr(section, "XAddr", None) if section is not None else None
        if xaddr:
            found[category] = str(xaddr)
    return found


@pytest.mark.requirement("ONVIF-DEV-SVC-01")
def test_services_and_capabilities_agree(device, evidence):
    services = {str(s.Namespace): str(s.XAddr) for s in device.services()}
    capabilities = _capability_xaddrs(device)
    evidence.measure("services", services)
    evidence.measure("capabilities", capabilities)
    problems = check_services_consistent(services, capabilities)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-DEV-XADDR-01")
def test_xaddrs_on_device_address(device, evidence):
    xaddrs = {f"GetServices {s.Namespace}": str(s.XAddr) for s in device.services()}
    xaddrs.update({f"GetCapabilities {k}": v for k, v in _capability_xaddrs(device).items()})
    evidence.measure("xaddrs", xaddrs)
    evidence.expect("authority", device.device.onvif_url)
    problems = check_xaddrs(device.device.onvif_url, xaddrs)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-DEV-SCOPES-01")
def test_scopes_declare_profile_and_identity(device, evidence):
    reply = device.onvif.call("devicemgmt", "GetScopes")
    scopes = [str(s.ScopeItem) for s in reply]
    evidence.measure("scopes", scopes)
    problems = check_scopes(scopes)
    assert not problems, "; ".join(problems)
