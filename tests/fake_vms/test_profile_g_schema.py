"""Every Profile G response (Recording Search, Replay, Recording Control) of a recording camera
validates against the official ONVIF schemas, for the conformant camera and every recording
persona (a persona may break one requirement, never the message format)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from lxml import etree
from requests.auth import HTTPDigestAuth
from test_onvif_schema import ENV, TT, _as_response, _assert_valid

from fake_vms.host import SimulatorThread
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, Site, apply_persona

TSE = "http://www.onvif.org/ver10/search/wsdl"
TRP = "http://www.onvif.org/ver10/replay/wsdl"
TRC = "http://www.onvif.org/ver10/recording/wsdl"
PATHS = {
    TSE: "/onvif/search_service",
    TRP: "/onvif/replay_service",
    TRC: "/onvif/recording_service",
}
RECORDING_PERSONAS = sorted(
    n for n, p in PERSONAS.items() if p.name.startswith(("replay-", "search-", "recording-"))
)


def _envelope(body: str) -> str:
    return (
        f'<s:Envelope xmlns:s="{ENV}" xmlns:tse="{TSE}" xmlns:trp="{TRP}" xmlns:trc="{TRC}" '
        f'xmlns:tt="{TT}"><s:Body>{body}</s:Body></s:Envelope>'
    )


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, tuple[CameraConfig, dict]]]:
    """One recording camera per persona (and the conformant one), all in one simulator."""
    base = CameraConfig(name="rec-cam", record=True, recording_gaps=((0.6, 0.4),))
    cameras = [base] + [
        apply_persona(
            CameraConfig(name=f"rec-{n}", record=True, recording_gaps=((0.6, 0.4),)), PERSONAS[n]
        )
        for n in RECORDING_PERSONAS
    ]
    with SimulatorThread(Site("g", tuple(cameras))) as simulator:
        time.sleep(1.6)  # recorded data on both sides of the gap
        devices = {d["name"]: d for d in simulator.host.ready()["devices"]}
        yield {c.name: (c, devices[c.name]) for c in cameras}


def _call(camera: CameraConfig, device: dict, namespace: str, body: str) -> etree._Element:
    base = device["onvif_url"].rsplit("/onvif/", 1)[0]
    reply = requests.post(
        base + PATHS[namespace],
        data=_envelope(body),
        timeout=5,
        auth=HTTPDigestAuth(camera.username, camera.password),
    )
    assert reply.status_code == 200, (body, reply.text)
    child = etree.fromstring(reply.content).find(f"{{{ENV}}}Body")[0]
    _assert_valid(namespace, child)
    return child


def _requests(token: str, start: datetime, end: datetime) -> list[tuple[str, str]]:
    t0, t1 = (m.strftime("%Y-%m-%dT%H:%M:%S.%fZ") for m in (start, end))
    return [
        (TSE, "<tse:GetServiceCapabilities/>"),
        (TSE, "<tse:GetRecordingSummary/>"),
        (
            TSE,
            f"<tse:GetRecordingInformation><tse:RecordingToken>{token}"
            "</tse:RecordingToken></tse:GetRecordingInformation>",
        ),
        (
            TSE,
            f"<tse:GetMediaAttributes><tse:RecordingTokens>{token}</tse:RecordingTokens>"
            f"<tse:Time>{t0}</tse:Time></tse:GetMediaAttributes>",
        ),
        (
            TRC,
            f"<trc:GetRecordingConfiguration><trc:RecordingToken>{token}"
            "</trc:RecordingToken></trc:GetRecordingConfiguration>",
        ),
        (
            TRC,
            f"<trc:GetTrackConfiguration><trc:RecordingToken>{token}</trc:RecordingToken>"
            "<trc:TrackToken>VIDEO001</trc:TrackToken></trc:GetTrackConfiguration>",
        ),
        (
            TRC,
            f"<trc:GetRecordingJobConfiguration><trc:JobToken>job-{token[4:]}</trc:JobToken>"
            "</trc:GetRecordingJobConfiguration>",
        ),
        (TRP, "<trp:GetServiceCapabilities/>"),
        (
            TRP,
            "<trp:GetReplayUri><trp:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
            "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trp:StreamSetup>"
            f"<trp:RecordingToken>{token}</trp:RecordingToken></trp:GetReplayUri>",
        ),
        (
            TRP,
            "<trp:GetReplayUri><trp:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
            "<tt:Transport><tt:Protocol>HTTP</tt:Protocol></tt:Transport></trp:StreamSetup>"
            f"<trp:RecordingToken>{token}</trp:RecordingToken></trp:GetReplayUri>",
        ),
        (
            TRP,
            "<trp:GetReplayUri><trp:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
            "<tt:Transport><tt:Protocol>UDP</tt:Protocol></tt:Transport></trp:StreamSetup>"
            f"<trp:RecordingToken>{token}</trp:RecordingToken></trp:GetReplayUri>",
        ),
        (TRP, "<trp:GetReplayConfiguration/>"),
        (
            TRP,
            "<trp:SetReplayConfiguration><trp:Configuration><tt:SessionTimeout>PT60S"
            "</tt:SessionTimeout></trp:Configuration></trp:SetReplayConfiguration>",
        ),
    ]


def _search(camera: CameraConfig, device: dict, find: str, results: str) -> None:
    reply = _call(camera, device, TSE, find)
    search = reply.findtext(f"{{{TSE}}}SearchToken")
    assert search
    _call(
        camera,
        device,
        TSE,
        f"<tse:{results}><tse:SearchToken>{search}</tse:SearchToken>"
        f"<tse:MaxResults>2</tse:MaxResults></tse:{results}>",
    )
    _call(
        camera,
        device,
        TSE,
        f"<tse:GetSearchState><tse:SearchToken>{search}</tse:SearchToken></tse:GetSearchState>",
    )
    _call(
        camera,
        device,
        TSE,
        f"<tse:{results}><tse:SearchToken>{search}</tse:SearchToken>"
        f"<tse:WaitTime>PT1S</tse:WaitTime></tse:{results}>",
    )
    _call(
        camera,
        device,
        TSE,
        f"<tse:EndSearch><tse:SearchToken>{search}</tse:SearchToken></tse:EndSearch>",
    )


@pytest.mark.parametrize("name", ["rec-cam", *(f"rec-{n}" for n in RECORDING_PERSONAS)])
def test_profile_g_responses_are_schema_valid(name: str, sites: dict) -> None:
    camera, device = sites[name]
    token = f"rec-{camera.name}"
    now = datetime.now(UTC)
    start, end = now - timedelta(seconds=1.2), now
    for namespace, body in _requests(token, start, end):
        if namespace == TRC and camera.knobs.recording_service_missing:
            continue  # that persona offers no Recording Control service
        reply = _call(camera, device, namespace, body)
        for nested in reply.iterfind(f"{{{namespace}}}Capabilities"):
            _assert_valid(namespace, _as_response(nested))
    t0, t1 = (m.strftime("%Y-%m-%dT%H:%M:%S.%fZ") for m in (start - timedelta(seconds=5), end))
    scope = f"<tse:Scope><tt:IncludedRecordings>{token}</tt:IncludedRecordings></tse:Scope>"
    _search(
        camera,
        device,
        f"<tse:FindRecordings>{scope}<tse:KeepAliveTime>PT10S"
        "</tse:KeepAliveTime></tse:FindRecordings>",
        "GetRecordingSearchResults",
    )
    for first, second in ((t0, t1), (t1, t0)):  # forward and backward
        _search(
            camera,
            device,
            f"<tse:FindEvents><tse:StartPoint>{first}</tse:StartPoint><tse:EndPoint>{second}"
            f"</tse:EndPoint>{scope}<tse:SearchFilter/><tse:IncludeStartState>true"
            "</tse:IncludeStartState><tse:KeepAliveTime>PT10S</tse:KeepAliveTime>"
            "</tse:FindEvents>",
            "GetEventSearchResults",
        )
    if not camera.knobs.recording_service_missing:
        for body in (
            "<trc:GetServiceCapabilities/>",
            "<trc:GetRecordings/>",
            "<trc:GetRecordingJobs/>",
            f"<trc:GetRecordingJobState><trc:JobToken>job-{camera.name}</trc:JobToken>"
            "</trc:GetRecordingJobState>",
            f"<trc:GetRecordingOptions><trc:RecordingToken>{token}"
            "</trc:RecordingToken></trc:GetRecordingOptions>",
        ):
            reply = _call(camera, device, TRC, body)
            for nested in reply.iterfind(f"{{{TRC}}}Capabilities"):
                _assert_valid(TRC, _as_response(nested))


UNKNOWN = "cctv-conformance-nonexistent-0123456789abcdef"


def _fault(camera: CameraConfig, device: dict, namespace: str, body: str) -> list[str]:
    """The fault's Code and Subcode values (Clark notation) of a request that must fail."""
    base = device["onvif_url"].rsplit("/onvif/", 1)[0]
    reply = requests.post(
        base + PATHS[namespace],
        data=_envelope(body),
        timeout=5,
        auth=HTTPDigestAuth(camera.username, camera.password),
    )
    assert reply.status_code in (400, 500), (body, reply.text)
    values = etree.fromstring(reply.content).iterfind(f".//{{{ENV}}}Code//{{{ENV}}}Value")
    codes = []
    for value in values:
        prefix, local = value.text.split(":")
        codes.append(f"{{{value.nsmap[prefix]}}}{local}")
    return codes


