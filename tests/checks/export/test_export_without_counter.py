"""Export checks on files made by FFmpeg (PyAV) from ``testsrc``: no frame counter anywhere.

What a real VMS export looks like: a recording of a camera that sends only its coded video, and
an export that is (or is not) that recording's bitstream. The checks must pass a perfect export
(a plain re-mux, also into another container) and catch one with frames removed, one
re-encoded and one with frames reordered, judging from container timestamps and from the
SHA-256 of each access unit's coded picture aligned on the reference recording.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from functools import cache

import av
import pytest

from conformance.checks.export import check_frames, check_plays, check_range, check_utc
from conformance.checks.export_alignment import (
    align,
    aligned_span,
    check_complete,
    check_identical,
    hint_offset,
    reference_times,
)
from conformance.clients.export_media import MediaFacts, probe

FPS = 25
REFERENCE_S = 10
ANCHOR_END = datetime(2026, 12, 7, 3, 0, 10, tzinfo=UTC)
"""UTC end of the reference download: its last frame is the last one before this."""
FIRST, LAST = 2 * FPS, 6 * FPS  # the export: frames 50..149 (4 s from a keyframe at 2 s)


@cache
def recording() -> tuple[bytes, tuple[av.Packet, ...]]:
    """A 10 s 25 fps H.264 'recording' of testsrc, as x264 makes it."""
    source = av.open(f"testsrc=size=320x180:rate={FPS}:duration={REFERENCE_S}", format="lavfi")
    buffer = io.BytesIO()
    packets = []
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.codec_context.gop_size = FPS
        stream.codec_context.options = {"preset": "veryfast", "x264-params": "scenecut=0"}
        for index, frame in enumerate(source.decode(video=0)):
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    source.close()
    data = buffer.getvalue()
    with av.open(io.BytesIO(data)) as container:
        packets = [p for p in container.demux(video=0) if p.size]
    return data, tuple(packets)


def remux(
    edit: Callable[[list[av.Packet]], list[av.Packet]] = lambda p: p, fmt: str = "mp4"
) -> bytes:
    """Copy packets FIRST..LAST of the recording into a new file (FFmpeg ``-c copy``), after
    ``edit``; timestamps are the recording's, shifted so the file starts at zero."""
    data, _ = recording()
    buffer = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(buffer, "w", format=fmt) as out:
        template = source.streams.video[0]
        stream = out.add_stream_from_template(template)
        packets = [p for p in source.demux(template) if p.size]
        chosen = edit(packets[FIRST:LAST])
        origin = min(p.dts for p in chosen)
        for packet in chosen:
            packet.pts -= origin
            packet.dts -= origin
            packet.stream = stream
            out.mux(packet)
    return buffer.getvalue()


def reencode() -> bytes:
    """The same 4 s decoded and encoded again (another encoder setting: new pictures)."""
    data, _ = recording()
    buffer = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.codec_context.options = {"crf": "30", "preset": "ultrafast"}
        for index, frame in enumerate(source.decode(video=0)):
            if FIRST <= index < LAST:
                frame.pts, frame.time_base = index - FIRST, Fraction(1, FPS)
                for packet in stream.encode(frame):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def without(packets: list[av.Packet]) -> list[av.Packet]:
    """Frames 30..34 of the export left out (a P-frame run; timestamps keep the hole)."""
    return packets[:30] + packets[35:]


def swapped(packets: list[av.Packet]) -> list[av.Packet]:
    """Two neighbouring frames' pictures exchanged, timestamps left where they were."""
    out = list(packets)
    a, b = out[40], out[41]
    pa, pb = bytes(a), bytes(b)
    new_a, new_b = av.Packet(pb), av.Packet(pa)
    for new, old in ((new_a, a), (new_b, b)):
        new.pts, new.dts, new.time_base = old.pts, old.dts, old.time_base
    out[40], out[41] = new_a, new_b
    return out


@cache
def reference() -> tuple[MediaFacts, list[datetime]]:
    data, _ = recording()
    facts = probe("recording.mp4", data)
    return facts, reference_times(facts.pts_s, ANCHOR_END, facts.fps)


