"""A bounded TCP connect scan of one device's own address.

Only the host given is ever contacted, only the candidate ports given (at most
``MAX_PORTS``), one at a time with ``delay_s`` between attempts (rate limit), and the whole scan
stops at ``budget_s`` (what was not probed is reported, never guessed).
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

MAX_PORTS = 1100

WELL_KNOWN_CAMERA_PORTS = (
    21,  # FTP
    22,  # SSH
    23,  # Telnet
    80,  # HTTP (web UI, ONVIF)
    443,  # HTTPS
    554,  # RTSP
    1935,  # RTMP
    1900,  # UPnP (TCP side of SSDP devices)
    2323,  # alternative Telnet (Mirai target)
    5000,  # vendor SDK / UPnP
    7070,  # vendor media
    8000,  # Hikvision SDK
    8080,  # alternative HTTP
    8443,  # alternative HTTPS
    8554,  # alternative RTSP
    9000,  # vendor SDK
    34567,  # XiongMai DVR/NVR protocol
    37777,  # Dahua SDK
)
"""Documented candidates: ports cameras and recorders are known to leave open."""


@dataclass
class ScanResult:
    host: str
    open: list[int] = field(default_factory=list)
    closed: int = 0
    unprobed: list[int] = field(default_factory=list)
    seconds: float = 0.0


def scan(
    host: str, ports: list[int], *, timeout: float = 1.0, delay_s: float = 0.005, budget_s=60.0
) -> ScanResult:
    """Connect to each port of ``host``; a completed handshake means open."""
    candidates = sorted(set(ports))
    if len(candidates) > MAX_PORTS:
        raise ValueError(f"at most {MAX_PORTS} ports per scan, got {len(candidates)}")
    result = ScanResult(host)
    started = time.monotonic()
    for index, port in enumerate(candidates):
        if time.monotonic() - started > budget_s:
            result.unprobed = candidates[index:]
            break
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.open.append(port)
        except OSError:
            result.closed += 1
        time.sleep(delay_s)
    result.seconds = round(time.monotonic() - started, 3)
    return result
