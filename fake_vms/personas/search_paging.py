"""Personas: Recording Search sessions that hand out their results wrongly (quirk family Q30 of
the research notes: Profile G search gaps). Each is a recording camera, since a search quirk needs
recordings and recorded events to show.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

RECORDING_CAMERA = {"record": True}

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "search-max-matches-ignored",
        "FindRecordings and FindEvents ignore MaxMatches: a search asked for one match hands "
        "out every recorded event",
        ("ONVIF-SEARCH-RESULTS-01",),
        "Q30 Profile G: result sessions sized by the device, not the client (inference); what "
        "ONVIF's SEARCH-3-1-5 FIND EVENTS (MAXMATCHES = 1) and SEARCH-2-1-7 FIND RECORDINGS "
        "WITH MAXMATCHES look for",
        knobs=Knobs(search_max_matches_ignored=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "search-filter-ignored",
        "FindRecordings ignores the scope's RecordingInformationFilter: a video-only recording "
        "is found by a filter asking for audio tracks",
        ("ONVIF-SEARCH-FILTER-01",),
        "Q30: a Dahua NVR's FindRecordings with RecordingInformationFilter "
        "boolean(//Track[TrackType = 'Video']) 'gives the whole saved recording', the filter "
        "'not working' (agsh/onvif#298, yingchengpa/python-onvif2-zeep#6)",
        knobs=Knobs(search_filter_ignored=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "search-ended-still-answers",
        "EndSearch answers but the search session lives on: its token still gets results "
        "instead of env:Sender/ter:InvalidArgVal/ter:InvalidToken",
        ("ONVIF-SEARCH-ENDED-01",),
        "Q30 Profile G: search sessions that outlive EndSearch (inference: sessions freed only "
        "by KeepAliveTime); what ONVIF's SEARCH-2-1-12 GET RECORDING SEARCH RESULTS AFTER END "
        "OF SEARCH looks for",
        knobs=Knobs(search_ended_still_answers=True),
        camera_overrides=RECORDING_CAMERA,
    ),
)
