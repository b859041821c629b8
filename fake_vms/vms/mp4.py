"""Remux stored access units into MP4 without re-encoding (FFmpeg ``-c copy`` semantics).

Samples are the recorded NAL units as they are (frame-counter SEI included), only converted
from Annex B to the length-prefixed form MP4 requires; timestamps are the capture times
relative to the first access unit, on a 90 kHz time base, so gaps stay gaps in the file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any

import av

from fake_vms.media.encoder import nal_type

START_CODE = b"\x00\x00\x00\x01"
TIME_BASE = Fraction(1, 90000)
_STREAM_CODECS = {"H264": "h264", "H265": "hevc"}
_PARAM_TYPES = {"H264": (7, 8), "H265": (32, 33, 34)}


def parameter_sets(codec: str, units: Sequence[Any]) -> list[bytes]:
    """The first complete set of parameter-set NAL units (SPS/PPS, VPS for H.265)."""
    wanted = _PARAM_TYPES[codec]
    found: dict[int, bytes] = {}
    for unit in units:
        for nal in unit.nals:
            kind = nal_type(codec, nal)
            if kind in wanted and kind not in found:
                found[kind] = nal
        if len(found) == len(wanted):
            break
    return [found[k] for k in wanted if k in found]


def strip_parameter_sets(codec: str, nals: Sequence[bytes]) -> list[bytes]:
    """The NAL units without SPS/PPS (and VPS): what a decoder cannot start without."""
    return [n for n in nals if nal_type(codec, n) not in _PARAM_TYPES[codec]]


def remux(
    codec: str, width: int, height: int, fps: float, units: Sequence[Any], created: datetime
) -> bytes:
    """MP4 bytes holding ``units`` (objects with ``time_utc``, ``keyframe``, ``nals``)."""
    if not units:
        raise ValueError("no access units to export")
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        out.metadata["creation_time"] = created.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        # PyAV opens an encoder for the stream even though only packets are muxed; quieten
        # libx265, which otherwise prints its whole configuration on stderr for every remux.
        options = {"x265-params": "log-level=none"} if codec == "H265" else {}
        stream = out.add_stream(
            _STREAM_CODECS[codec], rate=Fraction(fps).limit_denominator(1001), options=options
        )
        stream.width, stream.height = width, height
        stream.time_base = TIME_BASE
        stream.codec_context.extradata = b"".join(
            START_CODE + n for n in parameter_sets(codec, units)
        )
        origin = units[0].time_utc
        for unit in units:
            packet = av.Packet(b"".join(START_CODE + nal for nal in unit.nals))
            ticks = round((unit.time_utc - origin).total_seconds() * 90000)
            packet.pts = packet.dts = ticks
            packet.time_base = TIME_BASE
            packet.is_keyframe = unit.keyframe
            packet.stream = stream
            out.mux(packet)
    return buffer.getvalue()
