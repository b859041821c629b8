"""The ONVIF Device service (tds) of one simulated camera.

Answers are built from the camera's configuration and knobs only, so that each persona differs
from the conformant camera in exactly the documented way and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from lxml import etree

from fake_vms.clock import device_now
from fake_vms.onvif.device_config import DeviceConfigReads
from fake_vms.onvif.registry import CAPABILITY_ORDER, ServiceContext
from fake_vms.onvif.soap import Operation, SoapFault, child_text, element, sub
from fake_vms.site import CameraConfig

TIME_ZONE = "GMT0BST,M3.5.0/1,M10.5.0"
ONVIF_VERSION = (2, 60)
WSDL_URL = "http://www.onvif.org/Documents/Specifications.aspx"


def uk_local_time(utc: datetime) -> datetime:
    """UK civil time per TIME_ZONE: BST (UTC+1) from the last Sunday of March 01:00 UTC to the
    last Sunday of October 01:00 UTC (02:00 BST), GMT otherwise."""
    start = _last_sunday(utc.year, 3).replace(hour=1)
    end = _last_sunday(utc.year, 10).replace(hour=1)
    offset = timedelta(hours=1) if start <= utc < end else timedelta(0)
    return (utc + offset).replace(tzinfo=None)


def _last_sunday(year: int, month: int) -> datetime:
    first_of_next = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    last_day = first_of_next - timedelta(days=1)
    return last_day - timedelta(days=(last_day.weekday() - 6) % 7)


@dataclass
class DeviceService:
    """Device service operations; the context says which other services the camera offers."""

    context: ServiceContext

    @property
    def camera(self) -> CameraConfig:
        return self.context.camera

    @property
    def site_name(self) -> str:
        return self.context.site_name

    def _services(self) -> list:
        """(spec, instance) of every service this camera offers, device service included."""
        return self.context.shared["services"]

    def operations(self) -> dict[str, Operation]:
        return {
            "GetSystemDateAndTime": self.get_system_date_and_time,
            "GetDeviceInformation": self.get_device_information,
            "GetServices": self.get_services,
            "GetCapabilities": self.get_capabilities,
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetScopes": self.get_scopes,
            "GetHostname": self.get_hostname,
            "GetWsdlUrl": self.get_wsdl_url,
            **self._reads.operations(),
        }

    @property
    def _reads(self) -> DeviceConfigReads:
        """Network, user, log, filter and relay reads (device_config.py)."""
        return DeviceConfigReads(self.context)

    def xaddr(self, path: str) -> str:
        """Service address as advertised (knob xaddr_port_offset may make it wrong)."""
        return self.context.xaddr(path)

    def get_system_date_and_time(self, _request: etree._Element) -> etree._Element:
        utc = device_now(self.camera)
        response = element("tds:GetSystemDateAndTimeResponse")
        info = sub(response, "tds:SystemDateAndTime")
        sub(info, "tt:DateTimeType", "NTP")
        sub(info, "tt:DaylightSavings", False)
        sub(sub(info, "tt:TimeZone"), "tt:TZ", TIME_ZONE)
        if not self.camera.knobs.omit_utc_datetime:
            _date_time(sub(info, "tt:UTCDateTime"), utc)
        _date_time(sub(info, "tt:LocalDateTime"), uk_local_time(utc))
        return response

    def get_device_information(self, _request: etree._Element) -> etree._Element:
        camera = self.camera
        blank = camera.knobs.identity_blank
        response = element("tds:GetDeviceInformationResponse")
        sub(response, "tds:Manufacturer", camera.manufacturer)
        sub(response, "tds:Model", camera.model)
        sub(response, "tds:FirmwareVersion", "" if blank else camera.firmware)
        sub(response, "tds:SerialNumber", "" if blank else camera.serial)
        sub(response, "tds:HardwareId", camera.hardware_id)
        return response

    def get_services(self, request: etree._Element) -> etree._Element:
        include = (child_text(request, "IncludeCapability") or "false") in ("true", "1")
        response = element("tds:GetServicesResponse")
        for spec, instance in self._services():
            service = sub(response, "tds:Service")
            sub(service, "tds:Namespace", spec.namespace)
            sub(service, "tds:XAddr", self.xaddr(spec.path))
            if include:
                sub(service, "tds:Capabilities").append(self._listed_capabilities(spec, instance))
            version = sub(service, "tds:Version")
            sub(version, "tt:Major", ONVIF_VERSION[0])
            sub(version, "tt:Minor", ONVIF_VERSION[1])
        return response

    def get_capabilities(self, request: etree._Element) -> etree._Element:
        """Honours Category; a category this device lacks is a NoSuchService fault (Core 8.1)."""
        categories = {
            (child.text or "").strip()
            for child in request
            if isinstance(child.tag, str) and etree.QName(child).localname == "Category"
        } or {"All"}
        omitted = self.camera.knobs.capabilities_omit_category
        by_category = {
            spec.capability_category: (spec, instance)
            for spec, instance in self._services()
            if spec.capability_category and spec.capability_category != omitted
        }
        unsupported = categories - {"All"} - set(by_category)
        if unsupported:
            raise SoapFault(
                "Receiver",
                ("ActionNotSupported", "NoSuchService"),
                f"No such capability category: {', '.join(sorted(unsupported))}",
            )
        response = element("tds:GetCapabilitiesResponse")
        capabilities = sub(response, "tds:Capabilities")
        for category in CAPABILITY_ORDER:
            if category in by_category and categories & {"All", category}:
                spec, instance = by_category[category]
                path = spec.path
                if category == "Media" and self.camera.knobs.capabilities_media_path:
                    path = self.camera.knobs.capabilities_media_path
                instance.legacy_capabilities(sub(capabilities, f"tt:{category}"), self.xaddr(path))
        return response

    def _listed_capabilities(self, spec: Any, instance: Any) -> etree._Element:
        """A service's capabilities as GetServices(IncludeCapability=true) gives them (knob
        services_caps_differ flips Media2's Rotation and OSD there, not in the service)."""
        capabilities = instance.capabilities()
        if self.camera.knobs.services_caps_differ and spec.name == "media2":
            for name in ("Rotation", "OSD"):
                value = capabilities.get(name, "false")
                capabilities.set(name, "false" if value in ("true", "1") else "true")
        return capabilities

    def capabilities(self) -> etree._Element:
        return self._device_service_capabilities()

    def legacy_capabilities(self, device: etree._Element, xaddr: str) -> None:
        """tt:Device of GetCapabilities."""
        sub(device, "tt:XAddr", xaddr)
        system = sub(device, "tt:System")
        for name in ("DiscoveryResolve", "DiscoveryBye", "RemoteDiscovery"):
            sub(system, f"tt:{name}", False)
        for name in ("SystemBackup", "SystemLogging", "FirmwareUpgrade"):
            sub(system, f"tt:{name}", False)
        supported = sub(system, "tt:SupportedVersions")
        sub(supported, "tt:Major", ONVIF_VERSION[0])
        sub(supported, "tt:Minor", ONVIF_VERSION[1])
        io = sub(device, "tt:IO")
        sub(io, "tt:InputConnectors", 0)
        sub(io, "tt:RelayOutputs", self._reads.relay_count_advertised())

    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("tds:GetServiceCapabilitiesResponse")
        response.append(self._device_service_capabilities())
        return response

    def _device_service_capabilities(self) -> etree._Element:
        capabilities = element("tds:Capabilities")
        sub(capabilities, "tds:Network", IPFilter=False, ZeroConfiguration=False, IPVersion6=False)
        sub(
            capabilities,
            "tds:Security",
            UsernameToken=True,
            HttpDigest=True,
            MaxUsers=1,
        )
        sub(capabilities, "tds:System", DiscoveryResolve=False, DiscoveryBye=False)
        return capabilities

    def get_scopes(self, _request: etree._Element) -> etree._Element:
        scopes = ["onvif://www.onvif.org/type/video_encoder"]
        if not self.camera.knobs.omit_profile_scope:
            scopes.append("onvif://www.onvif.org/Profile/Streaming")
        scopes += [
            f"onvif://www.onvif.org/name/{_scope_value(self.camera.name)}",
            f"onvif://www.onvif.org/hardware/{_scope_value(self.camera.model)}",
            f"onvif://www.onvif.org/location/{_scope_value(self.site_name)}",
        ]
        response = element("tds:GetScopesResponse")
        for item in scopes:
            scope = sub(response, "tds:Scopes")
            sub(scope, "tt:ScopeDef", "Fixed")
            sub(scope, "tt:ScopeItem", item)
        return response

    def get_hostname(self, _request: etree._Element) -> etree._Element:
        response = element("tds:GetHostnameResponse")
        info = sub(response, "tds:HostnameInformation")
        sub(info, "tt:FromDHCP", False)
        sub(info, "tt:Name", self.camera.name)
        return response

    def get_wsdl_url(self, _request: etree._Element) -> etree._Element:
        response = element("tds:GetWsdlUrlResponse")
        sub(response, "tds:WsdlUrl", WSDL_URL)
        return response


def _date_time(parent: etree._Element, when: datetime) -> None:
    time = sub(parent, "tt:Time")
    sub(time, "tt:Hour", when.hour)
    sub(time, "tt:Minute", when.minute)
    sub(time, "tt:Second", when.second)
    date = sub(parent, "tt:Date")
    sub(date, "tt:Year", when.year)
    sub(date, "tt:Month", when.month)
    sub(date, "tt:Day", when.day)


def _scope_value(value: str) -> str:
    """Scope items are URIs, so names such as "SimCam 1000" are percent-encoded."""
    return quote(value, safe="")
