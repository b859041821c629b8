"""The replay server's modes and transports on the wire, read by the suite's own replay client
as any RTSP client would: ``Frames: intra`` replays keyframes only (the replay-frames-ignored
persona's knob makes it replay every frame), and GetReplayUri with Protocol HTTP gives a tunnel
URI through which replay works forward and in reverse (the replay-tunnel-refused persona's knob
makes the tunnel answer 404)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from conformance.clients.replay import replay
from conformance.clients.rtsp import RtspStatusError
from fake_vms.host import SimulatorThread
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, Site, apply_persona

PERSONA = "replay-frames-ignored"
TUNNEL_PERSONA = "replay-tunnel-refused"
UDP_PERSONA = "replay-udp-refused"


@pytest.fixture(scope="module")
def cameras() -> Iterator[dict[str, tuple[CameraConfig, str]]]:
    good = CameraConfig(name="rec-good", record=True)
    broken = apply_persona(CameraConfig(name="rec-frames", record=True), PERSONAS[PERSONA])
    refused = apply_persona(CameraConfig(name="rec-tunnel", record=True), PERSONAS[TUNNEL_PERSONA])
    no_udp = apply_persona(CameraConfig(name="rec-udp", record=True), PERSONAS[UDP_PERSONA])
    with SimulatorThread(Site("modes", (good, broken, refused, no_udp))) as simulator:
        time.sleep(3.2)  # three GOPs recorded (a keyframe a second)
        devices = {d["name"]: d for d in simulator.host.ready()["devices"]}
        yield {c.name: (c, devices[c.name]["onvif_url"]) for c in (good, broken, refused, no_udp)}


def _replay_uri(onvif_url: str, camera: CameraConfig, protocol: str = "RTSP") -> str:
    """The replay URI the simulator's GetReplayUri gives (rtsp://host:port/replay/<token>)."""
    import re

    import requests
    from requests.auth import HTTPDigestAuth

    base = onvif_url.rsplit("/onvif/", 1)[0]
    body = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:trp="http://www.onvif.org/ver10/replay/wsdl" '
        'xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body><trp:GetReplayUri>'
        "<trp:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>"
        f"{protocol}</tt:Protocol></tt:Transport></trp:StreamSetup>"
        f"<trp:RecordingToken>rec-{camera.name}</trp:RecordingToken></trp:GetReplayUri></s:Body>"
        "</s:Envelope>"
    )
    reply = requests.post(
        base + "/onvif/replay_service",
        data=body,
        timeout=5,
        auth=HTTPDigestAuth(camera.username, camera.password),
    )
    assert reply.status_code == 200, reply.text
    match = re.search(r"<[^>]*Uri>([^<]+)</", reply.text)
    assert match, reply.text
    return match.group(1)


def _replay(camera: CameraConfig, uri: str, *, intra_only=False, transport="tcp", reverse=False):
    end = datetime.now(UTC) - timedelta(seconds=0.2)
    start = end - timedelta(seconds=2.0)
    return replay(
        uri,
        camera.username,
        camera.password,
        start=end if reverse else start,
        end=start if reverse else end,
        scale=-1.0 if reverse else 1.0,
        rate_control=False,
        intra_only=intra_only,
        transport=transport,
        max_seconds=4.0,
    )


def test_frames_intra_replays_keyframes_only(cameras) -> None:
    camera, onvif_url = cameras["rec-good"]
    uri = _replay_uri(onvif_url, camera)
    capture = _replay(camera, uri, intra_only=True)
    assert capture.units, capture.notes
    assert all(u.keyframe and u.extension and u.extension.clean_point for u in capture.units)
    every = _replay(camera, uri)
    assert len(every.units) > len(capture.units)  # the window holds predicted frames too


def test_frames_ignored_knob_replays_predicted_frames(cameras) -> None:
    camera, onvif_url = cameras["rec-frames"]
    capture = _replay(camera, _replay_uri(onvif_url, camera), intra_only=True)
    assert any(not u.keyframe for u in capture.units), capture.notes


