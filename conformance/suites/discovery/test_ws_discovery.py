"""WS-Discovery: can a VMS find the device by a unicast Probe, and use what it finds?

Only unicast Probes are sent, to the device's discovery address (the target's ``discovery``,
else the ONVIF host on UDP 3702). One untyped Probe is shared by the three requirements; its
answer is judged for presence (WSD-PROBE-01), content (WSD-MATCH-01) and address (WSD-XADDR-01).
A device that sends no ProbeMatch fails all three: there is nothing a VMS could use.
"""

from __future__ import annotations

import pytest

from conformance.checks.device import scopes_of
from conformance.checks.discovery_ws import (
    NVT,
    TYPE_NAMES,
    check_probe_answered,
    check_scopes,
    check_typed_probe,
    check_types,
    check_xaddrs,
    own_matches,
    required_types,
)


def _probe(device, evidence, wait: float, types: list[str] | None = None):
    """One Probe per device and type filter (cached), with the exchange attached as evidence."""
    from conformance.clients.discovery import probe

    url = device.device.onvif_url
    address = device.device.discovery_address
    result = device.cached(
        f"wsd-probe:{types}",
        lambda: probe(
            address, types=types, wait=wait, done=lambda found: bool(own_matches(found, url))
        ),
    )
    name = "wsd-probe" + ("-" + "-".join(t.split(":")[1] for t in types) if types else "")
    evidence.exercised("WS-Discovery Probe")
    evidence.attach_text(f"{name}-request", result.request, ext="xml", media_type="application/xml")
    evidence.attach_json(f"{name}-result", result.to_dict())
    for index, reply in enumerate(result.replies[:3]):
        evidence.attach_text(
            f"{name}-reply-{index}", reply, ext="xml", media_type="application/xml"
        )
    return result, own_matches(result.matches, url)


def _own_match(device, evidence, params):
    result, own = _probe(device, evidence, params["probe_wait_s"])
    evidence.measure("discovery_address", "{}:{}".format(*result.address))
    evidence.measure("probe_matches_for_device", len(own))
    problems = check_probe_answered(
        len(own), len(result.matches) - len(own), result.ignored, params["probe_wait_s"]
    )
    assert not problems, "; ".join(problems)
    return own[0]


@pytest.mark.requirement("WSD-PROBE-01")
def test_device_answers_unicast_probe(device, evidence, params):
    match = _own_match(device, evidence, params)
    evidence.measure("endpoint", match.endpoint)
    evidence.measure("xaddrs", match.xaddrs)


@pytest.mark.requirement("WSD-MATCH-01")
def test_probe_match_types_and_scopes(device, evidence, params):
    match = _own_match(device, evidence, params)
    scopes = scopes_of(device.onvif.call("devicemgmt", "GetScopes"))
    required = required_types(device.device.claims.profiles, scopes)
    evidence.claim("profiles", device.device.claims.profiles)
    evidence.expect("types", [TYPE_NAMES[t] for t in required])
    evidence.expect("scopes", scopes)
    evidence.measure("types", match.types_text)
    evidence.measure("scopes", match.scopes)
    problems = check_types(match.types, required) + check_scopes(match.scopes, scopes)
    for wanted in required or [NVT]:
        if wanted in match.types:  # DISCOVERY-1-1-3: a typed Probe for a type it has
            name = TYPE_NAMES[wanted]
            _, typed = _probe(device, evidence, params["probe_wait_s"], [name])
            evidence.measure(f"answers_probe_for_{name}", bool(typed))
            problems += check_typed_probe(bool(typed), name)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("WSD-XADDR-01")
def test_probe_match_xaddrs_reach_device(device, evidence, params):
    match = _own_match(device, evidence, params)
    evidence.expect("device_service", device.device.onvif_url)
    evidence.measure("xaddrs", match.xaddrs)
    problems = check_xaddrs(match.xaddrs, device.device.onvif_url)
    assert not problems, "; ".join(problems)
