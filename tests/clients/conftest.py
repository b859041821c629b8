"""Shared fixtures: a real H.264 clip (libx264 via PyAV) and helpers to build the wire format."""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import pytest

FRAME_COUNTER_UUID = uuid.UUID("5f1d0c3a-8b7e-4c21-9a3f-6e0d2b4c8a17").bytes
WIDTH, HEIGHT, FPS = 160, 96, 25


def escape_rbsp(rbsp: bytes) -> bytes:
    """Insert emulation-prevention bytes, as an encoder must (the sending side of the contract)."""
    out = bytearray()
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def counter_sei(frame: int, capture_us: int) -> bytes:
    """A frame-counter SEI NAL exactly as docs/frame-counter.md specifies it."""
    payload = FRAME_COUNTER_UUID + struct.pack("!QQ", frame, capture_us)
    return b"\x06" + escape_rbsp(bytes([5, 32]) + payload + b"\x80")


def split_annexb(data: bytes) -> list[bytes]:
    """Split an Annex-B byte stream into NAL units (3- or 4-byte start codes)."""
    nals = []
    for chunk in data.split(b"\x00\x00\x01"):
        chunk = chunk.rstrip(b"\x00")
        if chunk:
            nals.append(chunk)
    return nals


@dataclass(frozen=True)
class Clip:
    """Encoded access units (each a list of NALs, no start codes) and how they were encoded."""

    units: list[list[bytes]]
    width: int = WIDTH
    height: int = HEIGHT
    fps: int = FPS


@pytest.fixture(scope="session")
def make_sei() -> Callable[[int, int], bytes]:
    """The sender's side of the frame-counter contract, written independently of the parser."""
    return counter_sei


@pytest.fixture(scope="session")
def h264_clip() -> Clip:
    """Two seconds of 160x96 25 fps H.264 (two GOPs), encoded once per test session."""
    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    encoder.time_base = Fraction(1, FPS)
    encoder.framerate = Fraction(FPS)
    encoder.gop_size = FPS
    encoder.options = {"preset": "ultrafast", "tune": "zerolatency", "bframes": "0"}
    units: list[list[bytes]] = []
    for i in range(2 * FPS):
        picture = np.full((HEIGHT, WIDTH, 3), (i * 5) % 256, dtype=np.uint8)
        picture[:, (i * 3) % WIDTH] = 255
        frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
        frame.pts = i
        units += [split_annexb(bytes(p)) for p in encoder.encode(frame)]
    units += [split_annexb(bytes(p)) for p in encoder.encode(None)]
    return Clip(units)
