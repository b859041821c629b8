"""Device management configuration reads (ONVIF-DEV-NET-01, -USERS-01, -READS-01): ONVIF's Base
device test cases that read the network settings, the users, the system log, the remote user,
the IP address filter and the relay outputs.

The views of the replies come from :mod:`conformance.checks.device_config_views`; checks judge
them and the neutral :class:`~conformance.checks.device.Refusal` of each call, so they run on
hand-made inputs. An
operation the specification makes conditional ("If the device supports ...") may be declined
with env:Receiver/ter:ActionNotSupported (Core 5.1.2: optional operations); a mandatory one
("The device shall ...") may not. Element order, extra elements and vendor extensions never
matter, and no view keeps a password: at most whether one was sent.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.checks.device import Refusal
from conformance.checks.faults import describe, is_not_implemented

NET_MANDATORY = (
    "GetNetworkInterfaces",
    "GetDNS",
    "GetNetworkProtocols",
    "GetNetworkDefaultGateway",
)
"""devicemgmt.wsdl: "The device shall support ..." / "The device shall return ..."."""
NET_CONDITIONAL = ("GetNTP", "GetDynamicDNS")
"""devicemgmt.wsdl: "If the device supports NTP / dynamic DNS ... it shall be possible ..."."""

USER_LEVELS = ("Administrator", "Operator", "User", "Anonymous", "Extended")
"""tt:UserLevel (onvif.xsd)."""
PROTOCOL_NAMES = ("HTTP", "HTTPS", "RTSP")
"""tt:NetworkProtocolType (onvif.xsd)."""
DYNAMIC_DNS_TYPES = ("NoUpdate", "ClientUpdates", "ServerUpdates")
"""tt:DynamicDNSType (onvif.xsd)."""
DEFAULT_PORTS = {"http": 80, "https": 443, "rtsp": 554}
SCHEME_PROTOCOL = {"http": "HTTP", "https": "HTTPS", "rtsp": "RTSP"}

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?)+$")


@dataclass(frozen=True)
class Read:
    """One configuration read: how the device answered and, if it answered, a view of it."""

    operation: str
    answer: Refusal
    view: Any = None


@dataclass
class Served:
    """Where the device was seen serving: scheme -> ports, from the XAddrs and stream URIs it
    gave (a port left out of a URI is the scheme's default)."""

    ports: dict[str, set[int]] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)

    def add(self, url: str, source: str) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            return
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError:
            return
        self.ports.setdefault(scheme, set()).add(port)
        self.sources.setdefault(f"{scheme}:{port}", []).append(source)


# --- checks ----------------------------------------------------------------------------------


def _valid_ip(value: str, family: str) -> bool:
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return False
    return address.version == (4 if family == "IPv4" else 6)


def _entry_problems(where: str, entries: Iterable[Mapping[str, str]], hosts: bool) -> list[str]:
    """tt:IPAddress (hosts=False) or tt:NetworkHost (hosts=True) entries: the Type names the
    element that holds the address, and that address is valid for it."""
    problems = []
    allowed = ("IPv4", "IPv6", "DNS") if hosts else ("IPv4", "IPv6")
    for index, entry in enumerate(entries, 1):
        kind = entry.get("Type", "")
        label = f"{where} entry {index}"
        if kind not in allowed:
            problems.append(f"{label}: Type {kind!r} is not one of {', '.join(allowed)}")
            continue
        element = "DNSname" if kind == "DNS" else f"{kind}Address"
        value = entry.get(element, "")
        if not value:
            problems.append(f"{label}: Type {kind} without {element}")
        elif kind == "DNS":
            if not _HOSTNAME.match(value):
                problems.append(f"{label}: DNSname {value!r} is not a host name")
        elif not _valid_ip(value, kind):
            problems.append(f"{label}: {element} {value!r} is not an {kind} address")
    return problems


def refused_access(answer: Refusal) -> bool:
    """The device refused the suite's account (ter:NotAuthorized, HTTP 401 or 403): for an
    Administrator-only read (access class READ_SYSTEM_SECRET, Core 5.9.4) that says which
    account the target gave the suite, not whether the device implements the read."""
    if answer.kind == "fault":
        return any(s.endswith("}NotAuthorized") for s in answer.subcodes)
    return answer.kind == "http" and answer.http_status in (401, 403)


def _declined(read: Read, mandatory: bool, secret: bool = False) -> tuple[list[str], str | None]:
    """(problems, note) for a read that did not answer; ([], None) when it answered.
    ``secret``: an Administrator-only read, which the suite's account may be refused."""
    if read.answer.kind == "answered":
        return [], None
    if not mandatory and is_not_implemented(read.answer):
        return [], f"{read.operation}: declined as not supported (legal: optional operation)"
    if secret and refused_access(read.answer):
        return [], (
            f"{read.operation}: not judged, the suite's account was refused it "
            f"({describe(read.answer)}); it needs an Administrator account"
        )
    return [f"{read.operation} answered {describe(read.answer)}"], None


