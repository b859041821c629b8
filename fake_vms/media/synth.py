"""Synthetic test picture: colour bars, a moving bar and the frame number in blocky digits.

Motion keeps the encoder producing real P-frames (a still picture would make every P-frame
nearly empty, which hides packetisation and loss bugs); light sensor-like noise that changes
every frame makes the encoder spend its configured bitrate, so streams have the packet rates of
real cameras (a clean synthetic picture compresses ten times better than any scene, and would
make capacity and analysis figures optimistic); the big digits let a person read the frame
number in a thumbnail. Everything is numpy so rendering a frame costs a few milliseconds.
"""

from __future__ import annotations

from functools import lru_cache

import av
import numpy as np

# BT.601 limited-range 75 % colour bars: white, yellow, cyan, green, magenta, red, blue.
_BARS_YUV = (
    (180, 128, 128),
    (162, 44, 142),
    (131, 156, 44),
    (112, 72, 58),
    (84, 184, 198),
    (65, 100, 212),
    (35, 212, 114),
)

# 3x5 bitmaps of the digits 0-9, one string of 15 cells per digit, row by row.
_FONT = (
    "111101101101111",
    "010110010010111",
    "111001111100111",
    "111001111001111",
    "101101111001001",
    "111100111001111",
    "111100111101111",
    "111001001001001",
    "111101111101111",
    "111101111001111",
)
_GLYPHS = tuple(np.array([c == "1" for c in g], dtype=bool).reshape(5, 3) for g in _FONT)


@lru_cache(maxsize=16)
def _bars(width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The static colour-bar planes for one size (cached: they never change)."""
    columns = np.arange(width) * len(_BARS_YUV) // width
    table = np.array(_BARS_YUV, dtype=np.uint8)[columns]
    y = np.broadcast_to(table[:, 0], (height, width))
    u = np.broadcast_to(table[::2, 1], (height // 2, width // 2))
    v = np.broadcast_to(table[::2, 2], (height // 2, width // 2))
    return y, u, v


_NOISE_AMPLITUDE = 6
_NOISE_BANK = 4


@lru_cache(maxsize=16)
def _noise(width: int, height: int) -> np.ndarray:
    """A few planes of luma noise per size (seeded, so every run encodes the same video)."""
    rng = np.random.default_rng(width * 10_000 + height)
    return rng.integers(
        -_NOISE_AMPLITUDE, _NOISE_AMPLITUDE + 1, size=(_NOISE_BANK, height, width), dtype=np.int16
    )


def _add_noise(y: np.ndarray, frame_number: int) -> np.ndarray:
    """Luma plus this frame's noise: a bank plane, shifted so consecutive frames differ."""
    height, width = y.shape
    plane = np.roll(_noise(width, height)[frame_number % _NOISE_BANK], frame_number * 7, axis=0)
    return np.clip(y.astype(np.int16) + plane, 16, 235).astype(np.uint8)


def _draw_number(y: np.ndarray, u: np.ndarray, v: np.ndarray, number: int) -> None:
    """Draw ``number`` as white blocky digits on a black box in the top-left corner."""
    height, width = y.shape
    scale = max(2, height // 60)
    text = str(number)
    box_w = min(width, (len(text) * 4 + 1) * scale)
    box_h = min(height, 7 * scale)
    y[:box_h, :box_w] = 16
    u[: box_h // 2, : box_w // 2] = 128
    v[: box_h // 2, : box_w // 2] = 128
    for index, char in enumerate(text):
        glyph = np.kron(_GLYPHS[ord(char) - 48], np.ones((scale, scale), dtype=bool))
        top, left = scale, scale + index * 4 * scale
        region = y[top : top + glyph.shape[0], left : left + glyph.shape[1]]
        region[glyph[: region.shape[0], : region.shape[1]]] = 235


def render_frame(frame_number: int, width: int, height: int) -> av.VideoFrame:
    """Render the test picture for ``frame_number`` as a yuv420p frame (even sizes only)."""
    if width % 2 or height % 2 or width <= 0 or height <= 0:
        raise ValueError(f"yuv420p needs positive even sizes, got {width}x{height}")
    bars_y, bars_u, bars_v = _bars(width, height)
    y, u, v = bars_y.copy(), bars_u.copy(), bars_v.copy()
    bar_w = max(2, width // 32) & ~1
    left = (frame_number * max(2, width // 100) * 2) % max(2, width - bar_w) & ~1
    y[:, left : left + bar_w] = 235
    u[:, left // 2 : (left + bar_w) // 2] = 128
    v[:, left // 2 : (left + bar_w) // 2] = 128
    y = _add_noise(y, frame_number)
    _draw_number(y, u, v, frame_number)
    flat = np.concatenate((y.ravel(), u.ravel(), v.ravel()))
    return av.VideoFrame.from_ndarray(flat.reshape(height * 3 // 2, width), format="yuv420p")
