"""Hostile device behaviours: what a broken or malicious camera does to a client on the wire.

The suite will meet such devices in the field; these behaviours let the project's tests prove
that it records ``fail`` or ``inconclusive`` with a reason within a bounded time, parses nothing
dangerous, and goes on. Each behaviour is chosen by a knob (``hostile_http`` for the ONVIF HTTP
port, ``hostile_rtsp`` for the RTSP port) and owns the connection once a request has arrived.

Every behaviour ends on its own: when the client goes away, when the server stops (the transport
is closed, which the reader sees as end-of-stream), or after :data:`MAX_HOSTILE_S` at the latest,
so a hostile camera never keeps the simulator from shutting down.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket
import struct
from collections.abc import Awaitable, Callable
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

MAX_HOSTILE_S = 120.0
"""Longest any hostile behaviour holds a connection."""
OVERSIZED_BYTES = 50 * 1024 * 1024
"""The oversized reply: far over any sane SOAP answer (the client caps replies at 5 MB)."""
ENDLESS_CAP_BYTES = 1024 * 1024 * 1024
"""An endless body still ends somewhere, should a client read it all (1 GiB)."""

SOAP_CT = "application/soap+xml; charset=utf-8"
ENVELOPE_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>'
)
ENVELOPE_CLOSE = "</s:Body></s:Envelope>"

XML_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    '<tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">'
    "<tds:Manufacturer>&lol9;</tds:Manufacturer>"
    "</tds:GetDeviceInformationResponse></s:Body></s:Envelope>"
).encode()
"""The "billion laughs" entity expansion (OWASP XXE/XEE cheat sheet): ~3 GB if expanded."""

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    b'<tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">'
    b"<tds:Manufacturer>&xxe;</tds:Manufacturer>"
    b"</tds:GetDeviceInformationResponse></s:Body></s:Envelope>"
)
"""An external entity pointing at a local file (CWE-611): a parser that resolves it leaks it."""

MALFORMED = (
    ENVELOPE_OPEN + "<tds:GetDeviceInformationResponse><tds:Manufacturer>Acme</tds:Model>"
    "<tds:Firmware <<>> & </s:Body>"
).encode()
"""Mismatched and broken tags, a bare ampersand and no closing envelope."""

HTML_PAGE = b"<html><head><title>Login</title></head><body><h1>Welcome</h1></body></html>"

HTTP_BEHAVIOURS = (
    "black_hole",
    "trickle",
    "endless_body",
    "xml_bomb",
    "xxe",
    "oversized",
    "malformed_xml",
    "wrong_content_type",
    "tcp_reset",
    "redirect_loop",
    "echo_credentials",
)
RTSP_BEHAVIOURS = ("garbage_rtsp",)

Connection = Callable[[object, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _head(status: str, content_type: str, extra: tuple[str, ...] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Server: fake-vms", f"Content-Type: {content_type}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reply(status: str, content_type: str, body: bytes, *extra: str) -> bytes:
    head = (f"Content-Length: {len(body)}", "Connection: close", *extra)
    return _head(status, content_type, head) + body


async def _until_eof(reader: asyncio.StreamReader, limit_s: float = MAX_HOSTILE_S) -> None:
    """Swallow whatever arrives until the peer or the server closes (bounded)."""
    with contextlib.suppress(TimeoutError, ConnectionError):
        async with asyncio.timeout(limit_s):
            while await reader.read(64 * 1024):
                pass


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(data)
    await writer.drain()


async def black_hole(request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    """Accept the request and never answer."""
    await _until_eof(reader)


async def trickle(request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    """Answer one byte per second, status line included: every read succeeds, none completes."""
    body = (ENVELOPE_OPEN + " " * 4096 + ENVELOPE_CLOSE).encode()
    data = _reply("200 OK", SOAP_CT, body)
    async with asyncio.timeout(MAX_HOSTILE_S):
        for i in range(len(data)):
            await _send(writer, data[i : i + 1])
            await asyncio.sleep(1.0)


async def endless_body(request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    """A chunked SOAP reply whose body never ends (until a 1 GiB cap or the client leaves)."""
    await _send(writer, _head("200 OK", SOAP_CT, ("Transfer-Encoding: chunked",)))
    opening = ENVELOPE_OPEN.encode()
    await _send(writer, b"%x\r\n%s\r\n" % (len(opening), opening))
    chunk = b"<tds:Pad>" + b"x" * 65000 + b"</tds:Pad>"
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    async with asyncio.timeout(MAX_HOSTILE_S):
        while sent < ENDLESS_CAP_BYTES:
            await _send(writer, frame)
            sent += len(frame)


async def oversized(request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    """A well-formed reply of 50 MB, honestly declared in Content-Length."""
    opening, closing = ENVELOPE_OPEN.encode(), ENVELOPE_CLOSE.encode()
    padding = OVERSIZED_BYTES - len(opening) - len(closing)
    await _send(writer, _head("200 OK", SOAP_CT, (f"Content-Length: {OVERSIZED_BYTES}",)))
    await _send(writer, opening)
    block = b" " * (1024 * 1024)
    async with asyncio.timeout(MAX_HOSTILE_S):
        while padding > 0:
            await _send(writer, block[:padding])
            padding -= len(block)
        await _send(writer, closing)


def _fixed(status: str, content_type: str, body: bytes, *extra: str) -> Connection:
    async def answer(request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        await _send(writer, _reply(status, content_type, body, *extra))

    return answer


async def tcp_reset(request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    """Send the head and half the body, then reset the connection (SO_LINGER 0 -> RST)."""
    body = (ENVELOPE_OPEN + "<tds:GetDeviceInformationResponse>" + " " * 2000).encode()
    await _send(writer, _head("200 OK", SOAP_CT, (f"Content-Length: {len(body) * 2}",)) + body)
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def redirect_loop(
    request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
):
    """HTTP 302 to the very same URL, forever."""
    target = getattr(request, "target", "/onvif/device_service")
    await _send(writer, _reply("302 Found", "text/html", b"", f"Location: {target}"))


HTTP_HANDLERS: dict[str, Connection] = {
    "black_hole": black_hole,
    "trickle": trickle,
    "endless_body": endless_body,
    "xml_bomb": _fixed("200 OK", SOAP_CT, XML_BOMB),
    "xxe": _fixed("200 OK", SOAP_CT, XXE),
    "oversized": oversized,
    "malformed_xml": _fixed("200 OK", SOAP_CT, MALFORMED),
    "wrong_content_type": _fixed("200 OK", "text/html; charset=utf-8", HTML_PAGE),
    "tcp_reset": tcp_reset,
    "redirect_loop": redirect_loop,
}


def echo_credentials(username: str, password: str) -> Connection:
    """A SOAP fault whose text echoes the device's credentials in every form a careless device
    could: plain, user:password, base64 of both, URL-encoded, and the request's Authorization.
    The suite must record the fault and mask every one of them."""

    async def answer(request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        pair = f"{username}:{password}"
        authorization = getattr(request, "headers", {}).get("authorization", "")
        text = (
            f"Sender not authorized: user {username} password {password} pair {pair} "
            f"basic {base64.b64encode(pair.encode()).decode()} "
            f"b64 {base64.b64encode(password.encode()).decode()} url {quote(password, safe='')} "
            f"form {quote_plus(password)} auth {authorization}"
        )
        fault = (
            '<?xml version="1.0" encoding="UTF-8"?><s:Envelope '
            'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:ter="http://www.onvif.org/ver10/error"><s:Body><s:Fault><s:Code>'
            "<s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value>"
            f'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">{escape(text)}</s:Text>'
            "</s:Reason></s:Fault></s:Body></s:Envelope>"
        ).encode()
        await _send(writer, _reply("400 Bad Request", SOAP_CT, fault))

    return answer


def http_intercept(kind: str, username: str = "", password: str = "") -> Connection | None:
    """The connection handler for hostile HTTP behaviour ``kind`` ("" = none, conformant);
    ``username``/``password``: the device's own, for ``echo_credentials``."""
    if not kind:
        return None
    if kind == "echo_credentials":
        handler = echo_credentials(username, password)
    elif kind in HTTP_HANDLERS:
        handler = HTTP_HANDLERS[kind]
    else:
        raise ValueError(f"unknown hostile HTTP behaviour {kind!r}")

    async def run(request: object, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        with contextlib.suppress(ConnectionError, TimeoutError, OSError):
            await handler(request, reader, writer)

    return run


async def rtsp_connection(
    kind: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Run hostile RTSP behaviour ``kind`` on a fresh connection, then close it."""
    if kind not in RTSP_BEHAVIOURS:
        raise ValueError(f"unknown hostile RTSP behaviour {kind!r}")
    try:
        await garbage_rtsp(reader, writer)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def garbage_rtsp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer each request with binary junk instead of ``RTSP/1.0 <status>`` (bounded)."""
    with contextlib.suppress(ConnectionError, TimeoutError, OSError, asyncio.IncompleteReadError):
        async with asyncio.timeout(MAX_HOSTILE_S):
            while True:
                if not await reader.read(4096):
                    return
                await _send(writer, b"\x00\xff\x13\x37" + os.urandom(512) + b"\r\n\r\n")
