"""Quirk knobs: how a Recording Search session hands out its results (ONVIF Profile G).

Defaults are the conformant behaviour. They cover the paging parameters (MaxMatches), the scope's
RecordingInformationFilter and the end of a session by EndSearch; the recording and event data
themselves are the recording knobs' business (knobs_recording.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchPagingKnobs:
    """Recording Search sessions: paging, scope filters, EndSearch (quirk family Q30)."""

    search_max_matches_ignored: bool = False
    """FindRecordings and FindEvents ignore MaxMatches: the session hands out every match."""
    search_filter_ignored: bool = False
    """FindRecordings ignores the scope's RecordingInformationFilter: every recording matches."""
    search_ended_still_answers: bool = False
    """EndSearch answers but the session lives on: GetRecordingSearchResults,
    GetEventSearchResults and EndSearch on its token still answer instead of
    ter:InvalidToken (the session still expires after its KeepAliveTime)."""
