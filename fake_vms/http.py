"""A small asyncio HTTP/1.1 server: just enough for SOAP services and snapshot downloads.

Stdlib only, so the simulator has no web-framework behaviour of its own that a client could come
to depend on. Each response goes out in a single write on a TCP_NODELAY socket: a SOAP client
that sends a request and waits would otherwise stall ~40 ms per call on Nagle plus delayed ACK.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

LOG = logging.getLogger(__name__)
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
DEFAULT_IDLE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Request:
    """One parsed request. Header names are lower-cased; ``target`` is the raw request-target."""

    method: str
    version: str
    target: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    """What a handler returns; ``headers`` must not carry Content-Length (it is computed)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response]]
Takeover = Callable[[Request, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
"""Owns a connection from its request head on (body unread): for long-lived exchanges such as
RTSP-over-HTTP tunnels, whose bodies never end. The connection is closed when it returns."""


class HttpError(Exception):
    """A request the server refuses before any handler sees it; the connection is then closed."""

    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


class HttpServer:
    """Routes requests by exact path (or a route prefix ending in "/") to async handlers; unknown
    paths get 404.

    ``takeovers`` maps path prefixes to handlers that take the whole connection over once the
    request head is read (see :data:`Takeover`); they bound their own lifetime.
    """

    def __init__(
        self,
        routes: dict[str, Handler] | None = None,
        idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
        takeovers: dict[str, Takeover] | None = None,
        intercept: Takeover | None = None,
    ) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.takeovers: dict[str, Takeover] = dict(takeovers or {})
        self.intercept = intercept
        """Owns every connection once a request head is read, if set (hostile devices)."""
        self._idle_timeout_s = idle_timeout_s
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self.port = 0

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        """``ssl_context``: serve HTTPS (see fake_vms.tls)."""
        self._server = await asyncio.start_server(
            self._serve_connection, host, port, limit=MAX_HEADER_BYTES, ssl=ssl_context
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and close open keep-alive connections (Python 3.11 would not wait).

        Closing the transports, rather than cancelling the tasks, lets each connection loop see
        end-of-stream and finish normally.
        """
        if self._server is None:
            return
        self._server.close()
        for writer in self._connections.values():
            writer.close()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                try:
                    async with asyncio.timeout(self._idle_timeout_s):
                        request = await _read_request(reader, self._takeover_for)
                except HttpError as exc:
                    response = Response(exc.status, exc.status.phrase.encode())
                    await _write(writer, response, keep_alive=False)
                    return
                if request is None:
                    return
                takeover = self.intercept or self._takeover_for(request.path)
                if takeover is not None:
                    await takeover(request, reader, writer)
                    return
                keep_alive = _wants_keep_alive(request)
                response = await self._dispatch(request)
                await _write(writer, response, keep_alive)
                if not keep_alive:
                    return
        except (
            TimeoutError,
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            return
        finally:
            self._connections.pop(task, None)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    def _prefix_handler(self, path: str) -> Handler | None:
        """A route ending in "/" also serves every path below it (longest such prefix wins)."""
        prefixes = [p for p in self.routes if p.endswith("/") and path.startswith(p)]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    def _takeover_for(self, path: str) -> Takeover | None:
        return next((h for p, h in self.takeovers.items() if path.startswith(p)), None)

    async def _dispatch(self, request: Request) -> Response:
        handler = self.routes.get(request.path) or self._prefix_handler(request.path)
        if handler is None:
            return Response(404, b"Not Found")
        try:
            return await handler(request)
        except Exception:  # a handler bug answers 500 and is logged; the connection lives on
            LOG.exception("handler for %s %s failed", request.method, request.path)
            return Response(500, b"Internal Server Error")


async def _read_request(
    reader: asyncio.StreamReader, takeover_for: Callable[[str], object] | None = None
) -> Request | None:
    """Read one request; ``None`` on a clean close between requests.

    The body of a request for a takeover path is left unread for its handler.
    """
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise HttpError(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE) from None
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(HTTPStatus.BAD_REQUEST)
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(HTTPStatus.BAD_REQUEST)
        headers[name.strip().lower()] = value.strip()
    split = urlsplit(target)
    taken = takeover_for is not None and takeover_for(split.path) is not None
    body = b"" if taken else await _read_body(reader, headers)
    return Request(method, version, target, split.path, split.query, headers, body)


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader)
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise HttpError(HTTPStatus.BAD_REQUEST) from None
    if length < 0:
        raise HttpError(HTTPStatus.BAD_REQUEST)
    if length > MAX_BODY_BYTES:
        raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    return await reader.readexactly(length)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST) from None
        if len(body) + size > MAX_BODY_BYTES:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # discard trailers
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)


def _wants_keep_alive(request: Request) -> bool:
    connection = request.headers.get("connection", "").lower()
    if request.version == "HTTP/1.0":
        return connection == "keep-alive"
    return connection != "close"


async def _write(writer: asyncio.StreamWriter, response: Response, keep_alive: bool) -> None:
    status = HTTPStatus(response.status)
    lines = [
        f"HTTP/1.1 {status.value} {status.phrase}",
        "Server: fake-vms",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
        f"Connection: {'keep-alive' if keep_alive else 'close'}",
        *(f"{name}: {value}" for name, value in response.headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body)
    await writer.drain()
