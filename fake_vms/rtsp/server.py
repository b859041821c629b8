"""An asyncio RTSP 1.0 server for one simulated camera (DESCRIBE/SETUP/PLAY over UDP or TCP).

It speaks real RTSP and RTP on 127.0.0.1 so that any client (FFmpeg, VLC, the suite) can be
tested against it, and applies the camera's RTSP quirk knobs so non-conformance is reproducible.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from fake_vms import hostile
from fake_vms.media.encoder import EncodedLoop, get_loop
from fake_vms.media.streams import camera_streams, media1_stream
from fake_vms.oplog import OperationLog
from fake_vms.rtsp.auth import DigestAuth
from fake_vms.rtsp.multicast import (
    MULTICAST_SUFFIX,
    MULTICAST_TTL,
    multicast_group,
    open_multicast_sink,
)
from fake_vms.rtsp.protocol import (
    BadRequest,
    RtspRequest,
    TransportSpec,
    content_length,
    format_response,
    parse_head,
    parse_transports,
)
from fake_vms.rtsp.sdp import TRACK_CONTROL, build_sdp
from fake_vms.rtsp.session import RtspSession, TcpSink, UdpSink
from fake_vms.rtsp.sessions_report import SessionBook
from fake_vms.rtsp.source import LiveSource
from fake_vms.site import CameraConfig

SESSION_TIMEOUT_S = 60
MAX_BODY = 64 * 1024
PUBLIC = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER, TEARDOWN"
_CSEQ = re.compile(rb"(?im)^cseq\s*:\s*(\d+)\s*$")

Reply = tuple[int, list[tuple[str, str]], bytes]


class _RtcpListener(asyncio.DatagramProtocol):
    """Counts any datagram from the client (RTCP RR, NAT punch) as session activity."""

    def __init__(self) -> None:
        self.session: RtspSession | None = None

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.session is not None:
            self.session.touch()

    def error_received(self, exc: Exception) -> None:
        """ICMP port-unreachable while the client is not yet listening is normal; ignore."""


class _Connection:
    """One RTSP control connection and the sessions it created.

    ``path_prefix`` is where the streams live on this connection's port: empty for plain RTSP,
    ``/rtsp-over-http`` for a tunnel on the HTTP port (so URLs given out lead back through it).
    """

    def __init__(self, writer: asyncio.StreamWriter, path_prefix: str = "") -> None:
        self.writer = writer
        self.peer_host: str = writer.get_extra_info("peername")[0]
        self.local_host: str = writer.get_extra_info("sockname")[0]
        self.local_port: int = writer.get_extra_info("sockname")[1]
        self.path_prefix = path_prefix
        self.sessions: dict[str, RtspSession] = {}
        self.next_channel = 0
        self.broken = False
        """Set when a quirk closes the connection after the current reply."""

    def base_url(self, path: str) -> str:
        return f"rtsp://{self.local_host}:{self.local_port}{self.path_prefix}{path}"


class RtspServer:
    """Serves ``rtsp://127.0.0.1:{port}/stream1`` (and ``/stream2`` for H.265) for one camera."""

    stream_path = "/stream1"
    """The main stream; see :mod:`fake_vms.media.streams` for the others."""

    def __init__(self, camera: CameraConfig, oplog: OperationLog | None = None) -> None:
        self.camera = camera
        self.oplog = oplog
        self._auth = DigestAuth(camera.username, camera.password)
        self._server: asyncio.Server | None = None
        self._loop: EncodedLoop | None = None
        self._source: LiveSource | None = None
        self._streams: dict[str, tuple[EncodedLoop, LiveSource]] = {}
        """Path -> the stream's loop and live source (``_loop``/``_source``: the main one)."""
        self._sessions: dict[str, RtspSession] = {}
        self._owners: dict[str, _Connection] = {}
        self._session_paths: dict[str, str] = {}
        self._handlers: set[asyncio.Task[None]] = set()
        self._reaper: asyncio.Task[None] | None = None
        self.replay: Any = None
        self.sessions_book = SessionBook(camera)
        self.dark_until = 0.0
        """Monotonic time until which the camera is off the network (:meth:`drop_out`)."""
        """The camera's session list (its status URL, :mod:`fake_vms.rtsp.sessions_report`)."""
        """Serves ``/replay/<token>`` when the camera records (:mod:`fake_vms.rtsp.replay`)."""
        self._methods: dict[str, Callable[[_Connection, RtspRequest], Awaitable[Reply]]] = {
            "OPTIONS": self._options,
            "DESCRIBE": self._describe,
            "SETUP": self._setup,
            "PLAY": self._play,
            "PAUSE": self._pause,
            "GET_PARAMETER": self._keepalive,
            "SET_PARAMETER": self._keepalive,
            "TEARDOWN": self._teardown,
        }

    def live_stream(self, path: str = stream_path) -> tuple[EncodedLoop, LiveSource]:
        """A started stream's loop and live source (the recorder records the main one)."""
        return self._streams[path]

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return self._server.sockets[0].getsockname()[1]

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Encode (or reuse) each stream's loop off the event loop, then listen."""
        camera = self.camera
        for name, codec in camera_streams(camera).items():
            # Stream quirk knobs (e.g. stream_size) shape the stream Media (ver10) describes.
            quirky = name == media1_stream(camera)
            width, height = camera.stream_size if quirky else (camera.width, camera.height)
            loop = await asyncio.to_thread(
                get_loop, codec, width, height, camera.stream_fps, camera.gop,
                camera.bitrate_kbps,
            )  # fmt: skip
            self._streams[f"/{name}"] = (loop, LiveSource(camera, loop))
            if not camera.knobs.multicast_off:  # the same live source, sent to its group
                self._streams[f"/{name}{MULTICAST_SUFFIX}"] = self._streams[f"/{name}"]
        self._loop, self._source = self._streams[self.stream_path]
        self._server = await asyncio.start_server(self._serve_connection, host, port)
        self._reaper = asyncio.get_running_loop().create_task(self._reap_sessions())

    async def stop(self) -> None:
        """Close the listener, every session and every connection, and wait for them."""
        if self._server is not None:
            self._server.close()
        if self._reaper is not None:
            self._reaper.cancel()
        for session in list(self._sessions.values()):
            await self._end_session(session)
        if self.replay is not None:
            await self.replay.stop()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def drop_out(self, seconds: float) -> None:
        """Lab stimulus: the stream vanishes for ``seconds`` (a pulled cable, a power cut):
        every RTSP connection and session ends at once and new connections are dropped until
        it is back. ONVIF over HTTP stays up; the session list records when sessions ended."""
        self.dark_until = time.monotonic() + seconds
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        for session in list(self._sessions.values()):
            await self._end_session(session)

    # --- connection handling ------------------------------------------------------------

    async def serve_stream(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path_prefix: str
    ) -> None:
        """Run RTSP over an already-open byte stream (an RTSP-over-HTTP tunnel: requests from
        the decoded POST body, replies and interleaved RTP down the GET response)."""
        await self._serve_connection(reader, writer, path_prefix)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path_prefix: str = ""
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        if time.monotonic() < self.dark_until:  # off the network: nobody answers
            writer.transport.abort()
            return
        self._handlers.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = _Connection(writer, path_prefix)
        if self.camera.knobs.hostile_rtsp and not path_prefix:
            await hostile.rtsp_connection(self.camera.knobs.hostile_rtsp, reader, writer)
            self._handlers.discard(task)
            return
        try:
            while True:
                first = await reader.readexactly(1)
                if first == b"$":  # interleaved RTCP from the client: keep-alive only
                    header = await reader.readexactly(3)
                    await reader.readexactly(int.from_bytes(header[1:3], "big"))
                    for session in connection.sessions.values():
                        session.touch()
                    continue
                if first in b"\r\n":
                    continue
                try:
                    head = first + await reader.readuntil(b"\r\n\r\n")
                except asyncio.LimitOverrunError:
                    writer.write(format_response(400, None))
                    self._record("INVALID", False, 400)
                    break
                writer.write(await self._respond(connection, head, reader))
                if connection.broken:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._handlers.discard(task)
            for session in list(connection.sessions.values()):
                await self._end_session(session)
            if self.replay is not None:
                await self.replay.drop_connection(connection)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _respond(
        self, connection: _Connection, head: bytes, reader: asyncio.StreamReader
    ) -> bytes:
        try:
            request = parse_head(head)
            length = content_length(request)
            if length > MAX_BODY:
                raise BadRequest("body too large")
            request.body = await reader.readexactly(length)
        except BadRequest:
            match = _CSEQ.search(head)
            self._record(head.split(b" ", 1)[0].decode("ascii", "replace")[:32], False, 400)
            return format_response(400, match.group(1).decode() if match else None)
        handler = self._methods.get(request.method)
        authenticated = self._auth.check(
            request.method,
            request.headers.get("authorization"),
            basic=self.camera.knobs.rtsp_basic_auth_only,
        )
        if handler is None:
            status, headers, body = 501, [], b""
        elif (
            self.camera.knobs.rtsp_auth_required
            and not authenticated
            and request.method != "OPTIONS"
        ):
            challenge = (
                f'Basic realm="{self._auth.realm}"'
                if self.camera.knobs.rtsp_basic_auth_only
                else self._auth.challenge()
            )
            status, headers, body = 401, [("WWW-Authenticate", challenge)], b""
        elif (
            request.method in self.camera.knobs.rtsp_keepalive_unanswered
            and request.session_id is not None
        ):
            self._record(request.method, authenticated, 0)
            return b""  # the quirk: never answered, the stream goes on
        elif self.replay is not None and (
            self.replay.handles(request.uri, connection.path_prefix) or self.replay.owns(request)
        ):
            status, headers, body = await self.replay.handle(connection, request)
        else:
            status, headers, body = await handler(connection, request)
        self._record(request.method, authenticated, status)
        return format_response(status, request.cseq, headers, body)

    def _record(self, method: str, authenticated: bool, status: int) -> None:
        if self.oplog is not None:
            self.oplog.record(self.camera.name, "rtsp", method, authenticated, str(status))

    # --- methods ------------------------------------------------------------------------

    def _path_ok(self, uri: str, allow_track: bool) -> bool:
        return self._stream_of(uri, allow_track) is not None

    def _stream_of(self, uri: str, allow_track: bool, prefix: str = "") -> str | None:
        """The stream path a request URI names (or its track, if allowed), else None."""
        path = urlsplit(uri).path.rstrip("/") if "://" in uri else uri.rstrip("/")
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) :]
        if allow_track and path.endswith(f"/{TRACK_CONTROL}"):
            path = path[: -len(TRACK_CONTROL) - 1]
        return path if path in self._streams else None

    def _session(self, request: RtspRequest) -> RtspSession | None:
        session = self._sessions.get(request.session_id or "")
        if session is not None:
            session.touch()
        return session

    def _session_header(self, session: RtspSession) -> tuple[str, str]:
        return ("Session", f"{session.id};timeout={SESSION_TIMEOUT_S}")

    async def _options(self, connection: _Connection, request: RtspRequest) -> Reply:
        self._session(request)
        return 200, [("Public", PUBLIC)], b""

    async def _describe(self, connection: _Connection, request: RtspRequest) -> Reply:
        path = self._stream_of(request.uri, allow_track=False, prefix=connection.path_prefix)
        if path is None:
            return 404, [], b""
        base = connection.base_url(path) + "/"
        sdp = build_sdp(
            self._streams[path][0], connection.local_host, f"FakeVMS {self.camera.name}",
            self.camera.bitrate_kbps, self.camera.knobs, multicast=self._multicast_of(path),
        )  # fmt: skip
        return 200, [("Content-Type", "application/sdp"), ("Content-Base", base)], sdp

    async def _setup(self, connection: _Connection, request: RtspRequest) -> Reply:
        path = self._stream_of(request.uri, allow_track=True, prefix=connection.path_prefix)
        if path is None:
            return 404, [], b""
        if request.session_id is not None:
            # One track only: a second SETUP in an existing session is not meaningful.
            return (454 if request.session_id not in self._sessions else 455), [], b""
        knobs = self.camera.knobs
        if self._no_room():
            return 453, [], b""
        for spec in parse_transports(request.headers.get("transport", "")):
            if not spec.unicast:
                if path.endswith(MULTICAST_SUFFIX) and spec.tcp is False:
                    return await self._setup_multicast(connection, path)
                continue
            # A tunnel carries RTP interleaved whatever the plain-RTSP/TCP knob says.
            if spec.tcp and (knobs.rtsp_tcp_supported or connection.path_prefix):
                return self._setup_tcp(connection, spec, path)
            if not spec.tcp and knobs.rtsp_udp_supported and spec.client_ports:
                return await self._setup_udp(connection, spec, path)
        return 461, [], b""

    def _no_room(self) -> bool:
        """The quirk: as many live sessions already play as the camera serves at once."""
        limit = self.camera.knobs.rtsp_max_playing_sessions
        return bool(limit) and sum(s.playing for s in self._sessions.values()) >= limit

    def _new_session(
        self, connection: _Connection, sink: TcpSink | UdpSink, path: str = stream_path
    ) -> RtspSession:
        source = self._streams[path][1]
        session = RtspSession(secrets.token_hex(8), source, sink, self._session_ended)
        self._session_paths[session.id] = path
        self._sessions[session.id] = session
        self._owners[session.id] = connection
        self.sessions_book.opened(
            session.id,
            "tcp" if isinstance(sink, TcpSink) else "udp",
            path,
            connection.peer_host,
            bool(connection.path_prefix),
        )
        connection.sessions[session.id] = session
        return session

    def _setup_tcp(
        self, connection: _Connection, spec: TransportSpec, path: str = stream_path
    ) -> Reply:
        channels = spec.interleaved or (connection.next_channel, connection.next_channel + 1)
        connection.next_channel = max(connection.next_channel, channels[1] + 1)
        sink = TcpSink(connection.writer.transport, channels[0])
        session = self._new_session(connection, sink, path)
        transport = (
            f"RTP/AVP/TCP;unicast;interleaved={channels[0]}-{channels[1]}"
            f";ssrc={session.rtp.ssrc:08X}"
        )
        return 200, [("Transport", transport), self._session_header(session)], b""

    async def _setup_udp(
        self, connection: _Connection, spec: TransportSpec, path: str = stream_path
    ) -> Reply:
        assert spec.client_ports is not None
        loop = asyncio.get_running_loop()
        rtp_port, rtcp_port = spec.client_ports
        # Always send to the peer of the control connection: never to a client-chosen host.
        host = connection.peer_host
        rtp, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol,
            local_addr=(connection.local_host, 0),
            remote_addr=(host, rtp_port),
        )
        listener = _RtcpListener()
        rtcp, _ = await loop.create_datagram_endpoint(
            lambda: listener, local_addr=(connection.local_host, 0), remote_addr=(host, rtcp_port)
        )
        session = self._new_session(connection, UdpSink(rtp, rtcp), path)
        listener.session = session
        server_ports = (rtp.get_extra_info("sockname")[1], rtcp.get_extra_info("sockname")[1])
        transport = (
            f"RTP/AVP;unicast;client_port={rtp_port}-{rtcp_port}"
            f";server_port={server_ports[0]}-{server_ports[1]};ssrc={session.rtp.ssrc:08X}"
        )
        return 200, [("Transport", transport), self._session_header(session)], b""

    def _multicast_of(self, path: str) -> tuple[str, int, int] | None:
        """(group, port, TTL) a multicast path's SDP announces; None for a unicast path."""
        if not path.endswith(MULTICAST_SUFFIX):
            return None
        if self.camera.knobs.multicast_sdp_unspecified:
            return "0.0.0.0", 0, MULTICAST_TTL
        return (*multicast_group(self.camera.name, path[: -len(MULTICAST_SUFFIX)]), MULTICAST_TTL)

    async def _setup_multicast(self, connection: _Connection, path: str) -> Reply:
        """RTP to the stream's group (one sender per session; the group is the device's, never
        a client-chosen destination)."""
        group, port = multicast_group(self.camera.name, path[: -len(MULTICAST_SUFFIX)])
        sink = await open_multicast_sink(
            connection.local_host, group, port, silent=self.camera.knobs.multicast_silent
        )
        session = self._new_session(connection, sink, path)
        transport = (
            f"RTP/AVP;multicast;destination={group};port={port}-{port + 1};ttl={MULTICAST_TTL}"
            f";ssrc={session.rtp.ssrc:08X}"
        )
        return 200, [("Transport", transport), self._session_header(session)], b""

    async def _play(self, connection: _Connection, request: RtspRequest) -> Reply:
        session = self._session(request)
        if session is None:
            return 454, [], b""
        if not session.playing and self._no_room():
            return 453, [self._session_header(session)], b""
        seq, rtptime = session.play()
        self.sessions_book.played(session.id)
        path = self._session_paths.get(session.id, self.stream_path)
        url = f"{connection.base_url(path)}/{TRACK_CONTROL}"
        return (
            200,
            [
                self._session_header(session),
                ("Range", "npt=now-"),
                ("RTP-Info", f"url={url};seq={seq};rtptime={rtptime}"),
            ],
            b"",
        )

    async def _pause(self, connection: _Connection, request: RtspRequest) -> Reply:
        session = self._session(request)
        if session is None:
            return 454, [], b""
        session.pause()
        return 200, [self._session_header(session)], b""

    async def _keepalive(self, connection: _Connection, request: RtspRequest) -> Reply:
        if request.session_id is None:
            return 200, [], b""
        if request.method in self.camera.knobs.rtsp_keepalive_rejected:
            connection.broken = True  # the quirk: refuse, then drop the connection and stream
            return 400, [], b""
        session = self._session(request)
        if session is None:
            return 454, [], b""
        return 200, [self._session_header(session)], b""

    async def _teardown(self, connection: _Connection, request: RtspRequest) -> Reply:
        session = self._session(request)
        if session is None:
            return 454, [], b""
        await self._end_session(session)
        return 200, [], b""

    # --- session lifetime ---------------------------------------------------------------

    def _forget(self, session: RtspSession) -> None:
        self.sessions_book.ended(session.id)
        self._sessions.pop(session.id, None)
        self._session_paths.pop(session.id, None)
        connection = self._owners.pop(session.id, None)
        if connection is not None:
            connection.sessions.pop(session.id, None)

    async def _end_session(self, session: RtspSession) -> None:
        self._forget(session)
        await session.close()

    def _session_ended(self, session: RtspSession) -> None:
        """The sender stopped by itself (client gone or not reading): forget the session."""
        self._forget(session)
        session.sink.close()

    async def _reap_sessions(self) -> None:
        """Expire sessions with no request or RTCP for SESSION_TIMEOUT_S (RFC 2326 12.37)."""
        while True:
            await asyncio.sleep(1.0)
            deadline = time.monotonic() - SESSION_TIMEOUT_S
            for session in [s for s in self._sessions.values() if s.last_seen < deadline]:
                await self._end_session(session)
