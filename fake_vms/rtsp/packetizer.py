"""RTP packetisation of H.264 and H.265 (RFC 3550 headers; RFC 6184 single-NAL and FU-A
payloads for H.264, RFC 7798 single-NAL and FU payloads for H.265).

Payloads are cut once per access unit of the shared loop; a session only prepends its own
12-byte header (and the 4-byte interleave prefix on TCP), so serving many streams stays cheap.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Sequence

MAX_PAYLOAD = 1400
_FU_A = 28
_HEVC_FU = 49
_RTP_HEADER = struct.Struct("!BBHII")
_INTERLEAVED_HEADER = struct.Struct("!cBHBBHII")


def nal_payloads(nal: bytes, max_payload: int = MAX_PAYLOAD, codec: str = "H264") -> list[bytes]:
    """RTP payloads for one NAL unit: itself if it fits, else FU-A (H.265: FU) fragments."""
    if len(nal) <= max_payload:
        return [nal]
    if codec == "H265":
        return hevc_fragments(nal, max_payload)
    indicator = (nal[0] & 0xE0) | _FU_A
    nal_type = nal[0] & 0x1F
    chunk = max_payload - 2
    body = nal[1:]
    fragments = []
    for start in range(0, len(body), chunk):
        fu_header = nal_type
        if start == 0:
            fu_header |= 0x80
        if start + chunk >= len(body):
            fu_header |= 0x40
        fragments.append(bytes((indicator, fu_header)) + body[start : start + chunk])
    return fragments


def hevc_fragments(nal: bytes, max_payload: int = MAX_PAYLOAD) -> list[bytes]:
    """RFC 7798 4.4.3 fragmentation units: a 2-byte PayloadHdr of type 49 (F, LayerId and TID
    copied from the NAL header), a 1-byte FU header (S, E, FuType), then a slice of the NAL
    payload after its own 2-byte header."""
    payload_header = bytes(((nal[0] & 0x81) | (_HEVC_FU << 1), nal[1]))
    nal_type = (nal[0] >> 1) & 0x3F
    chunk = max_payload - 3
    body = nal[2:]
    fragments = []
    for start in range(0, len(body), chunk):
        fu_header = nal_type
        if start == 0:
            fu_header |= 0x80
        if start + chunk >= len(body):
            fu_header |= 0x40
        fragments.append(payload_header + bytes((fu_header,)) + body[start : start + chunk])
    return fragments


class RtpStream:
    """Sequence numbering and headers for one RTP stream (random SSRC and initial seq)."""

    def __init__(self, payload_type: int) -> None:
        self.payload_type = payload_type
        self.ssrc = random.getrandbits(32)
        self.seq = random.getrandbits(16)

    def datagrams(self, payloads: Sequence[bytes], timestamp: int) -> list[bytes]:
        """One UDP datagram per payload; the marker bit flags the access unit's last packet."""
        out = []
        last = len(payloads) - 1
        for index, payload in enumerate(payloads):
            marker = 0x80 if index == last else 0
            header = _RTP_HEADER.pack(
                0x80, marker | self.payload_type, self.seq, timestamp, self.ssrc
            )
            out.append(header + payload)
            self.seq = (self.seq + 1) & 0xFFFF
        return out

    def interleaved(self, payloads: Sequence[bytes], timestamp: int, channel: int) -> bytes:
        """All packets of an access unit framed as RTSP interleaved data, ready for one write."""
        parts = []
        last = len(payloads) - 1
        for index, payload in enumerate(payloads):
            marker = 0x80 if index == last else 0
            parts.append(
                _INTERLEAVED_HEADER.pack(
                    b"$",
                    channel,
                    12 + len(payload),
                    0x80,
                    marker | self.payload_type,
                    self.seq,
                    timestamp,
                    self.ssrc,
                )
            )
            parts.append(payload)
            self.seq = (self.seq + 1) & 0xFFFF
        return b"".join(parts)
