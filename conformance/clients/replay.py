"""ONVIF replay client: plays a recording over RTSP with the ONVIF replay headers and reads the
0xABAC RTP header extension of every access unit.

Why its own module: replay differs from live streaming in what is sent (``Require:
onvif-replay``, ``Range: clock=``, ``Scale``, ``Rate-Control``, ``Frames``, ``Immediate``) and in
what is measured (the NTP capture time and C/E/D/T flags of each access unit, not pacing). It
reuses the live client's connection, authentication and transcript (:mod:`conformance.clients.
rtsp`) and receives RTP interleaved on the RTSP connection, either on the RTSP port (``tcp``)
or inside the RTSP over HTTP tunnel (``http``, :mod:`conformance.clients.rtsp_tunnel`), or as
RTP/UDP unicast datagrams (``udp``).

Every wait is bounded: ``timeout`` per response and per silence between packets, ``max_seconds``
for the whole capture and ``max_units`` access units.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from conformance.clients.rtsp import (
    Exchange,
    RtspError,
    RtspStatusError,
    RtspTimeout,
    _bind_udp_pair,
    _Frame,
    _parse_url,
    _Session,
    _video_track,
)

ABAC_PROFILE = 0xABAC
UDP_RECEIVE_BUFFER = 4 << 20
"""Receive buffer asked for RTP/UDP replay (the kernel may cap it): Rate-Control: no sends in
bursts, and what overflows a small buffer is lost."""
FEATURE_TAG = "onvif-replay"
NTP_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ReplayExtension:
    """The 0xABAC extension of one access unit (ONVIF Streaming Specification, Playback)."""

    ntp: int
    time_utc: datetime
    clean_point: bool
    """C: the access unit is a keyframe (a clean decoding start)."""
    end: bool
    """E: the last access unit before a gap in the recording (or the end of the data)."""
    discontinuity: bool
    """D: a discontinuity precedes this access unit (reverse GOP start, after Immediate)."""
    terminal: bool
    """T: the last access unit of the requested range."""
    cseq: int


@dataclass
class ReplayUnit:
    """One received access unit: its first packet's RTP fields, the extension and NAL types."""

    first_seq: int
    rtp_timestamp: int
    arrival: float
    packets: int
    keyframe: bool
    extension: ReplayExtension | None
    extension_on_later_packet: bool = False
    terminal_done: bool = False
    """The unit carries the T flag and its last packet (marker) has arrived."""


@dataclass(frozen=True)
class ImmediatePlay:
    """A second PLAY sent with ``Immediate: yes`` once ``after_units`` access units of the first
    arrived (ONVIF Streaming, Playback: Immediate header): the closed range it replays."""

    start: datetime
    end: datetime
    after_units: int = 8


@dataclass(frozen=True)
class PauseResume:
    """PAUSE once ``after_units`` access units arrived, stay paused ``pause_s`` seconds (the
    first ``grace_s`` of them for RTP already in flight), then PLAY without Range to resume."""

    after_units: int = 8
    pause_s: float = 1.0
    grace_s: float = 0.3


@dataclass
class ReplayCapture:
    """What one replay saw: transcript, SDP, PLAY reply headers and the access units."""

    url: str
    exchanges: list[Exchange]
    sdp: str
    play_headers: list[tuple[str, str]]
    play_cseq: int
    units: list[ReplayUnit]
    started: float
    finished: float
    immediate_cseq: int | None = None
    """The CSeq of the Immediate PLAY, once sent (its 0xABAC units echo its low byte)."""
    immediate_headers: list[tuple[str, str]] = field(default_factory=list)
    units_before_pause: int | None = None
    """Access units received before the PAUSE reply (PauseResume)."""
    packets_while_paused: int | None = None
    """RTP packets received after the PAUSE reply's grace time, before the resuming PLAY."""
    tag_refused: bool = False
    """The server answered 551 to ``Require: onvif-replay``; the replay was retried without."""
    notes: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.play_headers if k.lower() == name.lower()), None)


