"""Replay over RTP/UDP unicast (ONVIF Streaming, Playback; RTP-Unicast/UDP): the two datagram
endpoints a replay session sends from, always to the control connection's peer (never to a
host the client names).

Why its own module: the replay server (:mod:`fake_vms.rtsp.replay`) otherwise writes RTP
interleaved on the RTSP connection, with that connection's send buffer for back-pressure; UDP
has none, so an unpaced replay (``Rate-Control: no``) is sent at most UDP_MAX_SPEEDUP times
real time, fast enough for any client to see it outrun real time, slow enough that a client on
the same host loses nothing to a full socket buffer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

UDP_MAX_SPEEDUP = 4.0


class _Ignore(asyncio.DatagramProtocol):
    """RTCP receiver reports and ICMP port-unreachable before the client listens: ignored."""

    def error_received(self, exc: Exception) -> None:
        return None


@dataclass
class UdpPair:
    """The RTP and RTCP endpoints of one replay session."""

    rtp: asyncio.DatagramTransport
    rtcp: asyncio.DatagramTransport
    client_ports: tuple[int, int]

    @property
    def server_ports(self) -> tuple[int, int]:
        return self.rtp.get_extra_info("sockname")[1], self.rtcp.get_extra_info("sockname")[1]

    def transport_header(self, ssrc: int) -> str:
        (client_rtp, client_rtcp), (rtp, rtcp) = self.client_ports, self.server_ports
        return (
            f"RTP/AVP;unicast;client_port={client_rtp}-{client_rtcp}"
            f";server_port={rtp}-{rtcp};ssrc={ssrc:08X}"
        )

    def send(self, packets: list[bytes]) -> None:
        for packet in packets:
            self.rtp.sendto(packet)

    def close(self) -> None:
        self.rtp.close()
        self.rtcp.close()


async def open_pair(connection: Any, client_ports: tuple[int, int]) -> UdpPair:
    """Datagram endpoints on the connection's local address, aimed at its peer's ports."""
    loop = asyncio.get_running_loop()
    host = connection.peer_host
    rtp, _ = await loop.create_datagram_endpoint(
        _Ignore, local_addr=(connection.local_host, 0), remote_addr=(host, client_ports[0])
    )
    rtcp, _ = await loop.create_datagram_endpoint(
        _Ignore, local_addr=(connection.local_host, 0), remote_addr=(host, client_ports[1])
    )
    return UdpPair(rtp, rtcp, client_ports)
