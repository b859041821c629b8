"""RTSP over HTTP tunnelling (Apple's scheme; ONVIF Streaming 5.1.1.4) for the RTSP client.

Two TCP connections share a random ``x-sessioncookie``: a GET whose response body carries every
RTSP reply and interleaved RTP packet, and a POST whose body carries the RTSP requests, base64
encoded. :class:`TunnelConnection` stands in for the RTSP client's plain connection: reads come
from the GET response, ``send`` encodes onto the POST. It can also break its base64 into lines
and split it across writes, as RTSS-1-1-45 requires devices to accept.

All socket operations inherit the RTSP client's bounds (timeouts, header size limits).
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import socket
import time
from urllib.parse import unquote, urlsplit

from conformance.clients.rtsp import (
    MAX_HEADER_BYTES,
    USER_AGENT,
    Exchange,
    RtspError,
    RtspProtocolError,
    RtspStatusError,
    RtspTimeout,
    RtspUnreachable,
    _Authenticator,
    _Connection,
    _parse_headers,
    _Target,
)
from conformance.redaction import Redactor

CONTENT_TYPE = "application/x-rtsp-tunnelled"
POST_LENGTH = 32767
"""The conventional (never reached) Content-Length of the request-carrying POST."""


def tunnel_target(url: str, username: str | None, password: str | None) -> tuple[_Target, str]:
    """The RTSP target and HTTP path of a tunnel URL.

    ``http://host[:port]/path`` (what GetStreamUri returns for Transport HTTP) or
    ``rtsp://host[:port]/path`` (FFmpeg's convention: the same host, port and path, over HTTP).
    Inside the tunnel the request-URI is the rtsp:// form of the same address.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "rtsp") or not parts.hostname:
        raise RtspError("expected an http:// or rtsp:// URL for RTSP over HTTP")
    try:
        port = parts.port or (80 if scheme == "http" else 554)
    except ValueError as exc:
        raise RtspError("invalid port in tunnel URL") from exc
    host = parts.hostname
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if username is None and parts.username is not None:
        username = unquote(parts.username)
    if password is None and parts.password is not None:
        password = unquote(parts.password)
    return _Target(host, port, f"rtsp://{netloc}{path}", username, password), path


