"""A small, defensive RTSP 1.0 client for conformance checks.

Cameras under test may be hostile or broken, so every socket operation has a timeout, the total
capture time and size are bounded, and malformed input raises an :class:`RtspError` subclass
instead of hanging or crashing. The client only ever talks to the host named in the URL: control
URLs from the server are used as request-URIs on the existing connection, never dialled, and RTP
over UDP is accepted only from the RTSP server's address.

Every request/response is kept as an :class:`Exchange` (redacted) so a failing check can show the
exact transcript as evidence.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from conformance.clients.stream import parse_frame_counter
from conformance.redaction import Redactor

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
MAX_EARLY_FRAMES = 1000
STOP_POLL_S = 0.1
"""How often a capture given a ``stop`` event looks at it while waiting for packets."""
DEFAULT_PORT = 554
USER_AGENT = "cctv-conformance/0.1"

Transport = Literal["udp", "tcp", "http"]
"""``http``: RTSP tunnelled through HTTP (see :mod:`conformance.clients.rtsp_tunnel`)."""


class RtspError(Exception):
    """Base class: anything that went wrong talking RTSP to a device."""


class RtspUnreachable(RtspError):
    """The device could not be reached: DNS failure, connection refused or reset."""


class RtspTimeout(RtspError):
    """The device did not answer (or send media) within the timeout."""


class RtspProtocolError(RtspError):
    """The device sent something that is not valid RTSP/RTP (or is absurdly large)."""


class RtspStatusError(RtspError):
    """The device answered a request with a non-2xx status."""

    def __init__(self, method: str, status: int, reason: str, headers: list[tuple[str, str]]):
        super().__init__(f"{method} answered {status} {reason}")
        self.method = method
        self.status = status
        self.reason = reason
        self.headers = headers


@dataclass
class Exchange:
    """One request and its response, redacted, for evidence."""

    method: str
    url: str
    request: str
    response: str
    status: int | None
    reason: str
    headers: list[tuple[str, str]]
    elapsed: float

    def header(self, name: str) -> str | None:
        """First value of response header ``name`` (case-insensitive), or None."""
        values = self.header_all(name)
        return values[0] if values else None

    def header_all(self, name: str) -> list[str]:
        """All values of response header ``name``: WWW-Authenticate may legitimately repeat."""
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass
class ReceivedAccessUnit:
    """One depacketised access unit; ``arrival`` is the monotonic time of its first packet."""

    rtp_timestamp: int
    arrival: float
    nals: list[bytes]
    keyframe: bool
    frame_counter: int | None
    capture_time_us: int | None
    first_seq: int = 0
    last_seq: int = 0


@dataclass
class Capture:
    """What one ``capture()`` call saw: transcript, SDP and the received access units.

    ``url``, ``exchanges`` and ``sdp`` are redacted. ``bytes`` counts RTP packet bytes received
    (the ``max_bytes`` bound). ``auth_offered`` lists the schemes of the server's first 401
    (e.g. ``["Digest", "Basic"]``); ``auth_used`` is the one answered, None if none was asked.
    ``notes`` explains early stops and any packets that were ignored, so a short capture can be
    told apart from a broken one.
    """

    url: str
    transport: Transport
    exchanges: list[Exchange]
    sdp: str
    codec: str
    sdp_fmtp: dict[str, str]
    access_units: list[ReceivedAccessUnit]
    rtp_packets: int
    rtp_seq_lost: int
    bytes: int
    notes: list[str]
    clock_rate: int = 90000
    auth_offered: list[str] = field(default_factory=list)
    auth_used: str | None = None


@dataclass(frozen=True)
class RtpPacket:
    """The RTP header fields the depacketiser needs, plus the payload."""

    payload_type: int
    marker: bool
    seq: int
    timestamp: int
    ssrc: int
    payload: bytes


def parse_rtp(data: bytes) -> RtpPacket:
    """Parse an RTP packet (RFC 3550), skipping CSRCs, header extension and padding."""
    if len(data) < 12:
        raise RtspProtocolError(f"RTP packet too short ({len(data)} bytes)")
    b0, b1, seq, ts, ssrc = struct.unpack("!BBHII", data[:12])
    if b0 >> 6 != 2:
        raise RtspProtocolError(f"RTP version {b0 >> 6}, expected 2")
    offset = 12 + 4 * (b0 & 0x0F)
    if b0 & 0x10:
        if len(data) < offset + 4:
            raise RtspProtocolError("RTP header extension truncated")
        (ext_words,) = struct.unpack("!H", data[offset + 2 : offset + 4])
        offset += 4 + 4 * ext_words
    end = len(data)
    if b0 & 0x20:
        if end == 0 or data[-1] == 0:
            raise RtspProtocolError("RTP padding length invalid")
        end -= data[-1]
    if offset > end:
        raise RtspProtocolError("RTP header longer than packet")
    return RtpPacket(b1 & 0x7F, bool(b1 & 0x80), seq, ts, ssrc, bytes(data[offset:end]))


class H264Depacketizer:
    """Reassembles RFC 6184 payloads (single NAL, STAP-A, FU-A) into access units.

    An access unit ends at the RTP marker bit or when the timestamp changes (some cameras never
    set the marker). Sequence gaps are counted in ``lost``; an FU-A NAL interrupted by a gap is
    dropped rather than passed on corrupted. Late or duplicate packets are ignored: on the paths
    these checks run over, reordering is itself a finding, counted in ``reordered``.
    """

    def __init__(self) -> None:
        self.lost = 0
        self.reordered = 0
        self.malformed = 0
        self.unsupported = 0
        self.dropped_fragments = 0
        self._last_seq: int | None = None
        self._au: _PendingAU | None = None
        self._fu: bytearray | None = None

    def push(self, packet: RtpPacket, arrival: float) -> list[ReceivedAccessUnit]:
        """Feed one packet; returns the access units it completed (usually zero or one)."""
        if not self._in_order(packet.seq):
            return []
        done: list[ReceivedAccessUnit] = []
        if self._au is not None and self._au.timestamp != packet.timestamp:
            done.append(self._finish())
        if self._au is None:
            self._au = _PendingAU(packet.timestamp, arrival, packet.seq)
        self._au.last_seq = packet.seq
        self._au.nals.extend(self._nals_of(packet.payload))
        if packet.marker:
            done.append(self._finish())
        return [au for au in done if au.nals]

    def flush(self) -> list[ReceivedAccessUnit]:
        """Return the access unit still being assembled, if it has any complete NAL."""
        self._fu = None
        if self._au is None:
            return []
        au = self._finish()
        return [au] if au.nals else []

    def _in_order(self, seq: int) -> bool:
        if self._last_seq is None:
            self._last_seq = seq
            return True
        step = (seq - self._last_seq) & 0xFFFF
        if step == 0 or step >= 0x8000:
            self.reordered += 1
            return False
        if step > 1:
            self.lost += step - 1
            if self._fu is not None:
                self._fu = None
                self.dropped_fragments += 1
        self._last_seq = seq
        return True

    def _nals_of(self, payload: bytes) -> Iterator[bytes]:
        if not payload:
            self.malformed += 1
            return
        nal_type = payload[0] & 0x1F
        if 1 <= nal_type <= 23:
            yield payload
        elif nal_type == 24:
            yield from self._stap_a(payload)
        elif nal_type == 28:
            nal = self._fu_a(payload)
            if nal is not None:
                yield nal
        else:
            self.unsupported += 1

    def _stap_a(self, payload: bytes) -> Iterator[bytes]:
        return self._aggregated(payload, header_size=1, min_nal_size=1)

    def _aggregated(
        self, payload: bytes, *, header_size: int, min_nal_size: int
    ) -> Iterator[bytes]:
        """NAL units of an aggregation packet (H.264 STAP-A, H.265 AP): 16-bit size, then NAL.

        A size past the end, or smaller than a NAL header, counts as malformed and ends the
        packet."""
        pos = header_size
        while pos < len(payload):
            if pos + 2 > len(payload):
                self.malformed += 1
                return
            (size,) = struct.unpack("!H", payload[pos : pos + 2])
            pos += 2
            if size < min_nal_size or pos + size > len(payload):
                self.malformed += 1
                return
            yield payload[pos : pos + size]
            pos += size

    def _fu_a(self, payload: bytes) -> bytes | None:
        if len(payload) < 3:
            self.malformed += 1
            return None
        indicator, header = payload[0], payload[1]
        start, end = bool(header & 0x80), bool(header & 0x40)
        if start:
            if self._fu is not None:
                self.dropped_fragments += 1
            self._fu = bytearray([(indicator & 0xE0) | (header & 0x1F)])
        elif self._fu is None:
            # Continuation of a NAL whose start we never saw (lost or joined mid-stream).
            return None
        self._fu += payload[2:]
        if not end:
            return None
        nal, self._fu = bytes(self._fu), None
        return nal

    def _finish(self) -> ReceivedAccessUnit:
        assert self._au is not None
        au, self._au = self._au, None
        counter, capture_us = None, None
        for nal in au.nals:
            if nal[0] & 0x1F == 6:
                found = parse_frame_counter(nal)
                if found is not None:
                    counter, capture_us = found
                    break
        return ReceivedAccessUnit(
            rtp_timestamp=au.timestamp,
            arrival=au.arrival,
            nals=au.nals,
            keyframe=any(nal[0] & 0x1F == 5 for nal in au.nals),
            frame_counter=counter,
            capture_time_us=capture_us,
            first_seq=au.first_seq,
            last_seq=au.last_seq,
        )


@dataclass
class _PendingAU:
    timestamp: int
    arrival: float
    first_seq: int
    last_seq: int = 0
    nals: list[bytes] = field(default_factory=list)


def resolve_control(
    control: str | None,
    request_url: str,
    content_base: str | None = None,
    content_location: str | None = None,
) -> str:
    """Resolve an SDP ``a=control`` value per RFC 2326 C.1.1.

    The base is Content-Base, else Content-Location, else the request URL. A base that is not an
    absolute rtsp URL (e.g. moonfire-nvr#356: ``192.168.1.10:554/stream0/``) is ignored in favour
    of the next candidate, because resolving against it would yield a nonsense URL. ``*`` or a
    missing control means the base itself.
    """
    base = next((b for b in (content_base, content_location) if b and _is_rtsp_url(b)), request_url)
    if not control or control == "*":
        return base
    if _is_rtsp_url(control):
        return control
    return urljoin(base, control)


def _is_rtsp_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme.lower() in ("rtsp", "rtsps") and bool(parts.hostname)


@dataclass
class _Target:
    host: str
    port: int
    url: str
    username: str | None
    password: str | None


def _parse_url(url: str, username: str | None, password: str | None) -> _Target:
    """Split credentials out of the URL so they are never sent in a request-URI or logged."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "rtsp" or not parts.hostname:
        raise RtspError("expected an rtsp://host[:port]/path URL")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise RtspError("invalid port in RTSP URL") from exc
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    if username is None and parts.username is not None:
        username = unquote(parts.username)
    if password is None and parts.password is not None:
        password = unquote(parts.password)
    return _Target(host, port, clean, username, password)


@dataclass
class _Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    raw_head: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class _Frame:
    """An interleaved ``$`` frame (RFC 2326 10.12)."""

    channel: int
    data: bytes


_STATUS_LINE = re.compile(r"RTSP/\d\.\d\s+(\d{3})(?:\s+(.*))?$")
_REQUEST_LINE = re.compile(r"[A-Z_]+\s+\S+\s+RTSP/\d\.\d$")


class _Connection:
    """The RTSP TCP connection with a bounded read buffer; all reads take an absolute deadline."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.timeout = timeout
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except TimeoutError as exc:
            raise RtspTimeout(f"connect to {host}:{port} timed out after {timeout}s") from exc
        except OSError as exc:
            raise RtspUnreachable(f"cannot connect to {host}:{port}: {exc}") from exc
        self._buf = bytearray()

    def close(self) -> None:
        with suppress(OSError):
            self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.settimeout(self.timeout)
        try:
            self.sock.sendall(data)
        except TimeoutError as exc:
            raise RtspTimeout("send timed out") from exc
        except OSError as exc:
            raise RtspUnreachable(f"send failed: {exc}") from exc

    def read_message(self, deadline: float) -> _Response | _Frame | None:
        """Read one response or interleaved frame; None for a server request (skipped)."""
        while not self._buf:
            self._fill(deadline)
        if self._buf[0] == 0x24:
            while len(self._buf) < 4:
                self._fill(deadline)
            channel, length = self._buf[1], struct.unpack("!H", self._buf[2:4])[0]
            while len(self._buf) < 4 + length:
                self._fill(deadline)
            data = bytes(self._buf[4 : 4 + length])
            del self._buf[: 4 + length]
            return _Frame(channel, data)
        return self._read_rtsp(deadline)

    def _read_rtsp(self, deadline: float) -> _Response | None:
        while (end := self._buf.find(b"\r\n\r\n")) < 0:
            if len(self._buf) > MAX_HEADER_BYTES:
                raise RtspProtocolError(f"response header exceeds {MAX_HEADER_BYTES} bytes")
            self._fill(deadline)
        if end > MAX_HEADER_BYTES:
            raise RtspProtocolError(f"response header exceeds {MAX_HEADER_BYTES} bytes")
        head = self._buf[:end].decode("utf-8", errors="replace")
        lines = head.split("\r\n")
        headers = _parse_headers(lines[1:])
        length_text = next((v for k, v in headers if k.lower() == "content-length"), "0")
        if not length_text.strip().isdigit() or int(length_text) > MAX_BODY_BYTES:
            raise RtspProtocolError(f"unacceptable Content-Length {length_text[:40]!r}")
        total = end + 4 + int(length_text)
        while len(self._buf) < total:
            self._fill(deadline)
        body = bytes(self._buf[end + 4 : total])
        del self._buf[:total]
        first = lines[0].strip()
        if _REQUEST_LINE.match(first):
            return None
        status = _STATUS_LINE.match(first)
        if not status:
            raise RtspProtocolError(f"bad status line {first[:80]!r}")
        return _Response(int(status.group(1)), status.group(2) or "", headers, body, head)

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RtspTimeout("no complete response before the timeout")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except TimeoutError as exc:
            raise RtspTimeout("no complete response before the timeout") from exc
        except OSError as exc:
            raise RtspUnreachable(f"connection failed: {exc}") from exc
        if not data:
            raise RtspProtocolError("server closed the connection mid-message")
        self._buf += data


def _parse_headers(lines: list[str]) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise RtspProtocolError(f"malformed header line {line[:80]!r}")
        headers.append((name.strip(), value.strip()))
    return headers


_AUTH_PARAM = re.compile(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)')


def _parse_challenge(value: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = value.strip().partition(" ")
    params = {k.lower(): v.strip('"') for k, v in _AUTH_PARAM.findall(rest)}
    return scheme.capitalize(), params


class _Authenticator:
    """Answers a 401 with Digest (MD5, optional qop=auth) or, if only that is offered, Basic."""

    def __init__(self, username: str, password: str, challenges: list[str]) -> None:
        self.username = username
        self.password = password
        parsed = [_parse_challenge(c) for c in challenges]
        self.offered = [scheme for scheme, _ in parsed]
        digest = next(
            (
                p
                for s, p in parsed
                if s == "Digest" and p.get("algorithm", "MD5").upper() == "MD5" and "nonce" in p
            ),
            None,
        )
        self._digest = digest
        self.scheme: str | None = (
            "Digest" if digest is not None else "Basic" if "Basic" in self.offered else None
        )
        self._nc = 0

    def header(self, method: str, uri: str) -> str:
        if self.scheme == "Basic":
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return f"Basic {token}"
        assert self._digest is not None
        p = self._digest
        ha1 = _md5(f"{self.username}:{p.get('realm', '')}:{self.password}")
        ha2 = _md5(f"{method}:{uri}")
        fields = [
            f'username="{self.username}"',
            f'realm="{p.get("realm", "")}"',
            f'nonce="{p["nonce"]}"',
            f'uri="{uri}"',
        ]
        qops = [q.strip() for q in p.get("qop", "").split(",")]
        if "auth" in qops:
            self._nc += 1
            nc, cnonce = f"{self._nc:08x}", os.urandom(8).hex()
            response = _md5(f"{ha1}:{p['nonce']}:{nc}:{cnonce}:auth:{ha2}")
            fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            response = _md5(f"{ha1}:{p['nonce']}:{ha2}")
        fields.append(f'response="{response}"')
        if "algorithm" in p:
            fields.append("algorithm=MD5")
        if "opaque" in p:
            fields.append(f'opaque="{p["opaque"]}"')
        return "Digest " + ", ".join(fields)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class _Session:
    """One RTSP control connection: CSeq, auth state, session id and the transcript."""

    def __init__(self, target: _Target, timeout: float, conn: _Connection | None = None) -> None:
        self.target = target
        self.timeout = timeout
        self.redact = Redactor([target.username, target.password])
        self.exchanges: list[Exchange] = []
        self.early_frames: list[_Frame] = []
        self.auth: _Authenticator | None = None
        self.auth_offered: list[str] = []
        self.session_id: str | None = None
        self._cseq = 0
        self.conn = conn or _Connection(target.host, target.port, timeout)
        self.exchanges += getattr(self.conn, "opening", [])  # a tunnel's own HTTP exchanges

    def request(
        self, method: str, url: str, headers: dict[str, str] | None = None, *, timeout: float = 0
    ) -> _Response:
        """Send one request, answer one 401 challenge if we have credentials, raise on non-2xx.

        A 401 after authenticating earlier is answered once more with the new challenge: a
        server may rotate (stale) nonces mid-session; a wrong password still fails at once.
        """
        response = self.send(method, url, headers, timeout=timeout)
        if response.status == 401 and self.target.username is not None:
            challenges = [v for k, v in response.headers if k.lower() == "www-authenticate"]
            auth = _Authenticator(self.target.username, self.target.password or "", challenges)
            self.auth_offered = self.auth_offered or auth.offered
            if auth.scheme is not None:
                self.auth = auth
                response = self.send(method, url, headers, timeout=timeout)
        if not 200 <= response.status < 300:
            headers_seen = [(k, self.redact(v)) for k, v in response.headers]
            raise RtspStatusError(method, response.status, response.reason, headers_seen)
        return response

    def send(
        self, method: str, url: str, headers: dict[str, str] | None = None, *, timeout: float = 0
    ) -> _Response:
        """Send exactly one request and return its response (matched by CSeq), recording it."""
        self._cseq += 1
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self._cseq}", f"User-Agent: {USER_AGENT}"]
        if self.session_id and method not in ("OPTIONS", "DESCRIBE", "SETUP"):
            lines.append(f"Session: {self.session_id}")
        if self.auth is not None and self.auth.scheme is not None:
            lines.append(f"Authorization: {self.auth.header(method, url)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        text = "\r\n".join(lines) + "\r\n\r\n"
        started = time.monotonic()
        deadline = started + (timeout or self.timeout)
        self.conn.send(text.encode())
        response = self._await_response(deadline)
        body = response.body.decode("utf-8", errors="replace")
        self.exchanges.append(
            Exchange(
                method=method,
                url=self.redact(url),
                request=self.redact(text),
                response=self.redact(f"{response.raw_head}\r\n\r\n{body}"),
                status=response.status,
                reason=response.reason,
                headers=[(k, self.redact(v)) for k, v in response.headers],
                elapsed=time.monotonic() - started,
            )
        )
        return response

    def _await_response(self, deadline: float) -> _Response:
        while True:
            message = self.conn.read_message(deadline)
            if isinstance(message, _Frame):
                # Media may start flowing before the PLAY response; keep some for the receiver.
                if len(self.early_frames) < MAX_EARLY_FRAMES:
                    self.early_frames.append(message)
            elif message is not None and message.header("CSeq") in (None, str(self._cseq)):
                return message

    def close(self) -> None:
        self.conn.close()


@dataclass
class _Track:
    codec: str
    clock_rate: int
    payload_type: int
    fmtp: dict[str, str]
    control: str
    aggregate: str


def _video_track(
    sdp: str, request_url: str, content_base: str | None, location: str | None
) -> _Track:
    """Pick the first video media section of the SDP and resolve its control URL."""
    session_control: str | None = None
    media: list[list[str]] = []
    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            media.append([line])
        elif media:
            media[-1].append(line)
        elif line.startswith("a=control:"):
            session_control = line[len("a=control:") :].strip()
    video = next((m for m in media if m[0].startswith("m=video")), None)
    if video is None:
        raise RtspProtocolError("SDP has no video media section")
    formats = video[0].split()[3:]
    if not formats or not formats[0].isdigit():
        raise RtspProtocolError(f"malformed SDP media line {video[0][:80]!r}")
    pt = int(formats[0])
    codec, clock, fmtp, control = "", 90000, {}, None
    for line in video[1:]:
        key, _, value = line.partition(":")
        if key == "a=rtpmap" and value.startswith(f"{pt} "):
            encoding = value.split()[1].split("/")
            codec = encoding[0].upper()
            if len(encoding) > 1 and encoding[1].isdigit():
                clock = int(encoding[1])
        elif key == "a=fmtp" and value.startswith(f"{pt} "):
            for item in value[len(f"{pt} ") :].split(";"):
                name, _, val = item.strip().partition("=")
                if name:
                    fmtp[name] = val
        elif key == "a=control":
            control = value.strip()
    aggregate = resolve_control(session_control, request_url, content_base, location)
    if session_control and session_control != "*":
        url = resolve_control(control, aggregate)
    else:
        url = resolve_control(control, request_url, content_base, location)
    return _Track(codec, clock, pt, fmtp, url, aggregate)


def _bind_udp_pair(control: socket.socket) -> tuple[socket.socket, socket.socket]:
    """Bind RTP (even port) and RTCP (port + 1) sockets on the RTSP connection's local address."""
    local_ip = control.getsockname()[0]
    for _ in range(20):
        rtp = socket.socket(control.family, socket.SOCK_DGRAM)
        rtp.bind((local_ip, 0))
        port = rtp.getsockname()[1]
        if port % 2 == 0:
            rtcp = socket.socket(control.family, socket.SOCK_DGRAM)
            try:
                rtcp.bind((local_ip, port + 1))
                return rtp, rtcp
            except OSError:
                rtcp.close()
        rtp.close()
    raise RtspError("could not bind two consecutive UDP ports")


def probe(
    url: str,
    username: str | None = None,
    password: str | None = None,
    method: str = "DESCRIBE",
    timeout: float = 5.0,
) -> Exchange:
    """Send one request without answering auth challenges; returns the (redacted) exchange.

    Used to check that anonymous access is refused (401 with WWW-Authenticate). The credentials
    are only used to build the redactor, never sent.
    """
    target = _parse_url(url, username, password)
    session = _Session(target, timeout)
    try:
        headers = {"Accept": "application/sdp"} if method == "DESCRIBE" else None
        session.send(method, target.url, headers)
        return session.exchanges[-1]
    finally:
        session.close()


def capture(
    url: str,
    username: str | None,
    password: str | None,
    *,
    transport: Transport,
    duration: float = 3.0,
    timeout: float = 5.0,
    max_bytes: int = 50_000_000,
    on_play: Callable[[], None] | None = None,
    stop: threading.Event | None = None,
) -> Capture:
    """Play the first video track for ``duration`` seconds and return what arrived.

    Stops early at ``max_bytes`` or after ``timeout`` seconds without a packet; the latter raises
    :class:`RtspTimeout` only if no packet arrived at all, otherwise it is recorded in ``notes``.
    For sessions played side by side (STREAM-CLIENTS-01): ``on_play`` is called as soon as the
    PLAY succeeded, and ``stop`` ends the capture early (within a tenth of a second) once set.
    """
    if transport not in ("udp", "tcp", "http"):
        raise ValueError(f"transport must be 'udp', 'tcp' or 'http', not {transport!r}")
    if transport == "http":  # RTP interleaved as over TCP, inside the tunnel
        from conformance.clients.rtsp_tunnel import open_tunnel

        target, tunnel = open_tunnel(url, username, password, timeout)
        session = _Session(target, timeout, tunnel)
    else:
        target = _parse_url(url, username, password)
        session = _Session(target, timeout)
    udp: tuple[socket.socket, socket.socket] | None = None
    try:
        session.request("OPTIONS", target.url)
        described = session.request("DESCRIBE", target.url, {"Accept": "application/sdp"})
        sdp = described.body.decode("utf-8", errors="replace")
        track = _video_track(
            sdp,
            target.url,
            described.header("Content-Base"),
            described.header("Content-Location"),
        )
        if transport == "udp":
            udp = _bind_udp_pair(session.conn.sock)
            port = udp[0].getsockname()[1]
            spec = f"RTP/AVP;unicast;client_port={port}-{port + 1}"
        else:
            spec = "RTP/AVP/TCP;unicast;interleaved=0-1"
        setup = session.request("SETUP", track.control, {"Transport": spec})
        session_header = setup.header("Session")
        if not session_header:
            raise RtspProtocolError("SETUP response has no Session header")
        session.session_id = session_header.split(";")[0].strip()
        channel = _interleaved_channel(setup.header("Transport") or "")
        session.request("PLAY", track.aggregate, {"Range": "npt=0.000-"})
        if on_play is not None:
            on_play()
        result = Capture(
            url=session.redact(target.url),
            transport=transport,
            exchanges=session.exchanges,
            sdp=session.redact(sdp),
            codec=track.codec,
            sdp_fmtp=track.fmtp,
            access_units=[],
            rtp_packets=0,
            rtp_seq_lost=0,
            bytes=0,
            notes=[],
            clock_rate=track.clock_rate,
            auth_offered=session.auth_offered,
            auth_used=session.auth.scheme if session.auth else None,
        )
        receiver = _Receiver(result, track.payload_type, duration, timeout, max_bytes, stop)
        if udp is not None:
            receiver.run_udp(udp[0], udp[1], session.conn.sock.getpeername()[0])
        else:
            receiver.run_tcp(session, channel)
        with suppress(RtspError):
            session.send("TEARDOWN", track.aggregate, timeout=min(timeout, 1.0))
        if result.rtp_packets == 0:
            raise RtspTimeout(f"no RTP packet within {timeout}s after PLAY")
        return result
    except RtspError as exc:
        exc.exchanges = list(session.exchanges)  # type: ignore[attr-defined]  # evidence
        raise
    finally:
        if udp is not None:
            for sock in udp:
                sock.close()
        session.close()


def _interleaved_channel(transport: str) -> int:
    match = re.search(r"interleaved=(\d+)", transport)
    return int(match.group(1)) if match else 0


class _Receiver:
    """Receives RTP within the capture bounds and fills in the Capture's media fields."""

    def __init__(
        self,
        result: Capture,
        payload_type: int,
        duration: float,
        timeout: float,
        max_bytes: int,
        stop: threading.Event | None = None,
    ) -> None:
        self.result = result
        self.stop = stop
        self.payload_type = payload_type
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.end = time.monotonic() + duration
        self.last_packet = time.monotonic()
        self.depacketizer = H264Depacketizer()
        if result.codec == "H265":
            from conformance.clients.rtp_h265 import H265Depacketizer  # it imports this module

            self.depacketizer = H265Depacketizer()
        self.other_pt = 0
        self.bad_packets = 0
        if result.codec not in ("H264", "H265"):
            result.notes.append(f"codec {result.codec} is not depacketised; packets counted only")

    def run_udp(self, rtp: socket.socket, rtcp: socket.socket, server_ip: str) -> None:
        foreign = 0
        while (wait := self._wait()) is not None:
            readable, _, _ = select.select([rtp, rtcp], [], [], wait)
            for sock in readable:
                data, (source, *_) = sock.recvfrom(65536)
                if source != server_ip:
                    foreign += 1
                elif sock is rtp:
                    self._packet(data)
        if foreign:
            self.result.notes.append(f"ignored {foreign} UDP packets not from {server_ip}")
        self._finish()

    def run_tcp(self, session: _Session, channel: int) -> None:
        for frame in session.early_frames:
            if frame.channel == channel:
                self._packet(frame.data)
        session.early_frames.clear()
        try:
            while (wait := self._wait()) is not None:
                try:
                    message = session.conn.read_message(time.monotonic() + wait)
                except RtspTimeout:
                    continue
                if isinstance(message, _Frame) and message.channel == channel:
                    self._packet(message.data)
        except RtspError as exc:
            if self.result.rtp_packets == 0:
                raise
            self.result.notes.append(f"stream ended early: {exc}")
        self._finish()

    def _wait(self) -> float | None:
        """Seconds to wait for the next packet, or None when a bound has been reached."""
        now = time.monotonic()
        if now >= self.end or (self.stop is not None and self.stop.is_set()):
            return None
        if self.result.bytes >= self.max_bytes:
            self.result.notes.append(f"stopped at max_bytes={self.max_bytes}")
            return None
        if now - self.last_packet >= self.timeout:
            if self.result.rtp_packets:
                self.result.notes.append(f"no packet for {self.timeout}s; stopped early")
            return None
        wait = min(self.end - now, self.last_packet + self.timeout - now)
        if self.stop is not None:
            wait = min(wait, STOP_POLL_S)
        return max(0.0, wait)

    def _packet(self, data: bytes) -> None:
        now = time.monotonic()
        self.last_packet = now
        self.result.bytes += len(data)
        try:
            packet = parse_rtp(data)
        except RtspProtocolError:
            self.bad_packets += 1
            return
        if packet.payload_type != self.payload_type:
            self.other_pt += 1
            return
        self.result.rtp_packets += 1
        if self.result.codec in ("H264", "H265"):
            self.result.access_units += self.depacketizer.push(packet, now)

    def _finish(self) -> None:
        d = self.depacketizer
        self.result.access_units += d.flush()
        self.result.rtp_seq_lost = d.lost
        counts = {
            "malformed RTP packets": self.bad_packets,
            "packets with another payload type": self.other_pt,
            "late or duplicate packets": d.reordered,
            f"malformed {self.result.codec} payloads": d.malformed,
            f"unsupported {self.result.codec} packetisations": d.unsupported,
            "fragmented NALs dropped after loss": d.dropped_fragments,
        }
        self.result.notes += [f"{n} {what}" for what, n in counts.items() if n]
