"""A WS-Discovery (2005/04) client for unicast Probes, as ONVIF DISCOVERY-1-1-6 sends them.

It sends one SOAP-over-UDP Probe to one address and collects ProbeMatches for a bounded time.
Nothing is ever multicast: ONVIF devices must answer a Probe sent straight to UDP port 3702, and
a unicast probe touches only the device under test. Replies are parsed strictly and safely (no
DTD, no entities, no network, bounded size); only datagrams from the probed host whose RelatesTo
names our Probe count, the rest are listed in ``ignored`` with the reason.
"""

from __future__ import annotations

import select
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

ENV = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
TDS = "http://www.onvif.org/ver10/device/wsdl"
ACTION_PROBE = f"{WSD}/Probe"
ACTION_PROBE_MATCHES = f"{WSD}/ProbeMatches"
TO_DISCOVERY = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
MAX_DATAGRAM = 65_535
MAX_DATAGRAMS = 1000
KNOWN_PREFIXES = {"dn": DN, "tds": TDS}
"""Type prefixes the suite names types by (``dn:NetworkVideoTransmitter``, ``tds:Device``)."""

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


class DiscoveryError(Exception):
    """The probe could not be sent (bad address, no route): the suite cannot decide."""


@dataclass
class ProbeMatch:
    """One ProbeMatch, as the device sent it. ``types`` are resolved (namespace, local) QNames."""

    endpoint: str
    types: list[tuple[str, str]]
    types_text: str
    scopes: list[str]
    xaddrs: list[str]
    metadata_version: str | None
    message_id: str
    source: tuple[str, int]

    def to_dict(self) -> dict[str, object]:
        return {
            "endpoint": self.endpoint,
            "types": self.types_text,
            "scopes": self.scopes,
            "xaddrs": self.xaddrs,
            "metadata_version": self.metadata_version,
            "message_id": self.message_id,
            "source": f"{self.source[0]}:{self.source[1]}",
        }


@dataclass
class ProbeResult:
    """What one Probe brought back within the wait, with the request for the transcript."""

    address: tuple[str, int]
    message_id: str
    request: str
    matches: list[ProbeMatch] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    """Raw text of each datagram received (bounded), for evidence."""
    elapsed: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "address": f"{self.address[0]}:{self.address[1]}",
            "message_id": self.message_id,
            "matches": [m.to_dict() for m in self.matches],
            "ignored": self.ignored,
            "elapsed_s": round(self.elapsed, 3),
        }


def probe_message(message_id: str, types: list[str] | None, scopes: list[str] | None) -> bytes:
    """A SOAP 1.2 Probe; ``types`` are ``prefix:Local`` names with prefixes in KNOWN_PREFIXES."""
    nsmap = {"s": ENV, "a": WSA, "d": WSD, **KNOWN_PREFIXES}
    root = etree.Element(f"{{{ENV}}}Envelope", nsmap=nsmap)
    header = etree.SubElement(root, f"{{{ENV}}}Header")
    etree.SubElement(header, f"{{{WSA}}}MessageID").text = message_id
    etree.SubElement(header, f"{{{WSA}}}To").text = TO_DISCOVERY
    etree.SubElement(header, f"{{{WSA}}}Action").text = ACTION_PROBE
    body_probe = etree.SubElement(etree.SubElement(root, f"{{{ENV}}}Body"), f"{{{WSD}}}Probe")
    if types:
        etree.SubElement(body_probe, f"{{{WSD}}}Types").text = " ".join(types)
    if scopes:
        etree.SubElement(body_probe, f"{{{WSD}}}Scopes").text = " ".join(scopes)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class ReplyError(ValueError):
    """A datagram that is not a usable ProbeMatches reply to our Probe."""


