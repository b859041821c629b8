"""Snapshot JPEGs of the synthetic picture, as served by a camera's snapshot URI."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import av
import numpy as np

from fake_vms.media.synth import render_frame


def render_jpeg(frame_number: int, width: int, height: int) -> bytes:
    """Encode the test picture for ``frame_number`` as a real baseline JPEG of that size."""
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width = width
    codec.height = height
    codec.pix_fmt = "yuvj420p"
    codec.time_base = Fraction(1, 25)
    frame = render_frame(frame_number, width, height).reformat(format="yuvj420p")
    packets = codec.encode(frame) + codec.encode(None)
    return b"".join(bytes(packet) for packet in packets)


@cache
def placeholder_jpeg(width: int, height: int) -> bytes:
    """One static "no picture" JPEG (dark grey with a light box), the same bytes every time:
    what some servers ship as a file and serve at their snapshot URI whatever the camera sees."""
    y = np.full((height, width), 40, dtype=np.uint8)
    y[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3] = 200
    chroma = np.full((height // 2) * (width // 2) * 2, 128, dtype=np.uint8)
    flat = np.concatenate((y.ravel(), chroma))
    frame = av.VideoFrame.from_ndarray(flat.reshape(height * 3 // 2, width), format="yuv420p")
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuvj420p"
    codec.time_base = Fraction(1, 25)
    packets = codec.encode(frame.reformat(format="yuvj420p")) + codec.encode(None)
    return b"".join(bytes(packet) for packet in packets)
