"""The simulated VMS as the cameras' client (ingest API), against real simulated cameras on
loopback: add a camera, capture at its rate, closed clips that decode at its size, search,
download, export, ONVIF probe, remove; bad bodies; credentials never leak; the fake-vms adapter's
ingest operations. Every reply is checked against openapi.json. Clips are 1 s, so this is fast.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import av
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_replies import JSON_VALUES, conforms

from conformance.clients.vms import ExportRequest, IngestCamera, VmsUnsupported
from conformance.clients.vms_fakevms import FakeVmsAdapter
from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site, VmsSiteConfig

SECRET = "Ingest-S3cret-pw"
"""The cameras' password: it must never appear in a reply, the audit log or a log line."""
WRONG = "Wr0ng-Guess-pw"


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], SimulatorThread, Any]]:
    """(VMS ready entry, camera ready entries, the cameras' simulator, the VMS's ingest manager)."""
    cameras = Site(
        "ingest-cams",
        (
            CameraConfig(name="cam-h264", width=320, height=180, fps=10, gop=10,
                         bitrate_kbps=150, password=SECRET),
            CameraConfig(name="cam-h265", width=320, height=180, fps=10, gop=10, codec="H265",
                         bitrate_kbps=150, password=SECRET),
        ),
    )  # fmt: skip
    host = Site("ingest-vms", (), VmsSiteConfig(clip_s=1.0))
    with SimulatorThread(cameras) as camera_sim, SimulatorThread(host) as vms_sim:
        manager = vms_sim.host.vms.ingest
        yield vms_sim.host.ready()["vms"], camera_sim.host.ready()["devices"], camera_sim, manager


@pytest.fixture(scope="module")
def vms(sites) -> dict[str, Any]:
    return sites[0]


@pytest.fixture(scope="module")
def headers(vms) -> dict[str, str]:
    reply = requests.post(
        vms["url"] + "/api/login",
        json={"username": vms["username"], "password": vms["password"]},
        timeout=5,
    )
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def _conforms(path: str, method: str, reply: requests.Response) -> None:
    """Documented and schema-valid, and no camera password in it (right or wrong)."""
    conforms(path, method, reply)
    assert SECRET not in reply.text and WRONG not in reply.text


def _body(device: dict[str, Any], transport: str = "tcp", **extra: Any) -> dict[str, Any]:
    return {
        "name": f"t-{device['name']}", "rtsp_url": f"rtsp://127.0.0.1:{device['rtsp_port']}/stream1",
        "username": device["username"], "password": device["password"], "transport": transport,
        "record": True, "onvif_url": device["onvif_url"], **extra,
    }  # fmt: skip