def parse_probe_matches(
    data: bytes, expected_relates_to: str, source: tuple[str, int]
) -> list[ProbeMatch]:
    """Parse a ProbeMatches message strictly; raises ReplyError with the reason otherwise."""
    if len(data) > MAX_DATAGRAM:
        raise ReplyError("datagram too large")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ReplyError(f"not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise ReplyError("carries a DOCTYPE (refused)")
    if root.tag != f"{{{ENV}}}Envelope":
        raise ReplyError(f"root is {root.tag}, not a SOAP 1.2 Envelope")
    header = root.find(f"{{{ENV}}}Header")
    action = _text(header, f"{{{WSA}}}Action")
    if action != ACTION_PROBE_MATCHES:
        raise ReplyError(f"Action {action!r} is not ProbeMatches")
    relates_to = _text(header, f"{{{WSA}}}RelatesTo")
    if relates_to != expected_relates_to:
        raise ReplyError(f"RelatesTo {relates_to!r} does not name our Probe")
    message_id = _text(header, f"{{{WSA}}}MessageID")
    matches_el = root.find(f"{{{ENV}}}Body/{{{WSD}}}ProbeMatches")
    if matches_el is None:
        raise ReplyError("Body has no ProbeMatches")
    found = []
    for match in matches_el.findall(f"{{{WSD}}}ProbeMatch"):
        types_el = match.find(f"{{{WSD}}}Types")
        types_text = (types_el.text or "").strip() if types_el is not None else ""
        found.append(
            ProbeMatch(
                endpoint=_text(match, f"{{{WSA}}}EndpointReference/{{{WSA}}}Address"),
                types=_qnames(types_el),
                types_text=types_text,
                scopes=_text(match, f"{{{WSD}}}Scopes").split(),
                xaddrs=_text(match, f"{{{WSD}}}XAddrs").split(),
                metadata_version=_text(match, f"{{{WSD}}}MetadataVersion") or None,
                message_id=message_id,
                source=source,
            )
        )
    return found


def _text(parent: etree._Element | None, path: str) -> str:
    if parent is None:
        return ""
    return (parent.findtext(path) or "").strip()


def _qnames(types_el: etree._Element | None) -> list[tuple[str, str]]:
    """Resolve ``prefix:Local`` tokens in the element's own namespace context; an undeclared
    prefix resolves to the empty namespace (so it matches nothing a check asks for)."""
    if types_el is None:
        return []
    out = []
    for token in (types_el.text or "").split():
        prefix, sep, local = token.rpartition(":")
        out.append((types_el.nsmap.get(prefix if sep else None) or "", local))
    return out


def probe(
    address: tuple[str, int],
    *,
    types: list[str] | None = None,
    scopes: list[str] | None = None,
    wait: float = 1.5,
    done: Callable[[list[ProbeMatch]], bool] | None = None,
) -> ProbeResult:
    """Send one unicast Probe to ``address`` and collect ProbeMatches for at most ``wait`` s.

    ``done`` may end the wait early once the matches collected so far are enough (e.g. the
    device under test has answered); without it the whole wait is used.
    """
    host, port = address
    message_id = f"urn:uuid:{uuid.uuid4()}"
    request = probe_message(message_id, types, scopes)
    result = ProbeResult(address, message_id, request.decode("utf-8"))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except OSError as exc:
        raise DiscoveryError(f"cannot resolve {host}: {exc}") from exc
    family, _, _, _, sockaddr = infos[0]
    started = time.monotonic()
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(request, sockaddr)
        except OSError as exc:
            raise DiscoveryError(f"cannot send a Probe to {host}:{port}: {exc}") from exc
        deadline = started + wait
        received = 0
        while (remaining := deadline - time.monotonic()) > 0 and received < MAX_DATAGRAMS:
            readable, _, _ = select.select([sock], [], [], remaining)
            if not readable:
                break
            try:
                data, source = sock.recvfrom(MAX_DATAGRAM)
            except ConnectionRefusedError:
                result.ignored.append("ICMP port unreachable: nothing listens on that port")
                break
            received += 1
            if len(result.replies) < 50:
                result.replies.append(data[:8192].decode("utf-8", errors="replace"))
            if source[0] != sockaddr[0]:
                result.ignored.append(f"datagram from {source[0]}, not the probed host")
                continue
            try:
                result.matches += parse_probe_matches(data, message_id, source[:2])
            except ReplyError as exc:
                result.ignored.append(str(exc))
                continue
            if done is not None and done(result.matches):
                break
    result.elapsed = time.monotonic() - started
    return result
