"""RTSP replay of recordings (ONVIF Streaming Specification, "Playback"): ``/replay/<token>``.

Implements the ONVIF replay dialect on top of RTSP 1.0: the ``onvif-replay`` feature tag
(``Require``), ``Range: clock=`` with open and closed ranges, ``Scale`` 1.0 and -1.0 (reverse:
GOPs in reverse order, frames of a GOP forward, D flag on each GOP's first access unit),
``Rate-Control: no`` (as fast as the connection takes it, bounded by the send buffer),
``Frames: intra`` and ``Immediate: yes``. The first RTP packet of every access unit carries the
0xABAC header extension: NTP capture time, C/E/D/T flags and the PLAY's CSeq low byte.

Replay runs over RTP/AVP/TCP (interleaved, as advertised by RTP_RTSP_TCP) on the RTSP port or
inside the RTSP over HTTP tunnel (GetReplayUri with Protocol HTTP), and over RTP/UDP unicast
(:mod:`fake_vms.rtsp.replay_udp`).
Quirk knobs (``replay_*``) make the server break one of these rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import secrets
import struct
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fake_vms.recording.store import RecordingStore, StoredAccessUnit
from fake_vms.rtsp.packetizer import nal_payloads
from fake_vms.rtsp.protocol import RtspRequest, parse_transports
from fake_vms.rtsp.replay_udp import UDP_MAX_SPEEDUP, UdpPair, open_pair
from fake_vms.rtsp.sdp import PAYLOAD_TYPE, TRACK_CONTROL
from fake_vms.site import CameraConfig

REPLAY_PREFIX = "/replay/"
FEATURE_TAG = "onvif-replay"
ABAC_PROFILE = 0xABAC
NTP_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
SEND_BUFFER_LIMIT = 512 * 1024
"""Unpaced replay waits while more than this is queued for the client (bounded memory)."""
CHUNK_S = 2.0
FOLLOW_IDLE_S = 5.0
"""An open-ended replay that reaches the live edge waits this long for new data, then ends."""
FLAG_C, FLAG_E, FLAG_D, FLAG_T = 0x80, 0x40, 0x20, 0x10
_CLOCK = re.compile(r"^clock=(\d{8}T\d{6}(?:\.\d+)?Z)?-(\d{8}T\d{6}(?:\.\d+)?Z)?$")

Reply = tuple[int, list[tuple[str, str]], bytes]


def parse_clock(text: str) -> datetime:
    """``YYYYMMDDTHHMMSS[.f]Z`` (RFC 2326 3.7 absolute time) as tz-aware UTC."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.strptime(whole, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return moment + timedelta(seconds=float(f"0.{fraction}")) if fraction else moment