def _wait(predicate, timeout: float = 15.0, poll: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError("condition not met in time")


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_ingest_capture_clips_download_export_remove(sites, headers, transport, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    vms, devices, camera_sim, _ = sites
    device = devices[0] if transport == "tcp" else devices[1]
    url = vms["url"]
    reply = requests.post(url + "/api/cameras", json=_body(device, transport), headers=headers,
                          timeout=5)  # fmt: skip
    _conforms("/api/cameras", "post", reply)
    assert reply.status_code == 201
    camera_id = reply.json()["id"]
    added = datetime.now(UTC)

    def status() -> dict[str, Any]:
        answer = requests.get(f"{url}/api/cameras/{camera_id}/status", headers=headers, timeout=5)
        _conforms("/api/cameras/{id}/status", "get", answer)
        return answer.json()

    _wait(lambda: status()["connected"])
    time.sleep(3.5)
    now = status()
    assert now["connected"] and abs(now["capture_fps"] - 10) <= 1.5, now
    assert transport.upper() in now["detail"]

    def clips() -> list[dict[str, Any]]:
        params = {"camera": camera_id, "start": (added - timedelta(seconds=5)).isoformat(),
                  "end": datetime.now(UTC).isoformat()}  # fmt: skip
        answer = requests.get(url + "/api/recordings", params=params, headers=headers, timeout=5)
        _conforms("/api/recordings", "get", answer)
        found = answer.json()
        return found["segments"] if len(found["segments"]) >= 2 and not found["gaps"] else []

    segments = _wait(clips)
    assert all(s["frames"] >= 9 and s["recording_id"] for s in segments)
    assert segments[0]["end"] == segments[1]["start"]  # consecutive clips touch
    media = requests.get(url + "/api/recordings/media", headers=headers, timeout=10,
                         params={"recording": segments[0]["recording_id"]})  # fmt: skip
    _conforms("/api/recordings/media", "get", media)
    path = tmp_path / "clip.mp4"
    path.write_bytes(media.content)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
    assert (frames[0].width, frames[0].height) == (320, 180)
    assert len(frames) == segments[0]["frames"]
    assert stream.codec_context.name == ("h264" if transport == "tcp" else "hevc")

    adapter = FakeVmsAdapter(url, vms["username"], vms["password"], timeout_s=5)
    first = adapter.search_recordings(camera_id, added - timedelta(seconds=5), datetime.now(UTC))
    seg = first.segments[0]
    job = adapter.create_export(
        ExportRequest((camera_id,), seg.start + timedelta(seconds=0.2), seg.end, "PC 1")
    )
    assert adapter.wait_for_export(job, 20).state == "done"
    package = adapter.download_export(job, tmp_path / "pkg")
    manifest = json.loads((package.directory / "manifest.json").read_text())
    assert [f["recording_id"] for f in manifest["files"]] == [seg.recording_id]
    assert manifest["cameras"][0]["serial"], "identity read over ONVIF"
    assert any(f"/{seg.recording_id}/" in name for name in package.files)

    removed = requests.delete(f"{url}/api/cameras/{camera_id}", headers=headers, timeout=5)
    _conforms("/api/cameras/{id}", "delete", removed)
    assert removed.status_code == 204
    gone = requests.get(f"{url}/api/cameras/{camera_id}/status", headers=headers, timeout=5)
    assert gone.status_code == 404
    _wait(lambda: _teardowns(camera_sim, device) > 0, timeout=8)  # the VMS ended its session
    assert SECRET not in caplog.text


def _teardowns(camera_sim: SimulatorThread, device: dict[str, Any]) -> int:
    ops = camera_sim.host.oplog.as_dicts(device["name"])
    return sum(o["operation"] == "TEARDOWN" for o in ops)


def test_delete_stops_the_capture_thread(sites, headers):
    vms, devices, _, manager = sites
    reply = requests.post(vms["url"] + "/api/cameras", json=_body(devices[0]), headers=headers,
                          timeout=5)  # fmt: skip
    camera = manager.get(reply.json()["id"])
    _wait(lambda: camera.connected)
    requests.delete(f"{vms['url']}/api/cameras/{camera.id}", headers=headers, timeout=5)
    assert camera.join(8.0), "the capture thread did not stop"
    assert manager.get(camera.id) is None


@pytest.mark.parametrize(
    "body,fragment",
    [
        ({"rtsp_url": "rtsp://127.0.0.1:1/s"}, "name"),
        ({"name": "x"}, "rtsp_url"),
        ({"name": "x", "rtsp_url": "http://127.0.0.1:1/s"}, "rtsp_url"),
        ({"name": "x", "rtsp_url": "rtsp://192.0.2.1:554/s"}, "loopback"),
        ({"name": "x", "rtsp_url": f"rtsp://admin:{SECRET}@127.0.0.1:1/s"}, "credentials"),
        ({"name": "x", "rtsp_url": "rtsp://127.0.0.1:1/s", "transport": "sctp"}, "transport"),
        ({"name": "x", "rtsp_url": "rtsp://127.0.0.1:1/s", "record": "yes"}, "record"),
        ({"name": "x", "rtsp_url": "rtsp://127.0.0.1:1/s", "password": 5}, "password"),
        ({"name": "x", "rtsp_url": "rtsp://127.0.0.1:1/s", "onvif_url": "ftp://x"}, "onvif_url"),
    ],
    ids=["no-name", "no-url", "not-rtsp", "not-loopback", "creds-in-url", "transport",
         "record", "password-type", "onvif-url"],
)  # fmt: skip
def test_bad_ingest_bodies_are_refused_with_json_errors(vms, headers, body, fragment):
    reply = requests.post(vms["url"] + "/api/cameras", json=body, headers=headers, timeout=5)
    _conforms("/api/cameras", "post", reply)
    assert reply.status_code == 400 and fragment in reply.json()["error"]


def test_not_json_unknown_camera_and_no_token(vms, headers):
    url = vms["url"]
    reply = requests.post(url + "/api/cameras", data=b"{", headers=headers, timeout=5)
    assert reply.status_code == 400 and reply.json()["error"]
    for method, path in (("get", "/api/cameras/nope/status"), ("delete", "/api/cameras/nope")):
        reply = requests.request(method, url + path, headers=headers, timeout=5)
        _conforms(path.replace("nope", "{id}"), method, reply)
        assert reply.status_code == 404
    protected = [("post", "/api/cameras"), ("get", "/api/version"),
                 ("post", "/api/onvif/probe"), ("get", "/api/cameras/x/status")]  # fmt: skip
    for method, path in protected:
        assert requests.request(method, url + path, timeout=5).status_code == 401


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "name": st.one_of(st.text(max_size=8), JSON_VALUES),
            "rtsp_url": st.one_of(
                st.sampled_from(["rtsp://127.0.0.1:9/x", "rtsp://[::1]:9/x", "rtsp://h/x", ""]),
                JSON_VALUES,
            ),
            "transport": st.one_of(st.sampled_from(["tcp", "udp"]), JSON_VALUES),
            "record": JSON_VALUES,
            "username": JSON_VALUES,
            "password": JSON_VALUES,
        },
    )
)
def test_add_camera_conforms_to_the_document(vms, headers, body):
    reply = requests.post(vms["url"] + "/api/cameras", json=body, headers=headers, timeout=5)
    _conforms("/api/cameras", "post", reply)
    if reply.status_code == 201:  # nothing listens on port 9: remove it again
        requests.delete(f"{vms['url']}/api/cameras/{reply.json()['id']}", headers=headers,
                        timeout=5)  # fmt: skip


