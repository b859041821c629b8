"""RTSP over HTTP (Apple's tunnelling, as ONVIF Streaming 5.1.1.4 requires) on the ONVIF port.

The client opens two HTTP connections that share an ``x-sessioncookie``:

- ``GET /rtsp-over-http/<stream>`` with ``Accept: application/x-rtsp-tunnelled``: the server
  answers ``200`` and then streams RTSP replies and interleaved RTP down this response forever;
- ``POST`` to the same path with the same cookie: its (never-ending) body carries the client's
  RTSP requests, base64-encoded, possibly split anywhere across writes and with line breaks
  (RTSS-1-1-45). The server never answers the POST; a client may close it and open another.

The decoded requests go to :meth:`RtspServer.serve_stream`, so the tunnel is the same RTSP
server, just another transport. Every wait is bounded: a GET whose POST never comes is closed
after PAIR_TIMEOUT_S, and an idle POST after POST_IDLE_S.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import re
from dataclasses import dataclass, field

from fake_vms.http import Request
from fake_vms.oplog import OperationLog
from fake_vms.rtsp.server import RtspServer
from fake_vms.site import CameraConfig

TUNNEL_PREFIX = "/rtsp-over-http"
CONTENT_TYPE = "application/x-rtsp-tunnelled"
PAIR_TIMEOUT_S = 10.0
POST_IDLE_S = 120.0
MAX_TUNNELS = 64
MAX_PENDING_BYTES = 256 * 1024
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")


@dataclass
class _Tunnel:
    """One paired GET/POST: the decoded request stream the RTSP server reads from."""

    cookie: str
    reader: asyncio.StreamReader = field(default_factory=asyncio.StreamReader)
    attached: asyncio.Event = field(default_factory=asyncio.Event)
    pending: bytes = b""

    def feed(self, chunk: bytes, strict: bool) -> None:
        """Decode base64 as it arrives; a 4-character group may span writes (Apple's note)."""
        if strict:  # the quirk: each read decoded on its own, line breaks rejected
            self.reader.feed_data(base64.b64decode(chunk, validate=True))
            return
        data = self.pending + _NOT_BASE64.sub(b"", chunk)
        usable = len(data) - len(data) % 4
        self.pending = data[usable:]
        if len(self.pending) > MAX_PENDING_BYTES:
            raise binascii.Error("undecodable base64 backlog")
        if usable:
            self.reader.feed_data(base64.b64decode(data[:usable]))


class RtspHttpTunnel:
    """Pairs tunnel GETs and POSTs by cookie and runs RTSP across each pair."""

    def __init__(
        self, camera: CameraConfig, rtsp: RtspServer, oplog: OperationLog | None = None
    ) -> None:
        self.camera = camera
        self.rtsp = rtsp
        self.oplog = oplog
        self._tunnels: dict[str, _Tunnel] = {}

    async def handle(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """The HTTP server's takeover handler for every path under TUNNEL_PREFIX."""
        label = f"{request.method} {TUNNEL_PREFIX}/"
        cookie = request.headers.get("x-sessioncookie", "")
        if not self.camera.knobs.rtsp_http_tunnel:
            await self._refuse(writer, label, 404, "Not Found")
        elif request.method == "GET":
            if not cookie or len(self._tunnels) >= MAX_TUNNELS or cookie in self._tunnels:
                await self._refuse(writer, label, 400, "Bad Request")
                return
            self._record(label, "200")
            await self._downstream(cookie, reader, writer)
        elif request.method == "POST":
            tunnel = self._tunnels.get(cookie)
            if tunnel is None:
                await self._refuse(writer, label, 404, "Not Found")
                return
            self._record(label, "tunnel")
            await self._upstream(tunnel, reader)
        else:
            await self._refuse(writer, label, 405, "Method Not Allowed")

    async def _refuse(self, writer: asyncio.StreamWriter, label: str, status: int, reason: str):
        self._record(label, str(status))
        writer.write(
            f"HTTP/1.0 {status} {reason}\r\nServer: fake-vms\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()

    async def _downstream(
        self, cookie: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        tunnel = _Tunnel(cookie)
        self._tunnels[cookie] = tunnel
        writer.write(
            (
                "HTTP/1.0 200 OK\r\nServer: fake-vms\r\nConnection: close\r\n"
                "Cache-Control: no-store\r\nPragma: no-cache\r\n"
                f"Content-Type: {CONTENT_TYPE}\r\n\r\n"
            ).encode()
        )
        serve = asyncio.ensure_future(self.rtsp.serve_stream(tunnel.reader, writer, TUNNEL_PREFIX))
        closed = asyncio.ensure_future(reader.read(1))  # the client hangs up the GET
        try:
            try:
                async with asyncio.timeout(PAIR_TIMEOUT_S):
                    await tunnel.attached.wait()
            except TimeoutError:
                tunnel.reader.feed_eof()
            await asyncio.wait({serve, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._tunnels.pop(cookie, None)
            if not tunnel.reader.at_eof():
                tunnel.reader.feed_eof()
            closed.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await serve

    async def _upstream(self, tunnel: _Tunnel, reader: asyncio.StreamReader) -> None:
        tunnel.attached.set()
        strict = self.camera.knobs.tunnel_base64_strict
        try:
            while True:
                async with asyncio.timeout(POST_IDLE_S):
                    chunk = await reader.read(4096)
                if not chunk:
                    return  # the client may open another POST for the same tunnel
                tunnel.feed(chunk, strict)
        except (binascii.Error, ValueError):
            self._record(f"POST {TUNNEL_PREFIX}/", "bad-base64")
            tunnel.reader.feed_eof()  # undecodable: the tunnel is torn down
        except (TimeoutError, ConnectionError):
            return

    def _record(self, label: str, outcome: str) -> None:
        if self.oplog is not None:
            self.oplog.record(self.camera.name, "http", label, False, outcome)
