"""The ONVIF services a simulated camera offers, in one list.

Each entry says where a service lives (namespace, path), how to build it for one camera, and
whether this camera offers it. The HTTP routes, GetServices and GetCapabilities are all derived
from this list, so adding a service is one entry here plus its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from lxml import etree

from fake_vms.onvif.soap import Operation
from fake_vms.oplog import OperationLog
from fake_vms.site import CameraConfig


class OnvifService(Protocol):
    """What a service module provides (state, if any, lives on the instance)."""

    def operations(self) -> dict[str, Operation]: ...

    def capabilities(self) -> etree._Element:
        """The service's ``<prefix:Capabilities>`` element (GetServices IncludeCapability)."""
        ...


@dataclass
class ServiceContext:
    """What a service may need to know about its camera and the server it runs in."""

    camera: CameraConfig
    http_port: int
    rtsp_port: int
    site_name: str
    oplog: OperationLog
    xaddr: Callable[[str], str]
    """Advertised address of a path (a persona may make it wrong)."""
    shared: dict[str, Any] = field(default_factory=dict)
    """Per-camera state shared between services (e.g. the event bus), keyed by name."""


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    namespace: str
    path: str
    build: Callable[[ServiceContext], OnvifService]
    offered: Callable[[CameraConfig], bool] = lambda camera: True
    capability_category: str | None = None
    """The GetCapabilities category (tt:Capabilities child) this service answers, if any."""
    subpaths: bool = False
    """Whether paths below ``path`` reach this service too (per-subscription addresses)."""


DEVICE_PATH = "/onvif/device_service"

# Schema order of tt:Capabilities children; GetCapabilities must follow it.
CAPABILITY_ORDER = ("Analytics", "Device", "Events", "Imaging", "Media", "PTZ")


def _device(context: ServiceContext) -> OnvifService:
    from fake_vms.onvif.device_service import DeviceService

    return DeviceService(context)


def _media(context: ServiceContext) -> OnvifService:
    from fake_vms.onvif.media_service import MediaService

    return MediaService(context.camera, context.http_port, context.rtsp_port)


SERVICES: list[ServiceSpec] = [
    ServiceSpec(
        "device",
        "http://www.onvif.org/ver10/device/wsdl",
        "/onvif/device_service",
        _device,
        capability_category="Device",
    ),
    ServiceSpec(
        "media",
        "http://www.onvif.org/ver10/media/wsdl",
        "/onvif/media_service",
        _media,
        capability_category="Media",
    ),
    ServiceSpec(
        "media2",
        "http://www.onvif.org/ver20/media/wsdl",
        "/onvif/media2_service",
        # Imported when a camera is built: the module imports this one.
        lambda context: __import__("fake_vms.onvif.media2_service", fromlist=["build"]).build(
            context
        ),
    ),
    ServiceSpec(
        "ptz",
        "http://www.onvif.org/ver20/ptz/wsdl",
        "/onvif/ptz_service",
        lambda context: _import("ptz_service").PtzService(context.camera),
        offered=lambda camera: camera.ptz,
        capability_category="PTZ",
    ),
    ServiceSpec(
        "imaging",
        "http://www.onvif.org/ver20/imaging/wsdl",
        "/onvif/imaging_service",
        lambda context: _import("imaging_service").ImagingService(context.camera),
        capability_category="Imaging",
    ),
    ServiceSpec(
        "events",
        "http://www.onvif.org/ver10/events/wsdl",
        "/onvif/event_service",
        lambda context: _import("event_service").EventService(context),
        offered=lambda camera: camera.knobs.event_service_offered,
        capability_category="Events",
        subpaths=True,  # one address per subscription below the service path
    ),
    *__import__("fake_vms.onvif.profile_g_services", fromlist=["SPECS"]).SPECS,  # Profile G
]


def _import(module: str) -> Any:
    """Service modules are imported when a camera is built (they import this module)."""
    import importlib

    return importlib.import_module(f"fake_vms.onvif.{module}")


def offered_services(camera: CameraConfig) -> list[ServiceSpec]:
    return [spec for spec in SERVICES if spec.offered(camera)]
