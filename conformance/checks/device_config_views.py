"""Plain views of the Device service's configuration replies (zeep objects), for the checks in
:mod:`conformance.checks.device_config`. Absent optional elements stay absent or empty; no view
keeps a password or a user name, at most whether one was sent (evidence must not hold them)."""

from __future__ import annotations

from typing import Any


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in ("true", "1") else False if text in ("false", "0") else None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _address_entries(values: Any) -> list[dict[str, str]]:
    """tt:IPAddress / tt:NetworkHost list -> [{Type, IPv4Address, IPv6Address, DNSname}]."""
    entries = []
    for value in _list(values):
        entry = {"Type": _text(getattr(value, "Type", None))}
        for name in ("IPv4Address", "IPv6Address", "DNSname"):
            if getattr(value, name, None) is not None:
                entry[name] = _text(getattr(value, name))
        entries.append(entry)
    return entries


def interfaces_view(interfaces: Any) -> list[dict[str, Any]]:
    """GetNetworkInterfaces -> per interface: token, Enabled and its IPv4/IPv6 addresses
    (Manual, LinkLocal, FromDHCP, FromRA) with prefix lengths."""
    view = []
    for interface in _list(interfaces):
        item: dict[str, Any] = {
            "token": _text(getattr(interface, "token", None)),
            "Enabled": _bool(getattr(interface, "Enabled", None)),
            "addresses": [],
        }
        for family, names in (
            ("IPv4", ("Manual", "LinkLocal", "FromDHCP")),
            ("IPv6", ("Manual", "LinkLocal", "FromDHCP", "FromRA")),
        ):
            part = getattr(interface, family, None)
            config = getattr(part, "Config", None) if part is not None else None
            if config is None or _bool(getattr(part, "Enabled", None)) is False:
                continue
            for name in names:
                for prefixed in _list(getattr(config, name, None)):
                    item["addresses"].append(
                        {
                            "family": family,
                            "source": name,
                            "Address": _text(getattr(prefixed, "Address", None)),
                            "PrefixLength": getattr(prefixed, "PrefixLength", None),
                        }
                    )
        view.append(item)
    return view


def dns_view(info: Any) -> dict[str, Any]:
    """tt:DNSInformation -> FromDHCP, SearchDomain, DNSFromDHCP and DNSManual entries."""
    return {
        "FromDHCP": _bool(getattr(info, "FromDHCP", None)),
        "SearchDomain": [_text(d) for d in _list(getattr(info, "SearchDomain", None))],
        "DNSFromDHCP": _address_entries(getattr(info, "DNSFromDHCP", None)),
        "DNSManual": _address_entries(getattr(info, "DNSManual", None)),
    }


def ntp_view(info: Any) -> dict[str, Any]:
    """tt:NTPInformation -> FromDHCP, NTPFromDHCP and NTPManual entries."""
    return {
        "FromDHCP": _bool(getattr(info, "FromDHCP", None)),
        "NTPFromDHCP": _address_entries(getattr(info, "NTPFromDHCP", None)),
        "NTPManual": _address_entries(getattr(info, "NTPManual", None)),
    }


def gateway_view(gateway: Any) -> dict[str, list[str]]:
    """tt:NetworkGateway -> its IPv4 and IPv6 addresses."""
    return {
        family: [_text(a) for a in _list(getattr(gateway, family, None))]
        for family in ("IPv4Address", "IPv6Address")
    }


def protocols_view(protocols: Any) -> list[dict[str, Any]]:
    """GetNetworkProtocols -> [{Name, Enabled, Port: [...]}]."""
    view = []
    for protocol in _list(protocols):
        ports = []
        for port in _list(getattr(protocol, "Port", None)):
            try:
                ports.append(int(port))
            except (TypeError, ValueError):
                ports.append(-1)
        view.append(
            {
                "Name": _text(getattr(protocol, "Name", None)),
                "Enabled": _bool(getattr(protocol, "Enabled", None)),
                "Port": ports,
            }
        )
    return view


def dynamic_dns_view(info: Any) -> dict[str, str]:
    """tt:DynamicDNSInformation -> Type (and Name if given)."""
    view = {"Type": _text(getattr(info, "Type", None))}
    if getattr(info, "Name", None) is not None:
        view["Name"] = _text(info.Name)
    return view


def users_view(users: Any) -> list[dict[str, Any]]:
    """GetUsers -> per user: whether a user name is given, the level, and whether a Password
    element came back (never its value, nor the user name: evidence must not hold them)."""
    view = []
    for user in _list(users):
        password = getattr(user, "Password", None)
        view.append(
            {
                "has_username": bool(_text(getattr(user, "Username", None))),
                "UserLevel": _text(getattr(user, "UserLevel", None)),
                "password_returned": password is not None,
            }
        )
    return view


def system_log_view(log: Any) -> dict[str, Any]:
    """tt:SystemLog -> which of String and Binary it carries, and the String's length."""
    text = getattr(log, "String", None)
    binary = getattr(log, "Binary", None)
    view: dict[str, Any] = {"String": text is not None, "Binary": binary is not None}
    if text is not None:
        view["characters"] = len(str(text))
    return view


def relay_outputs_view(relays: Any) -> list[dict[str, str]]:
    """GetRelayOutputs -> [{token, Mode, IdleState}]."""
    view = []
    for relay in _list(relays):
        properties = getattr(relay, "Properties", None)
        view.append(
            {
                "token": _text(getattr(relay, "token", None)),
                "Mode": _text(getattr(properties, "Mode", None)),
                "IdleState": _text(getattr(properties, "IdleState", None)),
            }
        )
    return view


def relay_capability_count(capabilities: Any) -> int | None:
    """GetCapabilities -> Device.IO.RelayOutputs (None when the device gives no count)."""
    io = getattr(getattr(capabilities, "Device", None), "IO", None)
    count = getattr(io, "RelayOutputs", None)
    try:
        return None if count is None else int(count)
    except (TypeError, ValueError):
        return None


def ip_filter_view(address_filter: Any) -> dict[str, Any]:
    """tt:IPAddressFilter -> Type and the number of IPv4/IPv6 entries."""
    return {
        "Type": _text(getattr(address_filter, "Type", None)),
        "IPv4Address": len(_list(getattr(address_filter, "IPv4Address", None))),
        "IPv6Address": len(_list(getattr(address_filter, "IPv6Address", None))),
    }
