"""Replay the recorded Media2 fixtures offline, through the same path as zeep_replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zeep_replay import DEVICE_URL, Recording

from conformance.clients.onvif import OnvifClient
from conformance.clients.wsdl import get_client, service_spec

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def replay(device: str, name: str) -> Any:
    """The zeep result of ``fixtures/onvif/<device>/<name>.xml`` (or the error it amounts to)."""
    path = FIXTURES / "onvif" / device / f"{name}.xml"
    meta = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
    recording = Recording(device, name, meta["service"], meta["operation"], path.read_bytes(), meta)
    spec = service_spec(recording.service)
    operation = get_client(recording.service).wsdl.bindings[spec.binding].get(meta["operation"])
    return OnvifClient(DEVICE_URL, None, None)._interpret(
        recording.raw, operation, meta["operation"]
    )


def probes(device: str) -> list[dict[str, Any]]:
    """The recorded per-profile stream probes of ``device`` (record_media2_fixtures.py)."""
    path = FIXTURES / "streams" / f"{device}.json"
    return json.loads(path.read_text(encoding="utf-8"))["probes"]