def test_http_replay_uri_is_a_tunnel_that_replays(cameras) -> None:
    camera, onvif_url = cameras["rec-good"]
    uri = _replay_uri(onvif_url, camera, "HTTP")
    assert uri.startswith("http://") and "/rtsp-over-http/replay/" in uri
    forward = _replay(camera, uri, transport="http")
    times = [u.extension.time_utc for u in forward.units if u.extension]
    assert len(times) > 25 and times == sorted(times), forward.notes
    backward = _replay(camera, uri, transport="http", reverse=True)
    starts = [u.extension.time_utc for u in backward.units if u.extension and u.keyframe]
    assert len(starts) >= 2 and starts == sorted(starts, reverse=True), backward.notes


def test_tunnel_refused_knob_answers_404(cameras) -> None:
    camera, onvif_url = cameras["rec-tunnel"]
    uri = _replay_uri(onvif_url, camera, "HTTP")
    with pytest.raises(RtspStatusError) as raised:
        _replay(camera, uri, transport="http")
    assert raised.value.status == 404
    assert _replay(camera, _replay_uri(onvif_url, camera)).units  # plain RTSP still replays


def test_udp_replay_forward_and_reverse(cameras) -> None:
    camera, onvif_url = cameras["rec-good"]
    uri = _replay_uri(onvif_url, camera)
    forward = _replay(camera, uri, transport="udp")
    times = [u.extension.time_utc for u in forward.units if u.extension]
    assert len(times) > 25 and times == sorted(times), forward.notes
    assert "stopped: terminal (T) flag" in forward.notes
    backward = _replay(camera, uri, transport="udp", reverse=True)
    starts = [u.extension.time_utc for u in backward.units if u.extension and u.keyframe]
    assert len(starts) >= 2 and starts == sorted(starts, reverse=True), backward.notes


def test_udp_refused_knob_answers_461(cameras) -> None:
    camera, onvif_url = cameras["rec-udp"]
    uri = _replay_uri(onvif_url, camera)
    with pytest.raises(RtspStatusError) as raised:
        _replay(camera, uri, transport="udp")
    assert raised.value.status == 461
    assert _replay(camera, uri).units  # interleaved replay still works


def test_immediate_play_replaces_the_running_replay(cameras) -> None:
    """The second PLAY's units echo its CSeq, start where it asked, the first with D, and no
    unit of the first PLAY follows them."""
    from conformance.clients.replay import ImmediatePlay

    camera, onvif_url = cameras["rec-good"]
    now = datetime.now(UTC)
    start, end = now - timedelta(seconds=3.0), now - timedelta(seconds=2.0)
    capture = replay(
        _replay_uri(onvif_url, camera),
        camera.username,
        camera.password,
        start=now - timedelta(seconds=1.0),
        rate_control=True,
        immediate=ImmediatePlay(start, end, after_units=5),
        max_seconds=4.0,
    )
    assert capture.immediate_cseq == capture.play_cseq + 1
    echo = [u.extension.cseq if u.extension else None for u in capture.units]
    first = echo.index(capture.immediate_cseq & 0xFF)
    assert first >= 5 and set(echo[first:]) == {capture.immediate_cseq & 0xFF}
    new = capture.units[first:]
    assert new[0].extension.discontinuity
    assert start - timedelta(seconds=1.1) <= new[0].extension.time_utc <= start
    assert new[-1].extension.time_utc <= end


def test_pause_halts_and_play_without_range_resumes_at_the_pause_point(cameras) -> None:
    from conformance.clients.replay import PauseResume

    camera, onvif_url = cameras["rec-good"]
    capture = replay(
        _replay_uri(onvif_url, camera),
        camera.username,
        camera.password,
        start=datetime.now(UTC) - timedelta(seconds=2.5),
        rate_control=True,
        immediate=PauseResume(after_units=5, pause_s=0.6, grace_s=0.2),
        max_units=40,
        max_seconds=4.0,
    )
    assert capture.packets_while_paused == 0
    echo = [u.extension.cseq if u.extension else None for u in capture.units]
    first = echo.index(capture.immediate_cseq & 0xFF)
    paused_at = max(u.extension.time_utc for u in capture.units[:first])
    resumed = capture.units[first].extension.time_utc
    assert paused_at - timedelta(seconds=1.1) <= resumed <= paused_at