TER = "http://www.onvif.org/ver10/error"


@pytest.mark.parametrize(
    ("namespace", "body", "subcode"),
    [
        (TRC, f"<trc:GetRecordingConfiguration><trc:RecordingToken>{UNKNOWN}"
              "</trc:RecordingToken></trc:GetRecordingConfiguration>", "NoRecording"),
        (TRC, f"<trc:GetTrackConfiguration><trc:RecordingToken>{UNKNOWN}</trc:RecordingToken>"
              f"<trc:TrackToken>{UNKNOWN}</trc:TrackToken></trc:GetTrackConfiguration>",
              "NoRecording"),
        (TRC, "<trc:GetTrackConfiguration><trc:RecordingToken>rec-rec-cam</trc:RecordingToken>"
              f"<trc:TrackToken>{UNKNOWN}</trc:TrackToken></trc:GetTrackConfiguration>",
              "NoTrack"),
        (TRC, f"<trc:GetRecordingJobConfiguration><trc:JobToken>{UNKNOWN}</trc:JobToken>"
              "</trc:GetRecordingJobConfiguration>", "NoRecordingJob"),
        (TRC, f"<trc:GetRecordingJobState><trc:JobToken>{UNKNOWN}</trc:JobToken>"
              "</trc:GetRecordingJobState>", "NoRecordingJob"),
        (TSE, f"<tse:GetRecordingSearchResults><tse:SearchToken>{UNKNOWN}</tse:SearchToken>"
              "</tse:GetRecordingSearchResults>", "InvalidToken"),
        (TSE, f"<tse:GetEventSearchResults><tse:SearchToken>{UNKNOWN}</tse:SearchToken>"
              "</tse:GetEventSearchResults>", "InvalidToken"),
        (TSE, f"<tse:EndSearch><tse:SearchToken>{UNKNOWN}</tse:SearchToken></tse:EndSearch>",
              "InvalidToken"),
        (TRP, "<trp:GetReplayUri><trp:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
              "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trp:StreamSetup>"
              f"<trp:RecordingToken>{UNKNOWN}</trp:RecordingToken></trp:GetReplayUri>",
              "NoRecording"),
    ],
)  # fmt: skip
def test_unknown_tokens_get_their_fault(
    namespace: str, body: str, subcode: str, sites: dict
) -> None:
    """ONVIF-FAULT-G-01 on the wire: env:Sender/ter:InvalidArgVal/<the fault table's subcode>."""
    camera, device = sites["rec-cam"]
    assert _fault(camera, device, namespace, body) == [
        f"{{{ENV}}}Sender",
        f"{{{TER}}}InvalidArgVal",
        f"{{{TER}}}{subcode}",
    ]


