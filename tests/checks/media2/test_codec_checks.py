"""Codec honesty and H.265 checks on recorded stream probes (record_media2_fixtures.py) and
hand-written real-world replies (fixtures/onvif/real-world/PROVENANCE.md)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from media2_replay import probes, replay  # noqa: E402

from conformance.checks.codecs import (  # noqa: E402
    StreamedCodec,
    check_codec_honesty,
    check_h265_stream,
    streamed_codec,
)
from conformance.checks.media import profile_summary  # noqa: E402


def _rows(device: str) -> list[StreamedCodec]:
    return [
        StreamedCodec(p["service"], p["profile"], p["reported"], p["uri"], p["sdp_codec"],
                      p["decoded_frames"])
        for p in probes(device)
    ]  # fmt: skip


def test_good_camera_streams_what_it_reports():
    rows = _rows("good")
    assert [(r.service, r.reported, streamed_codec(r)) for r in rows] == [
        ("media", "H264", "H264"),
        ("media2", "H265", "H265"),
        ("media2", "H264", "H264"),
    ]
    assert check_codec_honesty(rows) == []


def test_h265_reported_as_h264_persona():
    assert check_codec_honesty(_rows("h265-reported-as-h264")) == [
        "media profile profile_h265 (rtsp://127.0.0.1:8554/stream1): reports H264, but streams H265"
    ]


def test_undecodable_missing_and_unreachable_streams():
    rows = [
        StreamedCodec("media2", "p1", "H265", "rtsp://h/1", "H265", 0),
        StreamedCodec("media2", "p2", "H264", "rtsp://h/2", None, 0),
        StreamedCodec("media", "p3", "H264", "rtsp://h/3", None, 0, error="DESCRIBE answered 404"),
    ]
    assert check_codec_honesty(rows) == [
        "media2 profile p1 (rtsp://h/1): reports H265, but the stream (SDP H265) decoded no frame",
        "media2 profile p2 (rtsp://h/2): reports H264, but the stream has no video codec "
        "in its SDP",
        "media profile p3 (rtsp://h/3): stream could not be examined: DESCRIBE answered 404",
    ]
    assert check_codec_honesty([]) == ["no profile with a video encoder to compare"]


def test_dahua_h265_in_media1_is_read_as_reported():
    """Dahua (use-go/onvif#43) puts H265 in a ver10 profile: out of the enum, but not a lie."""
    summary = profile_summary(replay("real-world", "Media1.GetProfiles.dahua-h265-enum"))
    assert summary[0]["encoding"] == "H265"
    row = StreamedCodec("media", summary[0]["token"], "H265", "rtsp://h/1", "H265", 25)
    assert check_codec_honesty([row]) == []


def test_h265_stream_check_on_recorded_probe():
    probe = next(p for p in probes("good") if p["sdp_codec"] == "H265")
    size = tuple(probe["size"])
    assert check_h265_stream("H265", probe["decoded_frames"], probe["keyframes"], size,
                             (1280, 720), 10) == []  # fmt: skip
    assert check_h265_stream("H264", 3, 0, (640, 360), (1280, 720), 10) == [
        "the SDP announces H264, not H265",
        "no IDR picture arrived, so no client could start decoding",
        "only 3 frames decoded (at least 10 needed)",
        "stream is 640x360, the encoder configuration says 1280x720",
    ]
    assert check_h265_stream(None, 0, 0, None, (1280, 720), 10) == [
        "the SDP announces no codec, not H265",
        "no IDR picture arrived, so no client could start decoding",
        "only 0 frames decoded (at least 10 needed)",
    ]
