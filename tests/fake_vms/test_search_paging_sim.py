"""The simulator's Recording Search sessions on the wire: the scope's RecordingInformationFilter,
MaxMatches and EndSearch, for the conformant recording camera and for each search-paging persona
(its knob must change what any client sees). Every reply validates against the ONVIF schemas."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from lxml import etree
from requests.auth import HTTPDigestAuth
from test_onvif_schema import ENV, TT, _assert_valid

from fake_vms.host import SimulatorThread
from fake_vms.onvif.search_filter import FilterError, matches
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, Site, apply_persona

TSE = "http://www.onvif.org/ver10/search/wsdl"
TER = "http://www.onvif.org/ver10/error"
PERSONA_NAMES = (
    "search-max-matches-ignored",
    "search-filter-ignored",
    "search-ended-still-answers",
)
VIDEO = 'boolean(//Track[TrackType = "Video"])'
AUDIO = 'boolean(//Track[TrackType = "Audio"])'


@pytest.fixture(scope="module")
def cameras() -> Iterator[dict[str, tuple[CameraConfig, dict]]]:
    base = CameraConfig(name="sp-cam", record=True, recording_gaps=((0.6, 0.4),))
    configs = [base] + [
        apply_persona(
            CameraConfig(name=f"sp-{n}", record=True, recording_gaps=((0.6, 0.4),)), PERSONAS[n]
        )
        for n in PERSONA_NAMES
    ]
    with SimulatorThread(Site("sp", tuple(configs))) as simulator:
        time.sleep(1.6)  # recorded data and recording events on both sides of the gap
        devices = {d["name"]: d for d in simulator.host.ready()["devices"]}
        yield {c.name: (c, devices[c.name]) for c in configs}


def _post(pair: tuple[CameraConfig, dict], body: str) -> requests.Response:
    camera, device = pair
    base = device["onvif_url"].rsplit("/onvif/", 1)[0]
    envelope = (
        f'<s:Envelope xmlns:s="{ENV}" xmlns:tse="{TSE}" xmlns:tt="{TT}"><s:Body>{body}'
        "</s:Body></s:Envelope>"
    )
    return requests.post(
        base + "/onvif/search_service",
        data=envelope.encode(),
        timeout=5,
        auth=HTTPDigestAuth(camera.username, camera.password),
    )


def _call(pair: tuple[CameraConfig, dict], body: str) -> etree._Element:
    reply = _post(pair, body)
    assert reply.status_code == 200, (body, reply.text)
    child = etree.fromstring(reply.content).find(f"{{{ENV}}}Body")[0]
    _assert_valid(TSE, child)
    return child


def _subcodes(pair: tuple[CameraConfig, dict], body: str) -> list[str]:
    reply = _post(pair, body)
    assert reply.status_code in (400, 500), (body, reply.text)
    codes = []
    for value in etree.fromstring(reply.content).iterfind(f".//{{{ENV}}}Code//{{{ENV}}}Value"):
        prefix, local = value.text.split(":")
        codes.append(f"{{{value.nsmap[prefix]}}}{local}")
    return codes


def _find_recordings(pair, scope: str = "", max_matches: int | None = None) -> str:
    matches_xml = f"<tse:MaxMatches>{max_matches}</tse:MaxMatches>" if max_matches else ""
    reply = _call(
        pair,
        f"<tse:FindRecordings><tse:Scope>{scope}</tse:Scope>{matches_xml}"
        "<tse:KeepAliveTime>PT10S</tse:KeepAliveTime></tse:FindRecordings>",
    )
    return reply.findtext(f"{{{TSE}}}SearchToken")


def _results(pair, token: str, operation: str = "GetRecordingSearchResults") -> etree._Element:
    return _call(
        pair,
        f"<tse:{operation}><tse:SearchToken>{token}</tse:SearchToken>"
        f"<tse:WaitTime>PT1S</tse:WaitTime></tse:{operation}>",
    )


def _recordings_found(pair, expression: str) -> list[str]:
    text = expression.replace("<", "&lt;")
    scope = f"<tt:RecordingInformationFilter>{text}</tt:RecordingInformationFilter>"
    reply = _results(pair, _find_recordings(pair, scope))
    return [e.text for e in reply.iter(f"{{{TT}}}RecordingToken")]


def _events_found(pair, max_matches: int) -> int:
    now = datetime.now(UTC)
    t0, t1 = (m.strftime("%Y-%m-%dT%H:%M:%S.%fZ") for m in (now - timedelta(minutes=5), now))
    reply = _call(
        pair,
        f"<tse:FindEvents><tse:StartPoint>{t0}</tse:StartPoint><tse:EndPoint>{t1}</tse:EndPoint>"
        "<tse:Scope/><tse:SearchFilter/><tse:IncludeStartState>false</tse:IncludeStartState>"
        f"<tse:MaxMatches>{max_matches}</tse:MaxMatches>"
        "<tse:KeepAliveTime>PT10S</tse:KeepAliveTime></tse:FindEvents>",
    )
    token = reply.findtext(f"{{{TSE}}}SearchToken")
    return len(list(_results(pair, token, "GetEventSearchResults").iter(f"{{{TT}}}Result")))


def test_filter_by_track_type(cameras) -> None:
    good = cameras["sp-cam"]
    assert _recordings_found(good, VIDEO) == ["rec-sp-cam"]
    assert _recordings_found(good, AUDIO) == []
    assert _recordings_found(good, f"{VIDEO} and {AUDIO}") == []
    assert _recordings_found(good, f"{VIDEO} or {AUDIO}") == ["rec-sp-cam"]
    assert _recordings_found(good, "boolean(//Track[TrackType = \u201cVideo\u201d])") == [
        "rec-sp-cam"
    ]


def test_unparsable_filter_is_a_sender_fault(cameras) -> None:
    scope = "<tt:RecordingInformationFilter>boolean(//Track[</tt:RecordingInformationFilter>"
    codes = _subcodes(
        cameras["sp-cam"],
        f"<tse:FindRecordings><tse:Scope>{scope}</tse:Scope>"
        "<tse:KeepAliveTime>PT10S</tse:KeepAliveTime></tse:FindRecordings>",
    )
    assert codes[:2] == [f"{{{ENV}}}Sender", f"{{{TER}}}InvalidArgVal"]


def test_filter_knob_finds_everything(cameras) -> None:
    pair = cameras["sp-search-filter-ignored"]
    assert _recordings_found(pair, AUDIO) == ["rec-sp-search-filter-ignored"]


def test_max_matches(cameras) -> None:
    assert _events_found(cameras["sp-cam"], 3) > 1  # the recording holds several events
    assert _events_found(cameras["sp-cam"], 1) == 1
    assert _events_found(cameras["sp-search-max-matches-ignored"], 1) > 1


def test_ended_session_refuses_its_token(cameras) -> None:
    good = cameras["sp-cam"]
    token = _find_recordings(good)
    _call(good, f"<tse:EndSearch><tse:SearchToken>{token}</tse:SearchToken></tse:EndSearch>")
    body = (
        f"<tse:GetRecordingSearchResults><tse:SearchToken>{token}</tse:SearchToken>"
        "</tse:GetRecordingSearchResults>"
    )
    assert f"{{{TER}}}InvalidToken" in _subcodes(good, body)


def test_ended_session_knob_keeps_answering(cameras) -> None:
    pair = cameras["sp-search-ended-still-answers"]
    token = _find_recordings(pair)
    end = f"<tse:EndSearch><tse:SearchToken>{token}</tse:SearchToken></tse:EndSearch>"
    _call(pair, end)
    reply = _results(pair, token)
    assert reply.findtext(f".//{{{TT}}}SearchState") == "Completed"
    _call(pair, end)  # the second EndSearch is answered too


def test_filter_evaluation_offline() -> None:
    info = etree.fromstring(
        f'<tt:RecordingInformation xmlns:tt="{TT}"><tt:RecordingToken>r</tt:RecordingToken>'
        "<tt:Source><tt:Location>Basement</tt:Location></tt:Source>"
        "<tt:Track><tt:TrackType>Video</tt:TrackType></tt:Track></tt:RecordingInformation>"
    )
    assert matches(VIDEO, info)
    assert not matches(AUDIO, info)
    assert matches('boolean(//Source[Location = "Basement"]) and ' + VIDEO, info)
    assert matches(f"not({AUDIO})", info)
    with pytest.raises(FilterError):
        matches("boolean(//Track[", info)