def format_clock(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")[:-3] + "Z"


def ntp_timestamp(moment: datetime) -> int:
    """64-bit NTP timestamp (RFC 5905): seconds since 1900 and a 32-bit fraction."""
    delta = moment - NTP_EPOCH
    seconds = delta.days * 86400 + delta.seconds
    return (seconds << 32) | (delta.microseconds * (1 << 32) // 1_000_000)


def abac_extension(moment: datetime, flags: int, cseq: int) -> bytes:
    """The 0xABAC header extension: profile, length 3 words, NTP, flags, CSeq, padding."""
    return struct.pack(">HHQBBH", ABAC_PROFILE, 3, ntp_timestamp(moment), flags, cseq & 0xFF, 0)


@dataclass
class PlayRequest:
    """What one PLAY asked for."""

    start: datetime | None
    end: datetime | None
    scale: float
    paced: bool
    intra_only: bool
    cseq: int


@dataclass
class _ReplaySession:
    id: str
    token: str
    connection: Any
    channel: int
    ssrc: int = field(default_factory=lambda: random.getrandbits(32))
    seq: int = field(default_factory=lambda: random.getrandbits(16))
    rtp_origin: int = field(default_factory=lambda: random.getrandbits(32))
    task: asyncio.Task[None] | None = None
    last_seen: float = field(default_factory=time.monotonic)
    udp: UdpPair | None = None
    """Set for RTP/UDP unicast; otherwise RTP goes interleaved on ``channel``."""
    position: datetime | None = None
    """The capture time of the last access unit sent."""
    paused_at: datetime | None = None
    """Where a PAUSE stopped the replay: a PLAY without Range resumes there (RFC 2326 10.6)."""
    range_end: datetime | None = None
    """The end of the last PLAY's range, which a resuming PLAY without Range keeps."""


class ReplayServer:
    """Answers replay requests for one camera's recordings from the host's store."""

    def __init__(self, camera: CameraConfig, store: RecordingStore) -> None:
        self.camera = camera
        self.store = store
        self.sessions: dict[str, _ReplaySession] = {}

    @staticmethod
    def handles(uri: str, prefix: str = "") -> bool:
        path = urlsplit(uri).path if "://" in uri else uri
        return path[len(prefix) :].startswith(REPLAY_PREFIX) if path.startswith(prefix) else False

    def _token(self, uri: str, prefix: str) -> str | None:
        path = (urlsplit(uri).path if "://" in uri else uri)[len(prefix) :].rstrip("/")
        path = path.removesuffix(f"/{TRACK_CONTROL}")
        token = path[len(REPLAY_PREFIX) :]
        try:
            self.store.recording(token)
        except KeyError:
            return None
        return token if token == f"rec-{self.camera.name}" else None

    def owns(self, request: RtspRequest) -> bool:
        return (request.session_id or "") in self.sessions

    async def handle(self, connection: Any, request: RtspRequest) -> Reply:
        """One request on a replay URI (or in a replay session)."""
        tagged = FEATURE_TAG in request.headers.get("require", "")
        if (
            tagged
            and self.camera.knobs.replay_no_onvif_tag
            and request.method
            in (
                "DESCRIBE",
                "SETUP",
                "PLAY",
            )
        ):
            return 551, [("Unsupported", FEATURE_TAG)], b""
        method = {
            "OPTIONS": self._keepalive,
            "GET_PARAMETER": self._keepalive,
            "SET_PARAMETER": self._keepalive,
            "DESCRIBE": self._describe,
            "SETUP": self._setup,
            "PLAY": self._play,
            "PAUSE": self._pause,
            "TEARDOWN": self._teardown,
        }.get(request.method)
        if method is None:
            return 405, [], b""
        if connection.path_prefix and self.camera.knobs.replay_tunnel_refused:
            return 404, [], b""  # the quirk: RTSP over HTTP serves live streams only
        return await method(connection, request)

    async def _describe(self, connection: Any, request: RtspRequest) -> Reply:
        token = self._token(request.uri, connection.path_prefix)
        if token is None:
            return 404, [], b""
        recording = self.store.recording(token)
        first = next(self.store.access_units(token, recording.start_utc, recording.end_utc))
        sdp = replay_sdp(recording.codec, first, connection.local_host, self.camera.name)
        base = connection.base_url(REPLAY_PREFIX + token) + "/"
        return 200, [("Content-Type", "application/sdp"), ("Content-Base", base)], sdp

    async def _setup(self, connection: Any, request: RtspRequest) -> Reply:
        token = self._token(request.uri, connection.path_prefix)
        if token is None:
            return 404, [], b""
        if request.session_id is not None:
            return (454 if request.session_id not in self.sessions else 455), [], b""
        for spec in parse_transports(request.headers.get("transport", "")):
            if spec.tcp and spec.unicast:
                channels = spec.interleaved or (
                    connection.next_channel,
                    connection.next_channel + 1,
                )
                connection.next_channel = max(connection.next_channel, channels[1] + 1)
                session = _ReplaySession(secrets.token_hex(8), token, connection, channels[0])
                self.sessions[session.id] = session
                transport = (
                    f"RTP/AVP/TCP;unicast;interleaved={channels[0]}-{channels[1]}"
                    f";ssrc={session.ssrc:08X}"
                )
                return 200, [("Transport", transport), _session_header(session)], b""
            if spec.unicast and spec.client_ports and not self.camera.knobs.replay_udp_refused:
                pair = await open_pair(connection, spec.client_ports)
                session = _ReplaySession(secrets.token_hex(8), token, connection, -1, udp=pair)
                self.sessions[session.id] = session
                transport = pair.transport_header(session.ssrc)
                return 200, [("Transport", transport), _session_header(session)], b""
        return 461, [], b""

    async def _play(self, connection: Any, request: RtspRequest) -> Reply:
        session = self._session(request)
        if session is None:
            return 454, [], b""
        try:
            play = self._play_request(request)
        except ValueError:
            return 457, [], b""  # Invalid Range
        recording = self.store.recording(session.token)
        knobs = self.camera.knobs
        reverse = play.scale < 0 and not knobs.replay_no_reverse
        if play.start is None and session.paused_at is not None:  # resume after PAUSE
            play.start, play.end = session.paused_at, play.end or session.range_end
        session.paused_at, session.range_end = None, play.end
        start = play.start or (recording.end_utc if reverse else recording.start_utc)
        if knobs.replay_range_ignored:
            start = recording.end_utc - timedelta(seconds=0.2)  # the quirk: plays "live"
        ignore_end = knobs.replay_ignores_range_end or knobs.replay_range_ignored
        ignore_end |= play.scale < 0 and knobs.replay_no_reverse  # plays on forward from T2
        end = None if ignore_end else play.end
        if session.task is not None:  # Immediate: yes (or a new PLAY) replaces the old one
            session.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await session.task
        units = (
            self._reverse_units(session.token, start, end)
            if reverse
            else (self._forward_units(session.token, start, end))
        )
        session.task = asyncio.get_running_loop().create_task(
            self._send(session, units, play, start)
        )
        end_text = format_clock(play.end) if play.end else ""
        url = f"{connection.base_url(REPLAY_PREFIX + session.token)}/{TRACK_CONTROL}"
        headers = [
            _session_header(session),
            ("Range", f"clock={format_clock(start)}-{end_text}"),
            ("RTP-Info", f"url={url};seq={session.seq};rtptime={session.rtp_origin}"),
            ("Scale", f"{play.scale:g}"),
        ]
        if not play.paced:
            headers.append(("Rate-Control", "no"))
        return 200, headers, b""

    def _play_request(self, request: RtspRequest) -> PlayRequest:
        start = end = None
        value = request.headers.get("range", "").replace(" ", "")
        if value:
            match = _CLOCK.match(value)
            if not match:
                raise ValueError(value)
            start = parse_clock(match.group(1)) if match.group(1) else None
            end = parse_clock(match.group(2)) if match.group(2) else None
        scale = float(request.headers.get("scale", "1") or 1)
        paced = request.headers.get("rate-control", "yes").strip().lower() != "no"
        if self.camera.knobs.replay_rate_control_ignored:
            paced = True
        intra = request.headers.get("frames", "").strip().lower().startswith("intra")
        intra &= not self.camera.knobs.replay_frames_ignored
        return PlayRequest(start, end, scale, paced, intra, int(request.cseq))

    async def _forward_units(
        self, token: str, start: datetime, end: datetime | None
    ) -> AsyncIterator[tuple[StoredAccessUnit, bool]]:
        """(unit, gop start) from the keyframe at/before ``start`` forward; an open range follows
        the recording as it grows, and ends after FOLLOW_IDLE_S without new data."""
        cursor: datetime | None = None
        idle_since = time.monotonic()
        while True:
            low = start if cursor is None else cursor
            stop = end if end is not None else low + timedelta(seconds=CHUNK_S)
            sent = False
            for unit in self.store.access_units(token, low, stop):
                if cursor is not None and unit.time_utc <= cursor:
                    continue
                sent = True
                cursor = unit.time_utc
                yield unit, unit.keyframe
            if end is not None:
                return
            if sent:
                idle_since = time.monotonic()
                continue
            if time.monotonic() - idle_since > FOLLOW_IDLE_S:
                return
            await asyncio.sleep(0.1)

    async def _reverse_units(
        self, token: str, start: datetime, end: datetime | None
    ) -> AsyncIterator[tuple[StoredAccessUnit, bool]]:
        """GOPs from the one holding ``start`` back to ``end`` (or the recording's start),
        each GOP's frames in forward order."""
        recording = self.store.recording(token)
        low = end if end is not None else recording.start_utc
        units = list(self.store.access_units(token, low, start))
        gops: list[list[StoredAccessUnit]] = []
        for unit in units:
            if unit.keyframe or not gops:
                gops.append([])
            gops[-1].append(unit)
        for gop in reversed(gops):
            for index, unit in enumerate(gop):
                yield unit, index == 0
            await asyncio.sleep(0)

    async def _send(
        self,
        session: _ReplaySession,
        units: AsyncIterator[tuple[StoredAccessUnit, bool]],
        play: PlayRequest,
        start: datetime,
    ) -> None:
        knobs = self.camera.knobs
        transport = session.connection.writer.transport
        recording = self.store.recording(session.token)
        fps = recording.fps
        wall_start = time.monotonic()
        base: datetime | None = None
        reverse = play.scale < 0 and not knobs.replay_no_reverse
        first = True
        async for current in _with_next(units):
            unit, gop_start, following = current
            last = following is None
            if play.intra_only and not unit.keyframe:
                continue
            base = base or unit.time_utc
            offset = abs((unit.time_utc - base).total_seconds())
            speed = abs(play.scale) if play.paced else UDP_MAX_SPEEDUP if session.udp else 0.0
            if speed:
                delay = wall_start + offset / max(speed, 0.01) - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            while transport.get_write_buffer_size() > SEND_BUFFER_LIMIT:
                if transport.is_closing():
                    return
                await asyncio.sleep(0.002)
            if transport.is_closing():
                return
            flags = 0
            if unit.keyframe and not knobs.replay_abac_no_c_flag:
                flags |= FLAG_C
            before_gap = (
                not reverse
                and following is not None
                and (following.time_utc - unit.time_utc).total_seconds() > 2 / fps
            )
            if (last or before_gap) and not (before_gap and knobs.replay_gap_papered_over):
                flags |= FLAG_E
            if (reverse and gop_start) or first:
                flags |= FLAG_D
            if last and play.end is not None:
                flags |= FLAG_T
            extension = (
                b"" if knobs.replay_no_abac else abac_extension(unit.time_utc, flags, play.cseq)
            )
            rtp_time = (session.rtp_origin + round(offset * 90_000)) & 0xFFFFFFFF
            packets = self._packets(session, unit, rtp_time, extension)
            if session.udp is not None:
                session.udp.send(packets)
            else:
                transport.write(b"".join(_interleaved(session.channel, p) for p in packets))
            session.position = unit.time_utc
            session.last_seen = time.monotonic()
            first = False
            await asyncio.sleep(0)

    def _packets(
        self, session: _ReplaySession, unit: StoredAccessUnit, timestamp: int, extension: bytes
    ) -> list[bytes]:
        """The RTP packets of one access unit (the extension on the first only)."""
        payloads = [p for nal in unit.nals for p in nal_payloads(nal, codec=self._codec(session))]
        parts = []
        last = len(payloads) - 1
        for index, payload in enumerate(payloads):
            ext = extension if index == 0 else b""
            b0 = 0x80 | (0x10 if ext else 0)
            b1 = (0x80 if index == last else 0) | PAYLOAD_TYPE
            header = struct.pack(">BBHII", b0, b1, session.seq, timestamp, session.ssrc) + ext
            parts.append(header + payload)
            session.seq = (session.seq + 1) & 0xFFFF
        return parts

    def _codec(self, session: _ReplaySession) -> str:
        return self.store.recording(session.token).codec

    def _session(self, request: RtspRequest) -> _ReplaySession | None:
        session = self.sessions.get(request.session_id or "")
        if session is not None:
            session.last_seen = time.monotonic()
        return session

    async def _keepalive(self, connection: Any, request: RtspRequest) -> Reply:
        if request.session_id is None:
            return 200, [("Public", "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN")], b""
        session = self._session(request)
        if session is None:
            return 454, [], b""
        return 200, [_session_header(session)], b""

    async def _pause(self, connection: Any, request: RtspRequest) -> Reply:
        session = self._session(request)
        if session is None:
            return 454, [], b""
        if session.task is not None:
            session.task.cancel()
            session.task = None
            session.paused_at = session.position
        return 200, [_session_header(session)], b""

    async def _teardown(self, connection: Any, request: RtspRequest) -> Reply:
        session = self.sessions.get(request.session_id or "")
        if session is None:
            return 454, [], b""
        await self._end(session)
        return 200, [], b""

    async def _end(self, session: _ReplaySession) -> None:
        self.sessions.pop(session.id, None)
        task, session.task = session.task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if session.udp is not None:
            session.udp.close()

    async def drop_connection(self, connection: Any) -> None:
        """The control connection closed: its replay sessions end with it."""
        for session in [s for s in self.sessions.values() if s.connection is connection]:
            await self._end(session)

    async def stop(self) -> None:
        for session in list(self.sessions.values()):
            await self._end(session)


async def _with_next(
    units: AsyncIterator[tuple[StoredAccessUnit, bool]],
) -> AsyncIterator[tuple[StoredAccessUnit, bool, StoredAccessUnit | None]]:
    """Each item with the unit that follows it (None for the last one): the E flag of a unit
    depends on whether the recording continues right after it."""
    previous: tuple[StoredAccessUnit, bool] | None = None
    async for item in units:
        if previous is not None:
            yield (*previous, item[0])
        previous = item
    if previous is not None:
        yield (*previous, None)


def _interleaved(channel: int, packet: bytes) -> bytes:
    """An RTP packet framed for the RTSP connection (RFC 2326 10.12)."""
    return struct.pack(">cBH", b"$", channel, len(packet)) + packet


def _session_header(session: _ReplaySession) -> tuple[str, str]:
    return ("Session", f"{session.id};timeout=60")


def replay_sdp(codec: str, first: StoredAccessUnit, host: str, name: str) -> bytes:
    """The replay SDP: one video track tagged ``a=x-onvif-track`` (ONVIF Streaming, Playback)."""
    import base64

    hevc = codec == "H265"
    kinds = {32: "vps", 33: "sps", 34: "pps"} if hevc else {7: "sps", 8: "pps"}
    params: dict[str, bytes] = {}
    for nal in first.nals:
        kind = kinds.get((nal[0] >> 1) & 0x3F if hevc else nal[0] & 0x1F)
        if kind:
            params[kind] = nal
    b64 = {k: base64.b64encode(v).decode() for k, v in params.items()}
    if hevc:
        fmtp = ";".join(f"sprop-{k}={b64.get(k, '')}" for k in ("vps", "sps", "pps"))
    else:
        level = params.get("sps", b"\x00\x42\x00\x1f")[1:4].hex()
        fmtp = (
            f"packetization-mode=1;profile-level-id={level}"
            f";sprop-parameter-sets={b64.get('sps', '')},{b64.get('pps', '')}"
        )
    lines = [
        "v=0",
        f"o=- 0 1 IN IP4 {host}",
        f"s=FakeVMS replay {name}",
        f"c=IN IP4 {host}",
        "t=0 0",
        "a=control:*",
        f"m=video 0 RTP/AVP {PAYLOAD_TYPE}",
        f"a=rtpmap:{PAYLOAD_TYPE} {codec}/90000",
        f"a=fmtp:{PAYLOAD_TYPE} {fmtp}",
        f"a=control:{TRACK_CONTROL}",
        "a=x-onvif-track:VIDEO001",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()
