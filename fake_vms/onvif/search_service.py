"""The ONVIF Recording Search service (ver10, tse) of one recording camera.

Searches run to completion at once (the store is local), but results are still handed out
through search sessions as the spec requires: a session lives while the client keeps using it
within its KeepAliveTime and is forgotten after that, so a stale token gets ter:InvalidToken.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lxml import etree

from fake_vms.onvif.profile_g_common import (
    CameraRecording,
    parse_duration,
    parse_utc,
    utc_text,
)
from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.search_filter import FilterError, matches
from fake_vms.onvif.soap import Operation, child_text, element, invalid_arg_val, sub
from fake_vms.recording.recorder import RECORDING_TOPIC, TRACK_TOPIC, VIDEO_TRACK
from fake_vms.recording.store import RecordedEvent, Recording

MAX_SESSIONS = 8
MAX_KEEPALIVE_S = 600.0
_CONCRETE = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"


@dataclass
class _Session:
    kind: str
    results: list[etree._Element]
    keepalive_s: float
    endpoint: datetime
    last_used: float = field(default_factory=time.monotonic)
    ended: bool = False
    """Ended by EndSearch but kept (knob search_ended_still_answers): not counted as open."""


class SearchService:
    """FindRecordings/FindEvents with result sessions, summary, information, media attributes."""

    def __init__(self, context: ServiceContext) -> None:
        self.camera = context.camera
        self.recording = CameraRecording(context)
        self._sessions: dict[str, _Session] = {}
        self._ids = itertools.count(1)
        self._issued: set[str] = set()

    def operations(self) -> dict[str, Operation]:
        return {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetRecordingSummary": self.get_recording_summary,
            "GetRecordingInformation": self.get_recording_information,
            "GetMediaAttributes": self.get_media_attributes,
            "FindRecordings": self.find_recordings,
            "GetRecordingSearchResults": self.get_recording_search_results,
            "FindEvents": self.find_events,
            "GetEventSearchResults": self.get_event_search_results,
            "GetSearchState": self.get_search_state,
            "EndSearch": self.end_search,
        }

    def capabilities(self) -> etree._Element:
        return element("tse:Capabilities", MetadataSearch=False, GeneralStartEvents=False)

    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("tse:GetServiceCapabilitiesResponse")
        response.append(self.capabilities())
        return response

    def get_recording_summary(self, _request: etree._Element) -> etree._Element:
        recording = self.recording.current()
        response = element("tse:GetRecordingSummaryResponse")
        summary = sub(response, "tse:Summary")
        if recording is None:
            now = utc_text(datetime.now().astimezone())
            sub(summary, "tt:DataFrom", now)
            sub(summary, "tt:DataUntil", now)
            sub(summary, "tt:NumberRecordings", 0)
        else:
            shift = timedelta(seconds=self.camera.knobs.search_summary_time_offset_s)
            sub(summary, "tt:DataFrom", utc_text(recording.start_utc + shift))
            sub(summary, "tt:DataUntil", utc_text(recording.end_utc + shift))
            sub(summary, "tt:NumberRecordings", 1)
        return response

    def _require_recording(self, token: str | None) -> Recording:
        recording = self.recording.current()
        if recording is None or token != recording.token:
            raise invalid_arg_val("InvalidToken", f"No recording with token {token!r}")
        return recording

    def get_recording_information(self, request: etree._Element) -> etree._Element:
        recording = self._require_recording(child_text(request, "RecordingToken"))
        response = element("tse:GetRecordingInformationResponse")
        self.recording.information(response, "tse:RecordingInformation", recording)
        return response

    def get_media_attributes(self, request: etree._Element) -> etree._Element:
        at = parse_utc(child_text(request, "Time"))
        if at is None:
            raise invalid_arg_val("InvalidArgs", "Time is missing or not an xs:dateTime")
        tokens = [
            (c.text or "").strip()
            for c in request
            if isinstance(c.tag, str) and etree.QName(c).localname == "RecordingTokens"
        ]
        recording = self.recording.current()
        response = element("tse:GetMediaAttributesResponse")
        for token in tokens or ([recording.token] if recording else []):
            recording = self._require_recording(token)
            if not recording.start_utc <= at <= recording.end_utc:
                continue
            attributes = sub(response, "tse:MediaAttributes")
            sub(attributes, "tt:RecordingToken", recording.token)
            track = sub(attributes, "tt:TrackAttributes")
            self.recording.track_information(track, "tt:TrackInformation", recording)
            video = sub(track, "tt:VideoAttributes")
            sub(video, "tt:Width", recording.width)
            sub(video, "tt:Height", recording.height)
            sub(video, "tt:Encoding", recording.codec)
            sub(video, "tt:Framerate", f"{recording.fps:g}")
            sub(attributes, "tt:From", self.recording.shifted(recording.start_utc))
            sub(attributes, "tt:Until", self.recording.shifted(recording.end_utc))
        return response

    # --- sessions -----------------------------------------------------------------------

    def _expire(self) -> None:
        if self.camera.knobs.search_keepalive_ignored:
            return
        now = time.monotonic()
        for token, session in list(self._sessions.items()):
            if now - session.last_used > session.keepalive_s:
                del self._sessions[token]

    def _open(
        self, request: etree._Element, kind: str, results: list[etree._Element], endpoint: datetime
    ) -> str:
        keepalive = parse_duration(child_text(request, "KeepAliveTime"))
        if keepalive is None or keepalive <= 0:
            raise invalid_arg_val("InvalidArgs", "KeepAliveTime is missing or not a duration")
        self._expire()
        if sum(not s.ended for s in self._sessions.values()) >= MAX_SESSIONS:
            raise invalid_arg_val("ResourceProblem", "Too many open searches")
        max_matches = child_text(request, "MaxMatches")
        if (
            max_matches
            and max_matches.isdigit()
            and not self.camera.knobs.search_max_matches_ignored
        ):
            results = results[: int(max_matches)]
        token = f"search-{next(self._ids)}"
        self._issued.add(token)
        self._sessions[token] = _Session(kind, results, min(keepalive, MAX_KEEPALIVE_S), endpoint)
        return token

    def _session(self, request: etree._Element, kind: str) -> tuple[str, _Session]:
        self._expire()
        token = child_text(request, "SearchToken") or ""
        session = self._sessions.get(token)
        if session is None or session.kind != kind:
            raise invalid_arg_val("InvalidToken", f"No search session {token!r}")
        session.last_used = time.monotonic()
        return token, session

    def _results(self, request: etree._Element, kind: str, tag: str) -> etree._Element:
        token, session = self._session(request, kind)
        max_results = child_text(request, "MaxResults")
        count = int(max_results) if max_results and max_results.isdigit() else None
        batch = session.results if count is None else session.results[:count]
        session.results = session.results[len(batch) :]
        response = element(tag)
        result_list = sub(response, "tse:ResultList")
        sub(result_list, "tt:SearchState", "Searching" if session.results else "Completed")
        for result in batch:
            result_list.append(result)
        return response

    def get_search_state(self, request: etree._Element) -> etree._Element:
        _, session = self._session(request, self._kind_of(request))
        response = element("tse:GetSearchStateResponse")
        sub(response, "tse:State", "Searching" if session.results else "Completed")
        return response

    def _kind_of(self, request: etree._Element) -> str:
        token = child_text(request, "SearchToken") or ""
        session = self._sessions.get(token)
        return session.kind if session else ""

    def end_search(self, request: etree._Element) -> etree._Element:
        token, session = self._session(request, self._kind_of(request))
        if self.camera.knobs.search_ended_still_answers:
            session.ended = True  # the quirk: the token stays valid
        else:
            del self._sessions[token]
        response = element("tse:EndSearchResponse")
        sub(response, "tse:Endpoint", utc_text(session.endpoint))
        return response

    # --- FindRecordings -----------------------------------------------------------------

    def find_recordings(self, request: etree._Element) -> etree._Element:
        recording = self.recording.current()
        included = _scope_recordings(request)
        results = []
        hidden = self.camera.knobs.search_hides_recording
        if recording is not None and not hidden and (not included or recording.token in included):
            holder = element("tt:RecordingInformation")
            self.recording.information(holder, "tt:RecordingInformation", recording)
            if self._in_filter(request, holder[0]):
                results.append(holder[0])
        endpoint = recording.end_utc if recording else datetime.now().astimezone()
        token = self._open(request, "recordings", results, endpoint)
        response = element("tse:FindRecordingsResponse")
        sub(response, "tse:SearchToken", token)
        return response

    def _in_filter(self, request: etree._Element, information: etree._Element) -> bool:
        """Whether the recording passes the scope's RecordingInformationFilter (if any)."""
        expression = _scope_filter(request)
        if not expression or self.camera.knobs.search_filter_ignored:
            return True
        try:
            return matches(expression, information)
        except FilterError as exc:
            raise invalid_arg_val("InvalidArgs", str(exc)) from exc

    def get_recording_search_results(self, request: etree._Element) -> etree._Element:
        if self.camera.knobs.search_token_ignored:
            token = child_text(request, "SearchToken") or ""
            if token not in self._issued:  # the quirk: a token never issued is an empty search
                response = element("tse:GetRecordingSearchResultsResponse")
                sub(sub(response, "tse:ResultList"), "tt:SearchState", "Completed")
                return response
        return self._results(request, "recordings", "tse:GetRecordingSearchResultsResponse")

    # --- FindEvents ---------------------------------------------------------------------

    def find_events(self, request: etree._Element) -> etree._Element:
        start = parse_utc(child_text(request, "StartPoint"))
        if start is None:
            raise invalid_arg_val("InvalidArgs", "StartPoint is missing or not an xs:dateTime")
        end = parse_utc(child_text(request, "EndPoint"))
        include_start = (child_text(request, "IncludeStartState") or "false") in ("true", "1")
        recording = self.recording.current()
        included = _scope_recordings(request)
        results: list[etree._Element] = []
        if recording is not None and (not included or recording.token in included):
            backward = end is not None and end < start
            low, high = (end, start) if backward else (start, end or recording.end_utc)
            if self.camera.knobs.search_events_outside_range:
                high = recording.end_utc  # the quirk: EndPoint is ignored
            store = self.recording.store
            assert store is not None  # a current recording comes from the store
            events = store.events(recording.token, low, high)
            if include_start:
                results += [
                    self._event(recording.token, e, start_state=True, at=start)
                    for e in _states_before(
                        store.events(recording.token, recording.start_utc, start), start
                    )
                ]
            ordered = reversed(events) if backward else events
            results += [self._event(recording.token, e) for e in ordered]
        endpoint = end or (recording.end_utc if recording else start)
        token = self._open(request, "events", results, endpoint)
        response = element("tse:FindEventsResponse")
        sub(response, "tse:SearchToken", token)
        return response

    def get_event_search_results(self, request: etree._Element) -> etree._Element:
        return self._results(request, "events", "tse:GetEventSearchResultsResponse")

    def _event(
        self,
        token: str,
        event: RecordedEvent,
        start_state: bool = False,
        at: datetime | None = None,
    ) -> etree._Element:
        """tt:FindEventResult holding the event as a wsnt:NotificationMessage."""
        moment = at or event.time_utc
        result = element("tt:Result")
        sub(result, "tt:RecordingToken", token)
        sub(result, "tt:TrackToken", event.source.get("Track", VIDEO_TRACK))
        sub(result, "tt:Time", utc_text(moment))
        holder = sub(result, "tt:Event")
        sub(holder, "wsnt:Topic", event.topic, Dialect=_CONCRETE)
        message = sub(
            sub(holder, "wsnt:Message"),
            "tt:Message",
            UtcTime=utc_text(moment),
            PropertyOperation="Initialized" if start_state else "Changed",
        )
        source = sub(message, "tt:Source")
        for name, value in event.source.items():
            sub(source, "tt:SimpleItem", Name=name, Value=value)
        data = sub(message, "tt:Data")
        for name, value in event.data.items():
            sub(data, "tt:SimpleItem", Name=name, Value=value)
        sub(result, "tt:StartStateEvent", start_state)
        return result


def _scope_recordings(request: etree._Element) -> set[str]:
    """The IncludedRecordings of the request's Scope (empty: no restriction)."""
    for child in request:
        if isinstance(child.tag, str) and etree.QName(child).localname == "Scope":
            return {
                (c.text or "").strip()
                for c in child
                if isinstance(c.tag, str) and etree.QName(c).localname == "IncludedRecordings"
            }
    return set()


def _scope_filter(request: etree._Element) -> str:
    """The RecordingInformationFilter of the request's Scope (empty: none)."""
    for child in request:
        if isinstance(child.tag, str) and etree.QName(child).localname == "Scope":
            for c in child:
                if (
                    isinstance(c.tag, str)
                    and etree.QName(c).localname == "RecordingInformationFilter"
                ):
                    return (c.text or "").strip()
    return ""


def _states_before(events: list[RecordedEvent], start: datetime) -> list[RecordedEvent]:
    """The last value of each state topic (recording, track) before ``start``."""
    latest: dict[str, RecordedEvent] = {}
    for event in events:
        if event.topic in (RECORDING_TOPIC, TRACK_TOPIC) and event.time_utc < start:
            latest[event.topic] = event
    return list(latest.values())
