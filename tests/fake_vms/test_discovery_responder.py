"""The simulator's WS-Discovery responder: real SOAP-over-UDP on 127.0.0.1, schema-valid replies.

ProbeMatches are validated against the WS-Discovery 2005/04 and WS-Addressing 2004/08 schemas
that the onvif-zeep test dependency ships (the ONVIF set in conformance/wsdl has no discovery
schema), and the envelope against SOAP 1.2.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from conformance.clients.discovery import ReplyError, parse_probe_matches, probe, probe_message
from fake_vms.discovery import (
    DiscoveryResponder,
    DiscoveryTarget,
    Probe,
    ProbeError,
    matches,
    parse_probe,
    scope_matches,
)
from fake_vms.host import SimulatorThread
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, Site, apply_persona

ENV = "http://www.w3.org/2003/05/soap-envelope"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
DN = "http://www.onvif.org/ver10/network/wsdl"
TDS = "http://www.onvif.org/ver10/device/wsdl"
WSDL_DIR = Path(__file__).resolve().parents[2] / "conformance" / "wsdl"
CAMERAS = ("cam-good", "wsd-silent", "wsd-xaddr-zero", "wsd-wrong-types")


def _camera(name: str) -> CameraConfig:
    return (
        CameraConfig(name=name)
        if name == "cam-good"
        else apply_persona(CameraConfig(name=name), PERSONAS[name])
    )


@pytest.fixture(scope="module")
def simulator() -> Iterator[dict[str, Any]]:
    sim = SimulatorThread(Site("wsd", tuple(_camera(n) for n in CAMERAS)))
    ready = sim.start()
    try:
        yield ready
    finally:
        sim.stop()


def _device(ready: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in ready["devices"] if d["name"] == name)


@cache
def _schemas() -> dict[str, etree.XMLSchema]:
    """Discovery + addressing from onvif-zeep's bundle; SOAP 1.2 envelope from ours."""
    onvif = pytest.importorskip("onvif")
    bundle = Path(onvif.__file__).resolve().parent.parent / "wsdl"
    if not (bundle / "ws-discovery.xsd").is_file():
        pytest.skip("onvif-zeep's ws-discovery.xsd is not installed")
    addressing = (bundle / "addressing").resolve()

    class Local(etree.Resolver):
        def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
            if url.rstrip("/").endswith("ws/2004/08/addressing"):
                return self.resolve_filename(str(addressing), context)
            if url.startswith(("http://", "https://")):
                raise OSError(f"schema {url} is not available offline")
            return None  # a local file: the default loader reads it

    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(Local())
    discovery = etree.XMLSchema(etree.parse(str(bundle / "ws-discovery.xsd"), parser))
    envelope_xsd = WSDL_DIR / "external" / "soap-envelope"
    envelope = etree.XMLSchema(etree.parse(str(envelope_xsd), parser))
    return {"discovery": discovery, "envelope": envelope}


def _assert_schema_valid(data: bytes) -> None:
    schemas = _schemas()
    root = etree.fromstring(data)
    assert schemas["envelope"].validate(etree.ElementTree(root)), schemas["envelope"].error_log
    body = root.find(f"{{{ENV}}}Body/{{{WSD}}}ProbeMatches")
    assert body is not None
    for element in [body, root.find(f"{{{ENV}}}Header/{{{WSD}}}AppSequence")]:
        doc = etree.ElementTree(etree.fromstring(etree.tostring(element)))
        assert schemas["discovery"].validate(doc), schemas["discovery"].error_log


def _send(port: int, payload: bytes, wait: float = 0.5) -> list[bytes]:
    replies = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(wait)
        sock.sendto(payload, ("127.0.0.1", port))
        try:
            while True:
                replies.append(sock.recv(65536))
        except TimeoutError:
            return replies


def test_ready_file_names_the_discovery_port(simulator: dict[str, Any]) -> None:
    assert isinstance(simulator["discovery_port"], int) and simulator["discovery_port"] > 0
    json.dumps(simulator)  # still plain JSON


def test_untyped_probe_gets_one_schema_valid_match_per_answering_camera(
    simulator: dict[str, Any],
) -> None:
    message_id = f"urn:uuid:{uuid.uuid4()}"
    replies = _send(simulator["discovery_port"], probe_message(message_id, None, None))
    assert len(replies) == 3  # wsd-silent says nothing
    for reply in replies:
        _assert_schema_valid(reply)
    found = [m for r in replies for m in parse_probe_matches(r, message_id, ("127.0.0.1", 0))]
    by_port = {m.xaddrs[0].rsplit(":", 1)[1].split("/")[0]: m for m in found}
    good = by_port[str(_device(simulator, "cam-good")["http_port"])]
    assert good.xaddrs == [_device(simulator, "cam-good")["onvif_url"]]
    assert good.types_text == "dn:NetworkVideoTransmitter tds:Device"
    assert "onvif://www.onvif.org/name/cam-good" in good.scopes
    zero = by_port[str(_device(simulator, "wsd-xaddr-zero")["http_port"])]
    assert zero.xaddrs[0].startswith("http://0.0.0.0:")
    wrong = by_port[str(_device(simulator, "wsd-wrong-types")["http_port"])]
    assert wrong.types == [(TDS, "Device")]


