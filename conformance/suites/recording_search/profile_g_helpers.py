"""What the recording-search and replay suites share: the device clock, the recordings, search
sessions driven to completion, and cached replay captures.

Windows are placed by the device's own clock (GetSystemDateAndTime), never by anything the
search service reports, so one wrong answer cannot move the window another check relies on.
Every loop is bounded (rounds, seconds); cache keys are shared with conformance.prefetch.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from conformance.checks.device import clock_offset, device_utc
from conformance.checks.recording import epoch, summary_view
from conformance.outcomes import Inconclusive

REPLAY_SETUP = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
REPLAY_PROTOCOLS = {"tcp": "RTSP", "http": "HTTP", "udp": "UDP"}
"""The GetReplayUri StreamSetup protocol for each replay transport: RTP/RTSP/TCP is asked for
as RTSP (RTP interleaved on the RTSP connection), RTSP over HTTP as HTTP, RTP/UDP unicast as
UDP (ONVIF's REPLAY-3-1-x cases ask for each so)."""


def device_clock_offset(device: Any) -> float:
    """Device UTC minus local time, in seconds (cached per run).

    A device that gives no UTCDateTime (seen in the field: agsh/onvif PR #65) fails
    ONVIF-DEV-TIME-02 for it; here windows are then placed by the test host's clock (offset 0,
    noted), as clients such as Home Assistant fall back, so Profile G is still judged."""

    def measure() -> float:
        sent = time.time()
        reply = device.call("devicemgmt", "GetSystemDateAndTime")
        received = time.time()
        utc = device_utc(reply)
        if utc is None:
            if getattr(reply, "LocalDateTime", None) is None:
                raise Inconclusive("GetSystemDateAndTime gave neither UTCDateTime nor local time")
            with contextlib.suppress(AttributeError):
                device.notes.append(
                    "GetSystemDateAndTime gave no UTCDateTime (ONVIF-DEV-TIME-02): recording "
                    "windows placed by the test host's clock"
                )
            return 0.0
        return clock_offset(utc, sent, received)[0]

    return device.cached("g:clock_offset", measure)


def device_now(device: Any) -> float:
    """The device's current UTC time as epoch seconds."""
    return time.time() + device_clock_offset(device)


def as_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def search_results(
    device: Any, find: str, results: str, rounds: int = 20, **find_params: Any
) -> list[Any]:
    """Start a search, collect its results until Completed (at most ``rounds`` requests), and
    end it; returns the raw results."""
    token = device.call("search", find, **find_params)
    token = getattr(token, "SearchToken", token)
    collected: list[Any] = []
    try:
        for _ in range(rounds):
            reply = device.call("search", results, SearchToken=token, WaitTime=timedelta(seconds=1))
            result_list = getattr(reply, "ResultList", reply)
            items = (
                getattr(result_list, "RecordingInformation", None)
                if results == "GetRecordingSearchResults"
                else getattr(result_list, "Result", None)
            )
            collected += list(items or [])
            if str(getattr(result_list, "SearchState", "")) == "Completed":
                return collected
        raise Inconclusive(f"{find}: search not Completed after {rounds} result requests")
    finally:
        # A session that already ended is not this check's concern.
        with contextlib.suppress(Exception):
            device.call("search", "EndSearch", SearchToken=token)


def find_recordings(device: Any, keepalive_s: float = 10, rounds: int = 20) -> list[str]:
    """Tokens FindRecordings returns without a restricting scope (cached)."""

    def find() -> list[str]:
        found = search_results(
            device,
            "FindRecordings",
            "GetRecordingSearchResults",
            rounds,
            Scope={},
            KeepAliveTime=timedelta(seconds=keepalive_s),
        )
        return [str(getattr(info, "RecordingToken", "")) for info in found]

    return device.cached("g:find_recordings", find)


def listed_recordings(device: Any) -> list[Any]:
    """GetRecordings items (cached); Inconclusive if Recording Control is not offered."""
    return device.cached(
        "g:get_recordings", lambda: list(device.call("recording", "GetRecordings") or [])
    )


def recording_tokens(device: Any) -> list[str]:
    """The recordings to replay: GetRecordings where offered, else FindRecordings."""
    if device.offers("recording"):
        return [str(item.RecordingToken) for item in listed_recordings(device)]
    return find_recordings(device)


def first_recording(device: Any) -> str:
    tokens = recording_tokens(device)
    if not tokens:
        raise AssertionError("the device lists no recording to search or replay")
    return tokens[0]


def replay_recording(device: Any) -> str:
    """The recording to replay, found as ONVIF's replay test cases (REPLAY-3-x) find it: by
    Recording Search (FindRecordings, GetRecordingSearchResults until Completed, EndSearch).
    Of the found recordings, the one GetRecordings lists first where it is among them (the
    recording the search suite judges), else the first found. Cached; a search that finds none
    is judged by SEARCH-FIND-01, so each replay check reports itself blocked by it."""

    def pick() -> str:
        found = find_recordings(device)
        if not found:
            raise AssertionError("FindRecordings found no recording to replay")
        listed = recording_tokens(device) if device.offers("recording") else []
        return next((token for token in listed if token in found), found[0])

    return device.cached("g:replay_recording", pick, judge="SEARCH-FIND-01")


def wait_for_recording(device: Any, needed_s: float, wait_s: float) -> float:
    """Wait (at most ``wait_s``) until the recording holds ``needed_s`` of data before now;
    returns the seconds waited. A summary that cannot be trusted (no DataFrom, or DataFrom in
    the future) does not hold the test up: the check that judges it will say so."""
    started = time.monotonic()
    while time.monotonic() - started < wait_s:
        summary = summary_view(device.call("search", "GetRecordingSummary"))
        first, now = summary["data_from"], device_now(device)
        if first is None or first > now or now - first >= needed_s:
            break
        time.sleep(min(0.5, max(0.0, needed_s - (now - first))))
    return time.monotonic() - started


def replay_url(device: Any, token: str, transport: str = "tcp") -> str:
    """GetReplayUri for ``transport`` (``tcp``: Protocol RTSP, ``http``: HTTP, ``udp``: UDP),
    on the device's own host if it said otherwise (cached per recording and transport)."""
    from conformance.dut import with_host

    setup = {**REPLAY_SETUP, "Transport": {"Protocol": REPLAY_PROTOCOLS[transport]}}

    def ask() -> str:
        uri = str(device.call("replay", "GetReplayUri", StreamSetup=setup, RecordingToken=token))
        from urllib.parse import urlsplit

        return (
            with_host(uri, device.device.host)
            if urlsplit(uri).hostname != (device.device.host)
            else uri
        )

    key = f"g:replay_url:{token}" + ("" if transport == "tcp" else f":{transport}")
    return device.cached(key, ask)


def replay_window(
    device: Any,
    name: str,
    params: dict[str, Any],
    *,
    reverse: bool = False,
    rate_control: bool = False,
    intra_only: bool = False,
    transport: str = "tcp",
) -> tuple[float, float, Any, float]:
    """(T1, T2, capture, elapsed seconds) of a replay of ``[now - offset_s, + length_s]``,
    cached under ``replay:<name>:<offset>:<length>``."""
    from conformance.clients.replay import replay

    key = f"replay:{name}:{params['offset_s']}:{params['length_s']}"

    def run() -> tuple[float, float, Any, float]:
        token = replay_recording(device)
        wait_for_recording(device, params["offset_s"] + 1.0, params.get("wait_s", 12.0))
        url = replay_url(device, token, transport)
        start = device_now(device) - params["offset_s"]
        end = start + params["length_s"]
        first, last = (end, start) if reverse else (start, end)
        began = time.monotonic()
        capture = replay(
            url,
            device.device.username,
            device.device.password,
            start=as_datetime(first),
            end=as_datetime(last),
            scale=-1.0 if reverse else 1.0,
            rate_control=rate_control,
            intra_only=intra_only,
            transport=transport,
            timeout=device.timeout,
            max_seconds=params.get("max_seconds", 6.0),
        )
        return start, end, capture, time.monotonic() - began

    return device.cached(key, run)


def record_capture(evidence: Any, start: float, end: float, capture: Any, elapsed: float) -> list:
    """Put a replay capture in a verdict's evidence (the requested window, the PLAY reply, the
    first and last access units, the SDP and the RTSP transcript the verdict rests on) and
    return its per-unit views."""
    from conformance.checks.recording import replay_units_view, utc_text

    units = replay_units_view(capture)
    evidence.measure("requested", {"from": utc_text(start), "to": utc_text(end)})
    evidence.measure("play_headers", dict(capture.play_headers))
    evidence.measure("units", len(units))
    evidence.measure("elapsed_s", round(elapsed, 3))
    evidence.measure("first_units", [{**u, "time": utc_text(u["time"])} for u in units[:5]])
    evidence.measure("last_units", [{**u, "time": utc_text(u["time"])} for u in units[-3:]])
    for note in capture.notes:
        evidence.note(note)
    evidence.attach_text("replay SDP", capture.sdp)
    evidence.attach_exchanges("replay-rtsp-transcript", capture.exchanges)
    return units


def recorded_gap_starts(device: Any, params: dict[str, Any]) -> list[float]:
    """When the first recording stopped (Recording/State false events found by FindEvents over
    the last ``search_back_s``), waiting until ``after_s`` of data followed the first stop."""
    from conformance.checks.recording import event_view, gap_starts

    token = replay_recording(device)
    wait_for_recording(device, params["before_s"] + params["after_s"] + 4.0, params["wait_s"])
    now = device_now(device)
    results = search_results(
        device,
        "FindEvents",
        "GetEventSearchResults",
        20,
        StartPoint=as_datetime(now - params["search_back_s"]),
        EndPoint=as_datetime(now),
        Scope={"IncludedRecordings": [token]},
        SearchFilter={},
        IncludeStartState=False,
        KeepAliveTime=timedelta(seconds=10),
    )
    return gap_starts([event_view(r) for r in results])


def replay_around(
    device: Any, name: str, moment: float, params: dict[str, Any]
) -> tuple[float, float, Any, float]:
    """A forward replay (Rate-Control: no) of ``[moment - before_s, moment + after_s]``."""
    from conformance.clients.replay import replay

    def run() -> tuple[float, float, Any, float]:
        deadline = time.monotonic() + params["wait_s"]
        while device_now(device) < moment + params["after_s"] + 1.0:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        start, end = moment - params["before_s"], moment + params["after_s"]
        began = time.monotonic()
        capture = replay(
            replay_url(device, replay_recording(device)),
            device.device.username,
            device.device.password,
            start=as_datetime(start),
            end=as_datetime(end),
            rate_control=False,
            timeout=device.timeout,
            max_seconds=params["max_seconds"],
        )
        return start, end, capture, time.monotonic() - began

    return device.cached(f"replay:{name}", run)


def first_of(values: Any) -> Any:
    items = list(values or [])
    return items[0] if items else None


__all__ = ["epoch"]
