"""Checks of ONVIF Profile G: recording search, recording control and replay.

Extractors turn zeep replies and replay captures into small plain views (times as float seconds
since the Unix epoch, UTC), so the evidence shows exactly what was judged; checks take views and
return a list of problems, empty when conformant.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

VIDEO_CODECS = {
    "H264": "H264",
    "H.264": "H264",
    "H265": "H265",
    "H.265": "H265",
    "HEVC": "H265",
    "JPEG": "JPEG",
    "MPEG4": "MPEG4",
    "MP4V-ES": "MPEG4",
}


def epoch(value: Any) -> float | None:
    """A zeep xs:dateTime (datetime; naive means UTC) or ISO text as epoch seconds."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return None


def utc_text(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def normal_codec(name: Any) -> str:
    text = str(name or "").strip().upper()
    return VIDEO_CODECS.get(text, text)


# --- search ------------------------------------------------------------------------------


def summary_view(reply: Any) -> dict[str, Any]:
    """GetRecordingSummaryResponse -> number and span."""
    summary = getattr(reply, "Summary", reply)
    return {
        "number": getattr(summary, "NumberRecordings", None),
        "data_from": epoch(getattr(summary, "DataFrom", None)),
        "data_until": epoch(getattr(summary, "DataUntil", None)),
    }


def check_summary(summary: dict[str, Any], device_now: float, tolerance_s: float) -> list[str]:
    problems = []
    number, first, last = summary["number"], summary["data_from"], summary["data_until"]
    if not isinstance(number, int) or number < 1:
        problems.append(f"NumberRecordings is {number!r}, expected >= 1 for a recording device")
    if first is None or last is None:
        problems.append("DataFrom or DataUntil missing or not an xs:dateTime")
        return problems
    if first > last:
        problems.append(f"DataFrom {utc_text(first)} is after DataUntil {utc_text(last)}")
    if last > device_now + tolerance_s:
        problems.append(
            f"DataUntil {utc_text(last)} is {last - device_now:.1f} s after the device's own UTC "
            f"time {utc_text(device_now)} (local time written as UTC?)"
        )
    return problems


def check_found_recordings(
    found: list[str], expected: list[str] | None, count: int | None
) -> list[str]:
    """``expected``: the tokens GetRecordings lists (None if Recording Control is not offered,
    then ``count`` from GetRecordingSummary is the reference)."""
    problems = []
    duplicates = sorted({t for t in found if found.count(t) > 1})
    if duplicates:
        problems.append(f"FindRecordings returned {', '.join(duplicates)} more than once")
    if expected is not None:
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        if missing:
            problems.append(
                f"FindRecordings did not find {', '.join(missing)} (GetRecordings lists it)"
            )
        if extra:
            problems.append(f"FindRecordings returned unknown recording(s) {', '.join(extra)}")
    elif count is not None and len(set(found)) != count:
        problems.append(
            f"FindRecordings found {len(set(found))} recording(s), "
            f"GetRecordingSummary counts {count}"
        )
    if not found and not problems:
        problems.append("FindRecordings found no recording")
    return problems


def event_view(result: Any) -> dict[str, Any]:
    """tt:FindEventResult -> recording, time, topic, start state."""
    event = getattr(result, "Event", None)
    topic = getattr(event, "Topic", None)
    topic_text = getattr(topic, "_value_1", topic)
    return {
        "recording": str(getattr(result, "RecordingToken", "")),
        "time": epoch(getattr(result, "Time", None)),
        "topic": str(topic_text) if topic_text is not None else None,
        "start_state": bool(getattr(result, "StartStateEvent", False)),
        "data": _simple_items(getattr(event, "Message", None), "Data"),
    }


def _simple_items(message: Any, part: str) -> dict[str, str]:
    """Name -> Value of the tt:SimpleItems under tt:Message/tt:<part> (zeep keeps wsnt:Message
    content as an lxml element, or as an object with ``_value_1``)."""
    element = getattr(message, "_value_1", message)
    if element is None:
        return {}
    if not hasattr(element, "iter"):  # zeep parsed tt:Message into an object
        items = getattr(getattr(element, part, None), "SimpleItem", None) or []
        return {str(i.Name): str(i.Value) for i in items if getattr(i, "Name", None)}
    items = {}
    for node in element.iter():
        if not isinstance(node.tag, str) or not node.tag.endswith("}" + part):
            continue
        for item in node:
            if isinstance(item.tag, str) and item.get("Name") is not None:
                items[item.get("Name")] = item.get("Value", "")
    return items


def gap_starts(events: list[dict[str, Any]]) -> list[float]:
    """Times at which the recording stopped (Recording/State or Track/State = false; zeep drops
    the text of wsnt:Topic, so a topic-less event counts by its State data item)."""
    stopping = ("RecordingHistory/Recording/State", "RecordingHistory/Track/State")
    return sorted(
        e["time"]
        for e in events
        if e["time"] is not None
        and not e["start_state"]
        and (e["topic"] is None or str(e["topic"]).endswith(stopping))
        and str(e.get("data", {}).get("State", "")).lower() in ("false", "0")
    )


def check_event_search(
    forward: list[dict[str, Any]],
    backward: list[dict[str, Any]],
    low: float,
    high: float,
    slack_s: float = 0.001,
) -> list[str]:
    """Forward results ascending, backward descending, all within [low, high], same events."""
    problems = []
    for name, results in (("forward", forward), ("backward", backward)):
        times = [r["time"] for r in results]
        if any(t is None for t in times):
            problems.append(f"{name} search: a result has no valid Time")
            continue
        outside = [t for t in times if not low - slack_s <= t <= high + slack_s]
        if outside:
            problems.append(
                f"{name} search returned {len(outside)} event(s) outside "
                f"{utc_text(low)}..{utc_text(high)}, e.g. {utc_text(outside[0])}"
            )
        ordered = sorted(times, reverse=name == "backward")
        if times != ordered:
            problems.append(
                f"{name} search results are not in "
                f"{'descending' if name == 'backward' else 'ascending'} time order"
            )
    if not forward:
        problems.append(
            "forward FindEvents with IncludeStartState returned nothing (not even "
            "the recording's start state)"
        )

    def key(r: dict[str, Any]) -> tuple:
        return (r["recording"], r["topic"], round(r["time"] or 0, 3), r["start_state"])

    plain_forward = sorted(key(r) for r in forward if not r["start_state"])
    plain_backward = sorted(key(r) for r in backward if not r["start_state"])
    if plain_forward != plain_backward:
        problems.append(
            f"forward and backward searches disagree ({len(plain_forward)} vs "
            f"{len(plain_backward)} events)"
        )
    return problems


def information_view(info: Any) -> dict[str, Any]:
    """tt:RecordingInformation -> token, span, tracks."""
    tracks = [
        {
            "token": str(getattr(t, "TrackToken", "")),
            "type": str(getattr(t, "TrackType", "")),
            "data_from": epoch(getattr(t, "DataFrom", None)),
            "data_to": epoch(getattr(t, "DataTo", None)),
        }
        for t in (getattr(info, "Track", None) or [])
    ]
    return {
        "token": str(getattr(info, "RecordingToken", "")),
        "earliest": epoch(getattr(info, "EarliestRecording", None)),
        "latest": epoch(getattr(info, "LatestRecording", None)),
        "status": str(getattr(info, "RecordingStatus", "")),
        "tracks": tracks,
    }


def attributes_view(attributes: Any) -> dict[str, Any]:
    """tt:MediaAttributes -> the video track's codec, size and rate."""
    videos = []
    for track in getattr(attributes, "TrackAttributes", None) or []:
        video = getattr(track, "VideoAttributes", None)
        if video is not None:
            videos.append(
                {
                    "codec": normal_codec(getattr(video, "Encoding", None)),
                    "width": getattr(video, "Width", None),
                    "height": getattr(video, "Height", None),
                    "fps": float(getattr(video, "Framerate", 0) or 0),
                }
            )
    return {"token": str(getattr(attributes, "RecordingToken", "")), "video": videos}


def check_recording_info(
    info: dict[str, Any],
    attributes: list[dict[str, Any]],
    replayed: dict[str, Any],
    tolerance_s: float,
    fps_tolerance: float,
) -> list[str]:
    """``replayed``: codec (SDP), measured fps and first NTP time of a replay from earliest."""
    problems = []
    earliest, latest = info["earliest"], info["latest"]
    if earliest is None or latest is None:
        return ["EarliestRecording or LatestRecording missing"]
    if earliest > latest:
        problems.append("EarliestRecording is after LatestRecording")
    videos = [t for t in info["tracks"] if t["type"] == "Video"]
    if not videos:
        problems.append("no video track in RecordingInformation")
    for track in videos:
        if track["data_from"] is None or track["data_to"] is None:
            problems.append(f"track {track['token']}: DataFrom/DataTo missing")
        elif track["data_from"] < earliest - tolerance_s or track["data_to"] > latest + tolerance_s:
            problems.append(f"track {track['token']}: data outside the recording's span")
    mine = [a for a in attributes if a["token"] == info["token"]]
    if not mine or not mine[0]["video"]:
        problems.append("GetMediaAttributes describes no video track for the recording")
    else:
        video = mine[0]["video"][0]
        if replayed.get("codec") and video["codec"] != replayed["codec"]:
            problems.append(
                f"GetMediaAttributes Encoding {video['codec']} but the replay is "
                f"{replayed['codec']}"
            )
        fps = replayed.get("fps")
        if fps and abs(video["fps"] - fps) > fps_tolerance * fps:
            problems.append(
                f"GetMediaAttributes Framerate {video['fps']:g} but the recording "
                f"replays at {fps:.2f} fps"
            )
    first = replayed.get("first_time")
    if first is None:
        problems.append("a replay from EarliestRecording delivered no timed access unit")
    elif abs(first - earliest) > tolerance_s:
        problems.append(
            f"replay from EarliestRecording {utc_text(earliest)} starts at {utc_text(first)} "
            f"({first - earliest:+.1f} s): the reported times do not match the recorded data"
        )
    return problems


def check_recording_list(
    recordings: dict[str, int],
    jobs: dict[str, str],
    job_states: dict[str, str | None],
    options: dict[str, str | None],
) -> list[str]:
    """recordings: token -> track count; jobs: job -> recording; job_states: job -> recording
    named by its state (None: failed); options: recording -> error (None: answered)."""
    problems = []
    if not recordings:
        problems.append("GetRecordings lists no recording")
    for token, tracks in recordings.items():
        if tracks < 1:
            problems.append(f"recording {token} has no track")
        if token not in jobs.values():
            problems.append(f"recording {token} has no recording job")
        if options.get(token):
            problems.append(f"GetRecordingOptions({token}) failed: {options[token]}")
    for job, recording in jobs.items():
        if recording not in recordings:
            problems.append(f"job {job} records into unknown recording {recording}")
        if job_states.get(job) != recording:
            problems.append(
                f"GetRecordingJobState({job}) names {job_states.get(job)!r}, expected {recording}"
            )
    return problems


# --- replay ------------------------------------------------------------------------------


def replay_units_view(capture: Any) -> list[dict[str, Any]]:
    """ReplayCapture -> one small dict per access unit (what the replay checks judge)."""
    units = []
    for unit in capture.units:
        ext = unit.extension
        units.append(
            {
                "seq": unit.first_seq,
                "keyframe": unit.keyframe,
                "time": ext.time_utc.timestamp() if ext else None,
                "c": ext.clean_point if ext else None,
                "e": ext.end if ext else None,
                "d": ext.discontinuity if ext else None,
                "t": ext.terminal if ext else None,
                "cseq": ext.cseq if ext else None,
                "ext_later": unit.extension_on_later_packet,
            }
        )
    return units


def check_tag(tag_refused: bool, sdp: str) -> list[str]:
    problems = []
    if tag_refused:
        problems.append("Require: onvif-replay answered 551 Option not supported")
    if "a=x-onvif-track" not in sdp:
        problems.append("the replay SDP has no a=x-onvif-track attribute")
    return problems


def _timed(units: list[dict[str, Any]]) -> list[str]:
    if not units:
        return ["the replay delivered no access unit"]
    missing = sum(1 for u in units if u["time"] is None)
    if missing:
        return [
            f"{missing} of {len(units)} access units carry no 0xABAC extension, so their "
            "times cannot be read"
        ]
    return []


def check_range(
    units: list[dict[str, Any]],
    start: float,
    end: float,
    gop_tolerance_s: float,
    start_tolerance_s: float,
    end_tolerance_s: float,
) -> list[str]:
    problems = _timed(units)
    if problems:
        return problems
    first = units[0]["time"]
    if first < start - gop_tolerance_s:
        problems.append(
            f"replay starts at {utc_text(first)}, {start - first:.2f} s before the "
            "requested start (more than a GOP)"
        )
    if first > start + start_tolerance_s:
        problems.append(
            f"replay starts at {utc_text(first)}, {first - start:.2f} s after the "
            f"requested start {utc_text(start)}"
        )
    late = [u["time"] for u in units if u["time"] > end + end_tolerance_s]
    if late:
        problems.append(
            f"{len(late)} access unit(s) after the range end {utc_text(end)}, up to "
            f"{max(late) - end:.2f} s past it: the closed range was not honoured"
        )
    return problems


def check_extension(units: list[dict[str, Any]], play_cseq: int) -> list[str]:
    problems = _timed(units)
    if problems:
        return problems
    later = sum(1 for u in units if u["ext_later"])
    if later:
        problems.append(f"{later} access unit(s) carry 0xABAC on a packet after the first")
    wrong_c = [i for i, u in enumerate(units) if bool(u["c"]) != bool(u["keyframe"])]
    if wrong_c:
        keyframes = sum(1 for u in units if u["keyframe"])
        flagged = sum(1 for u in units if u["c"])
        problems.append(
            f"C flag disagrees with the access unit type on {len(wrong_c)} unit(s) "
            f"({keyframes} keyframes, {flagged} flagged C)"
        )
    times = [u["time"] for u in units]
    backwards = sum(1 for a, b in zip(times, times[1:], strict=False) if b <= a)
    if backwards:
        problems.append(f"NTP time does not increase on {backwards} access unit(s)")
    wrong_cseq = {u["cseq"] for u in units} - {play_cseq & 0xFF}
    if wrong_cseq:
        problems.append(
            f"CSeq field {sorted(wrong_cseq)} differs from the PLAY's CSeq low byte "
            f"{play_cseq & 0xFF}"
        )
    return problems


def check_reverse(units: list[dict[str, Any]]) -> list[str]:
    problems = _timed(units)
    if problems:
        return problems
    seqs = [u["seq"] for u in units]
    if any(
        ((b - a) & 0xFFFF) == 0 or ((b - a) & 0xFFFF) > 0x8000
        for a, b in zip(seqs, seqs[1:], strict=False)
    ):
        problems.append("RTP sequence numbers do not increase")
    gops: list[list[dict[str, Any]]] = []
    for unit in units:
        if unit["keyframe"] or not gops:
            gops.append([])
        gops[-1].append(unit)
    if len(gops) < 2:
        return problems + [f"only {len(gops)} GOP delivered: reverse order cannot be judged"]
    starts = [g[0]["time"] for g in gops]
    if any(b >= a for a, b in zip(starts, starts[1:], strict=False)):
        problems.append("GOPs are not delivered in reverse time order (the replay runs forward)")
    for gop in gops:
        times = [u["time"] for u in gop]
        if times != sorted(times):
            problems.append("frames within a GOP are not in forward order")
            break
    missing_d = sum(1 for g in gops if not g[0]["d"])
    if missing_d:
        problems.append(f"{missing_d} of {len(gops)} GOPs lack the D flag on their first unit")
    return problems


def check_rate(elapsed_s: float, media_s: float, min_speedup: float, complete: bool) -> list[str]:
    problems = []
    if not complete:
        problems.append("the replay did not deliver the whole range before the bound")
    if media_s <= 0:
        return problems + ["the replay covered no media time"]
    speedup = media_s / max(elapsed_s, 1e-6)
    if speedup < min_speedup:
        problems.append(
            f"{media_s:.2f} s of recording took {elapsed_s:.2f} s ({speedup:.1f}x real "
            f"time), expected at least {min_speedup:g}x with Rate-Control: no"
        )
    return problems


def find_gaps(units: list[dict[str, Any]], gap_s: float) -> list[int]:
    """Indexes of units followed by a jump in NTP time larger than ``gap_s``."""
    times = [u["time"] for u in units]
    return [
        i
        for i in range(len(times) - 1)
        if times[i] is not None and times[i + 1] is not None and times[i + 1] - times[i] > gap_s
    ]


def check_gaps(
    units: list[dict[str, Any]], gaps: list[int], stop: float | None = None
) -> list[str]:
    """``stop``: when the device reported the recording stopped; the replay around it must
    show the gap (data missing), not continuous media."""
    problems = _timed(units)
    if problems:
        return problems
    if stop is not None and not gaps:
        problems.append(
            f"the recording reports a stop at {utc_text(stop)} but the replay around "
            "it shows no gap: the gap is papered over (or the replay ignored its range)"
        )
    unflagged = [i for i in gaps if not units[i]["e"]]
    if unflagged:
        problems.append(
            f"{len(unflagged)} of {len(gaps)} gap(s) not flagged: the access unit "
            f"before the gap at {utc_text(units[unflagged[0]]['time'])} has no E "
            "flag (the gap is papered over)"
        )
    return problems


def measured_fps(units: list[dict[str, Any]]) -> float | None:
    """Frame rate from the median NTP spacing of consecutive units (gaps do not skew it)."""
    times = [u["time"] for u in units if u["time"] is not None]
    deltas = [b - a for a, b in zip(times, times[1:], strict=False) if b > a]
    if not deltas:
        return None
    return 1.0 / statistics.median(deltas)
