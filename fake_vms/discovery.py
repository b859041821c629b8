"""WS-Discovery (2005/04, SOAP-over-UDP) Probe responder for every camera a simulator hosts.

A real camera answers unicast Probes on UDP port 3702. One responder per simulator process
stands in for all of its cameras: it listens on 127.0.0.1 only (a free port by default, or the
one given), and for each Probe sends one ProbeMatches datagram per hosted camera whose Types and
Scopes match, as separate target services would. It never multicasts (no Hello/Bye, no group
membership) and it only ever replies to the loopback sender of the Probe.

The parser is hardened like the SOAP one: no DTD, no entities, no network, bounded size.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from fake_vms.oplog import OperationLog
from fake_vms.site import CameraConfig

LOG = logging.getLogger(__name__)

ENV = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TT = "http://www.onvif.org/ver10/schema"
ACTION_PROBE = f"{WSD}/Probe"
ACTION_PROBE_MATCHES = f"{WSD}/ProbeMatches"
ANONYMOUS = f"{WSA}/role/anonymous"
MATCH_RFC3986 = f"{WSD}/rfc2396"
"""WS-Discovery 2005/04 names the RFC 3986 prefix rule after RFC 2396; it is the default."""
MATCH_STRCMP0 = f"{WSD}/strcmp0"
MAX_DATAGRAM = 65_507
PROBE_OPERATION = "WS-Discovery Probe"
"""How a Probe answered is named in the operation log (and in ONVIF coverage)."""
NSMAP = {"s": ENV, "a": WSA, "d": WSD, "dn": DN, "tds": TDS}
TYPE_QNAMES = {
    "dn:NetworkVideoTransmitter": (DN, "NetworkVideoTransmitter"),
    "tds:Device": (TDS, "Device"),
}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


@dataclass(frozen=True)
class DiscoveryTarget:
    """One hosted camera as WS-Discovery describes it."""

    camera: CameraConfig
    xaddr: str
    """The device service URL (the real one; a knob may advertise another host)."""
    scopes: Callable[[], list[str]]
    """The camera's current scopes: the same list GetScopes answers."""

    @property
    def endpoint(self) -> str:
        """A stable urn:uuid per camera: clients key devices on it across restarts."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'fake-vms:' + self.camera.serial)}"

    @property
    def types(self) -> list[str]:
        if self.camera.knobs.wsd_omit_nvt_type:
            return ["tds:Device"]
        return ["dn:NetworkVideoTransmitter", "tds:Device"]

    @property
    def advertised_xaddr(self) -> str:
        host = self.camera.knobs.wsd_xaddr_host
        if self.camera.knobs.wsd_xaddr_link_local:
            host = "[fe80::21f:54ff:fe12:3456]"  # an interface's link-local address only
        if host is None:
            return self.xaddr
        parts = urlsplit(self.xaddr)
        return parts._replace(netloc=f"{host}:{parts.port}").geturl()


@dataclass(frozen=True)
class Probe:
    """What a Probe asks for: QNames of Types and Scopes with their matching rule."""

    message_id: str
    types: list[tuple[str, str]]
    scopes: list[str]
    match_by: str


class ProbeError(ValueError):
    """The datagram is not a usable Probe; it is dropped (WS-Discovery sends no fault by UDP)."""


def parse_probe(data: bytes) -> Probe:
    """Parse a SOAP 1.2 WS-Discovery Probe strictly; anything else raises ProbeError."""
    if len(data) > MAX_DATAGRAM:
        raise ProbeError("datagram too large")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ProbeError(f"malformed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise ProbeError("DOCTYPE is not allowed")
    if root.tag != f"{{{ENV}}}Envelope":
        raise ProbeError("not a SOAP 1.2 envelope")
    action = (root.findtext(f"{{{ENV}}}Header/{{{WSA}}}Action") or "").strip()
    if action != ACTION_PROBE:
        raise ProbeError(f"not a Probe (Action {action!r})")
    message_id = (root.findtext(f"{{{ENV}}}Header/{{{WSA}}}MessageID") or "").strip()
    probe = root.find(f"{{{ENV}}}Body/{{{WSD}}}Probe")
    if probe is None or not message_id:
        raise ProbeError("Probe without Body/Probe or MessageID")
    types: list[tuple[str, str]] = []
    types_el = probe.find(f"{{{WSD}}}Types")
    if types_el is not None:
        for token in (types_el.text or "").split():
            prefix, sep, local = token.rpartition(":")
            namespace = types_el.nsmap.get(prefix if sep else None)
            if namespace is None:
                raise ProbeError(f"Types QName {token!r} has an undeclared prefix")
            types.append((namespace, local))
    scopes_el = probe.find(f"{{{WSD}}}Scopes")
    scopes = (scopes_el.text or "").split() if scopes_el is not None else []
    match_by = (scopes_el.get("MatchBy") if scopes_el is not None else None) or MATCH_RFC3986
    return Probe(message_id, types, scopes, match_by)


def scope_matches(probe_scope: str, device_scope: str) -> bool:
    """RFC 3986 prefix rule of WS-Discovery 5.1: scheme and authority compared case-insensitively,
    then the probe's path segments must equal the device's first segments (case-sensitive)."""
    p, d = urlsplit(probe_scope), urlsplit(device_scope)
    if p.scheme.lower() != d.scheme.lower() or p.netloc.lower() != d.netloc.lower():
        return False
    p_segments = [s for s in p.path.split("/") if s]
    d_segments = [s for s in d.path.split("/") if s]
    if any(s in (".", "..") for s in p_segments + d_segments):
        return False
    return d_segments[: len(p_segments)] == p_segments


def matches(probe: Probe, types: list[str], scopes: list[str]) -> bool:
    """Every probed type must be one of the device's, and every probed scope must match one."""
    offered = {TYPE_QNAMES[t] for t in types}
    if any(t not in offered for t in probe.types):
        return False
    if probe.match_by == MATCH_RFC3986:
        rule: Callable[[str, str], bool] = scope_matches
    elif probe.match_by == MATCH_STRCMP0:
        rule = str.__eq__
    else:
        return False  # an unsupported matching rule matches nothing
    return all(any(rule(wanted, have) for have in scopes) for wanted in probe.scopes)


