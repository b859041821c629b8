"""Registry entries of the Profile G services, offered only by cameras that record.

Kept here so :mod:`fake_vms.onvif.registry` needs one line for all three; the service modules
are imported when a camera is built (they import the registry).
"""

from __future__ import annotations

import importlib
from typing import Any

from fake_vms.onvif.registry import ServiceContext, ServiceSpec


def _build(module: str, name: str) -> Any:
    def build(context: ServiceContext) -> Any:
        return getattr(importlib.import_module(f"fake_vms.onvif.{module}"), name)(context)

    return build


SPECS = (
    ServiceSpec(
        "search",
        "http://www.onvif.org/ver10/search/wsdl",
        "/onvif/search_service",
        _build("search_service", "SearchService"),
        offered=lambda camera: camera.record,
    ),
    ServiceSpec(
        "replay",
        "http://www.onvif.org/ver10/replay/wsdl",
        "/onvif/replay_service",
        _build("replay_service", "ReplayService"),
        offered=lambda camera: camera.record,
    ),
    ServiceSpec(
        "recording",
        "http://www.onvif.org/ver10/recording/wsdl",
        "/onvif/recording_service",
        _build("recording_service", "RecordingService"),
        offered=lambda camera: camera.record and not camera.knobs.recording_service_missing,
    ),
)
