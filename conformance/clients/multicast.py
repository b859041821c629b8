"""RTP multicast reception of a live stream (ONVIF Streaming 5.1.1.1 and 5.2.2.5).

The suite never joins a group unless the lab names the interface to join it on
(``--multicast-interface NAME``): joining on the wrong network would ask routers and switches to
forward a camera's video there. :func:`describe_multicast` only asks for the multicast
stream's SDP (DESCRIBE sends no media), so what the SDP promises can be judged everywhere;
:func:`capture_multicast` sets the stream up, joins its group on the named interface and
records what arrives (nothing arriving is a finding, returned rather than raised).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import struct
from contextlib import suppress
from dataclasses import dataclass

from conformance.clients.rtsp import (
    Capture,
    Exchange,
    RtspError,
    RtspProtocolError,
    _parse_url,
    _Receiver,
    _Session,
    _video_track,
)


@dataclass
class Described:
    """The multicast stream's SDP and the RTSP exchanges that fetched it."""

    sdp: str
    exchanges: list[Exchange]


def describe_multicast(
    url: str, username: str | None, password: str | None, *, timeout: float
) -> Described:
    """OPTIONS and DESCRIBE of the multicast stream URI: no SETUP, no media sent."""
    session = _Session(_parse_url(url, username, password), timeout)
    try:
        session.request("OPTIONS", session.target.url)
        reply = session.request("DESCRIBE", session.target.url, {"Accept": "application/sdp"})
        return Described(session.redact(reply.body.decode("utf-8", "replace")), session.exchanges)
    finally:
        session.close()


def sdp_connection_addresses(sdp: str) -> list[str]:
    """Every c= address of the SDP (session and media level), without the /TTL suffix."""
    found = []
    for line in sdp.splitlines():
        match = re.match(r"\s*c=IN\s+IP[46]\s+([^\s/]+)", line)
        if match:
            found.append(match.group(1))
    return found


def is_multicast(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_multicast
    except ValueError:
        return False


def _transport_group(transport: str) -> tuple[str | None, int | None]:
    """destination and first port of a SETUP reply's Transport header."""
    group = re.search(r"destination=([^;,\s]+)", transport)
    port = re.search(r"(?:^|;)\s*port=(\d+)", transport)
    return (group.group(1) if group else None, int(port.group(1)) if port else None)


def _joined(group: str, port: int, interface: str) -> socket.socket:
    """A UDP socket receiving ``group:port``, joined on ``interface`` only (ip_mreqn)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((group, port))
        index = socket.if_nametoindex(interface)
        mreqn = struct.pack("4s4si", socket.inet_aton(group), socket.inet_aton("0.0.0.0"), index)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
    except OSError:
        sock.close()
        raise
    return sock


def capture_multicast(
    url: str,
    username: str | None,
    password: str | None,
    *,
    interface: str,
    duration: float,
    timeout: float,
    max_bytes: int = 50_000_000,
) -> Capture:
    """SETUP the multicast stream, join its group on ``interface``, PLAY for ``duration``."""
    target = _parse_url(url, username, password)
    session = _Session(target, timeout)
    sockets: list[socket.socket] = []
    try:
        described = session.request("DESCRIBE", target.url, {"Accept": "application/sdp"})
        sdp = described.body.decode("utf-8", errors="replace")
        track = _video_track(
            sdp, target.url, described.header("Content-Base"), described.header("Content-Location")
        )
        setup = session.request("SETUP", track.control, {"Transport": "RTP/AVP;multicast"})
        session_header = setup.header("Session")
        if not session_header:
            raise RtspProtocolError("SETUP response has no Session header")
        session.session_id = session_header.split(";")[0].strip()
        group, port = _transport_group(setup.header("Transport") or "")
        if group is None or port is None:
            raise RtspProtocolError(
                f"multicast SETUP reply names no destination and port: {setup.header('Transport')}"
            )
        if not is_multicast(group):
            raise RtspProtocolError(f"multicast SETUP destination {group} is not a multicast group")
        sockets = [_joined(group, port, interface), _joined(group, port + 1, interface)]
        session.request("PLAY", track.aggregate, {"Range": "npt=0.000-"})
        result = Capture(
            url=session.redact(target.url),
            transport="multicast",
            exchanges=session.exchanges,
            sdp=session.redact(sdp),
            codec=track.codec,
            sdp_fmtp=track.fmtp,
            access_units=[],
            rtp_packets=0,
            rtp_seq_lost=0,
            bytes=0,
            notes=[f"joined {group}:{port} on {interface}"],
            clock_rate=track.clock_rate,
            auth_offered=session.auth_offered,
            auth_used=session.auth.scheme if session.auth else None,
        )
        receiver = _Receiver(result, track.payload_type, duration, timeout, max_bytes)
        receiver.run_udp(sockets[0], sockets[1], session.conn.sock.getpeername()[0])
        with suppress(RtspError):
            session.send("TEARDOWN", track.aggregate, timeout=min(timeout, 1.0))
        return result
    finally:
        for sock in sockets:
            sock.close()
        session.close()