def ntp_to_datetime(ntp: int) -> datetime:
    seconds, fraction = ntp >> 32, ntp & 0xFFFFFFFF
    return NTP_EPOCH + timedelta(seconds=seconds, microseconds=fraction * 1_000_000 // (1 << 32))


def parse_extension(packet: bytes) -> tuple[int, ReplayExtension | None, int, int, bool, bytes]:
    """(seq, 0xABAC extension or None, timestamp, payload offset, marker, payload) of an RTP
    packet; raises ValueError on a malformed one."""
    if len(packet) < 12 or packet[0] >> 6 != 2:
        raise ValueError("not an RTP version 2 packet")
    b0, b1, seq, timestamp = struct.unpack("!BBHI", packet[:8])
    offset = 12 + 4 * (b0 & 0x0F)
    extension = None
    if b0 & 0x10:
        if len(packet) < offset + 4:
            raise ValueError("RTP header extension truncated")
        profile, words = struct.unpack("!HH", packet[offset : offset + 4])
        body = packet[offset + 4 : offset + 4 + 4 * words]
        if profile == ABAC_PROFILE and words >= 3 and len(body) >= 12:
            ntp, flags, cseq = struct.unpack("!QBB", body[:10])
            extension = ReplayExtension(
                ntp,
                ntp_to_datetime(ntp),
                bool(flags & 0x80),
                bool(flags & 0x40),
                bool(flags & 0x20),
                bool(flags & 0x10),
                cseq,
            )
        offset += 4 + 4 * words
    end = len(packet) - (packet[-1] if b0 & 0x20 else 0)
    return seq, extension, timestamp, offset, bool(b1 & 0x80), packet[offset:end]


def _is_key_payload(payload: bytes, codec: str) -> bool:
    """Whether an RTP payload carries (the start of) an IDR or a parameter set."""
    if not payload:
        return False
    if codec == "H265":
        kind = (payload[0] >> 1) & 0x3F
        if kind == 49 and len(payload) > 2:
            kind = payload[2] & 0x3F
        return kind in (19, 20, 32, 33, 34)
    kind = payload[0] & 0x1F
    if kind == 28 and len(payload) > 1:
        kind = payload[1] & 0x1F
    return kind in (5, 7, 8)


def clock_range(start: datetime | None, end: datetime | None) -> str:
    """``clock=YYYYMMDDTHHMMSS.fffZ-[end]`` (RFC 2326 3.7)."""

    def fmt(moment: datetime | None) -> str:
        if moment is None:
            return ""
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")[:-3] + "Z"

    return f"clock={fmt(start)}-{fmt(end)}"


def replay(
    url: str,
    username: str | None,
    password: str | None,
    *,
    start: datetime | None,
    end: datetime | None = None,
    scale: float = 1.0,
    rate_control: bool = True,
    intra_only: bool = False,
    require_tag: bool = True,
    transport: str = "tcp",
    immediate: ImmediatePlay | PauseResume | None = None,
    timeout: float = 5.0,
    idle_timeout: float = 2.0,
    max_seconds: float = 10.0,
    max_units: int = 2000,
) -> ReplayCapture:
    """Replay ``url`` from ``start`` (to ``end``) and collect access units until the terminal
    flag, ``idle_timeout`` of silence, ``max_seconds`` or ``max_units``.

    A 551 to ``Require: onvif-replay`` is recorded (``tag_refused``) and the replay is retried
    once without the tag, so the other replay requirements can still be judged.
    """
    options = {
        "start": start,
        "end": end,
        "scale": scale,
        "rate_control": rate_control,
        "intra_only": intra_only,
        "transport": transport,
        "immediate": immediate,
        "timeout": timeout,
        "idle_timeout": idle_timeout,
        "max_seconds": max_seconds,
        "max_units": max_units,
    }
    try:
        return _replay_once(url, username, password, require_tag=require_tag, **options)
    except RtspStatusError as exc:
        if exc.status != 551 or not require_tag:
            raise
        capture = _replay_once(url, username, password, require_tag=False, **options)
        capture.tag_refused = True
        capture.notes.append(
            f"{exc.method} with Require: {FEATURE_TAG} answered 551; retried without the tag"
        )
        return capture


def _replay_once(
    url: str,
    username: str | None,
    password: str | None,
    *,
    start: datetime | None,
    end: datetime | None,
    scale: float,
    rate_control: bool,
    intra_only: bool,
    require_tag: bool,
    transport: str,
    immediate: ImmediatePlay | PauseResume | None,
    timeout: float,
    idle_timeout: float,
    max_seconds: float,
    max_units: int,
) -> ReplayCapture:
    if immediate is not None and transport == "udp":
        raise ValueError("a second PLAY is sent over an interleaved replay only")
    if transport == "http":  # RTP interleaved as over TCP, inside the tunnel
        from conformance.clients.rtsp_tunnel import open_tunnel

        target, tunnel = open_tunnel(url, username, password, timeout)
        session = _Session(target, timeout, tunnel)
    elif transport in ("tcp", "udp"):
        target = _parse_url(url, username, password)
        session = _Session(target, timeout)
    else:
        raise ValueError(f"replay transport must be 'tcp', 'udp' or 'http', not {transport!r}")
    udp: tuple[socket.socket, socket.socket] | None = None
    tag = {"Require": FEATURE_TAG} if require_tag else {}
    try:
        described = session.request("DESCRIBE", target.url, {"Accept": "application/sdp", **tag})
        sdp = described.body.decode("utf-8", errors="replace")
        track = _video_track(
            sdp,
            target.url,
            described.header("Content-Base"),
            described.header("Content-Location"),
        )
        spec = "RTP/AVP/TCP;unicast;interleaved=0-1"
        if transport == "udp":
            udp = _bind_udp_pair(session.conn.sock)
            with contextlib.suppress(OSError):  # room for an unpaced replay's bursts
                udp[0].setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RECEIVE_BUFFER)
            port = udp[0].getsockname()[1]
            spec = f"RTP/AVP;unicast;client_port={port}-{port + 1}"
        setup = session.request("SETUP", track.control, {"Transport": spec, **tag})
        session.session_id = (setup.header("Session") or "").split(";")[0].strip() or None
        channel = _channel(setup.header("Transport") or "")
        play_headers = {**tag, "Range": clock_range(start, end), "Scale": f"{scale:g}"}
        if not rate_control:
            play_headers["Rate-Control"] = "no"
        if intra_only:
            play_headers["Frames"] = "intra"
        started = time.monotonic()
        play = session.request("PLAY", track.aggregate or target.url, play_headers)
        play_cseq = session._cseq  # noqa: SLF001 - the CSeq the 0xABAC extension echoes
        capture = ReplayCapture(
            url=session.redact(target.url),
            exchanges=session.exchanges,
            sdp=sdp,
            play_headers=play.headers,
            play_cseq=play_cseq,
            units=[],
            started=started,
            finished=started,
        )
        bounds = (idle_timeout, max_seconds, max_units)
        if udp is not None:
            server = session.conn.sock.getpeername()[0]
            _receive_udp(udp[0], server, track.codec, capture, *bounds)
        else:

            def switch() -> None:
                if isinstance(immediate, PauseResume):
                    _pause_resume(session, track.aggregate or target.url, tag, immediate, capture)
                    return
                assert immediate is not None
                headers = {
                    **tag,
                    "Range": clock_range(immediate.start, immediate.end),
                    "Rate-Control": "no",
                    "Immediate": "yes",
                }
                reply = session.request("PLAY", track.aggregate or target.url, headers)
                capture.immediate_cseq = session._cseq  # noqa: SLF001 - echoed by 0xABAC
                capture.immediate_headers = reply.headers

            after = immediate.after_units if immediate is not None else 0
            _receive(
                session,
                channel,
                track.codec,
                capture,
                *bounds,
                switch=switch if immediate is not None else None,
                switch_after=after,
            )
        capture.finished = time.monotonic()
        try:
            session.send("TEARDOWN", track.aggregate or target.url, timeout=timeout)
        except RtspError as exc:
            capture.notes.append(f"TEARDOWN failed: {exc}")
        return capture
    finally:
        session.close()
        for sock in udp or ():
            sock.close()


