"""How a Recording Search session hands out its results: paging parameters, the scope's
RecordingInformationFilter, and the end of a session by EndSearch (ONVIF-SEARCH-*), as ONVIF's
Recording Search device test cases drive them. Passive: searches read only, and every session
started here is ended."""

from __future__ import annotations

import contextlib
import time
from datetime import timedelta
from typing import Any

import pytest

from conformance.answers import answer_of
from conformance.checks.faults import describe
from conformance.checks.recording import summary_view, utc_text
from conformance.checks.search_paging import (
    check_ended,
    check_event_runs,
    check_filter,
    check_lifetimes,
    check_recording_runs,
    page_view,
    tracks_view,
)
from conformance.suites.recording_search.profile_g_helpers import (
    as_datetime,
    first_recording,
    wait_for_recording,
)

RESULTS = {"FindRecordings": "GetRecordingSearchResults", "FindEvents": "GetEventSearchResults"}
KIND = {"FindRecordings": "recordings", "FindEvents": "events"}
TRACK_FILTERS = (
    ("only video", ("Video",)),
    ("only audio", ("Audio",)),
    ("only metadata", ("Metadata",)),
    ("video and audio", ("Video", "Audio")),
    ("video and metadata", ("Video", "Metadata")),
)


def _token(reply: Any) -> Any:
    return getattr(reply, "SearchToken", reply)


def _run(
    device: Any,
    label: str,
    find: str,
    find_params: dict[str, Any],
    get_params: dict[str, Any],
    rounds: int,
    raw: list[Any] | None = None,
) -> dict[str, Any]:
    """One session: ``find`` with ``find_params``, its results fetched with ``get_params`` until
    Completed (at most ``rounds`` requests), then EndSearch (whose refusal after completion the
    specification allows, so it is not judged). ``raw`` collects the raw result items."""
    token = _token(device.call("search", find, **find_params))
    pages = []
    try:
        for _ in range(rounds):
            reply = device.call("search", RESULTS[find], SearchToken=token, **get_params)
            pages.append(page_view(reply, KIND[find]))
            if raw is not None:
                result_list = getattr(reply, "ResultList", reply)
                raw += list(getattr(result_list, "RecordingInformation", None) or [])
            if pages[-1]["state"] == "Completed":
                break
    finally:
        with contextlib.suppress(Exception):
            device.call("search", "EndSearch", SearchToken=token)
    return {
        "label": label,
        "max_results": get_params.get("MaxResults"),
        "max_matches": find_params.get("MaxMatches"),
        "pages": pages,
    }


def _shown(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "max_results": run["max_results"],
        "max_matches": run["max_matches"],
        "pages": [{"state": p["state"], "results": len(p["results"])} for p in run["pages"]],
        "found": [r for p in run["pages"] for r in p["results"]][:20],
    }


