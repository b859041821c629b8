"""Benchmark: ZoneMinder bring-up time, and "camera added" -> "recording downloadable".

Brings ZoneMinder down (if this script finds it up, it restores that at the end), then times
``zm up`` from packages installed to API login, adds one simulated 720p25 H.264 camera and times
connection, the first closed recording and its download. Prints a table; asserts nothing.
Needs root on Debian (``cctv-conformance zm check``); exits 0 with the reason where it cannot run.

    python benchmarks/bench_zoneminder.py [--keep-up]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conformance import zoneminder as zm
from conformance.clients.vms import IngestCamera
from conformance.clients.vms_zoneminder import ZoneMinderAdapter, wait_connected
from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-up", action="store_true", help="leave ZoneMinder running")
    args = parser.parse_args()
    reason = zm.why_cannot_run()
    if reason:
        print(f"bench_zoneminder: skipped — {reason}")
        return 0
    was_up = zm.read_ready() is not None
    installed_before = zm.installed()
    zm.down(quiet=True)
    t0 = time.monotonic()
    ready = zm.up(quiet=True)
    bringup = time.monotonic() - t0
    rows = [
        ("bring-up (packages installed -> API login)" if installed_before else
         "bring-up including apt-get install", bringup),
    ]  # fmt: skip
    adapter = ZoneMinderAdapter(ready["url"], ready["username"], ready["password"])
    site = Site("bench", (CameraConfig(name="bench-cam", fps=25, gop=25),))
    try:
        with SimulatorThread(site) as sim, tempfile.TemporaryDirectory() as tmp:
            dev = sim.host.ready()["devices"][0]
            added_at = datetime.now(UTC)
            t1 = time.monotonic()
            cam = adapter.add_camera(
                IngestCamera(
                    name="cctv-bench-cam",
                    rtsp_url=f"rtsp://127.0.0.1:{dev['rtsp_port']}/stream1",
                    username=dev["username"],
                    password=dev["password"],
                    width=1280,
                    height=720,
                    fps=25,
                )
            )
            rows.append(("add camera (API call)", time.monotonic() - t1))
            wait_connected(adapter, cam, 30)
            rows.append(("camera added -> capturing", time.monotonic() - t1))
            segments: tuple = ()
            deadline = time.monotonic() + 90
            while not segments and time.monotonic() < deadline:
                time.sleep(0.5)
                segments = adapter.search_recordings(
                    cam, added_at - timedelta(seconds=5), datetime.now(UTC)
                ).segments
            rows.append(("camera added -> first closed recording", time.monotonic() - t1))
            if segments:
                adapter.download_recording(segments[0], Path(tmp))
                rows.append(("camera added -> recording downloaded", time.monotonic() - t1))
            adapter.remove_camera(cam)
    finally:
        t2 = time.monotonic()
        if not (args.keep_up or was_up):
            zm.down(quiet=True)
            rows.append(("teardown", time.monotonic() - t2))
    print(f"ZoneMinder {ready.get('version')} (SectionLength {adapter.section_length_s} s)")
    for label, seconds in rows:
        print(f"  {label:<45} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
