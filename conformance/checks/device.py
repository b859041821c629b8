"""Checks of the ONVIF Device service (time, identity, services, addresses, scopes, auth)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

ONVIF_ERROR_NS = "http://www.onvif.org/ver10/error"
SOAP_ENV_NS = "http://www.w3.org/2003/05/soap-envelope"

NS_DEVICE_SERVICE = "http://www.onvif.org/ver10/device/wsdl"

# GetCapabilities category -> the GetServices namespace of the same service.
CAPABILITY_NAMESPACES = {
    "Device": "http://www.onvif.org/ver10/device/wsdl",
    "Media": "http://www.onvif.org/ver10/media/wsdl",
    "Events": "http://www.onvif.org/ver10/events/wsdl",
    "PTZ": "http://www.onvif.org/ver20/ptz/wsdl",
    "Imaging": "http://www.onvif.org/ver20/imaging/wsdl",
    "Analytics": "http://www.onvif.org/ver20/analytics/wsdl",
}

EXTENSION_NAMESPACES = {
    "DeviceIO": "http://www.onvif.org/ver10/deviceIO/wsdl",
    "Recording": "http://www.onvif.org/ver10/recording/wsdl",
    "Search": "http://www.onvif.org/ver10/search/wsdl",
    "Replay": "http://www.onvif.org/ver10/replay/wsdl",
    "Receiver": "http://www.onvif.org/ver10/receiver/wsdl",
}
"""GetCapabilities' tt:CapabilitiesExtension categories -> the GetServices namespace of the same
service (those with an XAddr of their own)."""

PROFILE_S_SCOPE = "onvif://www.onvif.org/Profile/Streaming"


def onvif_datetime(value: Any) -> datetime | None:
    """A tt:DateTime (Date{Year,Month,Day}, Time{Hour,Minute,Second}) as an aware UTC datetime."""
    if value is None:
        return None
    try:
        d, t = value.Date, value.Time
        return datetime(
            int(d.Year),
            int(d.Month),
            int(d.Day),
            int(t.Hour),
            int(t.Minute),
            int(t.Second),
            tzinfo=UTC,
        )
    except (AttributeError, TypeError, ValueError):
        return None


def clock_offset(device_utc: datetime, sent: float, received: float) -> tuple[float, float]:
    """Offset of the device clock and its uncertainty (half the round trip + 1 s resolution)."""
    midpoint = (sent + received) / 2
    offset = device_utc.timestamp() - midpoint
    # UTCDateTime has whole seconds: the device's true time lies in [t, t + 1).
    return offset + 0.5, (received - sent) / 2 + 0.5


def device_utc(reply: Any) -> datetime | None:
    """The UTC time in a GetSystemDateAndTime reply; None if absent or not a valid date."""
    return onvif_datetime(getattr(reply, "UTCDateTime", None))


def time_zone_of(reply: Any) -> str:
    """The POSIX TZ string of a GetSystemDateAndTime reply ("" if the device gave none)."""
    return str(getattr(getattr(reply, "TimeZone", None), "TZ", ""))


def check_clock(
    device_utc: datetime | None, offset: float | None, uncertainty: float, max_skew: float
) -> list[str]:
    """ONVIF-DEV-TIME-02: evidence timestamps and WS-Security both need a correct device clock.

    Only a skew beyond the limit *plus* the measurement uncertainty is reported, so a slow
    network can never make a correct clock fail.
    """
    if device_utc is None or offset is None:
        return ["GetSystemDateAndTime returned no usable UTCDateTime"]
    if abs(offset) - uncertainty > max_skew:
        return [
            f"device clock is {offset:+.1f} s from true UTC (±{uncertainty:.1f} s); "
            f"the limit is {max_skew:g} s"
        ]
    return []


IDENTITY_FIELDS = ("Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId")


def identity_of(info: Any) -> dict[str, Any]:
    """The identity fields of a GetDeviceInformation reply (None where a field is absent)."""
    return {name: getattr(info, name, None) for name in IDENTITY_FIELDS}


def check_identity(info: dict[str, Any]) -> list[str]:
    """ONVIF-DEV-INFO-01: asset registers and firmware tracking need every identity field."""
    return [f"{name} is empty" for name in IDENTITY_FIELDS if not str(info.get(name) or "").strip()]


def capability_xaddrs(caps: Any) -> dict[str, str]:
    """GetCapabilities reply -> category -> XAddr, for the categories GetServices can confirm.

    Categories the device leaves out (or advertises without an XAddr) are simply absent:
    Profile S makes most of them optional.
    """
    found = {}
    for category in CAPABILITY_NAMESPACES:
        section = getattr(caps, category, None)
        xaddr = getattr(section, "XAddr", None) if section is not None else None
        if xaddr:
            found[category] = str(xaddr)
    return found


def extension_xaddrs(caps: Any) -> dict[str, str]:
    """GetCapabilities reply -> Extension category (Recording, Search, Replay, Receiver,
    DeviceIO) -> XAddr, for those the device gives with an XAddr."""
    extension = getattr(caps, "Extension", None)
    found = {}
    for category in EXTENSION_NAMESPACES:
        section = getattr(extension, category, None) if extension is not None else None
        xaddr = getattr(section, "XAddr", None) if section is not None else None
        if xaddr:
            found[category] = str(xaddr)
    return found


def service_entries(services: Iterable[Any]) -> list[dict[str, str]]:
    """GetServices reply -> per tds:Service: Namespace, XAddr and Version ("2.60"; "" if the
    entry has none)."""
    entries = []
    for service in services:
        version = getattr(service, "Version", None)
        major = getattr(version, "Major", None) if version is not None else None
        minor = getattr(version, "Minor", None) if version is not None else None
        entries.append(
            {
                "Namespace": str(getattr(service, "Namespace", "") or "").strip(),
                "XAddr": str(getattr(service, "XAddr", "") or "").strip(),
                "Version": "" if major is None or minor is None else f"{major}.{minor}",
            }
        )
    return entries


def check_service_entries(entries: list[dict[str, str]]) -> list[str]:
    """ONVIF-DEV-SVC-01 (GET SERVICES - <SERVICE> SERVICE): every tds:Service names its
    namespace once, with an absolute http(s) XAddr and a Version. The device service is always
    there, so an empty list is a failure."""
    if not entries:
        return ["GetServices lists no service (not even the device service)"]
    problems = []
    seen: dict[str, int] = {}
    for entry in entries:
        namespace = entry.get("Namespace", "")
        label = namespace or "a service without Namespace"
        if not namespace:
            problems.append("GetServices lists a service without Namespace")
        seen[namespace] = seen.get(namespace, 0) + 1
        parts = urlsplit(entry.get("XAddr", ""))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"{label}: XAddr {entry.get('XAddr')!r} is not an absolute http(s) URL")
        if not entry.get("Version"):
            problems.append(f"{label}: no Version (Major and Minor)")
    problems += [
        f"GetServices lists {namespace} {count} times"
        for namespace, count in seen.items()
        if namespace and count > 1
    ]
    if NS_DEVICE_SERVICE not in seen:
        problems.append(f"GetServices does not list the device service ({NS_DEVICE_SERVICE})")
    return problems


def service_xaddrs(services: Iterable[Any]) -> dict[str, str]:
    """GetServices reply (a list of tds:Service) -> namespace -> XAddr."""
    return {str(s.Namespace): str(s.XAddr) for s in services}


def advertised_xaddrs(services: Iterable[Any], caps: Any) -> dict[str, str]:
    """Every address the device advertises, labelled by where it said so (for DEVICE-1-1-31)."""
    xaddrs = {f"GetServices {ns}": xaddr for ns, xaddr in service_xaddrs(services).items()}
    xaddrs.update({f"GetCapabilities {k}": v for k, v in capability_xaddrs(caps).items()})
    return xaddrs


def scopes_of(reply: Iterable[Any]) -> list[str]:
    """GetScopes reply (a list of tt:Scopes) -> the scope URIs, in the device's order."""
    return [str(s.ScopeItem) for s in reply]


