"""A deliberately minimal RTSP/RTP reader, written apart from the suite's client, used to write
down what GStreamer's server does on the wire before the suite's checks judge it.

It sends requests over one TCP connection (RTP interleaved), returns each response's status and
headers, and collects the interleaved RTP packets that arrive (header fields and whether they
carry a 0xABAC header extension). No authentication: the test server has none.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass, field


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class RawPacket:
    seq: int
    timestamp: int
    marker: bool
    extension_profile: int | None
    ntp: int | None


@dataclass
class RawSession:
    host: str
    port: int
    timeout: float = 8.0
    packets: list[RawPacket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.buffer = b""
        self.cseq = 0

    def close(self) -> None:
        self.sock.close()

    def _fill(self) -> bool:
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return False
        self.buffer += data
        return bool(data)

    def _take_packet(self) -> bool:
        if len(self.buffer) < 4 or self.buffer[:1] != b"$":
            return False
        channel, size = self.buffer[1], int.from_bytes(self.buffer[2:4], "big")
        if len(self.buffer) < 4 + size:
            return False
        packet, self.buffer = self.buffer[4 : 4 + size], self.buffer[4 + size :]
        if channel == 0 and len(packet) >= 12:  # RTP; channel 1 is RTCP
            self.packets.append(_rtp(packet))
        return True

    def request(self, method: str, url: str, headers: dict[str, str]) -> RawResponse:
        self.cseq += 1
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self.cseq}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            while self._take_packet():
                pass
            if b"\r\n\r\n" in self.buffer and self.buffer[:1] != b"$":
                head, _, rest = self.buffer.partition(b"\r\n\r\n")
                status_line, *header_lines = head.decode("latin-1").split("\r\n")
                parsed = {}
                for line in header_lines:
                    name, _, value = line.partition(":")
                    parsed[name.strip().lower()] = value.strip()
                length = int(parsed.get("content-length", "0"))
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    return RawResponse(int(status_line.split()[1]), parsed, rest[:length])
            if not self._fill():
                break
        raise TimeoutError(f"no response to {method} within {self.timeout}s")

    def read_packets(self, count: int, seconds: float) -> list[RawPacket]:
        deadline = time.monotonic() + seconds
        while len(self.packets) < count and time.monotonic() < deadline:
            while self._take_packet():
                pass
            if len(self.packets) >= count or not self._fill():
                break
        return self.packets[:count]


def _rtp(packet: bytes) -> RawPacket:
    b0, b1, seq, timestamp = struct.unpack(">BBHI", packet[:8])
    offset = 12 + 4 * (b0 & 0x0F)
    profile = ntp = None
    if b0 & 0x10 and len(packet) >= offset + 4:
        profile, words = struct.unpack(">HH", packet[offset : offset + 4])
        if profile == 0xABAC and words >= 3:
            ntp = struct.unpack(">Q", packet[offset + 4 : offset + 12])[0]
    return RawPacket(seq, timestamp, bool(b1 & 0x80), profile, ntp)
