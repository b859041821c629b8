"""ONVIF replay (Profile G): onvif-replay tag, Range start and end, the 0xABAC extension,
reverse replay, Rate-Control and gaps, all judged from the NTP times the device puts on each
access unit. Passive: replay reads recordings only. Captures are cached and shared (RANGE, EXT,
RATE and TAG judge one forward replay), bounded in time, and warmed by conformance.prefetch."""

from __future__ import annotations

import pytest

from conformance.checks.recording import (
    check_extension,
    check_gaps,
    check_range,
    check_rate,
    check_reverse,
    check_tag,
    find_gaps,
    utc_text,
)
from conformance.outcomes import not_applicable
from conformance.suites.recording_search.profile_g_helpers import (
    record_capture,
    recorded_gap_starts,
    replay_around,
    replay_window,
)


@pytest.mark.requirement("REPLAY-TAG-01")
def test_replay_accepts_onvif_replay_tag(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "forward", params)
    record_capture(evidence, start, end, capture, elapsed)
    evidence.measure("tag_refused", capture.tag_refused)
    problems = check_tag(capture.tag_refused, capture.sdp)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-RANGE-01")
def test_replay_range(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "forward", params)
    units = record_capture(evidence, start, end, capture, elapsed)
    problems = check_range(
        units,
        start,
        end,
        params["gop_tolerance_s"],
        params["start_tolerance_s"],
        params["end_tolerance_s"],
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-EXT-01")
def test_replay_header_extension(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "forward", params)
    units = record_capture(evidence, start, end, capture, elapsed)
    evidence.measure("play_cseq", capture.play_cseq)
    problems = check_extension(units, capture.play_cseq)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-REVERSE-01")
def test_reverse_replay(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "reverse", params, reverse=True)
    units = record_capture(evidence, start, end, capture, elapsed)
    problems = check_reverse(units)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-RATE-01")
def test_rate_control_no(device, evidence, params):
    start, end, capture, elapsed = replay_window(device, "forward", params)
    units = record_capture(evidence, start, end, capture, elapsed)
    timed = [
        (u["time"], a.arrival)
        for u, a in zip(units, capture.units, strict=True)
        if u["time"] is not None
    ]
    in_range = [(t, arrival) for t, arrival in timed if t <= end]
    complete = bool(in_range) and in_range[-1][0] >= end - 0.1
    media_s = in_range[-1][0] - in_range[0][0] if in_range else 0.0
    taken = in_range[-1][1] - capture.started if in_range else elapsed
    evidence.measure("media_s", round(media_s, 3))
    evidence.measure("delivery_s", round(taken, 3))
    problems = check_rate(taken, media_s, params["min_speedup"], complete)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("REPLAY-GAP-01")
def test_gaps_flagged(device, evidence, params):
    stops = recorded_gap_starts(device, params)
    evidence.measure("recording_stops", [utc_text(t) for t in stops])
    if not stops:
        not_applicable("the recording reports no stop (Recording/State false) to replay across")
    start, end, capture, elapsed = replay_around(device, "gap", stops[0], params)
    units = record_capture(evidence, start, end, capture, elapsed)
    gaps = find_gaps(units, params["gap_s"])
    evidence.measure(
        "gaps",
        [
            {
                "before": utc_text(units[i]["time"]),
                "after": utc_text(units[i + 1]["time"]),
                "e_flag": units[i]["e"],
            }
            for i in gaps
        ],
    )
    problems = check_gaps(units, gaps, stops[0])
    assert not problems, "; ".join(problems)
