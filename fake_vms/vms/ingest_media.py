"""What the VMS reads from a received access unit without decoding it: its NAL units, whether
it carries parameter sets, and the simulator's frame-counter SEI (docs/frame-counter.md).

Deliberately independent of the suite's own parser (the ``conformance`` package): the VMS is a
separate client, as ZoneMinder is.
"""

from __future__ import annotations

import struct

from fake_vms.media.encoder import nal_type, split_annexb
from fake_vms.media.sei import FRAME_COUNTER_UUID

__all__ = ["frame_counter", "has_parameter_sets", "nal_type", "parameter_sets", "split_annexb"]

_PARAM_TYPES = {"H264": {7, 8}, "H265": {32, 33, 34}}
_SEI_TYPES = {"H264": {6}, "H265": {39, 40}}


def has_parameter_sets(codec: str, nals: list[bytes]) -> bool:
    wanted = _PARAM_TYPES[codec]
    return wanted <= {nal_type(codec, n) for n in nals}


def parameter_sets(codec: str, nals: list[bytes]) -> list[bytes]:
    wanted = _PARAM_TYPES[codec]
    return [n for n in nals if nal_type(codec, n) in wanted]


def _unescape(data: bytes) -> bytes:
    """Remove emulation-prevention bytes (``00 00 03`` -> ``00 00``)."""
    out = bytearray()
    zeros = 0
    for byte in data:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def frame_counter(codec: str, nals: list[bytes]) -> tuple[int, int] | None:
    """(frame number, capture time µs) from the frame-counter SEI, or None without one."""
    for nal in nals:
        if not nal or nal_type(codec, nal) not in _SEI_TYPES[codec]:
            continue
        raw = _unescape(nal)
        at = raw.find(FRAME_COUNTER_UUID)
        if at >= 0 and len(raw) >= at + 32:
            number, capture_us = struct.unpack_from(">QQ", raw, at + 16)
            return number, capture_us
    return None