def test_endpoint_reference_is_stable_per_camera(simulator: dict[str, Any]) -> None:
    first = probe(("127.0.0.1", simulator["discovery_port"]), wait=0.3)
    second = probe(("127.0.0.1", simulator["discovery_port"]), wait=0.3)
    assert sorted(m.endpoint for m in first.matches) == sorted(m.endpoint for m in second.matches)
    assert len({m.endpoint for m in first.matches}) == 3


def test_typed_and_scoped_probes_filter(simulator: dict[str, Any]) -> None:
    address = ("127.0.0.1", simulator["discovery_port"])
    nvt = probe(address, types=["dn:NetworkVideoTransmitter"], wait=0.3)
    assert len(nvt.matches) == 2  # wsd-wrong-types lacks the type
    device = probe(address, types=["tds:Device"], wait=0.3)
    assert len(device.matches) == 3
    named = probe(address, scopes=["onvif://www.onvif.org/name/cam-good"], wait=0.3)
    assert [m.scopes for m in named.matches][0][2] == "onvif://www.onvif.org/name/cam-good"
    assert len(named.matches) == 1
    nothing = probe(address, scopes=["onvif://www.onvif.org/name/nobody"], wait=0.3)
    assert nothing.matches == []


@pytest.mark.parametrize(
    "payload",
    [
        b"not xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'/>",
        b"\x00" * 70_000,
    ],
    ids=["garbage", "doctype", "no-probe", "oversized"],
)
def test_hostile_datagrams_are_dropped(simulator: dict[str, Any], payload: bytes) -> None:
    assert _send(simulator["discovery_port"], payload[:65_000], wait=0.2) == []
    with pytest.raises(ProbeError):
        parse_probe(payload)
    # and the responder still answers afterwards
    assert probe(("127.0.0.1", simulator["discovery_port"]), wait=0.3).matches


def test_rfc3986_scope_matching() -> None:
    have = "onvif://www.onvif.org/hardware/SimCam%201000"
    assert scope_matches("onvif://www.onvif.org/hardware", have)
    assert scope_matches("ONVIF://WWW.ONVIF.ORG/hardware/", have)
    assert scope_matches(have, have)
    assert not scope_matches("onvif://www.onvif.org/Hardware", have)  # segments: case-sensitive
    assert not scope_matches("onvif://www.onvif.org/hard", have)  # whole segments only
    assert not scope_matches("onvif://www.onvif.org/hardware/SimCam%201000/x", have)
    assert not scope_matches("onvif://other.org/hardware", have)


def test_matching_rules() -> None:
    scopes = ["onvif://www.onvif.org/name/a"]
    types = ["dn:NetworkVideoTransmitter"]
    base = dict(message_id="m", types=[], scopes=["onvif://www.onvif.org/name/a"])
    assert matches(Probe(**base, match_by=f"{WSD}/strcmp0"), types, scopes)
    assert not matches(Probe(**base, match_by=f"{WSD}/ldap"), types, scopes)
    assert not matches(Probe("m", [(TDS, "Device")], [], f"{WSD}/rfc2396"), types, scopes)


def test_never_replies_to_a_non_loopback_sender() -> None:
    class Recorder:
        sent: list[Any] = []

        def sendto(self, data: bytes, addr: Any) -> None:
            self.sent.append(addr)

    target = DiscoveryTarget(
        CameraConfig(name="x"), "http://127.0.0.1:1/onvif/device_service", list
    )
    responder = DiscoveryResponder([target])
    responder._transport = Recorder()  # type: ignore[assignment]
    request = probe_message("urn:uuid:1", None, None)
    responder.datagram_received(request, ("192.0.2.7", 3702))
    assert Recorder.sent == []
    responder.datagram_received(request, ("127.0.0.1", 5000))
    assert Recorder.sent == [("127.0.0.1", 5000)]


def test_each_probe_match_is_logged_for_its_camera() -> None:
    """The operation log names what was served (ONVIF coverage counts only served operations);
    a silent camera, which answers nothing, logs nothing."""
    from fake_vms.oplog import OperationLog

    class Recorder:
        def sendto(self, data: bytes, addr: Any) -> None:
            pass

    url = "http://127.0.0.1:1/onvif/device_service"
    silent = apply_persona(CameraConfig(name="quiet"), PERSONAS["wsd-silent"])
    oplog = OperationLog()
    responder = DiscoveryResponder(
        [DiscoveryTarget(CameraConfig(name="x"), url, list), DiscoveryTarget(silent, url, list)],
        oplog,
    )
    responder._transport = Recorder()  # type: ignore[assignment]
    responder.datagram_received(probe_message("urn:uuid:1", None, None), ("127.0.0.1", 5000))
    assert [(e.device, e.protocol, e.operation) for e in oplog.entries()] == [
        ("x", "ws-discovery", "WS-Discovery Probe")
    ]


def test_responder_refuses_a_non_loopback_bind() -> None:
    import asyncio

    with pytest.raises(ValueError, match="loopback"):
        asyncio.run(DiscoveryResponder().start("0.0.0.0", 0))


def test_client_refuses_replies_to_someone_else() -> None:
    data = probe_message("urn:uuid:1", None, None)
    with pytest.raises(ReplyError, match="not ProbeMatches"):
        parse_probe_matches(data, "urn:uuid:1", ("127.0.0.1", 1))