def judge(data: bytes, said_start: datetime | None = None) -> dict[str, list[str]]:
    """Every export check that needs no package around the media, as the suite runs them."""
    facts = probe("export.mp4", data)
    ref, times = reference()
    requested = times[FIRST]
    hint = hint_offset(times, said_start, requested, 2.0)
    alignment = align(facts.vcl_digests, ref.vcl_digests, hint)
    span = aligned_span(alignment, times, ref.fps)
    manifest = {
        "exported_at": "2026-12-07T03:01:00Z",
        "files": [{"path": "export.mp4",
                   "start_utc": (said_start or requested).isoformat().replace("+00:00", "Z"),
                   "end_utc": (requested + timedelta(seconds=4)).isoformat()}],
    }  # fmt: skip
    return {
        "plays": check_plays([facts]),
        "frames": check_frames([facts], ref.fps)
        + (check_complete(alignment) if alignment.matched else []),
        "identical": check_identical(alignment),
        "range": check_range(requested, requested + timedelta(seconds=4), 2.0, span)
        if span
        else ["no span"],
        "utc": check_utc(manifest, {"export.mp4": span[0] if span else None}, 1.0),
    }


def test_reference_has_no_counter():
    facts, _times = reference()
    assert facts.counters and all(c is None for c in facts.counters)
    assert len(set(facts.vcl_digests)) == len(facts.vcl_digests) == REFERENCE_S * FPS
    assert facts.fps == FPS


@pytest.mark.parametrize("fmt", ["mp4", "matroska"])
def test_perfect_ffmpeg_export_passes_every_check(fmt):
    verdicts = judge(remux(fmt=fmt))
    assert verdicts == {"plays": [], "frames": [], "identical": [], "range": [], "utc": []}


def test_export_with_frames_removed_fails_frames():
    verdicts = judge(remux(without))
    frames = verdicts["frames"]
    assert any("5 frames missing from the container timestamps" in p for p in frames)
    assert any("5 recorded frames within the exported span are missing" in p for p in frames)
    assert verdicts["identical"] == []  # what is there is the recording's own pictures


def test_export_with_frames_removed_and_retimed_still_fails():
    """Hiding the hole (timestamps re-stamped continuous) does not hide it from the reference."""

    def retimed(packets: list[av.Packet]) -> list[av.Packet]:
        kept = without(packets)
        step = packets[1].dts - packets[0].dts
        for index, packet in enumerate(kept):
            shift = packet.pts - packet.dts
            packet.dts = packets[0].dts + index * step
            packet.pts = packet.dts + shift
        return kept

    verdicts = judge(remux(retimed))
    assert any("5 recorded frames" in p for p in verdicts["frames"])


def test_reencoded_export_fails_identical():
    verdicts = judge(reencode())
    assert verdicts["plays"] == [] and verdicts["frames"] == []
    assert verdicts["identical"] and "re-encoded" in verdicts["identical"][0]


def test_reordered_export_fails_identical():
    verdicts = judge(remux(swapped))
    assert verdicts["identical"] == ["1 exported frames are out of the recorded order"]


def test_times_come_from_the_reference():
    """A package that says its media starts an hour later (local time written as UTC) fails
    EXPORT-UTC-01 only; the range is judged on the reference's times."""
    _ref, times = reference()
    verdicts = judge(remux(), said_start=times[FIRST] + timedelta(hours=1))
    assert verdicts["range"] == []
    assert verdicts["utc"] and "+3600.0 s" in verdicts["utc"][0]


def test_export_of_the_wrong_time_fails_range():
    """The export holds frames 5 s later than requested: the reference places them there."""

    data, _ = recording()
    buffer = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(buffer, "w", format="mp4") as out:
        template = source.streams.video[0]
        stream = out.add_stream_from_template(template)
        packets = [p for p in source.demux(template) if p.size][FIRST + 5 * FPS : LAST + 4 * FPS]
        origin = min(p.dts for p in packets)
        for packet in packets:
            packet.pts -= origin
            packet.dts -= origin
            packet.stream = stream
            out.mux(packet)
    _ref, times = reference()
    verdicts = judge(buffer.getvalue(), said_start=times[FIRST + 5 * FPS])
    assert any("after the start" in p for p in verdicts["range"])
    assert verdicts["utc"] == [] and verdicts["identical"] == []


def test_sample_of_256_to_511_bytes_is_not_taken_for_annex_b():
    """A length prefix of 256-511 starts 00 00 01, like a start code: still length-prefixed."""
    from conformance.clients.export_media import split_sample

    nal = b"\x41" + bytes(range(256)) * 1 + b"\x01" * 43  # 300 bytes, a P slice
    assert split_sample(len(nal).to_bytes(4, "big") + nal) == [nal]
    assert split_sample(b"\x00\x00\x00\x01" + nal[:20] + b"\x00\x00\x01\x65\x88") == [
        nal[:20],
        b"\x65\x88",
    ]