def check_interfaces(interfaces: list[dict[str, Any]], device_host: str) -> list[str]:
    """GetNetworkInterfaces: at least one interface, each with a token, every address valid
    with a prefix length in range; and, when the suite reached the device by IP address, some
    enabled interface reports that address."""
    if not interfaces:
        return ["GetNetworkInterfaces lists no network interface"]
    problems = []
    reported = set()
    for interface in interfaces:
        label = f"interface {interface.get('token') or '(no token)'}"
        if not interface.get("token"):
            problems.append("GetNetworkInterfaces: an interface has no token")
        for entry in interface.get("addresses", []):
            family, value = entry["family"], entry["Address"]
            if not _valid_ip(value, family):
                problems.append(f"{label}: {entry['source']} {value!r} is not an {family} address")
                continue
            prefix = entry.get("PrefixLength")
            top = 32 if family == "IPv4" else 128
            if prefix is None or not 0 <= int(prefix) <= top:
                problems.append(f"{label}: {value} has PrefixLength {prefix!r} (0..{top})")
            if interface.get("Enabled") is not False:
                reported.add(ipaddress.ip_address(value.split("%", 1)[0]))
    try:
        host = ipaddress.ip_address(device_host.strip("[]"))
    except ValueError:
        return problems
    if host not in reported:
        listed = ", ".join(sorted(str(a) for a in reported)) or "none"
        problems.append(
            f"no enabled interface reports {host}, the address the device answers on "
            f"(addresses reported: {listed})"
        )
    return problems


def check_dns(view: Mapping[str, Any]) -> list[str]:
    """GetDNS: FromDHCP given; DNSFromDHCP and DNSManual entries well formed."""
    if not view:
        return ["GetDNS gave no DNSInformation"]
    problems = []
    if view.get("FromDHCP") is None:
        problems.append("GetDNS: DNSInformation has no FromDHCP")
    for name in ("DNSFromDHCP", "DNSManual"):
        problems += _entry_problems(f"GetDNS {name}", view.get(name, []), hosts=False)
    return problems


def check_ntp(view: Mapping[str, Any]) -> list[str]:
    """GetNTP: FromDHCP given; NTPFromDHCP and NTPManual entries well formed."""
    if not view:
        return ["GetNTP gave no NTPInformation"]
    problems = []
    if view.get("FromDHCP") is None:
        problems.append("GetNTP: NTPInformation has no FromDHCP")
    for name in ("NTPFromDHCP", "NTPManual"):
        problems += _entry_problems(f"GetNTP {name}", view.get(name, []), hosts=True)
    return problems


def _gateway_problems(view: Mapping[str, list[str]]) -> list[str]:
    """GetNetworkDefaultGateway: every address valid for its family (none at all is legal:
    a device on one segment needs no gateway)."""
    problems = []
    for element, family in (("IPv4Address", "IPv4"), ("IPv6Address", "IPv6")):
        for value in view.get(element, []):
            if not _valid_ip(value, family):
                problems.append(f"GetNetworkDefaultGateway: {element} {value!r} is not valid")
    return problems


def check_dynamic_dns(view: Mapping[str, str]) -> list[str]:
    """GetDynamicDNS: Type is a tt:DynamicDNSType."""
    kind = view.get("Type", "")
    if kind not in DYNAMIC_DNS_TYPES:
        return [f"GetDynamicDNS: Type {kind!r} is not one of {', '.join(DYNAMIC_DNS_TYPES)}"]
    return []


def check_protocols(protocols: list[dict[str, Any]], served: Served) -> list[str]:
    """GetNetworkProtocols: names are tt:NetworkProtocolType, enabled ones give a port; every
    scheme the device was seen serving (HTTP/HTTPS XAddrs, RTSP stream URIs) is listed, enabled,
    with the port it was seen on. A protocol listed disabled that the device does not serve on
    is legal (HTTPS switched off, say)."""
    if not protocols:
        return ["GetNetworkProtocols lists no protocol"]
    problems = []
    by_name: dict[str, list[dict[str, Any]]] = {}
    for protocol in protocols:
        name = protocol.get("Name", "")
        if name not in PROTOCOL_NAMES:
            problems.append(f"GetNetworkProtocols: Name {name!r} is not HTTP, HTTPS or RTSP")
            continue
        if protocol.get("Enabled") is None:
            problems.append(f"GetNetworkProtocols: {name} has no Enabled")
        if protocol.get("Enabled") and not protocol.get("Port"):
            problems.append(f"GetNetworkProtocols: {name} is enabled with no Port")
        for port in protocol.get("Port", []):
            if not 0 < port < 65536:
                problems.append(f"GetNetworkProtocols: {name} Port {port} is not a port number")
        by_name.setdefault(name, []).append(protocol)
    if not served.ports:
        problems.append("no XAddr or stream URI to compare GetNetworkProtocols with")
    for scheme, ports in sorted(served.ports.items()):
        name = SCHEME_PROTOCOL[scheme]
        listed = by_name.get(name, [])
        for port in sorted(ports):
            seen = ", ".join(served.sources.get(f"{scheme}:{port}", []))
            where = f"the device serves {name} on port {port} ({seen})"
            if not listed:
                problems.append(f"GetNetworkProtocols does not list {name}, yet {where}")
            elif not any(port in p.get("Port", []) for p in listed if p.get("Enabled")):
                given = "; ".join(
                    f"{'enabled' if p.get('Enabled') else 'disabled'} on "
                    f"{', '.join(map(str, p.get('Port', []))) or 'no port'}"
                    for p in listed
                )
                problems.append(f"GetNetworkProtocols lists {name} {given}, yet {where}")
    return problems


