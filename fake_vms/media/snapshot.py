"""Snapshot JPEGs of the synthetic picture, as served by a camera's snapshot URI."""

from __future__ import annotations

from fractions import Fraction

import av

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