@pytest.mark.requirement("ONVIF-SEARCH-RESULTS-01")
def test_search_result_paging(device, evidence, params):
    wait_for_recording(device, 3.0, params["wait_s"])
    summary = summary_view(device.call("search", "GetRecordingSummary"))
    number = summary["number"] if isinstance(summary["number"], int) else None
    evidence.measure(
        "summary",
        {
            **summary,
            "data_from": utc_text(summary["data_from"]),
            "data_until": utc_text(summary["data_until"]),
        },
    )
    n = number or 1
    rounds = max(params["max_rounds"], n + 2)
    keep = {"KeepAliveTime": timedelta(seconds=params["keepalive_s"])}
    recordings = {"Scope": {}, **keep}
    wait = {"WaitTime": timedelta(seconds=5)}
    variants = [
        ("MinResults N", recordings, {"MinResults": n, **wait}),
        ("MinResults N+1", recordings, {"MinResults": n + 1, **wait}),
        ("MaxResults 1", recordings, {"MaxResults": 1, **wait}),
        ("MaxResults N", recordings, {"MaxResults": n, **wait}),
        ("MaxResults N+1", recordings, {"MaxResults": n + 1, **wait}),
        ("WaitTime PT0.5S", recordings, {"WaitTime": timedelta(seconds=0.5)}),
        ("WaitTime PT1S", recordings, {"WaitTime": timedelta(seconds=1)}),
        ("MaxMatches 1", {**recordings, "MaxMatches": 1}, wait),
    ]
    runs = [
        _run(device, f"FindRecordings ({label})", "FindRecordings", find, get, rounds)
        for label, find, get in variants
    ]
    evidence.measure("recording sessions", {r["label"]: _shown(r) for r in runs})
    problems = check_recording_runs(runs, number)

    token = first_recording(device)
    start, end = summary["data_from"], summary["data_until"]
    if start is None or end is None or start > end:
        problems.append("GetRecordingSummary gives no DataFrom..DataUntil span to search events in")
    else:
        events = {
            "StartPoint": as_datetime(start),
            "EndPoint": as_datetime(end),
            "Scope": {"IncludedRecordings": [token]},
            "SearchFilter": {},
            "IncludeStartState": False,
            **keep,
        }
        evidence.measure(
            "event window", {"from": utc_text(start), "to": utc_text(end), "recording": token}
        )
        reference = _run(
            device,
            "FindEvents (MaxMatches 3)",
            "FindEvents",
            {**events, "MaxMatches": 3},
            wait,
            rounds,
        )
        event_runs = [
            _run(
                device,
                "FindEvents (MaxMatches 1)",
                "FindEvents",
                {**events, "MaxMatches": 1},
                wait,
                rounds,
            ),
            _run(
                device,
                "FindEvents (MaxMatches 3, MaxResults 1)",
                "FindEvents",
                {**events, "MaxMatches": 3},
                {"MaxResults": 1, **wait},
                rounds,
            ),
        ]
        evidence.measure(
            "event sessions", {r["label"]: _shown(r) for r in [reference, *event_runs]}
        )
        problems += check_event_runs(reference, event_runs)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-SEARCH-FILTER-01")
def test_recording_information_filter(device, evidence, params):
    wait_for_recording(device, 3.0, params["wait_s"])
    keep = {"KeepAliveTime": timedelta(seconds=params["keepalive_s"])}
    get = {"WaitTime": timedelta(seconds=5)}
    raw: list[Any] = []
    _run(
        device,
        "unfiltered",
        "FindRecordings",
        {"Scope": {}, **keep},
        get,
        params["max_rounds"],
        raw,
    )
    everything = [tracks_view(i) for i in raw]
    evidence.measure("unfiltered", everything)
    problems = []
    for label, types in TRACK_FILTERS:
        expression = " and ".join(f'boolean(//Track[TrackType = "{t}"])' for t in types)
        found: list[Any] = []
        run = _run(
            device,
            label,
            "FindRecordings",
            {"Scope": {"RecordingInformationFilter": expression}, **keep},
            get,
            params["max_rounds"],
            found,
        )
        views = [tracks_view(i) for i in found]
        state = run["pages"][-1]["state"] if run["pages"] else ""
        evidence.measure(label, {"filter": expression, "found": views, "state": state})
        problems += check_filter(f"filter {expression}", types, views, everything, state)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-SEARCH-ENDED-01")
