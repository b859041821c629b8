"""ONVIF Recording Search and Recording Control (Profile G): what was recorded can be found, and
only that. Passive: searches read only (their sessions are ended or left to expire)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conformance.checks.recording import (
    attributes_view,
    check_event_search,
    check_found_recordings,
    check_recording_info,
    check_recording_list,
    check_summary,
    event_view,
    information_view,
    measured_fps,
    normal_codec,
    replay_units_view,
    summary_view,
    utc_text,
)
from conformance.clients.onvif import OnvifError
from conformance.outcomes import NO_STIMULUS_REASON, not_tested
from conformance.suites.recording_search.profile_g_helpers import (
    as_datetime,
    device_now,
    find_recordings,
    first_recording,
    listed_recordings,
    recording_tokens,
    replay_url,
    search_results,
    wait_for_recording,
)


@pytest.mark.requirement("SEARCH-SUMMARY-01")
def test_recording_summary(device, evidence, params):
    waited = wait_for_recording(device, params["min_recorded_s"], params["wait_s"])
    evidence.measure("waited_s", round(waited, 2))
    summary = summary_view(device.call("search", "GetRecordingSummary"))
    now = device_now(device)
    evidence.measure(
        "summary",
        {
            **summary,
            "data_from": utc_text(summary["data_from"]),
            "data_until": utc_text(summary["data_until"]),
        },
    )
    evidence.measure("device_utc", utc_text(now))
    problems = check_summary(summary, now, params["tolerance_s"])
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("SEARCH-FIND-01")
def test_find_recordings_finds_every_recording(device, evidence, params):
    found = find_recordings(device, params["keepalive_s"], params["max_rounds"])
    evidence.measure("found", found)
    expected = count = None
    if device.offers("recording"):
        expected = [str(i.RecordingToken) for i in listed_recordings(device)]
        evidence.measure("get_recordings", expected)
    else:
        count = summary_view(device.call("search", "GetRecordingSummary"))["number"]
        evidence.measure("summary_number", count)
        evidence.note("Recording Control not offered: GetRecordingSummary is the reference")
    problems = check_found_recordings(found, expected, count)
    assert not problems, "; ".join(problems)


def _events(device, token, first, second, params):
    results = search_results(
        device,
        "FindEvents",
        "GetEventSearchResults",
        params["max_rounds"],
        StartPoint=as_datetime(first),
        EndPoint=as_datetime(second),
        Scope={"IncludedRecordings": [token]},
        SearchFilter={},
        IncludeStartState=True,
        KeepAliveTime=timedelta(seconds=params["keepalive_s"]),
    )
    return [event_view(r) for r in results]


@pytest.mark.requirement("SEARCH-EVENTS-01")
def test_find_events_in_range(device, evidence, params):
    """The window is placed on events the device itself recorded (any topic: motion, recording
    state at a gap), so the check holds on a quiet real camera and never needs the simulator's
    spontaneous motion: it ends before the latest recorded event, so a device that ignores
    EndPoint returns that event and fails."""
    token = first_recording(device)
    wait_for_recording(device, params["window_s"] + params["tail_s"] + 1.0, params["wait_s"])
    now = device_now(device)
    everything = _events(device, token, now - params["history_s"], now, params)
    evidence.measure(
        "recorded_events", [{**r, "time": utc_text(r["time"])} for r in everything[:50]]
    )
    times = sorted(
        {round(r["time"], 3) for r in everything if not r["start_state"] and r["time"] is not None}
    )
    if len(times) < 2:
        not_tested(
            f"{NO_STIMULUS_REASON}the recording holds {len(times)} event(s) in the last "
            f"{params['history_s']:g} s; two are needed to place a search window that ends "
            "before one of them (record motion, or a recording gap, first)"
        )
    low = max(times[0] - params["window_s"], now - params["history_s"])
    high = (times[0] + times[1]) / 2  # the first event inside, the second after the window
    evidence.measure("window", {"from": utc_text(low), "to": utc_text(high), "recording": token})
    forward = _events(device, token, low, high, params)
    backward = _events(device, token, high, low, params)
    for name, results in (("forward", forward), ("backward", backward)):
        evidence.measure(name, [{**r, "time": utc_text(r["time"])} for r in results])
    problems = check_event_search(forward, backward, low, high)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("SEARCH-INFO-01")
def test_recording_information_matches_recording(device, evidence, params):
    from conformance.clients.replay import replay

    wait_for_recording(device, 3.0, params["wait_s"])
    problems = []
    for token in recording_tokens(device):
        reply = device.call("search", "GetRecordingInformation", RecordingToken=token)
        info = information_view(getattr(reply, "RecordingInformation", reply))
        earliest, latest = info["earliest"], info["latest"]
        middle = (earliest + latest) / 2 if earliest and latest else device_now(device) - 2
        attributes = [
            attributes_view(a)
            for a in device.call(
                "search", "GetMediaAttributes", RecordingTokens=[token], Time=as_datetime(middle)
            )
            or []
        ]
        capture = replay(
            replay_url(device, token),
            device.device.username,
            device.device.password,
            start=as_datetime(earliest) if earliest else None,
            end=as_datetime((earliest or middle) + 2.0),
            rate_control=False,
            timeout=device.timeout,
            max_seconds=4.0,
        )
        units = replay_units_view(capture)
        codec = next(
            (
                line.split()[1].split("/")[0]
                for line in capture.sdp.splitlines()
                if line.startswith("a=rtpmap:")
            ),
            None,
        )
        replayed = {
            "codec": normal_codec(codec) if codec else None,
            "fps": measured_fps(units),
            "first_time": units[0]["time"] if units else None,
        }
        evidence.measure(
            token,
            {
                "information": {**info, "earliest": utc_text(earliest), "latest": utc_text(latest)},
                "media_attributes": attributes,
                "replayed": {**replayed, "first_time": utc_text(replayed["first_time"])},
            },
        )
        problems += [
            f"{token}: {p}"
            for p in check_recording_info(
                info, attributes, replayed, params["tolerance_s"], params["fps_tolerance"]
            )
        ]
    if not recording_tokens(device):
        problems.append("no recording to describe")
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("RECORDING-LIST-01")
def test_recordings_and_jobs_consistent(device, evidence, params):
    assert device.offers("recording"), (
        "GetServices lists no Recording Control service, which Profile G makes mandatory"
    )
    recordings = {
        str(item.RecordingToken): len(list(getattr(item.Tracks, "Track", None) or []))
        for item in listed_recordings(device)
    }
    jobs = {
        str(item.JobToken): str(item.JobConfiguration.RecordingToken)
        for item in device.call("recording", "GetRecordingJobs") or []
    }
    states = {}
    for job in jobs:
        try:
            state = device.call("recording", "GetRecordingJobState", JobToken=job)
            states[job] = str(state.RecordingToken)
        except OnvifError as exc:
            states[job] = None
            evidence.note(f"GetRecordingJobState({job}): {exc}")
    options = {}
    for token in recordings:
        try:
            device.call("recording", "GetRecordingOptions", RecordingToken=token)
            options[token] = None
        except OnvifError as exc:
            options[token] = str(exc)
    evidence.measure("recordings", recordings)
    evidence.measure("jobs", jobs)
    evidence.measure("job_states", states)
    evidence.measure("options_errors", {k: v for k, v in options.items() if v})
    problems = check_recording_list(recordings, jobs, states, options)
    assert not problems, "; ".join(problems)