def check_network_reads(
    reads: Mapping[str, Read], device_host: str, served: Served
) -> tuple[list[str], list[str]]:
    """ONVIF-DEV-NET-01: (problems, notes) over the six reads, keyed by operation. Mandatory
    reads must answer; GetNTP and GetDynamicDNS may be declined as not supported."""
    problems: list[str] = []
    notes: list[str] = []
    judges = {
        "GetNetworkInterfaces": lambda v: check_interfaces(v, device_host),
        "GetDNS": check_dns,
        "GetNTP": check_ntp,
        "GetNetworkProtocols": lambda v: check_protocols(v, served),
        "GetNetworkDefaultGateway": _gateway_problems,
        "GetDynamicDNS": check_dynamic_dns,
    }
    for operation, judge in judges.items():
        read = reads.get(operation)
        if read is None:
            problems.append(f"{operation} was not asked")
            continue
        declined, note = _declined(read, operation in NET_MANDATORY)
        if note:
            notes.append(note)
        if declined or note:
            problems += declined
            continue
        problems += judge(read.view)
    return problems, notes


def check_users(read: Read) -> list[str]:
    """ONVIF-DEV-USERS-01: GetUsers answers with at least one user, each with a user name and a
    tt:UserLevel, and no Password element (its value is never reported)."""
    declined, _ = _declined(read, mandatory=True)
    if declined:
        return declined
    users = read.view or []
    if not users:
        return ["GetUsers lists no user (the suite's own account at least exists)"]
    problems = []
    for index, user in enumerate(users, 1):
        label = f"GetUsers user {index}"
        if not user.get("has_username"):
            problems.append(f"{label} has no Username")
        if user.get("UserLevel") not in USER_LEVELS:
            problems.append(
                f"{label}: UserLevel {user.get('UserLevel')!r} is not one of "
                f"{', '.join(USER_LEVELS)}"
            )
        if user.get("password_returned"):
            problems.append(
                f"{label}: the reply carries the user's Password (value withheld from this "
                "report): a stored credential disclosed to every client and log that sees it"
            )
    return problems


def check_io_reads(
    system_log: Read, remote_user: Read, ip_filter: Read, relays: Read, relay_count: int | None
) -> tuple[list[str], list[str]]:
    """ONVIF-DEV-READS-01: (problems, notes). GetSystemLog, GetRemoteUser and GetIPAddressFilter
    answer or are declined as not supported; an answered system log carries String or Binary,
    an answered IP filter a Type. GetRelayOutputs lists as many relays as GetCapabilities'
    Device.IO.RelayOutputs counts; it may be declined only when that count is 0 or absent."""
    problems: list[str] = []
    notes: list[str] = []
    for read in (system_log, remote_user, ip_filter):
        declined, note = _declined(read, mandatory=False, secret=True)
        problems += declined
        if note:
            notes.append(note)
    if system_log.answer.kind == "answered":
        view = system_log.view or {}
        if not view.get("String") and not view.get("Binary"):
            problems.append("GetSystemLog: the SystemLog has neither String nor Binary")
    if ip_filter.answer.kind == "answered":
        kind = (ip_filter.view or {}).get("Type", "")
        if kind not in ("Allow", "Deny"):
            problems.append(f"GetIPAddressFilter: Type {kind!r} is not Allow or Deny")
    declined, note = _declined(relays, mandatory=bool(relay_count))
    problems += declined
    if note:
        notes.append(note)
    if relays.answer.kind == "answered":
        listed = len(relays.view or [])
        tokens = [r.get("token") for r in relays.view or []]
        if any(not t for t in tokens):
            problems.append("GetRelayOutputs: a relay output has no token")
        if relay_count is None:
            notes.append("GetCapabilities gives no Device.IO.RelayOutputs count to compare with")
        elif listed != relay_count:
            problems.append(
                f"GetRelayOutputs lists {listed} relay output(s), GetCapabilities "
                f"Device.IO.RelayOutputs says {relay_count}"
            )
    if all(r.answer.kind != "answered" for r in (system_log, remote_user, ip_filter, relays)):
        problems.append(
            "none of GetSystemLog, GetRemoteUser, GetIPAddressFilter and "
            "GetRelayOutputs answered: nothing to judge"
        )
    return problems, notes