def test_ended_search_refuses_its_token(device, evidence, params):
    wait_for_recording(device, 3.0, params["wait_s"])
    keep = {"KeepAliveTime": timedelta(seconds=params["keepalive_s"])}
    zero = {"WaitTime": timedelta(0)}
    ends, after = {}, []
    recordings = _token(device.call("search", "FindRecordings", Scope={}, **keep))
    ends["FindRecordings"] = answer_of(
        lambda: device.call("search", "EndSearch", SearchToken=recordings)
    )
    after.append(
        (
            "GetRecordingSearchResults",
            answer_of(
                lambda: device.call(
                    "search", "GetRecordingSearchResults", SearchToken=recordings, **zero
                )
            ),
        )
    )
    after.append(
        ("EndSearch", answer_of(lambda: device.call("search", "EndSearch", SearchToken=recordings)))
    )
    summary = summary_view(device.call("search", "GetRecordingSummary"))
    start = summary["data_from"]
    if start is not None:
        events = _token(
            device.call(
                "search",
                "FindEvents",
                StartPoint=as_datetime(start),
                EndPoint=as_datetime(summary["data_until"] or start),
                Scope={"IncludedRecordings": [first_recording(device)]},
                SearchFilter={},
                IncludeStartState=False,
                **keep,
            )
        )
        ends["FindEvents"] = answer_of(
            lambda: device.call("search", "EndSearch", SearchToken=events)
        )
        after.append(
            (
                "GetEventSearchResults",
                answer_of(
                    lambda: device.call(
                        "search", "GetEventSearchResults", SearchToken=events, **zero
                    )
                ),
            )
        )
    else:
        evidence.note("GetRecordingSummary gives no DataFrom: no event search to end")
    evidence.measure("EndSearch of live sessions", {k: describe(v) for k, v in ends.items()})
    evidence.measure("requests on ended tokens", [(op, describe(a)) for op, a in after])
    evidence.expect("requests on ended tokens", "env:Sender/ter:InvalidArgVal/ter:InvalidToken")
    problems = check_ended(ends, after)
    assert not problems, "; ".join(problems)


def _start_sessions(device: Any, keepalive_s: float, window: tuple[float, float], token: str):
    """A FindRecordings and a FindEvents session (label -> (results operation, search token))."""
    keep = {"KeepAliveTime": timedelta(seconds=keepalive_s)}
    recordings = _token(device.call("search", "FindRecordings", Scope={}, **keep))
    events = _token(
        device.call(
            "search",
            "FindEvents",
            StartPoint=as_datetime(window[0]),
            EndPoint=as_datetime(window[1]),
            Scope={"IncludedRecordings": [token]},
            SearchFilter={},
            IncludeStartState=False,
            **keep,
        )
    )
    return {
        "recordings search": ("GetRecordingSearchResults", recordings),
        "events search": ("GetEventSearchResults", events),
    }


def _ask(device: Any, sessions: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    return {
        label: answer_of(
            lambda op=op, t=t: device.call(
                "search", op, SearchToken=t, WaitTime=timedelta(seconds=5)
            )
        )
        for label, (op, t) in sessions.items()
    }


@pytest.mark.requirement("SEARCH-KEEPALIVE-01")
def test_search_sessions_keepalive_and_expiry(device, evidence, params):
    """Both kinds of session are timed side by side, so the whole test waits KeepAliveTime less
    one second, then KeepAliveTime plus the margin, once."""
    wait_for_recording(device, 3.0, params["wait_s"])
    keepalive = params["keepalive_s"]
    summary = summary_view(device.call("search", "GetRecordingSummary"))
    start, end = summary["data_from"], summary["data_until"]
    assert start is not None and end is not None, (
        "GetRecordingSummary gives no DataFrom..DataUntil span to search events in"
    )
    token = first_recording(device)
    evidence.measure("keepalive_s", keepalive)
    live = _start_sessions(device, keepalive, (start, end), token)
    time.sleep(max(0.0, keepalive - 1.0))
    within = _ask(device, live)
    for _label, (_op, search) in live.items():  # cleanup: refused after completion is legal
        with contextlib.suppress(Exception):
            device.call("search", "EndSearch", SearchToken=search)
    idle = _start_sessions(device, keepalive, (start, end), token)
    time.sleep(keepalive + params["margin_s"])
    after = _ask(device, idle)
    for label, answer in after.items():
        if answer.kind == "answered":  # still alive: end it, and say how EndSearch went
            evidence.note(
                f"{label}: EndSearch of the stale session answered "
                + describe(
                    answer_of(
                        lambda t=idle[label][1]: device.call("search", "EndSearch", SearchToken=t)
                    )
                )
            )
    lifetimes = {label: {"within": within[label], "after": after[label]} for label in live}
    evidence.measure(
        "answers",
        {
            label: {k: describe(v) for k, v in answers.items()}
            for label, answers in lifetimes.items()
        },
    )
    problems = check_lifetimes(lifetimes)
    assert not problems, "; ".join(problems)
