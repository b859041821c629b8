"""The replay server's Frames header on the wire: ``Frames: intra`` replays keyframes only, and
the replay-frames-ignored persona's knob makes it replay every frame (what any RTSP client
sees, read by the suite's own replay client)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from conformance.clients.replay import replay
from fake_vms.host import SimulatorThread
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, Site, apply_persona

PERSONA = "replay-frames-ignored"


@pytest.fixture(scope="module")
def cameras() -> Iterator[dict[str, tuple[CameraConfig, str]]]:
    good = CameraConfig(name="rec-good", record=True)
    broken = apply_persona(CameraConfig(name="rec-frames", record=True), PERSONAS[PERSONA])
    with SimulatorThread(Site("modes", (good, broken))) as simulator:
        time.sleep(2.6)  # two GOPs recorded (a keyframe a second)
        devices = {d["name"]: d for d in simulator.host.ready()["devices"]}
        yield {c.name: (c, _replay_uri(devices[c.name]["onvif_url"], c)) for c in (good, broken)}


def _replay_uri(onvif_url: str, camera: CameraConfig) -> str:
    """The replay URI the simulator's GetReplayUri gives (rtsp://host:port/replay/<token>)."""
    import re

    import requests
    from requests.auth import HTTPDigestAuth

    base = onvif_url.rsplit("/onvif/", 1)[0]
    body = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:trp="http://www.onvif.org/ver10/replay/wsdl" '
        'xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body><trp:GetReplayUri>'
        "<trp:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP"
        "</tt:Protocol></tt:Transport></trp:StreamSetup>"
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


def _intra_replay(camera: CameraConfig, uri: str, intra_only: bool):
    end = datetime.now(UTC) - timedelta(seconds=0.2)
    return replay(
        uri,
        camera.username,
        camera.password,
        start=end - timedelta(seconds=2.0),
        end=end,
        rate_control=False,
        intra_only=intra_only,
        max_seconds=4.0,
    )


def test_frames_intra_replays_keyframes_only(cameras) -> None:
    camera, uri = cameras["rec-good"]
    capture = _intra_replay(camera, uri, intra_only=True)
    assert capture.units, capture.notes
    assert all(u.keyframe and u.extension and u.extension.clean_point for u in capture.units)
    every = _intra_replay(camera, uri, intra_only=False)
    assert len(every.units) > len(capture.units)  # the window holds predicted frames too


def test_frames_ignored_knob_replays_predicted_frames(cameras) -> None:
    camera, uri = cameras["rec-frames"]
    capture = _intra_replay(camera, uri, intra_only=True)
    assert any(not u.keyframe for u in capture.units), capture.notes
