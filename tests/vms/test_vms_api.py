"""The simulated VMS's export API: its OpenAPI document is valid, and the running simulator
conforms to it (hypothesis-generated requests, every reply checked against the documented status
codes and response schemas with jsonschema); plus the API's security and export flow."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_replies import DOC, JSON_VALUES, conforms
from openapi_spec_validator import validate

from conformance.clients.vms import ExportRequest, RecordingSegment, VmsApiError
from conformance.clients.vms_fakevms import FakeVmsAdapter
from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site


@pytest.fixture(scope="module")
def vms() -> Any:
    cameras = tuple(
        CameraConfig(name=f"api-cam-{i}", width=320, height=180, bitrate_kbps=150, record=True)
        for i in range(2)
    )
    with SimulatorThread(Site("vms-api", cameras)) as simulator:
        ready = simulator.host.ready()["vms"]
        time.sleep(3.0)  # a few seconds of recording
        yield ready


@pytest.fixture(scope="module")
def token(vms) -> str:
    reply = requests.post(
        vms["url"] + "/api/login",
        json={"username": vms["username"], "password": vms["password"]},
        timeout=5,
    )
    assert reply.status_code == 200
    return reply.json()["token"]


def test_openapi_document_is_valid():
    validate(DOC)


def test_served_document_is_the_committed_one(vms):
    reply = requests.get(vms["url"] + "/api/openapi.json", timeout=5)
    assert reply.status_code == 200 and reply.json() == DOC


@pytest.mark.parametrize(
    "method,path",
    [("get", "/api/cameras"), ("get", "/api/recordings"), ("post", "/api/exports"),
     ("get", "/api/exports/x"), ("get", "/api/audit"), ("get", "/api/recordings/media")],
)  # fmt: skip
def test_every_operation_needs_a_bearer_token(vms, method, path):
    for headers in ({}, {"Authorization": "Basic b3BlcmF0b3I6eA=="}, {"Authorization": "Bearer x"}):
        reply = requests.request(method, vms["url"] + path, headers=headers, timeout=5)
        assert reply.status_code == 401
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_password_is_refused_and_audited(vms, token):
    reply = requests.post(
        vms["url"] + "/api/login", json={"username": vms["username"], "password": "x"}, timeout=5
    )
    assert reply.status_code == 401
    conforms("/api/login", "post", reply)
    audit = requests.get(
        vms["url"] + "/api/audit", headers={"Authorization": f"Bearer {token}"}, timeout=5
    ).json()
    assert any(e["action"] == "login.failed" for e in audit["entries"])


_times = st.one_of(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d.isoformat()),
    st.sampled_from(["", "yesterday", "2026-11-29T12:00:00", "2026-13-01T00:00:00Z"]),
    st.text(max_size=12),
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    camera=st.one_of(st.sampled_from(["api-cam-0", "api-cam-1"]), st.text(max_size=8)),
    start=_times,
    end=_times,
    drop=st.sets(st.sampled_from(["camera", "start", "end"]), max_size=2),
)
def test_search_conforms_to_the_document(vms, token, camera, start, end, drop):
    params = {k: v for k, v in {"camera": camera, "start": start, "end": end}.items()
              if k not in drop}  # fmt: skip
    reply = requests.get(
        vms["url"] + "/api/recordings", params=params,
        headers={"Authorization": f"Bearer {token}"}, timeout=5,
    )  # fmt: skip
    conforms("/api/recordings", "get", reply)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "cameras": st.one_of(
                st.lists(st.sampled_from(["api-cam-0", "api-cam-1", "nope"]), max_size=2),
                JSON_VALUES,
            ),
            "start": st.one_of(_times, JSON_VALUES),
            "end": st.one_of(_times, JSON_VALUES),
            "operator": st.one_of(st.text(max_size=8), JSON_VALUES),
            "reason": st.text(max_size=8),
        },
    )
)
def test_export_creation_conforms_to_the_document(vms, token, body):
    reply = requests.post(
        vms["url"] + "/api/exports", json=body,
        headers={"Authorization": f"Bearer {token}"}, timeout=5,
    )  # fmt: skip
    conforms("/api/exports", "post", reply)


def test_export_flow_through_the_adapter(vms, tmp_path):
    adapter = FakeVmsAdapter(vms["url"], vms["username"], vms["password"], timeout_s=5)
    cameras = adapter.list_cameras()
    assert {c.id for c in cameras} == {"api-cam-0", "api-cam-1"}
    assert all(c.mac and c.serial and c.onvif_url for c in cameras)
    end = datetime.now(UTC) - timedelta(seconds=0.5)
    start = end - timedelta(seconds=1.5)
    found = adapter.search_recordings("api-cam-0", start, end)
    assert found.segments and not found.gaps
    job = adapter.create_export(ExportRequest(("api-cam-0", "api-cam-1"), start, end, "PC 1"))
    status = adapter.wait_for_export(job, 20)
    assert status.state == "done", status.error
    for path, method in ((f"/api/exports/{job}", "get"),):
        reply = requests.get(
            vms["url"] + path, headers={"Authorization": f"Bearer {adapter._token}"}, timeout=5
        )
        conforms("/api/exports/{id}", method, reply)
    package = adapter.download_export(job, tmp_path / "pkg")
    assert package.manifest == "manifest.json" and package.signature == "manifest.sig"
    assert sum(name.endswith(".mp4") for name in package.files) == 2
    recording = adapter.download_recording(RecordingSegment("api-cam-0", start, end), tmp_path)
    assert recording.read_bytes()[4:8] == b"ftyp"
    actions = [(e.action, e.details.get("job_id")) for e in adapter.audit_log()]
    assert ("export.create", job) in actions and ("export.download", job) in actions
    assert adapter.public_keys() and adapter.public_keys()[0].startswith(b"-----BEGIN PUBLIC KEY")


def test_package_download_before_done_and_unknown_job(vms, token):
    headers = {"Authorization": f"Bearer {token}"}
    reply = requests.get(vms["url"] + "/api/exports/nope/package", headers=headers, timeout=5)
    assert reply.status_code == 404
    conforms("/api/exports/{id}/package", "get", reply)


def test_adapter_refuses_a_package_escaping_its_directory(tmp_path):
    """A hostile or broken VMS must not make the suite write outside the download directory:
    a real HTTP server on loopback serves a token and a zip whose entry climbs out."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.txt", b"x")
    package = buffer.getvalue()

    class Hostile(BaseHTTPRequestHandler):
        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._send(b'{"token": "t"}', "application/json")

        def do_GET(self) -> None:  # noqa: N802
            self._send(package, "application/zip")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        adapter = FakeVmsAdapter(f"http://127.0.0.1:{server.server_port}", "u", "p", timeout_s=5)
        with pytest.raises(VmsApiError, match="outside the package"):
            adapter.download_export("j", tmp_path / "pkg")
    finally:
        server.shutdown()
        server.server_close()
    assert not (tmp_path / "evil.txt").exists()