def test_onvif_probe_uses_profiles_then_stream_uri(sites, headers):
    vms, devices, camera_sim, _ = sites
    device = devices[1]
    body = {k: device[k] for k in ("onvif_url", "username", "password")}
    reply = requests.post(vms["url"] + "/api/onvif/probe", json=body, headers=headers, timeout=20)
    _conforms("/api/onvif/probe", "post", reply)
    uris = reply.json()["stream_uris"]
    assert uris[0] == f"rtsp://127.0.0.1:{device['rtsp_port']}/stream1"
    log = camera_sim.host.oplog.as_dicts(device["name"])
    ops = [(o["operation"], o["outcome"], o["authenticated"]) for o in log]
    ops = [op for op, o in zip(ops, log, strict=True) if o["protocol"] == "onvif"]
    names = [o[0] for o in ops]
    assert names.index("GetProfiles") < names.index("GetStreamUri")
    assert all(ok == "200" and auth for op, ok, auth in ops if op != "GetSystemDateAndTime")
    wrong = requests.post(vms["url"] + "/api/onvif/probe", json={**body, "password": WRONG},
                          headers=headers, timeout=20)  # fmt: skip
    _conforms("/api/onvif/probe", "post", wrong)
    assert wrong.status_code == 502


def test_credentials_never_appear_in_replies_audit_or_logs(sites, headers, caplog, capfd):
    """A wrong password makes the capture fail (401 from the camera) and retry: its status
    detail, the audit log and every log line stay free of both passwords."""
    caplog.set_level(logging.DEBUG)
    vms, devices, _, _ = sites
    url = vms["url"]
    reply = requests.post(url + "/api/cameras", json=_body(devices[0], password=WRONG),
                          headers=headers, timeout=5)  # fmt: skip
    camera_id = reply.json()["id"]

    def failed() -> dict[str, Any] | None:
        answer = requests.get(f"{url}/api/cameras/{camera_id}/status", headers=headers, timeout=5)
        _conforms("/api/cameras/{id}/status", "get", answer)
        body = answer.json()
        return body if body["detail"] not in ("connecting",) and not body["connected"] else None

    status = _wait(failed, timeout=15)
    assert status["detail"]
    for path in ("/api/audit", "/api/cameras"):
        answer = requests.get(url + path, headers=headers, timeout=5)
        assert SECRET not in answer.text and WRONG not in answer.text
    requests.delete(f"{url}/api/cameras/{camera_id}", headers=headers, timeout=5)
    out, err = capfd.readouterr()
    for text in (caplog.text, out, err):
        assert SECRET not in text and WRONG not in text


def test_adapter_ingest_operations(sites, tmp_path):
    vms, devices, _, _ = sites
    adapter = FakeVmsAdapter(vms["url"], vms["username"], vms["password"], timeout_s=5)
    assert adapter.capabilities.ingest
    assert adapter.version().startswith("fake-vms ")
    device = devices[0]
    spec = IngestCamera(
        name="cctv-adapter", rtsp_url=f"rtsp://127.0.0.1:{device['rtsp_port']}/stream1",
        username=device["username"], password=device["password"], onvif_url=device["onvif_url"],
    )  # fmt: skip
    uris = adapter.probe_onvif(spec)
    assert uris and uris[0].endswith("/stream1")
    camera_id = adapter.add_camera(spec)
    added = datetime.now(UTC)
    try:
        assert any(c.id == camera_id for c in adapter.list_cameras())
        status = _wait(lambda: (s := adapter.capture_status(camera_id)).connected and s)
        assert status.camera_id == camera_id
        found = _wait(
            lambda: (
                adapter.search_recordings(
                    camera_id, added - timedelta(seconds=5), datetime.now(UTC)
                ).segments
            )
        )
        assert found[0].recording_id and found[0].frames
        path = adapter.download_recording(found[0], tmp_path)
        assert path.read_bytes()[4:8] == b"ftyp"
    finally:
        adapter.remove_camera(camera_id)
    assert all(c.id != camera_id for c in adapter.list_cameras())


def test_adapter_reports_a_vms_without_ingest_as_unsupported():
    cameras = (CameraConfig(name="rec", width=160, height=90, bitrate_kbps=100, record=True),)
    with SimulatorThread(Site("no-ingest", cameras)) as simulator:
        ready = simulator.host.ready()["vms"]
        adapter = FakeVmsAdapter(ready["url"], ready["username"], ready["password"], timeout_s=5)
        spec = IngestCamera(
            name="x", rtsp_url="rtsp://127.0.0.1:9/x", onvif_url="http://127.0.0.1:9/"
        )
        with pytest.raises(VmsUnsupported):
            adapter.add_camera(spec)
        with pytest.raises(VmsUnsupported):
            adapter.probe_onvif(spec)
