"""Whether an address the device advertises can be used: a service XAddr, a stream URI's host.

The suite calls each service where the device says it is (another port and path than the device
service's is legal, ONVIF Core 8.1.2.2) and falls back to the device service's authority only
when the advertised address cannot be used; these probes decide that (conformance.dut), and
ONVIF-DEV-XADDR-01 uses the same probe to judge every advertised address.
"""

from __future__ import annotations

import socket
from typing import Any


def port_of(parts: Any, default: int) -> int:
    try:
        return parts.port or default
    except ValueError:
        return default


def tcp_problem(host: str | None, port: int, timeout: float) -> str | None:
    """Why a TCP connection to ``host:port`` cannot be opened, or None if it can."""
    if not host:
        return "no host"
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def probe_xaddr(client: Any, url: str, namespace: str) -> str | None:
    """See :meth:`DeviceUnderTest.xaddr_problem` (module level so checks can use it alone)."""
    from conformance.clients.onvif import SOAP11_ENV, SOAP12_ENV, OnvifError

    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{SOAP12_ENV}"><s:Body>'
        f'<GetServiceCapabilities xmlns="{namespace}"/></s:Body></s:Envelope>'
    ).encode()
    try:
        raw = client.post_raw(url, body, auth="digest" if client.password else None)
    except OnvifError as exc:
        return f"{type(exc).__name__}: {exc}"
    envelope = SOAP12_ENV.encode() in raw.body or SOAP11_ENV.encode() in raw.body
    if (raw.status == 404 or raw.status >= 500) and not envelope:
        kind = raw.headers.get("Content-Type", "") or "no content type"
        return f"HTTP {raw.status} ({kind}) without a SOAP envelope"
    return None
