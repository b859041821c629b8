"""Repeated query parameters reach ZoneMinder: a zip export of several events holds every one.

Why: the adapter once turned its query into a dict, which kept only the last ``eids[]``; the
README then reported "a zip export of two events held only the last one" as ZoneMinder's fault.
The first test shows on a real HTTP server (loopback, no mock) that every repeated key is sent;
the second asks the real ZoneMinder for a two-event, two-monitor export and checks both files.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from conformance.clients.vms import ExportRequest, IngestCamera, RecordingSegment
from conformance.clients.vms_zoneminder import ZoneMinderAdapter, wait_connected
from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site


class _Recorder(BaseHTTPRequestHandler):
    queries: list[list[tuple[str, str]]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).queries.append(parse_qsl(urlsplit(self.path).query))
        body = b'{"result":"Ok","exportFile":"?view=archive&type=zip&file=x.zip"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_repeated_query_keys_all_reach_the_server() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        adapter = ZoneMinderAdapter(f"http://127.0.0.1:{server.server_port}/zm", "u", "p")
        adapter._token = "tok"  # no login round trip: this server only records queries
        adapter._request(
            "GET",
            f"{adapter.base}/index.php",
            params=[("request", "event"), ("eids[]", "1"), ("eids[]", "9")],
        )
    finally:
        server.shutdown()
        server.server_close()
    query = _Recorder.queries[-1]
    assert [v for k, v in query if k == "eids[]"] == ["1", "9"]
    assert [v for k, v in query if k == "token"] == ["tok"]


def _first_closed(adapter: ZoneMinderAdapter, cam_id: str, since: datetime) -> RecordingSegment:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = adapter.search_recordings(cam_id, since, datetime.now(UTC)).segments
        if found:
            return found[0]
        time.sleep(1)
    raise AssertionError(f"monitor {cam_id}: no closed recording within 60 s")


def test_zip_export_of_two_events_on_two_monitors_holds_both(
    zm_ready: dict, tmp_path: Path
) -> None:
    site = Site(
        "zm-multi",
        tuple(CameraConfig(name=n, width=640, height=360, fps=15, gop=15) for n in ("m1", "m2")),
    )
    adapter = ZoneMinderAdapter(zm_ready["url"], zm_ready["username"], zm_ready["password"])
    with SimulatorThread(site) as sim:
        ids = []
        since = datetime.now(UTC) - timedelta(seconds=5)
        try:
            for dev in sim.host.ready()["devices"]:
                ids.append(
                    adapter.add_camera(
                        IngestCamera(
                            name=f"cctv-test-multi-{dev['name']}",
                            rtsp_url=f"rtsp://127.0.0.1:{dev['rtsp_port']}/stream1",
                            username=dev["username"],
                            password=dev["password"],
                            width=640,
                            height=360,
                            fps=15,
                        )
                    )
                )
            for cam_id in ids:
                wait_connected(adapter, cam_id, 30)
            segments = [_first_closed(adapter, cam_id, since) for cam_id in ids]
            # One range covering both first events: the export must name both event ids.
            start = max(s.start for s in segments) - timedelta(seconds=1)
            end = min(s.end for s in segments) + timedelta(seconds=1)
            if end - start < timedelta(seconds=3):  # the two events barely overlap: take both
                start, end = min(s.start for s in segments), max(s.end for s in segments)
            job = adapter.create_export(ExportRequest(tuple(ids), start, end, operator="test"))
            package = adapter.download_export(job, tmp_path / "export")
            for seg in segments:
                clip = adapter.download_recording(seg, tmp_path / "dl")
                name = f"/{seg.recording_id}/{seg.recording_id}-video.mp4"
                member = [f for f in package.files if f"/{f}".endswith(name)]
                assert member, f"event {seg.recording_id} missing from {package.files}"
                assert (package.directory / member[0]).read_bytes() == clip.read_bytes()
        finally:
            for cam_id in ids:
                adapter.remove_camera(cam_id)
