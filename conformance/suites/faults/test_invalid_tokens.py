"""Requests naming a token the device never issued (ONVIF-FAULT-*), as ONVIF's "... INVALID
TOKEN" device test cases send them: each must come back as the SOAP fault its service's fault
table gives. Every request is made in the test's own thread, so the verdict's transcript holds
the exchanges it rests on. A service GetServices does not list is not asked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from conformance.answers import answer_of
from conformance.checks.faults import (
    IMAGING_CHANGE_PROBES,
    IMAGING_PROBES,
    MEDIA2_PROBES,
    MEDIA_PROBES,
    RECORDING_PROBES,
    REPLAY_PROBES,
    SEARCH_PROBES,
    Probe,
    check_invalid_tokens,
    invalid_token,
)
from conformance.checks.imaging import RANGED, options_summary, settings_summary
from conformance.clients.onvif import OnvifFault
from conformance.outcomes import not_applicable

STREAM_SETUP = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}


def _params(operation: str, token: str) -> dict[str, Any]:
    """The request of each probed operation, well formed, with ``token`` where it names one."""
    by_operation: dict[str, dict[str, Any]] = {
        # Media (ver10)
        "GetProfile": {"ProfileToken": token},
        "GetVideoSourceConfiguration": {"ConfigurationToken": token},
        "GetVideoEncoderConfiguration": {"ConfigurationToken": token},
        # Media2
        "GetProfiles": {"Token": token},
        "GetVideoSourceConfigurations": {"ConfigurationToken": token},
        "GetVideoEncoderConfigurations": {"ConfigurationToken": token},
        "GetMetadataConfigurations": {"ConfigurationToken": token},
        # Imaging
        "GetImagingSettings": {"VideoSourceToken": token},
        "GetOptions": {"VideoSourceToken": token},
        "GetMoveOptions": {"VideoSourceToken": token},
        "GetStatus": {"VideoSourceToken": token},
        "Stop": {"VideoSourceToken": token},
        # Recording Control
        "GetRecordingConfiguration": {"RecordingToken": token},
        "GetTrackConfiguration": {"RecordingToken": token, "TrackToken": token},
        "GetRecordingJobConfiguration": {"JobToken": token},
        "GetRecordingJobState": {"JobToken": token},
        # Recording Search: WaitTime 0, so a device that wrongly takes the token waits not at all
        "GetRecordingSearchResults": {"SearchToken": token, "WaitTime": timedelta(0)},
        "GetEventSearchResults": {"SearchToken": token, "WaitTime": timedelta(0)},
        "EndSearch": {"SearchToken": token},
        # Replay
        "GetReplayUri": {"StreamSetup": STREAM_SETUP, "RecordingToken": token},
    }
    return by_operation[operation]


def _stream_uri_params(probe: Probe, token: str) -> dict[str, Any]:
    if probe.key == "media2":
        return {"Protocol": "RtspUnicast", "ProfileToken": token}
    return {"StreamSetup": STREAM_SETUP, "ProfileToken": token}


def _judge(
    device,
    evidence,
    groups: list[tuple[str, tuple[Probe, ...]]],
    known: tuple[str, ...] = (),
    requests: dict[str, dict[str, Any]] | None = None,
) -> None:
    """``requests``: per operation, the request to send instead of _params' (the unknown token
    goes in its VideoSourceToken)."""
    offered = [(label, probes) for label, probes in groups if device.offers(probes[0].key)]
    absent = [label for label, probes in groups if not device.offers(probes[0].key)]
    if absent:
        evidence.note("not applicable (GetServices does not list them): " + ", ".join(absent))
    if not offered:
        not_applicable("GetServices lists none of these services: " + ", ".join(absent))
    token = invalid_token()
    while token in known:  # the DTT's own rule: a token none of the listed ones
        token = invalid_token()
    evidence.measure("invalid token", token)
    answers = []
    for _label, probes in offered:
        for probe in probes:
            if requests and probe.operation in requests:
                params = {**requests[probe.operation], "VideoSourceToken": token}
            elif probe.operation == "GetStreamUri":
                params = _stream_uri_params(probe, token)
            else:
                params = _params(probe.operation, token)
            answers.append(
                (probe, answer_of(lambda p=probe, q=params: device.call(p.key, p.operation, **q)))
            )
    problems, measured = check_invalid_tokens(answers)
    evidence.measure("answers", measured)
    evidence.expect("answers", {probe.label: probe.expected() for probe, _ in answers})
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-FAULT-MEDIA-01")
def test_media_unknown_tokens_fault(device, evidence):
    _judge(device, evidence, [("Media", MEDIA_PROBES), ("Media2", MEDIA2_PROBES)])


@pytest.mark.requirement("ONVIF-FAULT-IMAGING-01")
def test_imaging_unknown_video_source_faults(device, evidence):
    """As the IMAGING "... INVALID VIDEOSOURCETOKEN" cases do: list the video sources first
    (Media GetVideoSources, where the device offers Media) and name a token none of them has."""
    _judge(device, evidence, [("Imaging", IMAGING_PROBES)], _video_sources(device, evidence))


def _video_sources(device, evidence) -> tuple[str, ...]:
    """Media GetVideoSources' tokens, as the imaging "INVALID VIDEOSOURCETOKEN" cases list them
    first (where the device offers Media)."""
    known: tuple[str, ...] = ()
    if device.offers("imaging") and device.offers("media"):
        known = tuple(str(s.token) for s in device.media("GetVideoSources") or [])
        evidence.measure("video_sources", list(known))
    return known


def _harmless_focus_move(device, source: str) -> dict[str, Any] | None:
    """A focus Move that moves nothing (continuous speed 0, else relative distance 0) from the
    moves GetMoveOptions offers for a real source; None when it offers none."""
    try:
        options = device.call("imaging", "GetMoveOptions", VideoSourceToken=source)
    except OnvifFault:
        return None
    if getattr(options, "Continuous", None) is not None:
        return {"Focus": {"Continuous": {"Speed": 0.0}}}
    if getattr(options, "Relative", None) is not None:
        return {"Focus": {"Relative": {"Distance": 0.0}}}
    return None


@pytest.mark.requirement("ONVIF-FAULT-IMAGING-02")
def test_imaging_unknown_video_source_faults_on_changes(device, evidence):
    """SetImagingSettings (a current value), a focus Move that moves nothing and Stop with an
    unknown video source token; the real source's settings are read before and after, so what the
    probes left behind is verified (nothing, on any device)."""
    known = _video_sources(device, evidence)
    source = known[0] if known else None
    probes = list(IMAGING_CHANGE_PROBES)
    move = _harmless_focus_move(device, source) if source and device.offers("imaging") else None
    if move is None:
        probes = [p for p in probes if p.operation != "Move"]
        evidence.note("GetMoveOptions offers no focus move for the first source: Move not sent")
    before = _settings(device, source)
    requests = {"Move": move or {}, "SetImagingSettings": _unchanged(device, source, before)}
    evidence.measure("set_imaging_settings_sent", requests["SetImagingSettings"])
    try:
        _judge(device, evidence, [("Imaging", tuple(probes))], known, requests)
    finally:
        after = _settings(device, source)
        evidence.measure("restored", before == after)
    assert before == after, "the real video source's imaging settings changed"


def _unchanged(device, source: str | None, current: dict[str, Any] | None) -> dict[str, Any]:
    """A valid SetImagingSettings as the test case builds it from GetOptions, which still
    changes nothing: one setting the options bound, at its current value (else none at all)."""
    settings: dict[str, Any] = {}
    if source is not None and current:
        options = options_summary(device.call("imaging", "GetOptions", VideoSourceToken=source))
        name = next((n for n in RANGED if n in current and n in options), None)
        if name is not None:
            settings[name] = current[name]
    return {"ImagingSettings": settings}


def _settings(device, source: str | None) -> dict[str, Any] | None:
    if source is None or not device.offers("imaging"):
        return None
    return settings_summary(device.call("imaging", "GetImagingSettings", VideoSourceToken=source))


@pytest.mark.requirement("ONVIF-FAULT-G-01")
def test_profile_g_unknown_tokens_fault(device, evidence):
    _judge(
        device,
        evidence,
        [
            ("Recording Control", RECORDING_PROBES),
            ("Recording Search", SEARCH_PROBES),
            ("Replay", REPLAY_PROBES),
        ],
    )
