"""ONVIF-SEARCH-RESULTS/FILTER/ENDED-01 check functions on conformant, broken and legal but
unusual search sessions (views as the suite builds them from zeep replies)."""

from __future__ import annotations

from types import SimpleNamespace as NS

from conformance.checks.device import ONVIF_ERROR_NS, SOAP_ENV_NS, Refusal
from conformance.checks.search_paging import (
    check_ended,
    check_event_runs,
    check_filter,
    check_recording_runs,
    check_run,
    page_view,
    tracks_view,
)


def run(label, *pages, max_results=None, max_matches=None):
    return {
        "label": label,
        "max_results": max_results,
        "max_matches": max_matches,
        "pages": [{"state": s, "results": list(r)} for s, r in pages],
    }


def test_page_view_reads_recordings_and_events():
    reply = NS(
        ResultList=NS(
            SearchState="Completed",
            RecordingInformation=[NS(RecordingToken="rec-1"), NS(RecordingToken="rec-2")],
        )
    )
    assert page_view(reply, "recordings") == {"state": "Completed", "results": ["rec-1", "rec-2"]}
    event = NS(RecordingToken="rec-1", TrackToken="V", Time="2026-01-01T00:00:00Z", Event=None)
    view = page_view(NS(ResultList=NS(SearchState="Searching", Result=[event])), "events")
    assert view["state"] == "Searching" and len(view["results"]) == 1
    assert page_view(NS(ResultList=NS(SearchState="Completed")), "events")["results"] == []


def test_tracks_view():
    info = NS(RecordingToken="r", Track=[NS(TrackType="Video"), NS(TrackType="Audio")])
    assert tracks_view(info) == {"token": "r", "types": ["Audio", "Video"]}


def test_conformant_session_passes():
    paged = run("p", ("Searching", ["a"]), ("Completed", ["b"]), max_results=1)
    assert check_run(paged) == []


def test_page_over_max_results_fails():
    problems = check_run(run("p", ("Completed", ["a", "b"]), max_results=1))
    assert any("more than MaxResults 1" in p for p in problems)


def test_repeated_recording_and_never_completed_fail():
    problems = check_run(run("p", ("Searching", ["a"]), ("Searching", ["a"])))
    assert any("more than once" in p for p in problems)
    assert any("never Completed" in p for p in problems)


def test_recording_runs_agree_and_honour_max_matches():
    reference = run("ref", ("Completed", ["a", "b"]))
    shuffled = run("max 1", ("Searching", ["b"]), ("Completed", ["a"]), max_results=1)
    one = run("matches 1", ("Completed", ["b"]), max_matches=1)
    assert check_recording_runs([reference, shuffled, one], 2) == []


def test_recording_runs_catch_paging_that_changes_the_result():
    reference = run("ref", ("Completed", ["a", "b"]))
    short = run("min N+1", ("Completed", ["a"]))
    assert any(
        "paging parameters changed" in p for p in check_recording_runs([reference, short], 2)
    )


def test_recording_runs_catch_max_matches_ignored_and_empty():
    reference = run("ref", ("Completed", ["a", "b"]))
    ignored = run("matches 1", ("Completed", ["a", "b"]), max_matches=1)
    assert any("more than MaxMatches 1" in p for p in check_recording_runs([reference, ignored], 2))
    empty = run("matches 1", ("Completed", []), max_matches=1)
    assert any("expected 1" in p for p in check_recording_runs([reference, empty], 2))
    assert check_recording_runs([run("ref", ("Completed", []))], 0)


def test_event_runs():
    reference = run("ref", ("Completed", ["e1", "e2", "e3"]), max_matches=3)
    one = run("m1", ("Completed", ["e1"]), max_matches=1)
    paged = run(
        "m3 r1",
        ("Searching", ["e1"]),
        ("Searching", ["e2"]),
        ("Completed", ["e3"]),
        max_matches=3,
        max_results=1,
    )
    assert check_event_runs(reference, [one, paged]) == []
    # two recorded events may look alike: not a repeat
    twins = run("ref", ("Completed", ["e1", "e1"]), max_matches=3)
    assert check_event_runs(twins, [run("m1", ("Completed", ["e1"]), max_matches=1)]) == []


