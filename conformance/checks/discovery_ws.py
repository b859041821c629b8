"""Checks of WS-Discovery ProbeMatches (ONVIF Core 7.3; DTT DISCOVERY-1-1-x; quirks Q9, Q20).

Pure functions on values the suite extracted from a probe: which matches are the device's own,
and whether their Types, Scopes and XAddrs describe it so that a VMS can find and use it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

DN = "http://www.onvif.org/ver10/network/wsdl"
TDS = "http://www.onvif.org/ver10/device/wsdl"
NVT = (DN, "NetworkVideoTransmitter")
DEVICE = (TDS, "Device")
TYPE_NAMES = {NVT: "dn:NetworkVideoTransmitter", DEVICE: "tds:Device"}
PROFILE_SCOPE = "onvif://www.onvif.org/Profile/"
# ONVIF Profiles conformance spec, profile support check: the Types each profile requires.
PROFILE_TYPES = {"S": NVT, "Streaming": NVT, "T": DEVICE, "G": DEVICE, "M": DEVICE}


class MatchLike(Protocol):
    xaddrs: list[str]


M = TypeVar("M", bound=MatchLike)


def _port(url: str) -> int | None:
    try:
        parts = urlsplit(url)
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None


def own_matches(matches: Iterable[M], device_url: str) -> list[M]:
    """The matches that are this device's: an XAddr on the port of its device service.

    A simulator (or an NVR) answers for several devices from one address, so the source
    address cannot tell them apart; the port can, even when the host is advertised wrongly
    (0.0.0.0, a NAT-internal address), which is exactly what WSD-XADDR-01 must then judge.
    """
    port = _port(device_url)
    return [m for m in matches if any(_port(x) == port for x in m.xaddrs)]


def check_probe_answered(own: int, others: int, ignored: list[str], wait_s: float) -> list[str]:
    """WSD-PROBE-01: no ProbeMatch means no VMS can discover the device."""
    if own:
        return []
    problem = f"no ProbeMatch for this device within {wait_s:g} s of a unicast Probe"
    if others:
        problem += f" ({others} ProbeMatch(es) for other devices at the same address)"
    if ignored:
        problem += f"; unusable replies: {'; '.join(ignored[:3])}"
    return [problem]


def required_types(claimed_profiles: Iterable[str], scopes: Iterable[str]) -> list[tuple[str, str]]:
    """Types the device must advertise: per claimed profile and per Profile scope it announces
    (profile support check); at least one of the two ONVIF device types in any case."""
    names = set(claimed_profiles)
    names |= {s[len(PROFILE_SCOPE) :].strip("/") for s in scopes if s.startswith(PROFILE_SCOPE)}
    wanted = {PROFILE_TYPES[n] for n in names if n in PROFILE_TYPES}
    return sorted(wanted)


def check_types(types: list[tuple[str, str]], required: list[tuple[str, str]]) -> list[str]:
    """WSD-MATCH-01 (Types): clients probe for these types and skip devices without them."""
    problems = [f"Types lack {TYPE_NAMES[t]}" for t in required if t not in types]
    if not required and NVT not in types and DEVICE not in types:
        problems.append("Types name neither dn:NetworkVideoTransmitter nor tds:Device")
    return problems


def check_scopes(advertised: list[str], get_scopes: list[str]) -> list[str]:
    """WSD-MATCH-01 (Scopes): discovery and GetScopes must describe the same device."""
    if not advertised and not get_scopes:
        from conformance.outcomes import Inconclusive

        raise Inconclusive("neither the ProbeMatch nor GetScopes lists a scope: nothing to compare")
    problems = []
    missing = [s for s in get_scopes if s not in advertised]
    extra = [s for s in advertised if s not in get_scopes]
    if missing:
        problems.append(f"ProbeMatch Scopes lack {missing} that GetScopes reports")
    if extra:
        problems.append(f"ProbeMatch Scopes add {extra} that GetScopes does not report")
    return problems


def check_typed_probe(answered: bool, type_name: str) -> list[str]:
    """WSD-MATCH-01 (DISCOVERY-1-1-3): a Probe naming a type the device has must be answered."""
    return [] if answered else [f"no ProbeMatch to a Probe for {type_name}"]


def _unusable_host(host: str) -> str | None:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_link_local:
        return "link-local address"
    return None


def check_xaddrs(xaddrs: list[str], device_url: str) -> list[str]:
    """WSD-XADDR-01: one XAddr must reach the device service where the suite reaches it.

    DEVICE-1-1-31 requires XAddrs on the host and port used for the request; an XAddr of
    0.0.0.0 (go2rtc's fix), a stale or an internal address sends a VMS nowhere.
    """
    device = urlsplit(device_url)
    if not xaddrs:
        return ["ProbeMatch has no XAddrs"]
    usable = []
    problems = []
    for xaddr in xaddrs:
        parts = urlsplit(xaddr)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            problems.append(f"XAddr {xaddr!r} is not an http(s) URL")
            continue
        why = _unusable_host(parts.hostname)
        if why:
            problems.append(f"XAddr {xaddr} has an {why}")
            continue
        if parts.hostname == device.hostname and _port(xaddr) == _port(device_url):
            usable.append(xaddr)
    if usable:
        return []
    return problems or [
        f"no XAddr is on the device's address {device.hostname}:{_port(device_url)} "
        f"(XAddrs: {' '.join(xaddrs)})"
    ]