def _channel(transport: str) -> int:
    for part in transport.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "interleaved" and value.split("-")[0].isdigit():
            return int(value.split("-")[0])
    return 0


def _receive(
    session: _Session,
    channel: int,
    codec: str,
    capture: ReplayCapture,
    idle_timeout: float,
    max_seconds: float,
    max_units: int,
    switch: Callable[[], None] | None = None,
    switch_after: int = 0,
) -> None:
    """Group interleaved RTP packets into access units (by timestamp) until a bound is hit;
    ``switch`` (a second PLAY) is called once ``switch_after`` units arrived, and no terminal
    flag ends the capture before it."""
    hard_deadline = capture.started + max_seconds
    pending = list(session.early_frames)
    session.early_frames.clear()
    current: ReplayUnit | None = None
    while True:
        if pending:
            message = pending.pop(0)
        else:
            deadline = min(time.monotonic() + idle_timeout, hard_deadline)
            try:
                message = session.conn.read_message(deadline)
            except RtspTimeout:
                reason = "max_seconds" if time.monotonic() >= hard_deadline else "idle"
                capture.notes.append(f"stopped: {reason} bound reached")
                return
            except RtspError as exc:
                capture.notes.append(f"stopped: {exc}")
                return
        if not isinstance(message, _Frame) or message.channel != channel:
            continue
        current = _add_packet(capture, current, message.data, codec)
        if current is not None and current.terminal_done and switch is None:
            capture.notes.append("stopped: terminal (T) flag")
            return
        if switch is not None and len(capture.units) >= switch_after:
            switch()
            switch = None
            pending += session.early_frames  # RTP that arrived before the PLAY reply
            session.early_frames.clear()
        if len(capture.units) >= max_units:
            capture.notes.append("stopped: max_units bound reached")
            return


