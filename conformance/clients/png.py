"""Decoded video frames as PNG evidence, with FFmpeg's encoder (no imaging library needed).

Evidence pictures are written at zlib level 1. A camera's picture is mostly sensor noise, which
deflate cannot shrink: at FFmpeg's default level a noisy 720p frame took 197 ms to encode and
came out at 1.17 MB, at level 1 it took 31 ms for 1.29 MB (a flat test picture: 23 ms and 12 KB
against 12 ms and 36 KB). The pixels are the same either way; only the file is a little larger.
"""

from __future__ import annotations

from typing import Any

import av

COMPRESSION_LEVEL = 1


def encode_png(frame: Any, compression_level: int | None = COMPRESSION_LEVEL) -> bytes:
    """The frame as an RGB PNG file (``compression_level`` None: FFmpeg's default, for small
    pictures where size matters more than time); raises ``av.FFmpegError`` if FFmpeg cannot
    encode it."""
    encoder = av.CodecContext.create("png", "w")
    encoder.width, encoder.height, encoder.pix_fmt = frame.width, frame.height, "rgb24"
    if compression_level is not None:
        encoder.options = {"compression_level": str(compression_level)}
    packets = encoder.encode(frame.reformat(format="rgb24")) + encoder.encode(None)
    return b"".join(bytes(packet) for packet in packets)
