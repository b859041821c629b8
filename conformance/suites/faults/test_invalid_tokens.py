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


def _judge(device, evidence, groups: list[tuple[str, tuple[Probe, ...]]]) -> None:
    offered = [(label, probes) for label, probes in groups if device.offers(probes[0].key)]
    absent = [label for label, probes in groups if not device.offers(probes[0].key)]
    if absent:
        evidence.note("not applicable (GetServices does not list them): " + ", ".join(absent))
    if not offered:
        not_applicable("GetServices lists none of these services: " + ", ".join(absent))
    token = evidence.measure("invalid token", invalid_token())
    answers = []
    for _label, probes in offered:
        for probe in probes:
            params = (
                _stream_uri_params(probe, token)
                if probe.operation == "GetStreamUri"
                else _params(probe.operation, token)
            )
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
    _judge(device, evidence, [("Imaging", IMAGING_PROBES)])


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