def _add_packet(
    capture: ReplayCapture, current: ReplayUnit | None, data: bytes, codec: str
) -> ReplayUnit | None:
    """Add one RTP packet to the capture, grouping packets into access units by timestamp;
    returns the unit it belongs to (None for a malformed packet, which is noted)."""
    try:
        seq, extension, timestamp, _, marker, payload = parse_extension(data)
    except ValueError as exc:
        capture.notes.append(f"ignored a packet: {exc}")
        return current
    if current is None or timestamp != current.rtp_timestamp:
        current = ReplayUnit(seq, timestamp, time.monotonic(), 0, False, extension)
        capture.units.append(current)
    elif extension is not None:
        current.extension_on_later_packet = True
    current.packets += 1
    current.keyframe = current.keyframe or _is_key_payload(payload, codec)
    terminal = current.extension is not None and current.extension.terminal
    current.terminal_done = terminal and marker  # the terminal unit's last packet
    return current


def _receive_udp(
    rtp: socket.socket,
    server: str,
    codec: str,
    capture: ReplayCapture,
    idle_timeout: float,
    max_seconds: float,
    max_units: int,
) -> None:
    """Group RTP/UDP datagrams from the server's address into access units until a bound."""
    hard_deadline = capture.started + max_seconds
    current: ReplayUnit | None = None
    foreign = 0
    while True:
        wait = min(idle_timeout, hard_deadline - time.monotonic())
        if wait <= 0 or not select.select([rtp], [], [], wait)[0]:
            reason = "max_seconds" if time.monotonic() >= hard_deadline else "idle"
            capture.notes.append(f"stopped: {reason} bound reached")
            break
        data, (source, *_) = rtp.recvfrom(65536)
        if source != server:
            foreign += 1
            continue
        current = _add_packet(capture, current, data, codec)
        if current is not None and current.terminal_done:
            capture.notes.append("stopped: terminal (T) flag")
            break
        if len(capture.units) >= max_units:
            capture.notes.append("stopped: max_units bound reached")
            break
    if foreign:
        capture.notes.append(f"ignored {foreign} UDP packets not from {server}")


def lost_heads(units: list[ReplayUnit]) -> list[int]:
    """Indexes of units received without their first packet over a lossy transport (UDP): no
    0xABAC extension and an RTP sequence gap right before them. Such a unit's time cannot be
    read because of the network, not the device; every other unit is judged as received."""
    lost = []
    for index, unit in enumerate(units):
        if unit.extension is not None or index == 0:
            continue
        previous = units[index - 1]
        expected = (previous.first_seq + previous.packets) & 0xFFFF
        if unit.first_seq != expected:
            lost.append(index)
    return lost


def _pause_resume(
    session: _Session,
    url: str,
    tag: dict[str, str],
    step: PauseResume,
    capture: ReplayCapture,
) -> None:
    """PAUSE, count the RTP that still arrives after ``grace_s``, then PLAY without Range. The
    frames read meanwhile go back to ``session.early_frames`` for the receiver."""
    session.request("PAUSE", url, dict(tag))
    capture.units_before_pause = len(capture.units)
    paused = time.monotonic()
    held: list[_Frame] = []
    late = 0
    while time.monotonic() < paused + step.pause_s:
        try:
            message = session.conn.read_message(paused + step.pause_s)
        except RtspTimeout:
            break
        if isinstance(message, _Frame):
            held.append(message)
            late += time.monotonic() - paused > step.grace_s
    capture.packets_while_paused = late
    session.early_frames[:0] = held
    reply = session.request("PLAY", url, {**tag, "Rate-Control": "no"})
    capture.immediate_cseq = session._cseq  # noqa: SLF001 - echoed by 0xABAC
    capture.immediate_headers = reply.headers
