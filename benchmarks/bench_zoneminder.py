"""Benchmark: ZoneMinder bring-up time, and "camera added" -> "recording downloadable" for
ZoneMinder and for the simulator's VMS, through the same adapter interface.

Brings ZoneMinder down (if this script finds it up, it restores that at the end), then times
``zm up`` from packages installed to API login. For each VMS it adds one simulated 720p25 H.264
camera and times: the add call, capture started, the first closed recording, and its download.
Prints a table; asserts nothing. ZoneMinder needs root on Debian (``cctv-conformance zm check``);
where it cannot run its rows say why and the simulated VMS is still timed.

    python benchmarks/bench_zoneminder.py [--keep-up]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conformance import zoneminder as zm
from conformance.clients.vms import IngestCamera, VmsAdapter
from conformance.clients.vms_zoneminder import wait_connected
from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site, VmsSiteConfig

Rows = list[tuple[str, float]]


def time_ingest(adapter: VmsAdapter, rows: Rows) -> None:
    """Add one simulated camera to ``adapter``'s VMS and time it to a downloaded recording."""
    site = Site("bench", (CameraConfig(name="bench-cam", fps=25, gop=25),))
    with SimulatorThread(site) as sim, tempfile.TemporaryDirectory() as tmp:
        dev = sim.host.ready()["devices"][0]
        added_at = datetime.now(UTC)
        t1 = time.monotonic()
        camera = IngestCamera(
            name="cctv-bench-cam",
            rtsp_url=f"rtsp://127.0.0.1:{dev['rtsp_port']}/stream1",
            username=dev["username"],
            password=dev["password"],
            width=1280,
            height=720,
            fps=25,
        )
        cam = adapter.add_camera(camera)
        rows.append(("add camera (API call)", time.monotonic() - t1))
        try:
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
        finally:
            adapter.remove_camera(cam)


def bench_zoneminder(keep_up: bool) -> tuple[str, Rows]:
    reason = zm.why_cannot_run()
    if reason:
        return f"ZoneMinder: skipped — {reason}", []
    was_up = zm.read_ready() is not None
    installed_before = zm.installed()
    zm.down(quiet=True)
    t0 = time.monotonic()
    ready = zm.up(quiet=True)
    label = "bring-up (packages installed -> API login)" if installed_before else (
        "bring-up including apt-get install"
    )  # fmt: skip
    rows: Rows = [(label, time.monotonic() - t0)]
    from conformance.clients.vms_zoneminder import ZoneMinderAdapter

    adapter = ZoneMinderAdapter(ready["url"], ready["username"], ready["password"])
    try:
        time_ingest(adapter, rows)
    finally:
        t2 = time.monotonic()
        if not (keep_up or was_up):
            zm.down(quiet=True)
            rows.append(("teardown", time.monotonic() - t2))
    title = f"ZoneMinder {ready.get('version')} (SectionLength {adapter.section_length_s} s)"
    return title, rows


def bench_simulated_vms() -> tuple[str, Rows]:
    from conformance.clients.vms_fakevms import FakeVmsAdapter

    site = Site("bench-vms", (), VmsSiteConfig(ingest=True, clip_s=4.0))
    t0 = time.monotonic()
    with SimulatorThread(site) as sim:
        vms = sim.host.ready()["vms"]
        rows: Rows = [("bring-up (in-process)", time.monotonic() - t0)]
        adapter = FakeVmsAdapter(vms["url"], vms["username"], vms["password"])
        time_ingest(adapter, rows)
    return "simulated VMS (fake-vms, clips of 4 s)", rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-up", action="store_true", help="leave ZoneMinder running")
    args = parser.parse_args()
    benches: list[Callable[[], tuple[str, Rows]]] = [
        lambda: bench_zoneminder(args.keep_up),
        bench_simulated_vms,
    ]
    for bench in benches:
        title, rows = bench()
        print(title)
        for label, seconds in rows:
            print(f"  {label:<45} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
