"""RTP multicast of a simulated camera's live stream (ONVIF Streaming 5.1.1.1, 5.2.2.5).

Each stream has a fixed group in the administratively scoped range 239.255.0.0/16 (RFC 2365:
never routed beyond the organisation) and sends with TTL 1, out of the interface of the
camera's own address only (``IP_MULTICAST_IF``). The simulator sends multicast only after a
client asks for it (SETUP with ``multicast``, then PLAY); the conformance suite asks only when
the lab names a multicast interface, and its tests do so inside a network namespace whose only
interface is a loopback with multicast on, so nothing ever reaches a real network.
"""

from __future__ import annotations

import asyncio
import socket
import zlib
from collections.abc import Sequence

from fake_vms.rtsp.packetizer import RtpStream

MULTICAST_TTL = 1
MULTICAST_SUFFIX = "/multicast"
"""Path suffix of a stream's multicast URI (what Media GetStreamUri returns for RTP-Multicast)."""


def multicast_group(camera_name: str, stream: str) -> tuple[str, int]:
    """The (group, even RTP port) of one camera's stream: stable across runs, distinct per
    camera and stream, inside 239.255.0.0/16."""
    digest = zlib.crc32(f"{camera_name}/{stream.strip('/')}".encode())
    group = f"239.255.{(digest >> 8) & 0xFF}.{max(1, digest & 0xFF)}"
    port = 40000 + 2 * ((digest >> 16) % 5000)
    return group, port


class MulticastSink:
    """RTP to the stream's group from a socket bound to the camera's own address; ``silent``
    (a knob) sends nothing while the session claims to play."""

    def __init__(self, rtp: asyncio.DatagramTransport, silent: bool = False) -> None:
        self._rtp = rtp
        self._silent = silent

    def send(self, rtp: RtpStream, payloads: Sequence[bytes], timestamp: int) -> bool:
        if self._rtp.is_closing():
            return False
        datagrams = rtp.datagrams(payloads, timestamp)
        if not self._silent:
            for datagram in datagrams:
                self._rtp.sendto(datagram)
        return True

    def close(self) -> None:
        self._rtp.close()


async def open_multicast_sink(
    local_host: str, group: str, port: int, *, silent: bool = False
) -> MulticastSink:
    """A sender to ``group:port`` leaving only through the interface of ``local_host``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, MULTICAST_TTL)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local_host))
        sock.bind((local_host, 0))
        sock.connect((group, port))
    except OSError:
        sock.close()
        raise
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, sock=sock)
    return MulticastSink(transport, silent)
