"""Replay recorded ONVIF replies offline into exactly what the suites see.

A live ``OnvifClient.call`` ends in ``OnvifClient._interpret(raw, operation, name)``: it parses
the body safely, raises :class:`~conformance.clients.onvif.OnvifFault` or
:class:`~conformance.clients.onvif.OnvifHttpError` for refusals, and otherwise hands the SOAP
envelope to zeep's ``SoapOperation.process_reply(envelope)``, which deserialises the body against
the bundled WSDL (``conformance.clients.wsdl.get_client``). Replaying a recording through that same
method (with a ``RawResponse`` built from the saved body and metadata) gives the very zeep objects
and exceptions a live run would, with no network and no ``requests.Response`` stand-in. It is a
private method, deliberately: a re-implementation here could drift from the client unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.answers import answer_of
from conformance.checks.device import Refusal
from conformance.clients.onvif import OnvifClient, RawResponse
from conformance.clients.wsdl import get_client, service_spec

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ONVIF_FIXTURES = FIXTURES / "onvif"
DEVICE_URL = "http://127.0.0.1:8080/onvif/device_service"
"""The recorded devices' address after port normalisation (see record_fixtures.py)."""
DEVICE_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Recording:
    """One recorded reply: the body as received plus what the HTTP layer said about it."""

    device: str
    name: str
    service: str
    operation: str
    body: bytes
    meta: dict[str, Any]

    @property
    def raw(self) -> RawResponse:
        return RawResponse(
            status=int(self.meta["http_status"]),
            headers={"Content-Type": self.meta.get("content_type", "")},
            body=self.body,
            www_authenticate=tuple(self.meta.get("www_authenticate", ())),
        )


def load(device: str, name: str) -> Recording:
    """``load("good", "GetScopes")`` -> fixtures/onvif/good/GetScopes.xml and its metadata.

    Hand-written real-world fixtures live under ``onvif/real-world/`` with the same layout.
    """
    path = ONVIF_FIXTURES / device / f"{name}.xml"
    meta = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
    return Recording(device, name, meta["service"], meta["operation"], path.read_bytes(), meta)


def replay(device: str, name: str) -> Any:
    """The zeep result of the recorded reply, or the OnvifFault/OnvifHttpError it amounts to."""
    recording = load(device, name)
    spec = service_spec(recording.service)
    binding = get_client(recording.service).wsdl.bindings[spec.binding]
    operation = binding.get(recording.operation)
    client = OnvifClient(DEVICE_URL, None, None)
    return client._interpret(recording.raw, operation, recording.operation)


def refusal(device: str, name: str) -> Refusal:
    """The recorded answer as the access-control suite records it (``conformance.answers``)."""
    return answer_of(lambda: replay(device, name))


def meta(device: str, name: str) -> dict[str, Any]:
    """The metadata of one recording (status, content type, times, request)."""
    return load(device, name).meta


def json_fixture(*parts: str) -> dict[str, Any]:
    """A JSON fixture by path under fixtures/ (snapshot and stream recordings)."""
    return json.loads(FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))
