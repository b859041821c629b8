"""The frame-counter SEI NAL unit (wire contract: docs/frame-counter.md).

Every access unit carries its source frame number so receivers can count lost frames from
demuxed packets alone, without decoding.
"""

from __future__ import annotations

import struct
import uuid

FRAME_COUNTER_UUID = uuid.UUID("5f1d0c3a-8b7e-4c21-9a3f-6e0d2b4c8a17").bytes
_USER_DATA_UNREGISTERED = 5
_PAYLOAD_SIZE = 32
_NAL_HEADERS = {"H264": b"\x06", "H265": b"\x4e\x01"}


def escape_rbsp(rbsp: bytes) -> bytes:
    """Insert emulation-prevention bytes: ``00 00 0x`` (x <= 3) becomes ``00 00 03 0x``."""
    out = bytearray()
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def frame_counter_sei(frame_number: int, capture_time_us: int, codec: str = "H264") -> bytes:
    """Build the escaped SEI NAL unit (header included, no start code) for one access unit."""
    try:
        header = _NAL_HEADERS[codec]
    except KeyError:
        raise ValueError(f"unsupported codec {codec!r}") from None
    payload = FRAME_COUNTER_UUID + struct.pack(">QQ", frame_number, capture_time_us)
    rbsp = bytes((_USER_DATA_UNREGISTERED, _PAYLOAD_SIZE)) + payload + b"\x80"
    return header + escape_rbsp(rbsp)