def _dial(host: str, port: int, timeout: float) -> socket.socket:
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as exc:
        raise RtspTimeout(f"connect to {host}:{port} timed out after {timeout}s") from exc
    except OSError as exc:
        raise RtspUnreachable(f"cannot connect to {host}:{port}: {exc}") from exc
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class TunnelConnection(_Connection):
    """An RTSP connection carried by an HTTP GET (downstream) and POST (upstream) pair."""

    def __init__(
        self,
        target: _Target,
        path: str,
        timeout: float,
        *,
        line_length: int | None = None,
        write_size: int | None = None,
    ) -> None:
        self.timeout = timeout
        self._buf = bytearray()
        self.line_length = line_length
        self.write_size = write_size
        self.opening: list[Exchange] = []
        """The tunnel's own HTTP exchanges (the GET and its answer), for evidence."""
        self._redact = Redactor([target.username, target.password])
        self._target = target
        self._path = path
        self._cookie = secrets.token_urlsafe(16)
        self.post: socket.socket | None = None
        self.sock = _dial(target.host, target.port, timeout)
        try:
            authorization = self._open_get(None)
            self.post = _dial(target.host, target.port, timeout)
            self.post.sendall(self._head("POST", authorization).encode("latin-1"))
        except BaseException:
            self.close()
            raise

    def _head(self, method: str, authorization: str | None) -> str:
        lines = [
            f"{method} {self._path} HTTP/1.0",
            f"Host: {self._target.host}:{self._target.port}",
            f"User-Agent: {USER_AGENT}",
            f"x-sessioncookie: {self._cookie}",
            "Pragma: no-cache",
            "Cache-Control: no-cache",
        ]
        if method == "GET":
            lines.append(f"Accept: {CONTENT_TYPE}")
        else:
            lines += [
                f"Content-Type: {CONTENT_TYPE}",
                f"Content-Length: {POST_LENGTH}",
                "Expires: Sun, 9 Jan 1972 00:00:00 GMT",
            ]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        return "\r\n".join(lines) + "\r\n\r\n"

    def _open_get(self, authorization: str | None) -> str | None:
        """Send the GET and read its response head; answer one HTTP Digest challenge."""
        head = self._head("GET", authorization)
        started = time.monotonic()
        self.send_raw(self.sock, head.encode("latin-1"))
        status, reason, headers, raw = self._read_http_head(started + self.timeout)
        self.opening.append(
            Exchange(
                method="GET",
                url=self._redact(f"http://{self._target.host}:{self._target.port}{self._path}"),
                request=self._redact(head),
                response=self._redact(raw),
                status=status,
                reason=reason,
                headers=[(k, self._redact(v)) for k, v in headers],
                elapsed=time.monotonic() - started,
            )
        )
        if status == 401 and authorization is None and self._target.username is not None:
            challenges = [v for k, v in headers if k.lower() == "www-authenticate"]
            auth = _Authenticator(self._target.username, self._target.password or "", challenges)
            if auth.scheme is not None:
                self.sock.close()
                self._buf.clear()
                self.sock = _dial(self._target.host, self._target.port, self.timeout)
                return self._open_get(auth.header("GET", self._path))
        if status != 200:
            raise RtspStatusError("GET (tunnel)", status, reason, self.opening[-1].headers)
        return authorization

    def _read_http_head(self, deadline: float) -> tuple[int, str, list[tuple[str, str]], str]:
        while (end := self._buf.find(b"\r\n\r\n")) < 0:
            if len(self._buf) > MAX_HEADER_BYTES:
                raise RtspProtocolError("tunnel GET response header too large")
            self._fill(deadline)
        raw = self._buf[:end].decode("latin-1")
        del self._buf[: end + 4]
        lines = raw.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise RtspProtocolError(f"tunnel GET got a bad status line {lines[0][:80]!r}")
        return int(parts[1]), parts[2] if len(parts) > 2 else "", _parse_headers(lines[1:]), raw

    def send_raw(self, sock: socket.socket, data: bytes) -> None:
        sock.settimeout(self.timeout)
        try:
            sock.sendall(data)
        except TimeoutError as exc:
            raise RtspTimeout("send timed out") from exc
        except OSError as exc:
            raise RtspUnreachable(f"send failed: {exc}") from exc

    def encode(self, data: bytes) -> list[bytes]:
        """The base64 writes for one request: optionally in lines, optionally split."""
        text = base64.b64encode(data)
        if self.line_length:
            n = self.line_length
            text = b"".join(text[i : i + n] + b"\r\n" for i in range(0, len(text), n))
        if not self.write_size:
            return [text]
        return [text[i : i + self.write_size] for i in range(0, len(text), self.write_size)]

    def send(self, data: bytes) -> None:
        """Write one request onto the POST. The device accepted this tunnel, so a POST it
        closes mid-request is the device tearing the tunnel down (a protocol failure), not an
        unreachable device."""
        assert self.post is not None
        writes = self.encode(data)
        for index, chunk in enumerate(writes):
            if index:
                time.sleep(0.005)  # separate TCP segments, so the device really sees a split
            try:
                self.send_raw(self.post, chunk)
            except RtspUnreachable as exc:
                raise RtspProtocolError(f"the device closed the tunnel's POST: {exc}") from exc

    def close(self) -> None:
        for sock in (self.post, getattr(self, "sock", None)):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()


def open_tunnel(
    url: str,
    username: str | None,
    password: str | None,
    timeout: float,
    *,
    line_length: int | None = None,
    write_size: int | None = None,
) -> tuple[_Target, TunnelConnection]:
    """Open the GET/POST pair for ``url``; raises RtspStatusError if the GET is refused."""
    target, path = tunnel_target(url, username, password)
    conn = TunnelConnection(target, path, timeout, line_length=line_length, write_size=write_size)
    return target, conn
