"""Pre-encoded looping video: encode a few seconds once, then every stream replays it.

Encoding per session would cap the simulator at a handful of streams; a shared loop of whole
closed GOPs lets one core serve many live streams while each still looks like real camera output
(IDR with SPS/PPS — and VPS for H.265 — every ``gop`` frames, no B-frames, Annex-B NAL units).
H.264 comes from libx264 and H.265 from libx265, with the same GOP structure.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from fractions import Fraction

import av

from fake_vms.media.synth import render_frame

_ENCODERS = {"H264": "libx264", "H265": "libx265"}
_NAL_SEI = 6
_NAL_IDR = 5
_NAL_SPS = 7
_NAL_PPS = 8
# H.265 NAL unit types (ITU-T H.265 table 7-1).
_HEVC_IDR = (19, 20)
_HEVC_VPS, _HEVC_SPS, _HEVC_PPS = 32, 33, 34
_HEVC_SEI = (39, 40)


def nal_type(codec: str, nal: bytes) -> int:
    """The NAL unit type: 5 bits of the 1-byte H.264 header, 6 bits of the 2-byte H.265 one."""
    return (nal[0] >> 1) & 0x3F if codec == "H265" else nal[0] & 0x1F


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
    vps: bytes = b""
    """H.265 only: the video parameter set (sent in the SDP as sprop-vps)."""

    @property
    def profile_level_id(self) -> str:
        """H.264: profile_idc, constraint flags and level_idc as six hex digits (SDP fmtp)."""
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
    context.options = {"preset": "ultrafast", "tune": "zerolatency", **_codec_params(codec, gop)}
    count = gop * math.ceil(max(gop * 2, math.ceil(2 * fps)) / gop)
    packets = []
    for index in range(count):
        frame = render_frame(index, width, height)
        frame.pts = index
        packets.extend(context.encode(frame))
    packets.extend(context.encode(None))
    hevc = codec == "H265"
    sei_types = _HEVC_SEI if hevc else (_NAL_SEI,)
    idr_types = _HEVC_IDR if hevc else (_NAL_IDR,)
    kinds = {_HEVC_VPS: "vps", _HEVC_SPS: "sps", _HEVC_PPS: "pps"} if hevc else {
        _NAL_SPS: "sps", _NAL_PPS: "pps"
    }  # fmt: skip
    units = []
    params = {"vps": b"", "sps": b"", "pps": b""}
    for packet in packets:
        # Encoders add an SEI with their version string; the frame counter is the only SEI sent.
        nals = [n for n in split_annexb(bytes(packet)) if nal_type(codec, n) not in sei_types]
        for nal in nals:
            kind = kinds.get(nal_type(codec, nal))
            if kind:
                params[kind] = nal
        keyframe = any(nal_type(codec, nal) in idr_types for nal in nals)
        units.append(AccessUnit(nals=nals, keyframe=keyframe))
    complete = params["sps"] and params["pps"] and (params["vps"] or not hevc)
    if len(units) != count or not units[0].keyframe or not complete:
        raise RuntimeError(f"{_ENCODERS[codec]} did not produce a closed-GOP loop")
    return EncodedLoop(
        codec, width, height, fps, units, params["sps"], params["pps"], params["vps"]
    )


def _codec_params(codec: str, gop: int) -> dict[str, str]:
    """Encoder options for a closed GOP of ``gop`` frames, no B-frames, headers before each IDR."""
    common = f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0:open-gop=0:repeat-headers=1"
    if codec == "H265":
        # One frame thread and pool keep x265 light beside the other cameras; info=0 drops its
        # version SEI, log-level=error keeps its banner off the simulator's console.
        return {"x265-params": common + ":annexb=1:frame-threads=1:pools=1:info=0:log-level=error"}
    return {"x264-params": common + ":annexb=1:threads=1"}


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