def test_knob_search_token_ignored(sites: dict) -> None:
    """A search token never issued is an empty, completed search; an ended one still faults."""
    camera, device = sites["rec-search-token-ignored"]
    reply = _call(
        camera,
        device,
        TSE,
        f"<tse:GetRecordingSearchResults><tse:SearchToken>{UNKNOWN}</tse:SearchToken>"
        "</tse:GetRecordingSearchResults>",
    )
    result_list = reply.find(f"{{{TSE}}}ResultList")
    assert result_list.findtext(f"{{{TT}}}SearchState") == "Completed"
    assert result_list.find(f"{{{TT}}}RecordingInformation") is None
    found = _call(
        camera,
        device,
        TSE,
        "<tse:FindRecordings><tse:KeepAliveTime>PT10S</tse:KeepAliveTime></tse:FindRecordings>",
    ).findtext(f"{{{TSE}}}SearchToken")
    _call(
        camera,
        device,
        TSE,
        f"<tse:EndSearch><tse:SearchToken>{found}</tse:SearchToken></tse:EndSearch>",
    )
    stale = (
        f"<tse:GetRecordingSearchResults><tse:SearchToken>{found}</tse:SearchToken>"
        "</tse:GetRecordingSearchResults>"
    )
    assert _fault(camera, device, TSE, stale)[-1] == f"{{{TER}}}InvalidToken"
