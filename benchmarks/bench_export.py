"""Benchmark: VMS export throughput as a multiple of real time, for 1 and 4 cameras.

Four 1280x720p25 H.264 cameras record into the simulator's recordings store; the simulator's
VMS then exports the latest ``--seconds`` of 1 camera and of all 4 in one job, through the
suite's own adapter (``conformance.clients.vms_fakevms``), timed from the create request to the
job seen done (what EXPORT-SPEED-01 measures) and to the package downloaded. Speed = media
seconds exported / wall seconds. Nothing is asserted: the table is for reading.

    python benchmarks/bench_export.py [--seconds 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import machine_line, print_table

from conformance.clients.vms import ExportRequest
from conformance.clients.vms_fakevms import FakeVmsAdapter
from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="media per camera per job")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cameras = tuple(CameraConfig(name=f"bench-{i}", record=True) for i in range(4))
    print(machine_line())
    with SimulatorThread(Site("bench-export", cameras)) as simulator:
        vms = simulator.host.ready()["vms"]
        adapter = FakeVmsAdapter(vms["url"], vms["username"], vms["password"], timeout_s=30)
        print(f"recording {args.seconds + 2:.0f} s of 4 cameras (1280x720p25 H.264)...")
        time.sleep(args.seconds + 2.0)
        rows = []
        for count in (1, 4):
            ids = tuple(c.name for c in cameras[:count])
            job_s, total_s, size = [], [], 0
            for _ in range(args.repeats):
                end = datetime.now(UTC) - timedelta(seconds=1)
                start = end - timedelta(seconds=args.seconds)
                began = time.monotonic()
                job = adapter.create_export(ExportRequest(ids, start, end, "benchmark"))
                status = adapter.wait_for_export(job, 300, poll_s=0.02)
                job_s.append(time.monotonic() - began)
                if status.state != "done":
                    raise SystemExit(f"export failed: {status.error}")
                with tempfile.TemporaryDirectory() as directory:
                    package = adapter.download_export(job, Path(directory))
                    size = sum((Path(directory) / f).stat().st_size for f in package.files)
                total_s.append(time.monotonic() - began)
            media = args.seconds * count
            rows.append(
                [
                    count, f"{media:.0f}", f"{statistics.median(job_s):.2f}",
                    f"{media / statistics.median(job_s):.1f}x",
                    f"{statistics.median(total_s):.2f}",
                    f"{media / statistics.median(total_s):.1f}x", f"{size / 1e6:.1f}",
                ]
            )  # fmt: skip
    print_table(
        ["cameras", "media s", "job s", "job speed", "job+download s", "end-to-end", "MB"],
        rows,
    )


if __name__ == "__main__":
    main()
