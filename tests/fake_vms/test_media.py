"""The simulator's media building blocks, checked with PyAV's own decoders as the reference."""

from __future__ import annotations

import io
import struct
import threading

import av
import numpy as np
import pytest

from fake_vms.media.encoder import get_loop
from fake_vms.media.sei import FRAME_COUNTER_UUID, escape_rbsp, frame_counter_sei
from fake_vms.media.snapshot import render_jpeg
from fake_vms.media.synth import render_frame


def unescape(data: bytes) -> bytes:
    """Remove emulation-prevention bytes (written independently of the simulator)."""
    return data.replace(b"\x00\x00\x03", b"\x00\x00")


@pytest.mark.parametrize(
    ("rbsp", "escaped"),
    [
        (b"\x00\x00\x01", b"\x00\x00\x03\x01"),
        (b"\x00\x00\x00\x00", b"\x00\x00\x03\x00\x00"),
        (b"\x00\x00\x04", b"\x00\x00\x04"),
        (b"\x00\x00\x03\x00\x00\x02", b"\x00\x00\x03\x03\x00\x00\x03\x02"),
        (b"\x01\x02", b"\x01\x02"),
    ],
)
def test_escape_rbsp(rbsp: bytes, escaped: bytes) -> None:
    assert escape_rbsp(rbsp) == escaped


@pytest.mark.parametrize("frame_number", [0, 1, 0x0000_0100_0000_0001, 2**64 - 1])
def test_frame_counter_sei_round_trips(frame_number: int) -> None:
    capture_us = 1_700_000_000_000_000
    nal = frame_counter_sei(frame_number, capture_us)
    assert nal[0] == 0x06
    assert b"\x00\x00\x00" not in nal and b"\x00\x00\x01" not in nal
    rbsp = unescape(nal[1:])
    assert rbsp[:2] == bytes((5, 32)) and rbsp[-1] == 0x80 and len(rbsp) == 35
    assert rbsp[2:18] == FRAME_COUNTER_UUID
    assert struct.unpack(">QQ", rbsp[18:34]) == (frame_number, capture_us)


def test_frame_counter_sei_h265_header() -> None:
    assert frame_counter_sei(7, 0, "H265")[:2] == b"\x4e\x01"


def test_render_frame_moves_and_has_size() -> None:
    first, later = render_frame(0, 320, 240), render_frame(10, 320, 240)
    assert (first.width, first.height, first.format.name) == (320, 240, "yuv420p")
    assert not np.array_equal(first.to_ndarray(), later.to_ndarray())


def test_loop_is_closed_gop_annexb_h264() -> None:
    loop = get_loop("H264", 320, 240, 25, 10, 500)
    units = loop.access_units
    assert len(units) >= 50 and len(units) % 10 == 0
    assert [i for i, au in enumerate(units) if au.keyframe] == list(range(0, len(units), 10))
    for au in units:
        types = [nal[0] & 0x1F for nal in au.nals]
        assert 6 not in types
        if au.keyframe:
            assert types[:2] == [7, 8] and 5 in types
        assert not any(nal.startswith(b"\x00\x00\x01") for nal in au.nals)
    assert loop.sps in units[0].nals and loop.pps in units[0].nals
    assert len(loop.profile_level_id) == 6
    decoder = av.CodecContext.create("h264", "r")
    frames = []
    for au in units:
        data = b"".join(b"\x00\x00\x00\x01" + nal for nal in au.nals)
        frames.extend(decoder.decode(av.Packet(data)))
    frames.extend(decoder.decode(None))
    assert len(frames) == len(units)
    assert (frames[0].width, frames[0].height) == (320, 240)


def test_get_loop_is_cached_and_thread_safe() -> None:
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(get_loop("H264", 160, 120, 10, 10, 200)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(loop is results[0] for loop in results)


def test_render_jpeg_is_real_jpeg_of_requested_size() -> None:
    data = render_jpeg(42, 352, 288)
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    with av.open(io.BytesIO(data)) as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height) == (352, 288)
