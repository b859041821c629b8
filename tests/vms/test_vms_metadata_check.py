"""VMS-META-01's check on recorded values: size, rate and duration stated vs the file's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conformance.checks.vms_ingest import MediaFacts
from conformance.checks.vms_metadata import Stated, metadata_problems

T = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
FILE = MediaFacts("H264", 1280, 720, 258, 10.32, 25.0)


def test_zoneminder_like_event_matches() -> None:
    stated = Stated(1280, 720, 25.0, T, T + timedelta(seconds=10))
    assert metadata_problems(stated, FILE, 5.0, 1.0, allowance_s=2.0) == []


def test_nominal_rate_wrong_size_and_silence_fail() -> None:
    nominal = Stated(1280, 720, 30.0, T, T + timedelta(seconds=10))
    assert metadata_problems(nominal, FILE, 5.0, 1.0, 2.0) == [
        "the VMS states 30 fps; the recording runs at 25.00 fps (tolerance 5 %)"
    ]
    size = Stated(1920, 1080, 25.0, T, T + timedelta(seconds=10))
    assert "the VMS states 1920x1080" in metadata_problems(size, FILE, 5.0, 1.0, 2.0)[0]
    frames = Stated(1280, 720, None, T, T + timedelta(seconds=10), frames=250)
    assert metadata_problems(frames, FILE, 5.0, 1.0, 2.0) == [
        "the VMS states 250 frames; the recording holds 258"
    ]
    silent = Stated(None, None, None, T, T + timedelta(seconds=10))
    assert metadata_problems(silent, FILE, 5.0, 1.0) == [
        "the VMS states no picture size or frame rate for its recordings"
    ]
    long = Stated(1280, 720, 25.0, T, T + timedelta(seconds=20))
    assert "the recording holds 10.32 s" in metadata_problems(long, FILE, 5.0, 1.0, 2.0)[0]
