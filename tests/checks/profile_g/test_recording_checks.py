"""Profile G checks judged on recorded answers of the known-good recording camera and the
recording personas (tests/checks/profile_g/record_profile_g_fixtures.py), plus hand-written
real-world bad answers with their provenance."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zeep_replay import FIXTURES, meta, replay  # noqa: E402

from conformance.checks.recording import (  # noqa: E402
    attributes_view,
    check_event_search,
    check_extension,
    check_found_recordings,
    check_gaps,
    check_range,
    check_rate,
    check_recording_info,
    check_recording_list,
    check_reverse,
    check_summary,
    check_tag,
    find_gaps,
    information_view,
    measured_fps,
    summary_view,
)

GOOD = "g-good"


def views(device: str, name: str) -> dict:
    return json.loads((FIXTURES / "profile_g" / device / f"{name}.json").read_text("utf-8"))


def _range(device: str) -> list[str]:
    data = views(device, "replay-forward")
    return check_range(data["units"], data["start"], data["end"], 2.0, 1.5, 0.1)


# --- search -------------------------------------------------------------------------------


def test_summary_good_and_local_time():
    good = summary_view(replay(GOOD, "GetRecordingSummary"))
    assert check_summary(good, meta(GOOD, "GetRecordingSummary")["device_utc"], 5.0) == []
    bad_device = "search-summary-local-time"
    bad = summary_view(replay(bad_device, "GetRecordingSummary"))
    problems = check_summary(bad, meta(bad_device, "GetRecordingSummary")["device_utc"], 5.0)
    assert any("after the device's own UTC time" in p for p in problems)


def test_summary_without_recordings_fails():
    # Hand-written: an NVR answering before any recording exists (agsh/onvif#298 style reply).
    problems = check_summary({"number": 0, "data_from": 10.0, "data_until": 5.0}, 100.0, 5.0)
    assert len(problems) == 2


def test_found_recordings():
    assert check_found_recordings(["rec-a"], ["rec-a"], None) == []
    assert check_found_recordings(["rec-a"], None, 1) == []
    # search-hides-recording: FindRecordings empty while GetRecordings lists the recording
    # (hammeraj/onvif PR #112: recordings made outside ONVIF are invisible to search).
    assert "did not find rec-a" in check_found_recordings([], ["rec-a"], None)[0]
    assert check_found_recordings(["rec-a", "rec-a"], ["rec-a"], None)
    assert check_found_recordings([], None, 1)


def _info(device: str) -> tuple[dict, list[dict]]:
    reply = replay(device, "GetRecordingInformation")
    info = information_view(reply)
    attributes = [attributes_view(a) for a in replay(device, "GetMediaAttributes") or []]
    return info, attributes


def test_recording_information_good():
    info, attributes = _info(GOOD)
    replayed = {"codec": "H264", "fps": 25.0, "first_time": info["earliest"] + 0.0}
    assert check_recording_info(info, attributes, replayed, 2.0, 0.1) == []


def test_recording_information_local_time():
    info, attributes = _info("search-info-local-time")
    # The data really starts an hour before what the device reports.
    replayed = {"codec": "H264", "fps": 25.0, "first_time": info["earliest"] - 3600.0}
    problems = check_recording_info(info, attributes, replayed, 2.0, 0.1)
    assert any("do not match the recorded data" in p for p in problems)


def test_recording_information_wrong_codec_and_rate():
    info, attributes = _info(GOOD)
    replayed = {"codec": "H265", "fps": 12.5, "first_time": info["earliest"]}
    problems = check_recording_info(info, attributes, replayed, 2.0, 0.1)
    assert len(problems) == 2


def test_event_search_good():
    data = views(GOOD, "find-events")
    assert check_event_search(data["forward"], data["backward"], data["low"], data["high"]) == []


def test_event_search_outside_range():
    data = views("search-events-outside-range", "find-events")
    problems = check_event_search(data["forward"], data["backward"], data["low"], data["high"])
    assert any("outside" in p for p in problems)


def test_event_search_order():
    events = [{"recording": "r", "topic": None, "time": t, "start_state": False} for t in (3, 1)]
    problems = check_event_search(events, list(reversed(events)), 0, 5)
    assert any("ascending" in p for p in problems) and any("descending" in p for p in problems)


def test_recording_list():
    good = check_recording_list({"rec": 1}, {"job": "rec"}, {"job": "rec"}, {"rec": None})
    assert good == []
    assert len(check_recording_list({"rec": 0}, {"job": "x"}, {"job": None}, {"rec": "fault"})) >= 4


# --- replay -------------------------------------------------------------------------------


def test_tag():
    data = views(GOOD, "replay-forward")
    assert check_tag(data["tag_refused"], data["sdp"]) == []
    assert len(check_tag(True, "v=0\r\n")) == 2


def test_range_good_and_broken():
    assert _range(GOOD) == []
    assert any("after the range end" in p for p in _range("replay-ignores-range-end"))
    assert any(
        "after the\nrequested start".replace("\n", " ") in p for p in _range("replay-range-ignored")
    )
    assert "carry no 0xABAC" in _range("replay-no-abac")[0]


@pytest.mark.parametrize("device", [GOOD, "replay-ignores-range-end", "replay-range-ignored"])
def test_extension_good(device):
    data = views(device, "replay-forward")
    assert check_extension(data["units"], data["play_cseq"]) == []


def test_extension_broken():
    data = views("replay-abac-no-c-flag", "replay-forward")
    assert any("C flag" in p for p in check_extension(data["units"], data["play_cseq"]))
    good = views(GOOD, "replay-forward")
    assert any("CSeq" in p for p in check_extension(good["units"], good["play_cseq"] + 1))


def test_reverse():
    assert check_reverse(views(GOOD, "replay-reverse")["units"]) == []
    problems = check_reverse(views("replay-no-reverse", "replay-reverse")["units"])
    assert any("reverse time order" in p for p in problems)


def test_rate():
    for device, ok in ((GOOD, True), ("replay-rate-control-ignored", False)):
        data = views(device, "replay-forward")
        timed = [(u["time"], a) for u, a in zip(data["units"], data["arrivals"], strict=True)]
        in_range = [(t, a) for t, a in timed if t <= data["end"]]
        media = in_range[-1][0] - in_range[0][0]
        problems = check_rate(in_range[-1][1], media, 2.0, True)
        assert (problems == []) is ok, problems


def test_gaps():
    good = views(GOOD, "replay-gap")["units"]
    gaps = find_gaps(good, 0.3)
    assert len(gaps) == 1 and check_gaps(good, gaps, 1.0) == []
    bad = views("replay-gap-papered-over", "replay-gap")["units"]
    assert any("no E flag" in p for p in check_gaps(bad, find_gaps(bad, 0.3), 1.0))
    # A replay that ignores its range shows no gap where the device reported one.
    live = views("replay-range-ignored", "replay-forward")["units"]
    assert any("papered over" in p for p in check_gaps(live, find_gaps(live, 0.3), 1.0))


def test_measured_fps():
    assert measured_fps(views(GOOD, "replay-forward")["units"]) == pytest.approx(25.0, rel=0.01)
