"""Pre-encoded looping video: encode a few seconds once, then every stream replays it.

Encoding per session would cap the simulator at a handful of streams; a shared loop of whole
closed GOPs lets one core serve many live streams while each still looks like real camera output
(IDR with SPS/PPS every ``gop`` frames, no B-frames, Annex-B NAL units).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from fractions import Fraction

import av

from fake_vms.media.synth import render_frame

_ENCODERS = {"H264": "libx264"}
_NAL_SEI = 6
_NAL_IDR = 5
_NAL_SPS = 7
_NAL_PPS = 8


@dataclass(frozen=True)
class AccessUnit:
    """One encoded picture: its NAL units (no start codes) and whether it starts a GOP."""

    nals: list[bytes]
    keyframe: bool


@dataclass(frozen=True)
class EncodedLoop:
    """A closed-GOP clip whose last frame may be followed by its first without artefacts."""

    codec: str
    width: int
    height: int
    fps: float
    access_units: list[AccessUnit]
    sps: bytes
    pps: bytes

    @property
    def profile_level_id(self) -> str:
        """profile_idc, constraint flags and level_idc as six hex digits (SDP fmtp)."""
        return self.sps[1:4].hex()


def split_annexb(data: bytes) -> list[bytes]:
    """Split an Annex-B byte stream into NAL units without their start codes."""
    nals = []
    for chunk in data.split(b"\x00\x00\x01"):
        nal = chunk.rstrip(b"\x00")
        if nal:
            nals.append(nal)
    return nals


def _encode(
    codec: str, width: int, height: int, fps: float, gop: int, bitrate_kbps: int
) -> EncodedLoop:
    if codec not in _ENCODERS:
        raise ValueError(f"unsupported codec {codec!r}")
    rate = Fraction(fps).limit_denominator(1001)
    context = av.CodecContext.create(_ENCODERS[codec], "w")
    context.width = width
    context.height = height
    context.pix_fmt = "yuv420p"
    context.time_base = 1 / rate
    context.framerate = rate
    context.bit_rate = bitrate_kbps * 1000
    context.gop_size = gop
    context.max_b_frames = 0
    context.options = {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "x264-params": (
            f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0:open-gop=0"
            ":repeat-headers=1:annexb=1:threads=1"
        ),
    }
    count = gop * math.ceil(max(gop * 2, math.ceil(2 * fps)) / gop)
    packets = []
    for index in range(count):
        frame = render_frame(index, width, height)
        frame.pts = index
        packets.extend(context.encode(frame))
    packets.extend(context.encode(None))
    units = []
    sps = pps = b""
    for packet in packets:
        # x264 adds an SEI with its version string; the frame counter is the only SEI we send.
        nals = [nal for nal in split_annexb(bytes(packet)) if nal[0] & 0x1F != _NAL_SEI]
        for nal in nals:
            if nal[0] & 0x1F == _NAL_SPS:
                sps = nal
            elif nal[0] & 0x1F == _NAL_PPS:
                pps = nal
        keyframe = any(nal[0] & 0x1F == _NAL_IDR for nal in nals)
        units.append(AccessUnit(nals=nals, keyframe=keyframe))
    if len(units) != count or not units[0].keyframe or not sps or not pps:
        raise RuntimeError(f"{_ENCODERS[codec]} did not produce a closed-GOP loop")
    return EncodedLoop(codec, width, height, fps, units, sps, pps)


_cache: dict[tuple[str, int, int, float, int, int], EncodedLoop] = {}
_cache_lock = threading.Lock()


def get_loop(
    codec: str, width: int, height: int, fps: float, gop: int, bitrate_kbps: int
) -> EncodedLoop:
    """The shared loop for these parameters, encoded on first use (thread-safe, cached)."""
    key = (codec, width, height, float(fps), gop, bitrate_kbps)
    with _cache_lock:
        loop = _cache.get(key)
        if loop is None:
            loop = _cache[key] = _encode(*key)
    return loop