def probe_matches(target: DiscoveryTarget, relates_to: str, instance_id: int, number: int) -> bytes:
    """The ProbeMatches message for one target service (SOAP 1.2, WS-Addressing 2004/08)."""
    root = etree.Element(f"{{{ENV}}}Envelope", nsmap=NSMAP)
    header = etree.SubElement(root, f"{{{ENV}}}Header")
    etree.SubElement(header, f"{{{WSA}}}MessageID").text = f"urn:uuid:{uuid.uuid4()}"
    etree.SubElement(header, f"{{{WSA}}}RelatesTo").text = relates_to
    etree.SubElement(header, f"{{{WSA}}}To").text = ANONYMOUS
    etree.SubElement(header, f"{{{WSA}}}Action").text = ACTION_PROBE_MATCHES
    sequence = etree.SubElement(header, f"{{{WSD}}}AppSequence")
    sequence.set("InstanceId", str(instance_id))
    sequence.set("MessageNumber", str(number))
    body = etree.SubElement(root, f"{{{ENV}}}Body")
    match = etree.SubElement(
        etree.SubElement(body, f"{{{WSD}}}ProbeMatches"), f"{{{WSD}}}ProbeMatch"
    )
    reference = etree.SubElement(match, f"{{{WSA}}}EndpointReference")
    etree.SubElement(reference, f"{{{WSA}}}Address").text = target.endpoint
    etree.SubElement(match, f"{{{WSD}}}Types").text = " ".join(target.types)
    etree.SubElement(match, f"{{{WSD}}}Scopes").text = " ".join(target.scopes())
    etree.SubElement(match, f"{{{WSD}}}XAddrs").text = target.advertised_xaddr
    etree.SubElement(match, f"{{{WSD}}}MetadataVersion").text = "1"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class DiscoveryResponder(asyncio.DatagramProtocol):
    """Answers Probes for the registered targets; ``port`` is known once started."""

    def __init__(
        self, targets: list[DiscoveryTarget] | None = None, oplog: OperationLog | None = None
    ) -> None:
        self.targets: list[DiscoveryTarget] = list(targets or [])
        self.oplog = oplog
        """Each ProbeMatch sent is logged for its camera, as the ONVIF and RTSP servers log
        what they serve (the coverage record counts only served operations)."""
        self.port = 0
        self._transport: asyncio.DatagramTransport | None = None
        self._instance_id = 1
        self._number = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("the simulator's WS-Discovery responder binds loopback only")
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=(host, port))
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]

    async def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not ipaddress.ip_address(addr[0]).is_loopback or self._transport is None:
            return  # never send anything to a non-loopback address
        try:
            probe = parse_probe(data)
        except ProbeError as exc:
            LOG.debug("dropped datagram from %s: %s", addr, exc)
            return
        for target in self.targets:
            if target.camera.knobs.wsd_silent:
                continue
            if not matches(probe, target.types, target.scopes()):
                continue
            self._number += 1
            reply = probe_matches(target, probe.message_id, self._instance_id, self._number)
            self._transport.sendto(reply, addr)
            if self.oplog is not None:
                self.oplog.record(
                    target.camera.name, "ws-discovery", PROBE_OPERATION, False, "ProbeMatches"
                )

    def error_received(self, exc: Exception) -> None:
        """A client that went away before its reply is not the responder's problem."""


def target_of(onvif: Any) -> DiscoveryTarget:
    """The discovery view of a running OnvifServer: its device URL and its GetScopes answer."""

    def scopes() -> list[str]:
        response = onvif.services["device"].get_scopes(None)
        return [(item.text or "").strip() for item in response.iter(f"{{{TT}}}ScopeItem")]

    return DiscoveryTarget(onvif.camera, onvif.device_url, scopes)
