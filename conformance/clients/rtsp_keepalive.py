"""RTSP keep-alive probe: does a request within a playing session keep it playing?

Plays the first video track (over RTP/RTSP/TCP, or RTP/UDP), then sends each keep-alive in turn with
the session (ONVIF RTSS-1-1-32/33 use SET_PARAMETER and OPTIONS; GET_PARAMETER is what most
clients send) and counts the RTP packets that still arrive after each. The session timeout is
taken as the device reports it and never waited out: keep-alives go well within it, so the probe
takes about (len(methods) + 1) x ``after_s`` seconds.
"""

from __future__ import annotations

import re
import select
import socket
import time
from contextlib import suppress
from dataclasses import dataclass, field

from conformance.clients.rtsp import (
    Exchange,
    RtspError,
    RtspProtocolError,
    RtspTimeout,
    _bind_udp_pair,
    _Frame,
    _parse_url,
    _Session,
    _video_track,
)

_TIMEOUT_PARAM = re.compile(r";\s*timeout\s*=\s*(\d+)", re.IGNORECASE)


@dataclass
class KeepaliveStep:
    """One keep-alive request: its status (None if the connection died) and what followed."""

    method: str
    status: int | None
    error: str | None
    packets_after: int


@dataclass
class KeepaliveResult:
    url: str
    transport: str
    exchanges: list[Exchange]
    session_header: str
    session_timeout_s: int | None
    packets_before: int
    steps: list[KeepaliveStep] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "transport": self.transport,
            "session_header": self.session_header,
            "session_timeout_s": self.session_timeout_s,
            "packets_before": self.packets_before,
            "steps": [vars(s) for s in self.steps],
        }


def session_timeout(header: str) -> int | None:
    """The ``timeout`` parameter of a Session header (RFC 2326 12.37), or None."""
    match = _TIMEOUT_PARAM.search(header)
    return int(match.group(1)) if match else None


def _count_udp(rtp: socket.socket, server_ip: str, seconds: float) -> tuple[int, str | None]:
    """RTP datagrams from the server for ``seconds`` (older ones in the buffer are dropped)."""
    rtp.setblocking(False)
    while True:  # only what arrives from now on counts
        try:
            rtp.recvfrom(65536)
        except (BlockingIOError, OSError):
            break
    count = 0
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([rtp], [], [], remaining)
        if not readable:
            break
        try:
            _, (source, *_) = rtp.recvfrom(65536)
        except OSError:
            continue
        count += source == server_ip
    return count, None


def _count_packets(
    session: _Session, channel: int, seconds: float, early: bool = True
) -> tuple[int, str | None]:
    """RTP packets on ``channel`` for ``seconds``; the error text if the connection ended.
    ``early``: count the frames that arrived while waiting for the last response too."""
    count = sum(1 for f in session.early_frames if f.channel == channel) if early else 0
    session.early_frames.clear()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            message = session.conn.read_message(deadline)
        except RtspTimeout:
            break
        except RtspError as exc:
            return count, str(exc)
        if isinstance(message, _Frame) and message.channel == channel:
            count += 1
    return count, None


def keepalive_probe(
    url: str,
    username: str | None,
    password: str | None,
    *,
    methods: tuple[str, ...] = ("GET_PARAMETER", "OPTIONS"),
    after_s: float = 0.5,
    timeout: float = 5.0,
    transport: str = "tcp",
) -> KeepaliveResult:
    """Play over ``transport`` (tcp or udp) and send each keep-alive in ``methods``."""
    target = _parse_url(url, username, password)
    session = _Session(target, timeout)
    udp: tuple[socket.socket, socket.socket] | None = None
    try:
        described = session.request("DESCRIBE", target.url, {"Accept": "application/sdp"})
        track = _video_track(
            described.body.decode("utf-8", errors="replace"),
            target.url,
            described.header("Content-Base"),
            described.header("Content-Location"),
        )
        spec = "RTP/AVP/TCP;unicast;interleaved=0-1"
        if transport == "udp":
            udp = _bind_udp_pair(session.conn.sock)
            port = udp[0].getsockname()[1]
            spec = f"RTP/AVP;unicast;client_port={port}-{port + 1}"
        setup = session.request("SETUP", track.control, {"Transport": spec})
        header = setup.header("Session") or ""
        if not header:
            raise RtspProtocolError("SETUP response has no Session header")
        session.session_id = header.split(";")[0].strip()
        session.request("PLAY", track.aggregate, {"Range": "npt=0.000-"})
        server_ip = session.conn.sock.getpeername()[0]

        def count(early: bool) -> tuple[int, str | None]:
            if udp is not None:
                return _count_udp(udp[0], server_ip, after_s)
            return _count_packets(session, 0, after_s, early)

        before, error = count(True)
        result = KeepaliveResult(
            session.redact(target.url),
            transport,
            session.exchanges,
            header,
            session_timeout(header),
            before,
        )
        if error:
            return result
        for method in methods:
            # OPTIONS is not sent with the session by default; as a keep-alive it must be.
            extra = {"Session": session.session_id} if method == "OPTIONS" else None
            try:
                reply = session.send(method, track.aggregate, extra)
            except RtspError as exc:
                result.steps.append(KeepaliveStep(method, None, str(exc), 0))
                break
            after, error = count(False)
            result.steps.append(KeepaliveStep(method, reply.status, error, after))
            if error:
                break
        with suppress(RtspError):
            session.send("TEARDOWN", track.aggregate, timeout=min(timeout, 1.0))
        return result
    finally:
        for sock in udp or ():
            sock.close()
        session.close()
