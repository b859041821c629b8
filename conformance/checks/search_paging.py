"""Checks of how a Recording Search session hands out its results (ONVIF Recording Search:
FindRecordings/FindEvents with MaxMatches, GetRecordingSearchResults/GetEventSearchResults with
MinResults, MaxResults and WaitTime, the scope's RecordingInformationFilter, and EndSearch).

A run is one search session, driven to SearchState Completed: its request parameters and one
small view per result page (``state`` and ``results``, each result a hashable key: a recording
token, or an event's recording, track, time, topic, start state and data). Checks take views and
return a list of problems, empty when conformant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from conformance.checks.device import Refusal
from conformance.checks.faults import Probe, check_invalid_token, describe


def _local(value: Any) -> str:
    """An enum value or QName text as its local part (``tt:Completed`` -> ``Completed``)."""
    return str(getattr(value, "value", value) or "").rsplit(":", 1)[-1].strip()


def page_view(reply: Any, kind: str) -> dict[str, Any]:
    """A GetRecordingSearchResults (``kind`` "recordings") or GetEventSearchResults ("events")
    response -> its search state and result keys."""
    from conformance.checks.recording import event_view

    result_list = getattr(reply, "ResultList", reply)
    state = _local(getattr(result_list, "SearchState", ""))
    if kind == "recordings":
        items = getattr(result_list, "RecordingInformation", None) or []
        return {"state": state, "results": [str(getattr(i, "RecordingToken", "")) for i in items]}
    keys = []
    for item in getattr(result_list, "Result", None) or []:
        view = event_view(item)
        keys.append(
            "|".join(
                (
                    view["recording"],
                    str(getattr(item, "TrackToken", "")),
                    f"{view['time']:.3f}" if view["time"] is not None else "no-time",
                    str(view["topic"]),
                    str(view["start_state"]),
                    ",".join(f"{k}={v}" for k, v in sorted(view["data"].items())),
                )
            )
        )
    return {"state": state, "results": keys}


def tracks_view(information: Any) -> dict[str, Any]:
    """tt:RecordingInformation -> token and the set of its track types."""
    types = {_local(getattr(t, "TrackType", "")) for t in getattr(information, "Track", None) or []}
    return {"token": str(getattr(information, "RecordingToken", "")), "types": sorted(types)}


def results_of(run: dict[str, Any]) -> list[str]:
    return [r for page in run["pages"] for r in page["results"]]


def check_run(run: dict[str, Any], unique: bool = True) -> list[str]:
    """One session: no page over MaxResults, nothing handed out twice (``unique``: results that
    are told apart by their keys, as recordings are by token; two recorded events may look
    alike), no more than MaxMatches in all, and SearchState Completed on the last page."""
    label, pages = run["label"], run["pages"]
    if not pages:
        return [f"{label}: no result page was obtained"]
    problems = []
    max_results, max_matches = run.get("max_results"), run.get("max_matches")
    if max_results is not None:
        over = [len(p["results"]) for p in pages if len(p["results"]) > max_results]
        if over:
            problems.append(
                f"{label}: a result page holds {max(over)} results, more than MaxResults "
                f"{max_results}"
            )
    results = results_of(run)
    again = sorted(k for k, n in Counter(results).items() if n > 1)
    if unique and again:
        problems.append(
            f"{label}: {len(again)} result(s) handed out more than once in the session, "
            f"e.g. {again[0]}"
        )
    if max_matches is not None and len(results) > max_matches:
        problems.append(
            f"{label}: {len(results)} results in all, more than MaxMatches {max_matches}"
        )
    if pages[-1]["state"] != "Completed":
        problems.append(
            f"{label}: SearchState is {pages[-1]['state'] or 'missing'} after {len(pages)} "
            "result request(s), never Completed"
        )
    return problems


def check_recording_runs(runs: list[dict[str, Any]], recordings: int | None) -> list[str]:
    """FindRecordings sessions: each :func:`check_run`; those without MaxMatches return the same
    recordings as the first (MinResults, MaxResults and WaitTime change the paging, not the
    result); one with MaxMatches m returns min(m, recordings) of them. ``recordings``: how many
    the device holds (GetRecordingSummary NumberRecordings), None if unknown."""
    if not runs:
        return ["no FindRecordings session was run"]
    problems = [p for run in runs for p in check_run(run)]
    unbounded = [r for r in runs if r.get("max_matches") is None]
    reference = set(results_of(unbounded[0])) if unbounded else None
    if reference is not None and not reference:
        problems.append(f"{unbounded[0]['label']}: FindRecordings found no recording")
    for run in unbounded[1:]:
        found = set(results_of(run))
        if found != reference:
            problems.append(
                f"{run['label']}: found {sorted(found)}, but {unbounded[0]['label']} found "
                f"{sorted(reference or ())}: paging parameters changed the result"
            )
    for run in runs:
        matches = run.get("max_matches")
        total = len(reference) if reference else recordings
        if matches is None or not total:
            continue
        found = results_of(run)
        if len(found) < min(matches, total):
            problems.append(
                f"{run['label']}: {len(found)} recording(s) found, expected "
                f"{min(matches, total)} (MaxMatches {matches}, {total} recording(s) held)"
            )
        if reference is not None and set(found) - reference:
            problems.append(f"{run['label']}: found recordings no unbounded search found")
    return problems


def check_event_runs(reference: dict[str, Any], runs: list[dict[str, Any]]) -> list[str]:
    """FindEvents sessions over the same window: ``reference`` with MaxMatches m (its count is
    the expected min(m, events)); each run of ``runs`` (smaller MaxMatches, or paging by
    MaxResults) returns min(its MaxMatches, reference count) events, all among the reference's
    when its MaxMatches is not larger."""
    problems = check_run(reference, unique=False)
    known = results_of(reference)
    if not known:
        problems.append(
            f"{reference['label']}: no event found over the recording's whole span (a device "
            "shall record its RecordingHistory events)"
        )
    for run in runs:
        problems += check_run(run, unique=False)
        found = results_of(run)
        matches = run.get("max_matches") or len(known)
        expected = min(matches, len(known))
        if known and len(found) < expected:
            problems.append(
                f"{run['label']}: {len(found)} event(s) found, expected {expected} "
                f"(MaxMatches {matches}; the reference search found {len(known)})"
            )
        if matches >= len(known) and set(found) - set(known):
            problems.append(f"{run['label']}: found events the reference search did not")
    return problems


def check_filter(
    label: str,
    wanted: Iterable[str],
    found: list[dict[str, Any]],
    everything: list[dict[str, Any]],
    state: str,
) -> list[str]:
    """A FindRecordings session scoped by a RecordingInformationFilter on track types:
    ``found`` (its recordings, with their own track types) holds exactly those of
    ``everything`` (an unfiltered search) that have a track of every ``wanted`` type."""
    wanted = set(wanted)
    problems = []
    if not everything:
        return [f"{label}: an unfiltered FindRecordings found no recording to filter"]
    for item in found:
        missing = wanted - set(item["types"])
        if missing:
            problems.append(
                f"{label}: returned recording {item['token']}, which has no "
                f"{', '.join(sorted(missing))} track (its tracks: "
                f"{', '.join(item['types']) or 'none'})"
            )
    tokens = {item["token"] for item in found}
    left_out = sorted(
        i["token"] for i in everything if wanted <= set(i["types"]) and i["token"] not in tokens
    )
    if left_out:
        problems.append(
            f"{label}: left out {', '.join(left_out)}, which has "
            f"{' and '.join(sorted(wanted))} track(s)"
        )
    if state != "Completed":
        problems.append(f"{label}: SearchState is {state or 'missing'}, never Completed")
    return problems


ENDED_PROBES = {
    "GetRecordingSearchResults": Probe(
        "Recording Search (ended session)", "search", "GetRecordingSearchResults", ("InvalidToken",)
    ),
    "GetEventSearchResults": Probe(
        "Recording Search (ended session)", "search", "GetEventSearchResults", ("InvalidToken",)
    ),
    "EndSearch": Probe(
        "Recording Search (ended session)", "search", "EndSearch", ("InvalidToken",)
    ),
}


def check_ended(ends: dict[str, Refusal], after: list[tuple[str, Refusal]]) -> list[str]:
    """``ends``: how EndSearch of each live session (by label) was answered; ``after``: each
    request made on an ended session's token (operation name, answer). EndSearch of a live
    session answers; every later request on its token gets env:Sender/ter:InvalidArgVal/
    ter:InvalidToken."""
    problems = []
    if not ends or not after:
        return ["no search session was ended and asked again"]
    for label, answer in ends.items():
        if answer.kind != "answered":
            problems.append(f"EndSearch of the live {label} session answered {describe(answer)}")
    for operation, answer in after:
        problems += [
            p.replace("a token the device never issued", "the token of a session EndSearch ended")
            for p in check_invalid_token(ENDED_PROBES[operation], answer)
        ]
    return problems


def check_lifetimes(lifetimes: dict[str, dict[str, Refusal]]) -> list[str]:
    """Per search kind (label): ``within``, the answer to a result request made KeepAliveTime
    less one second after the Find; ``after``, the answer to one made on another session left
    idle for longer than KeepAliveTime. The first must answer, the second must be a SOAP fault
    (env:Sender/ter:InvalidArgVal/ter:InvalidToken is the fault table's; ONVIF's test cases
    accept any)."""
    if not lifetimes:
        return ["no search session was timed"]
    problems = []
    for label, answers in lifetimes.items():
        within, after = answers.get("within"), answers.get("after")
        if within is None or within.kind != "answered":
            shown = describe(within) if within else "nothing"
            problems.append(f"{label}: a session used within its KeepAliveTime answered {shown}")
        if after is None or after.kind != "fault":
            shown = describe(after) if after else "nothing"
            problems.append(
                f"{label}: a session idle for longer than its KeepAliveTime answered {shown}, "
                "not a SOAP fault (it should have expired)"
            )
    return problems
