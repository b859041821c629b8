"""Unit tests of conformance/checks/vms_ingest.py on recorded ZoneMinder values and bad ones.

Good values: fixtures/vms_ingest/zoneminder-1.36.json (recorded from ZoneMinder 1.36.33
ingesting the simulator's cameras; see its ``provenance``). Bad values are hand-written from
field behaviour named on each case.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conformance.checks.vms_ingest import (
    ExpectedStream,
    MediaFacts,
    PackageFacts,
    capture_problems,
    coverage_problems,
    evidence_package_problems,
    export_problems,
    lost_frames,
    media_problems,
    search_problems,
    trace_problems,
    trace_summary,
)

RECORDED = json.loads(
    (Path(__file__).parent / "fixtures" / "vms_ingest" / "zoneminder-1.36.json").read_text()
)["pairs"]


def _facts(measured: dict) -> MediaFacts:
    """MediaFacts from a recorded summary (contiguous counters: count == last - first + 1)."""
    first, last = measured["first_counter"], measured["last_counter"]
    assert measured["counters"] == last - first + 1
    return MediaFacts(
        codec=measured["codec"],
        width=measured["width"],
        height=measured["height"],
        frames=measured["frames"],
        duration_s=measured["duration_s"],
        fps=measured["fps"],
        counters=tuple(range(first, last + 1)),
        first_capture_us=measured["first_capture_us"],
        sha256=measured["sha256"],
        pts_s=tuple(i / measured["fps"] for i in range(measured["frames"])),
        vcl_digests=tuple(f"picture-{n}" for n in range(first, last + 1)),
    )


def _expected(pair: dict) -> ExpectedStream:
    return ExpectedStream(**pair["VMS-MEDIA-01"]["expected"]["stream"])


@pytest.mark.parametrize("camera", sorted(RECORDED))
def test_recorded_zoneminder_pairs_pass(camera: str) -> None:
    pair = RECORDED[camera]
    expected = _expected(pair)
    connect = pair["VMS-CONNECT-01"]["measured"]
    assert capture_problems(connect["connected"], connect["capture_fps"], expected.fps, 10) == []
    recs = pair["VMS-REC-01"]["measured"]["recordings"]
    spans = [(datetime.fromisoformat(r["start"]), datetime.fromisoformat(r["end"])) for r in recs]
    assert coverage_problems(spans, 2.0) == []
    facts = _facts(pair["VMS-MEDIA-01"]["measured"]["recording"])
    problems, findings = media_problems(facts, expected, 5.0, 0)
    assert problems == [] and findings == []
    export = pair["VMS-EXPORT-01"]["measured"]
    start = datetime.fromisoformat(export["vms_start_utc"])
    preroll = pair["VMS-EXPORT-01"]["expected"]["preroll_allowance_s"]
    assert export_problems(facts, _facts(export["exported"]), start, 2.0, preroll) == []


def test_zoneminder_export_is_no_evidence_package() -> None:
    files = tuple(RECORDED["h264-720p25"]["VMS-EXPORT-EVIDENCE-01"]["measured"]["export_files"])
    problems = evidence_package_problems(PackageFacts(files=files))
    assert "no manifest with a SHA-256 of every file" in problems
    assert "no signature over the manifest" in problems
    assert len(problems) == 4


def test_evidence_package_with_verified_manifest_passes() -> None:
    package = PackageFacts(
        files=("cam/clip.mp4", "manifest.txt"),
        manifest_hashes={"cam/clip.mp4": "ab" * 32},
        actual_hashes={"cam/clip.mp4": "ab" * 32},
        has_camera_identity=True,
        has_utc_times=True,
        has_signature=True,
    )
    assert evidence_package_problems(package) == []
    tampered = PackageFacts(**{**package.__dict__, "actual_hashes": {"cam/clip.mp4": "cd" * 32}})
    assert evidence_package_problems(tampered) == [
        "manifest hash of cam/clip.mp4 is missing or does not verify"
    ]


def test_capture_below_rate_and_disconnected_fail() -> None:
    # A VMS that decodes only key frames (a common "low CPU" mode) captures at 1 fps.
    assert capture_problems(True, 1.0, 25.0, 10)
    assert capture_problems(False, None, 25.0, 10) == [
        "the VMS did not connect to the camera's stream"
    ]
    assert capture_problems(True, None, 25.0, 10) == ["the VMS reports no capture frame rate"]


def test_coverage_gap_and_too_few_recordings() -> None:
    t0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    s = timedelta(seconds=1)
    assert coverage_problems([(t0, t0 + 10 * s)], 2.0) == [
        "1 closed recording(s); at least 2 expected"
    ]
    # Reconnect after a camera drop: ZoneMinder closes the event and starts a new one ~11 s later.
    problems = coverage_problems([(t0, t0 + 10 * s), (t0 + 21 * s, t0 + 30 * s)], 2.0)
    assert len(problems) == 1 and "gap of 11.0 s" in problems[0]


def test_media_transcoded_and_lost_frames() -> None:
    expected = ExpectedStream("H264", 1280, 720, 25.0)
    # A VMS that transcodes to 640x360 at 12.5 fps (a "storage saving" profile).
    # Its timestamps step two of the camera's frame intervals: 124 frames missing (no counter).
    transcoded = MediaFacts(
        "H264", 640, 360, 125, 10.0, 12.5, pts_s=tuple(i * 0.08 for i in range(125))
    )
    problems, _ = media_problems(transcoded, expected, 5.0, 0)
    assert any("resolution 640x360" in p for p in problems)
    assert any("frame rate 12.50" in p for p in problems)
    assert any("124 frame(s) missing from the recording's timestamps" in p for p in problems)
    assert lost_frames([1, 2, 2, 5]) == 2


def test_media_lost_frames_from_timestamps_alone() -> None:
    """A VMS that loses every 30th frame before recording it, judged without any counter."""
    expected = ExpectedStream("H264", 1280, 720, 25.0)
    kept = [i for i in range(250) if i % 30 != 29]
    lossy = MediaFacts("H264", 1280, 720, len(kept), 10.0, 25.0, pts_s=tuple(i / 25 for i in kept))
    problems, _ = media_problems(lossy, expected, 5.0, 0)
    assert any("8 frame(s) missing from the recording's timestamps" in p for p in problems)


def test_media_without_sei_falls_back_to_frame_count() -> None:
    expected = ExpectedStream("H265", 1280, 720, 25.0)
    stripped = MediaFacts("HEVC", 1280, 720, 250, 10.0, 25.0)
    problems, findings = media_problems(stripped, expected, 5.0, 0, vms_frames=251)
    assert problems == []
    assert "the VMS says 251 frames" in findings[0]
    short = MediaFacts("H265", 1280, 720, 150, 10.0, 25.0)
    assert media_problems(short, expected, 5.0, 0)[0]


def test_search_misses_and_phantoms() -> None:
    assert search_problems(["1", "2"], ["1", "2"], []) == []
    problems = search_problems(["1"], ["1", "2"], ["9"])
    assert problems == [
        "search by time did not find recording(s) 2",
        "search before the camera was ingested found recording(s) 9",
    ]


def test_export_local_time_written_as_utc_fails() -> None:
    recorded = _facts(RECORDED["h264-720p25"]["VMS-MEDIA-01"]["measured"]["recording"])
    capture = datetime.fromtimestamp(recorded.first_capture_us / 1e6, UTC)
    # BST written as UTC: the VMS's start is an hour late.
    problems = export_problems(recorded, recorded, capture + timedelta(hours=1), 2.0, 1.0)
    assert len(problems) == 1 and "+3600.0 s" in problems[0]
    assert export_problems(recorded, None, capture, 2.0, 1.0) == [
        "the export holds no media file of the recording"
    ]
    other = MediaFacts(**{**recorded.__dict__, "vcl_digests": recorded.vcl_digests[5:]})
    assert "differ from the recording's" in export_problems(recorded, other, capture, 2.0)[0]


def test_trace_needs_authenticated_describe_setup_play() -> None:
    ok = [
        {"protocol": "rtsp", "operation": "OPTIONS", "authenticated": False, "outcome": "200"},
        {"protocol": "rtsp", "operation": "DESCRIBE", "authenticated": False, "outcome": "401"},
        {"protocol": "rtsp", "operation": "DESCRIBE", "authenticated": True, "outcome": "200"},
        {"protocol": "rtsp", "operation": "SETUP", "authenticated": True, "outcome": "200"},
        {"protocol": "rtsp", "operation": "PLAY", "authenticated": True, "outcome": "200"},
    ]
    assert trace_problems(ok) == []
    assert trace_summary(ok)["rtsp DESCRIBE 401"] == 1
    anonymous = [{**op, "authenticated": False} for op in ok]
    assert "RTSP DESCRIBE succeeded without authentication" in trace_problems(anonymous)
    assert trace_problems(ok[:3]) == [
        "no successful RTSP SETUP from the VMS",
        "no successful RTSP PLAY from the VMS",
    ]


def test_export_vms_clock_judged_without_counter() -> None:
    """VMS-EXPORT-01 on what any VMS gives: a recording can neither start before its camera
    was added nor end after a search first returned it (suite clock). A VMS clock 10 s ahead
    (vms-clock-skew) fails; one in step passes; no frame counter is involved."""
    recorded = MediaFacts("H264", 640, 360, 100, 4.0, 25.0, vcl_digests=("a", "b"))
    added = datetime(2026, 12, 7, 3, 0, 0, tzinfo=UTC)
    start, end = added + timedelta(seconds=1), added + timedelta(seconds=5)
    seen = added + timedelta(seconds=6)
    assert export_problems(recorded, recorded, start, 2.0, 1.0, observed=(added, seen, end)) == []
    skew = timedelta(seconds=10)
    ahead = export_problems(
        recorded, recorded, start + skew, 2.0, 1.0, observed=(added, seen, end + skew)
    )
    assert len(ahead) == 1 and "ahead of UTC" in ahead[0] and "9.0 s" in ahead[0]
    behind = export_problems(
        recorded, recorded, start - skew, 2.0, 1.0, observed=(added, seen, end - skew)
    )
    assert len(behind) == 1 and "behind UTC" in behind[0]