def check_services_consistent(services: dict[str, str], capabilities: dict[str, str]) -> list[str]:
    """ONVIF-DEV-SVC-01: clients that use either call must reach the same service.

    ``services``: namespace -> XAddr; ``capabilities``: category -> XAddr. Nothing to compare
    is not a pass: GetCapabilities always has at least the Device category.
    """
    if not capabilities:
        return ["GetCapabilities advertises no service address to compare with GetServices"]
    problems = []
    for category, xaddr in capabilities.items():
        namespace = CAPABILITY_NAMESPACES.get(category) or EXTENSION_NAMESPACES.get(category)
        if namespace is None:
            continue
        if namespace not in services:
            problems.append(
                f"GetCapabilities advertises {category} at {xaddr}, "
                f"but GetServices does not list {namespace}"
            )
        elif services[namespace].rstrip("/") != xaddr.rstrip("/"):
            problems.append(
                f"{category}: GetCapabilities says {xaddr}, GetServices says {services[namespace]}"
            )
    return problems


def _authority(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return parts.scheme, (parts.hostname or "").lower(), port


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def check_xaddrs(device_url: str, xaddrs: dict[str, str]) -> list[str]:
    """ONVIF-DEV-XADDR-01: each XAddr matches the scheme and IP part (host) of the request.

    Core 8.1.2.2 asks only for the scheme and IP part: another port or path is legal (services
    behind gateways), so neither is compared; an unparseable port is a fault. A device reached by
    host name may answer with its IP address ("IP part" is then ambiguous), which is accepted.
    Whether each address answers is checked separately
    (:func:`conformance.clients.addresses.probe_xaddr`).
    """
    if not xaddrs:
        return ["the device advertises no service address (GetServices and GetCapabilities)"]
    scheme, host, _port = _authority(device_url)
    problems = []
    for where, xaddr in xaddrs.items():
        got_scheme, got_host, got_port = _authority(xaddr)
        if got_port is None:
            problems.append(f"{where}: {xaddr} has no valid port")
        elif got_scheme != scheme or (got_host != host and (_is_ip(host) or not _is_ip(got_host))):
            problems.append(f"{where}: {xaddr} is not on {scheme}://{host}")
    return problems


def xaddr_namespace(where: str) -> str | None:
    """The service namespace of an :func:`advertised_xaddrs` label (None if unknown)."""
    call, _, name = where.partition(" ")
    if call == "GetServices":
        return name
    return CAPABILITY_NAMESPACES.get(name)


def check_scopes(scopes: list[str]) -> list[str]:
    """ONVIF-DEV-SCOPES-01: WS-Discovery clients select devices by profile, name and hardware."""
    problems = []
    lowered = [s.lower() for s in scopes]
    if PROFILE_S_SCOPE.lower() not in lowered:
        problems.append(f"scope {PROFILE_S_SCOPE} is missing")
    for kind in ("name", "hardware"):
        prefix = f"onvif://www.onvif.org/{kind}/"
        if not any(s.startswith(prefix) for s in lowered):
            problems.append(f"no {prefix}... scope identifies the device")
    return problems


@dataclass(frozen=True)
class Refusal:
    """How a device answered a request it should have refused."""

    kind: str  # "answered", "fault", "http"
    http_status: int | None = None
    code: str = ""
    subcodes: tuple[str, ...] = ()
    www_authenticate: tuple[str, ...] = ()
    content_type: str = ""


FAULT_HTTP_STATUSES = (400, 401, 500)
"""HTTP statuses that may carry an expected SOAP fault: 400 (SOAP 1.2 Part 2 HTTP binding,
Table 20: env:Sender), 500 (Receiver faults, and ONVIF Core 5.8.2.1's own example of a fault)
and 401 (HTTP authentication refused the request, Core 5.9.1). A fault carried by 200 is
reported by the binding as a success, so a client that trusts the status takes it for one."""


def check_fault_status(operation: str, answer: Refusal) -> list[str]:
    """The HTTP status that carried a SOAP fault (issue 14: faults by the binding)."""
    if answer.kind != "fault" or answer.http_status in FAULT_HTTP_STATUSES:
        return []
    return [
        f"{operation}: the SOAP fault came with HTTP {answer.http_status}; the SOAP 1.2 HTTP "
        "binding carries env:Sender with 400 (ONVIF's example uses 500; HTTP authentication "
        "401), never a success status"
    ]


def _is_not_authorized(subcodes: tuple[str, ...]) -> bool:
    return any(s in ("ter:NotAuthorized", f"{{{ONVIF_ERROR_NS}}}NotAuthorized") for s in subcodes)


def check_refused(operation: str, answer: Refusal) -> list[str]:
    """A protected operation without credentials: 401 Digest or a NotAuthorized fault."""
    if answer.kind == "answered":
        return [f"{operation} answered without credentials"]
    if answer.kind == "http" and answer.http_status == 401:
        if any(h.lower().startswith("digest") for h in answer.www_authenticate):
            return []
        return [
            f"{operation}: HTTP 401 without a Digest challenge "
            f"({', '.join(answer.www_authenticate) or 'no WWW-Authenticate'})"
        ]
    if answer.kind == "fault" and _is_not_authorized(answer.subcodes):
        return check_fault_status(operation, answer)
    return [
        f"{operation}: refused in a non-standard way (kind={answer.kind}, "
        f"HTTP {answer.http_status}, code={answer.code or '-'}, "
        f"subcodes={','.join(answer.subcodes) or '-'})"
    ]


def check_bad_credentials(operation: str, answer: Refusal) -> list[str]:
    """Wrong credentials: env:Sender + ter:NotAuthorized carried by HTTP 400, 401 or 500, or
    HTTP 401 with a Digest challenge."""
    if answer.kind == "answered":
        return [f"{operation} answered with wrong credentials"]
    if answer.kind == "fault":
        problems = check_fault_status(operation, answer)
        if answer.code not in ("env:Sender", f"{{{SOAP_ENV_NS}}}Sender", "Sender"):
            problems.append(f"{operation}: fault code {answer.code}, expected env:Sender")
        if not _is_not_authorized(answer.subcodes):
            problems.append(
                f"{operation}: fault subcodes {list(answer.subcodes)}, expected ter:NotAuthorized"
            )
        return problems
    if answer.http_status == 401 and any(
        h.lower().startswith("digest") for h in answer.www_authenticate
    ):
        return []
    return [
        f"{operation}: wrong credentials answered with HTTP {answer.http_status} "
        f"({answer.content_type or 'no content type'}) instead of a NotAuthorized fault"
    ]
