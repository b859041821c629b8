"""RTSP 1.0 message syntax (RFC 2326): parse request heads and Transport headers, format replies.

Kept free of any I/O so the server only decides *what* to answer, never how bytes look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import formatdate

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    454: "Session Not Found",
    455: "Method Not Valid in This State",
    457: "Invalid Range",
    453: "Not Enough Bandwidth",
    461: "Unsupported Transport",
    551: "Option not supported",
    500: "Internal Server Error",
    501: "Not Implemented",
    505: "RTSP Version Not Supported",
}


_METHOD = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class BadRequest(ValueError):
    """The request cannot be parsed; the server answers 400 and keeps the connection."""


@dataclass
class RtspRequest:
    method: str
    uri: str
    headers: dict[str, str] = field(default_factory=dict)
    """Header values keyed by lower-case name (RTSP header names are case-insensitive)."""
    body: bytes = b""

    @property
    def cseq(self) -> str:
        return self.headers["cseq"]

    @property
    def session_id(self) -> str | None:
        """The Session header without its ``;timeout=`` parameter."""
        value = self.headers.get("session")
        return value.split(";", 1)[0].strip() if value else None


def parse_head(head: bytes) -> RtspRequest:
    """Parse a request line and headers (everything before the blank line)."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("request is not UTF-8") from None
    lines = text.strip("\r\n").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not _METHOD.match(parts[0]) or not parts[2].startswith("RTSP/"):
        raise BadRequest(f"bad request line {lines[0]!r}")
    request = RtspRequest(method=parts[0], uri=parts[1])
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or name != name.strip():
            raise BadRequest(f"bad header line {line!r}")
        request.headers[name.lower()] = value.strip()
    if "cseq" not in request.headers or not request.cseq.isdigit():
        raise BadRequest("missing or invalid CSeq")
    if parts[2] != "RTSP/1.0":
        raise BadRequest(f"unsupported version {parts[2]}")
    return request


def content_length(request: RtspRequest) -> int:
    """The declared body length (0 when absent); a non-numeric value is a bad request."""
    value = request.headers.get("content-length", "0")
    if not value.isdigit():
        raise BadRequest(f"bad Content-Length {value!r}")
    return int(value)


def format_response(
    status: int, cseq: str | None, headers: list[tuple[str, str]] | None = None, body: bytes = b""
) -> bytes:
    """Serialise a complete response so it can go out in one write."""
    lines = [f"RTSP/1.0 {status} {REASONS.get(status, 'Error')}"]
    if cseq is not None:
        lines.append(f"CSeq: {cseq}")
    lines.append(f"Date: {formatdate(usegmt=True)}")
    lines.append("Server: FakeVMS")
    lines.extend(f"{name}: {value}" for name, value in headers or [])
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass(frozen=True)
class TransportSpec:
    """One alternative of a client's Transport header."""

    tcp: bool
    unicast: bool
    client_ports: tuple[int, int] | None = None
    interleaved: tuple[int, int] | None = None


_PAIR = re.compile(r"^(\d+)(?:-(\d+))?$")


def _pair(value: str) -> tuple[int, int] | None:
    match = _PAIR.match(value)
    if not match:
        return None
    first = int(match.group(1))
    second = int(match.group(2)) if match.group(2) else first + 1
    return (first, second) if 0 <= first <= 65535 and 0 <= second <= 65535 else None


def parse_transports(value: str) -> list[TransportSpec]:
    """The RTP transports a client offers, in its order of preference; others are skipped."""
    specs = []
    for alternative in value.split(","):
        params = [p.strip() for p in alternative.split(";") if p.strip()]
        if not params or params[0].upper() not in ("RTP/AVP", "RTP/AVP/UDP", "RTP/AVP/TCP"):
            continue
        options = dict(p.partition("=")[::2] for p in params[1:])
        specs.append(
            TransportSpec(
                tcp=params[0].upper() == "RTP/AVP/TCP",
                unicast="multicast" not in options,
                client_ports=_pair(options.get("client_port", "")),
                interleaved=_pair(options.get("interleaved", "")),
            )
        )
    return specs