def test_event_runs_catch_ignored_max_matches_and_nothing_found():
    reference = run("ref", ("Completed", ["e1", "e2", "e3", "e4"]), max_matches=3)
    assert any("more than MaxMatches 3" in p for p in check_event_runs(reference, []))
    none = run("ref", ("Completed", []), max_matches=3)
    assert any("no event found" in p for p in check_event_runs(none, []))
    reference = run("ref", ("Completed", ["e1", "e2"]), max_matches=3)
    empty = run("m1", ("Completed", []), max_matches=1)
    assert any("expected 1" in p for p in check_event_runs(reference, [empty]))


VIDEO_ONLY = [{"token": "r1", "types": ["Video"]}]


def test_filter_conformant_including_empty_result():
    assert check_filter("video", ["Video"], VIDEO_ONLY, VIDEO_ONLY, "Completed") == []
    assert check_filter("audio", ["Audio"], [], VIDEO_ONLY, "Completed") == []


def test_filter_ignored_or_too_strict_fails():
    problems = check_filter("audio", ["Audio"], VIDEO_ONLY, VIDEO_ONLY, "Completed")
    assert any("no Audio track" in p for p in problems)
    problems = check_filter("video", ["Video"], [], VIDEO_ONLY, "Completed")
    assert any("left out r1" in p for p in problems)
    assert check_filter("video", ["Video"], VIDEO_ONLY, VIDEO_ONLY, "Searching")


def _fault(*subcodes: str) -> Refusal:
    return Refusal(
        "fault",
        http_status=400,
        code=f"{{{SOAP_ENV_NS}}}Sender",
        subcodes=tuple(f"{{{ONVIF_ERROR_NS}}}{s}" for s in subcodes),
    )


def test_ended_conformant():
    ends = {"FindRecordings": Refusal("answered"), "FindEvents": Refusal("answered")}
    after = [
        ("GetRecordingSearchResults", _fault("InvalidArgVal", "InvalidToken")),
        ("EndSearch", _fault("InvalidArgVal", "InvalidToken")),
        ("GetEventSearchResults", _fault("InvalidArgVal", "InvalidToken")),
    ]
    assert check_ended(ends, after) == []


def test_ended_session_still_answering_or_wrong_fault_fails():
    ends = {"FindRecordings": Refusal("answered")}
    problems = check_ended(ends, [("GetRecordingSearchResults", Refusal("answered"))])
    assert any("session EndSearch ended" in p for p in problems)
    problems = check_ended(ends, [("EndSearch", _fault("InvalidArgVal", "NoRecording"))])
    assert problems
    problems = check_ended(
        {"FindRecordings": _fault("InvalidArgVal", "InvalidToken")},
        [("GetRecordingSearchResults", _fault("InvalidArgVal", "InvalidToken"))],
    )
    assert any("EndSearch of the live" in p for p in problems)


def test_lifetimes():
    from conformance.checks.search_paging import check_lifetimes

    good = {
        "recordings search": {"within": Refusal("answered"), "after": _fault("InvalidArgVal")},
        "events search": {
            "within": Refusal("answered"),
            "after": _fault("InvalidArgVal", "InvalidToken"),
        },
    }
    assert check_lifetimes(good) == []
    never_expires = {"events search": {"within": Refusal("answered"), "after": Refusal("answered")}}
    assert any("should have expired" in p for p in check_lifetimes(never_expires))
    too_early = {"recordings search": {"within": _fault("InvalidToken"), "after": _fault()}}
    assert any("within its KeepAliveTime" in p for p in check_lifetimes(too_early))
