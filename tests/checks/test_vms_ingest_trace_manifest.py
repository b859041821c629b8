"""VMS-TRACE-01's ONVIF-probe rule and VMS-EXPORT-EVIDENCE-01's manifest reading, on recorded
values: the simulated VMS's camera operation logs (good, and persona vms-onvif-fixed-token) and
its export manifest (fixtures/vms_ingest/fake-vms-*.json, recorded with
``cctv-conformance run --profile vms-ingest`` against fixtures/sites/vms-host.yaml), plus
hand-written real-world forms (sha256sum lists; ZoneMinder's zmFileList.txt has no hashes,
shared/research/zoneminder-as-vms.md 4.5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.checks.vms_ingest import manifest_hashes, names_camera, trace_problems

FIXTURES = Path(__file__).parent / "fixtures" / "vms_ingest"
TRACES = json.loads((FIXTURES / "fake-vms-traces.json").read_text())["traces"]
MANIFEST = (FIXTURES / "fake-vms-manifest.json").read_text()


@pytest.mark.parametrize("camera", ["h264-tcp", "h265-udp"])
def test_recorded_good_probe_then_stream_passes(camera: str) -> None:
    trace = TRACES[f"good/{camera}"]
    assert [o["operation"] for o in trace if o["protocol"] == "onvif"][:4] == [
        "GetSystemDateAndTime", "GetServices", "GetProfiles", "GetStreamUri"
    ]  # fmt: skip
    assert trace_problems(trace) == []


@pytest.mark.parametrize("camera", ["h264-tcp", "h265-udp"])
def test_recorded_hard_coded_token_fails(camera: str) -> None:
    problems = trace_problems(TRACES[f"onvif-fixed-token/{camera}"])
    assert len(problems) == 2
    assert "before any authenticated, successful GetProfiles" in problems[0]
    assert "fault:ter:NoProfile" in problems[1]


def test_stream_uri_without_authentication_fails() -> None:
    trace = [dict(o) for o in TRACES["good/h264-tcp"]]
    for op in trace:
        if op["operation"] in ("GetProfiles", "GetStreamUri"):
            op["authenticated"] = False
    problems = trace_problems(trace)
    assert any("GetProfiles" in p for p in problems)
    assert any("no GetStreamUri answered 200 with authentication" in p for p in problems)


def test_no_onvif_probe_judges_rtsp_only() -> None:
    trace = [o for o in TRACES["good/h264-tcp"] if o["protocol"] == "rtsp"]
    assert trace_problems(trace) == []


def test_profiles_after_stream_uri_is_still_hard_coded() -> None:
    """A client that guesses a token first and asks GetProfiles only after it succeeded."""
    good = TRACES["good/h264-tcp"]
    profiles = next(o for o in good if o["operation"] == "GetProfiles")
    uri = next(o for o in good if o["operation"] == "GetStreamUri")
    rtsp = [o for o in good if o["protocol"] == "rtsp"]
    problems = trace_problems([uri, profiles, *rtsp])
    assert len(problems) == 1 and "hard-coded" in problems[0]


def test_recorded_json_manifest_hashes_and_identity() -> None:
    hashes = manifest_hashes(MANIFEST)
    media = [name for name in hashes if name.endswith(".mp4")]
    assert len(media) == 1 and media[0].startswith("media/")
    assert all(len(h) == 64 for h in hashes.values())
    assert names_camera(MANIFEST)


def test_json_manifest_with_empty_serial_names_no_camera() -> None:
    document = json.loads(MANIFEST)
    for camera in document["cameras"]:
        camera["serial"] = ""
    assert not names_camera(json.dumps(document))


def test_sha256sum_manifest() -> None:
    digest = "ab" * 32
    text = f"{digest}  media/a.mp4\n{digest.upper()} *b.mp4\nnot a line\n"
    assert manifest_hashes(text) == {"media/a.mp4": digest, "b.mp4": digest}
    assert names_camera("Camera: X\nSerial Number: 12345\n")


def test_zoneminder_file_list_has_no_hashes_nor_identity() -> None:
    listing = "zmExport_k/1/1-video.mp4\nzmEventImagesMaster.html\njquery.min.js\n"
    assert manifest_hashes(listing) == {}
    assert not names_camera(listing)
