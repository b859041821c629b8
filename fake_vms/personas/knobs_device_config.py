"""Device management read knobs (network configuration, users, I/O): each default is the
conformant behaviour; one knob per defect a persona shows on the wire."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceConfigKnobs:
    """Defects of the Device service's configuration reads (fake_vms/onvif/device_config.py)."""

    network_protocols_rtsp_port_offset: int = 0
    """GetNetworkProtocols lists RTSP on the port it serves on plus this (0: the true port)."""
    users_password_returned: bool = False
    """GetUsers gives each user's password in tt:User/Password."""
    relay_outputs_capability_count: int | None = None
    """GetCapabilities Device.IO.RelayOutputs says this many instead of the relays that
    GetRelayOutputs lists."""
