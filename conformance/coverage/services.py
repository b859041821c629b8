"""Which ONVIF service an operation belongs to, so coverage never mistakes one for another.

Many operation names exist in several services (``GetServiceCapabilities`` in every one,
``GetProfiles`` in Media and Media2, ``GetVideoSources`` in Media, Media2 and DeviceIO). A
Receiver test case must not count as exercised because the Media service answered
``GetServiceCapabilities``. Verdicts and the simulator's log therefore also name operations
qualified by service (``receiver:GetServiceCapabilities``), and a test case's operation whose
name is ambiguous is looked up qualified by its specification's service.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SERVICE_OF_NAMESPACE = {
    "http://www.onvif.org/ver10/device/wsdl": "device",
    "http://www.onvif.org/ver10/media/wsdl": "media",
    "http://www.onvif.org/ver20/media/wsdl": "media2",
    "http://www.onvif.org/ver10/events/wsdl": "events",
    "http://www.onvif.org/ver20/ptz/wsdl": "ptz",
    "http://www.onvif.org/ver20/imaging/wsdl": "imaging",
    "http://www.onvif.org/ver10/recording/wsdl": "recording",
    "http://www.onvif.org/ver10/search/wsdl": "search",
    "http://www.onvif.org/ver10/replay/wsdl": "replay",
    "http://www.onvif.org/ver10/receiver/wsdl": "receiver",
    "http://www.onvif.org/ver10/deviceIO/wsdl": "deviceio",
    "http://www.onvif.org/ver20/analytics/wsdl": "analytics",
    "http://www.onvif.org/ver10/advancedsecurity/wsdl": "security",
}
"""Service namespace -> the short name qualified operations use."""

SERVICE_OF_SPEC = {
    "Base": "device",
    "Media_Configuration": "media",
    "Real_Time_Streaming": "media",
    "Media2_Configuration": "media2",
    "Real_Time_Streaming_using_Media2": "media2",
    "Event_Handling": "events",
    "PTZ": "ptz",
    "Imaging": "imaging",
    "Recording_Control": "recording",
    "Recording_Search": "search",
    "Replay_Control": "replay",
    "Receiver": "receiver",
    "DeviceIO": "deviceio",
    "Analytics_Engine": "analytics",
    "Security_Configuration": "security",
}
"""ONVIF device test specification -> the service its cases are about."""

WSDL_ROOT = Path(__file__).resolve().parents[1] / "wsdl" / "onvif"


def qualified(namespace: str, operation: str) -> str | None:
    """``media2:GetProfiles`` for an operation of a known service namespace, else None."""
    service = SERVICE_OF_NAMESPACE.get(namespace)
    return f"{service}:{operation}" if service else None


def namespace_of_binding(binding: str) -> str:
    """``{ns}Binding`` (a zeep binding QName) -> ``ns``."""
    return binding[1:].partition("}")[0] if binding.startswith("{") else ""


@cache
def services_declaring() -> dict[str, frozenset[str]]:
    """Operation name -> the services above whose bundled WSDL declares it (the same files
    the suite validates replies with)."""
    from lxml import etree

    wsdl = "{http://schemas.xmlsoap.org/wsdl/}"
    services_of: dict[str, set[str]] = {}
    for path in sorted(WSDL_ROOT.rglob("*.wsdl")):
        root = etree.parse(str(path)).getroot()
        service = SERVICE_OF_NAMESPACE.get(root.get("targetNamespace", ""))
        if service is None:
            continue
        for port_type in root.iter(f"{wsdl}portType"):
            for op in port_type.iter(f"{wsdl}operation"):
                services_of.setdefault(op.get("name", ""), set()).add(service)
    return {name: frozenset(services) for name, services in services_of.items()}


def needed_name(spec: str, operation: str) -> str:
    """The name a case's operation must be observed under: qualified by the specification's
    service when several services declare the name and that service is one of them (a PTZ case
    that lists GetProfiles may read them from Media or Media2: the bare name), else bare."""
    service = SERVICE_OF_SPEC.get(spec)
    declaring = services_declaring().get(operation, frozenset())
    if service in declaring and len(declaring) > 1:
        return f"{service}:{operation}"
    return operation
