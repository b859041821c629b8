"""Configuration reads of the ONVIF Device service (tds): network settings, system log, users'
remote account, IP filter and relay outputs.

Kept apart from device_service.py (identity, services, capabilities) so each module has one
job. Every answer follows devicemgmt.wsdl / onvif.xsd element order, and is made from the
camera's configuration, the ports the simulator really serves on and the persona's knobs only.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from lxml import etree

from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.soap import Operation, SoapFault, child_text, element, sub

INTERFACE_TOKEN = "eth0"
DEVICE_ADDRESS = "127.0.0.1"
PREFIX_LENGTH = 8
GATEWAY = "127.0.0.254"
DNS_SERVER = "127.0.0.53"
NTP_SERVER = "ntp.example.net"
RELAY_TOKEN = "relay_1"
SYSTEM_LOG = "sim: system started\nsim: streaming on the main profile\n"


@dataclass
class DeviceConfigReads:
    """Read-only device management operations; the DeviceService merges them into its own."""

    context: ServiceContext

    def operations(self) -> dict[str, Operation]:
        return {
            "GetNetworkInterfaces": self.get_network_interfaces,
            "GetDNS": self.get_dns,
            "GetNTP": self.get_ntp,
            "GetNetworkProtocols": self.get_network_protocols,
            "GetNetworkDefaultGateway": self.get_network_default_gateway,
            "GetDynamicDNS": self.get_dynamic_dns,
            "GetUsers": self.get_users,
            "GetSystemLog": self.get_system_log,
            "GetRemoteUser": self.get_remote_user,
            "GetIPAddressFilter": self.get_ip_address_filter,
            "GetRelayOutputs": self.get_relay_outputs,
        }

    @property
    def knobs(self):  # noqa: ANN201 - the composed Knobs dataclass
        return self.context.camera.knobs

    def relay_count_advertised(self) -> int:
        """What GetCapabilities' Device.IO.RelayOutputs says (knob may disagree with the list)."""
        override = self.knobs.relay_outputs_capability_count
        return 1 if override is None else override

    def get_network_interfaces(self, _request: etree._Element) -> etree._Element:
        """One interface, with the address the simulator listens on (loopback by default)."""
        response = element("tds:GetNetworkInterfacesResponse")
        interface = sub(response, "tds:NetworkInterfaces", token=INTERFACE_TOKEN)
        sub(interface, "tt:Enabled", True)
        info = sub(interface, "tt:Info")
        sub(info, "tt:Name", INTERFACE_TOKEN)
        sub(info, "tt:HwAddress", self.context.camera.mac)
        sub(info, "tt:MTU", 1500)
        ipv4 = sub(interface, "tt:IPv4")
        sub(ipv4, "tt:Enabled", True)
        config = sub(ipv4, "tt:Config")
        manual = sub(config, "tt:Manual")
        address = _ipv4_or_loopback(self.context.shared.get("address"))
        sub(manual, "tt:Address", address)
        sub(manual, "tt:PrefixLength", PREFIX_LENGTH if address == DEVICE_ADDRESS else 24)
        sub(config, "tt:DHCP", False)
        return response

    def get_dns(self, _request: etree._Element) -> etree._Element:
        response = element("tds:GetDNSResponse")
        info = sub(response, "tds:DNSInformation")
        sub(info, "tt:FromDHCP", False)
        manual = sub(info, "tt:DNSManual")
        sub(manual, "tt:Type", "IPv4")
        sub(manual, "tt:IPv4Address", DNS_SERVER)
        return response

    def get_ntp(self, _request: etree._Element) -> etree._Element:
        response = element("tds:GetNTPResponse")
        info = sub(response, "tds:NTPInformation")
        sub(info, "tt:FromDHCP", False)
        manual = sub(info, "tt:NTPManual")
        sub(manual, "tt:Type", "DNS")
        sub(manual, "tt:DNSname", NTP_SERVER)
        return response

    def get_network_protocols(self, _request: etree._Element) -> etree._Element:
        """Every port the simulator really listens on (a second HTTP listener for a
        services-elsewhere device); knob network_protocols_rtsp_port_offset moves RTSP's."""
        listeners = self.context.shared.get("listeners", {})
        rtsp_port = self.context.rtsp_port + self.knobs.network_protocols_rtsp_port_offset
        response = element("tds:GetNetworkProtocolsResponse")
        for name, ports in (
            ("HTTP", listeners.get("HTTP", (self.context.http_port,))),
            ("HTTPS", listeners.get("HTTPS", ())),
            ("RTSP", (rtsp_port,)),
        ):
            protocol = sub(response, "tds:NetworkProtocols")
            sub(protocol, "tt:Name", name)
            sub(protocol, "tt:Enabled", bool(ports))
            for port in ports or (443,):
                sub(protocol, "tt:Port", port)
        return response

    def get_network_default_gateway(self, _request: etree._Element) -> etree._Element:
        response = element("tds:GetNetworkDefaultGatewayResponse")
        gateway = sub(response, "tds:NetworkGateway")
        sub(gateway, "tt:IPv4Address", GATEWAY)
        return response

    def get_dynamic_dns(self, _request: etree._Element) -> etree._Element:
        response = element("tds:GetDynamicDNSResponse")
        info = sub(response, "tds:DynamicDNSInformation")
        sub(info, "tt:Type", "NoUpdate")
        return response

    def get_users(self, _request: etree._Element) -> etree._Element:
        camera = self.context.camera
        response = element("tds:GetUsersResponse")
        user = sub(response, "tds:User")
        sub(user, "tt:Username", camera.username)
        if self.knobs.users_password_returned:
            sub(user, "tt:Password", camera.password)
        sub(user, "tt:UserLevel", "Administrator")
        return response

    def get_system_log(self, request: etree._Element) -> etree._Element:
        log_type = child_text(request, "LogType")
        if log_type not in ("System", "Access"):
            raise SoapFault("Sender", ("InvalidArgVal",), "LogType must be System or Access")
        response = element("tds:GetSystemLogResponse")
        log = sub(response, "tds:SystemLog")
        sub(log, "tt:String", SYSTEM_LOG if log_type == "System" else "")
        return response

    def get_remote_user(self, _request: etree._Element) -> etree._Element:
        """No remote user is configured: the optional RemoteUser element is left out."""
        return element("tds:GetRemoteUserResponse")

    def get_ip_address_filter(self, _request: etree._Element) -> etree._Element:
        """An empty deny list: nothing is filtered."""
        response = element("tds:GetIPAddressFilterResponse")
        address_filter = sub(response, "tds:IPAddressFilter")
        sub(address_filter, "tt:Type", "Deny")
        return response

    def get_relay_outputs(self, _request: etree._Element) -> etree._Element:
        response = element("tds:GetRelayOutputsResponse")
        relay = sub(response, "tds:RelayOutputs", token=RELAY_TOKEN)
        properties = sub(relay, "tt:Properties")
        sub(properties, "tt:Mode", "Bistable")
        sub(properties, "tt:DelayTime", "PT0S")
        sub(properties, "tt:IdleState", "open")
        return response


def _ipv4_or_loopback(host: object) -> str:
    """The IPv4 address the simulator listens on, or loopback (wildcard, IPv6 or unknown)."""
    try:
        address = ipaddress.IPv4Address(str(host))
    except ValueError:
        return DEVICE_ADDRESS
    return DEVICE_ADDRESS if address.is_unspecified else str(address)
