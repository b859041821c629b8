"""Benchmark: the five-authority estate (125 simulated cameras), passive baseline profile.

Measures an estate audit the way an authority would run it (one command, one merged report):
wall time, cameras per minute and peak memory of the suite, and the speed-up of gathering
several devices' evidence at once (``--workers``) against checking devices one after another.
The sequential figure is measured on a sample of devices and projected to the whole estate
(running all 125 one by one takes a quarter of an hour). Nothing is asserted.

    python benchmarks/bench_estate.py [--sample 10] [--workers 12] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "fixtures" / "sites" / "five-authorities.yaml"
TARGET = ROOT / "fixtures" / "targets" / "five-authorities.yaml"
GOAL_S = 300.0  # the goal: 125 cameras, passive baseline, under 5 minutes on 2 cores


def start_estate(ready: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fake_vms.cli",
            "serve",
            "--site",
            str(SITE),
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("the simulator did not become ready within 120 s")
        time.sleep(0.2)
    return proc


def run_suite(ready: Path, devices: list[str], workers: int, out: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) of the suite process, exit status."""
    argv = [
        sys.executable,
        "-m",
        "conformance.cli",
        "run",
        "--target",
        str(TARGET),
        "--ready-file",
        str(ready),
        "--profile",
        "pictco-la-baseline",
        "--out",
        str(out),
        "--workers",
        str(workers),
    ]
    for name in devices:
        argv += ["--only-device", name]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=10, help="devices for the sequential run")
    parser.add_argument("--workers", type=int, default=12, help="devices gathered at once")
    parser.add_argument("--quick", action="store_true", help="sample runs only (no full estate)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "ready.json"
        started = time.perf_counter()
        estate = start_estate(ready)
        bring_up = time.perf_counter() - started
        try:
            names = [d["name"] for d in json.loads(ready.read_text())["devices"]]
            sample = names[: args.sample]
            rows = []
            seq = run_suite(ready, sample, 1, Path(tmp) / "seq")
            rows.append((f"{len(sample)} devices, one after another", len(sample), *seq))
            par = run_suite(ready, sample, args.workers, Path(tmp) / "par")
            rows.append((f"{len(sample)} devices, --workers {args.workers}", len(sample), *par))
            if not args.quick:
                full = run_suite(ready, names, args.workers, Path(tmp) / "full")
                rows.append((f"{len(names)} devices, --workers {args.workers}", len(names), *full))
        finally:
            estate.terminate()
            estate.wait(10)
    print(
        f"estate benchmark: {len(names)} simulated cameras, {os.cpu_count()} CPUs; simulator "
        f"ready in {bring_up:.1f} s"
    )
    print(f"{'run':<34} {'wall (s)':>9} {'cameras/min':>12} {'peak RSS (MiB)':>15} {'exit':>5}")
    for label, count, wall, rss, code in rows:
        print(f"{label:<34} {wall:>9.1f} {60 * count / wall:>12.1f} {rss:>15.0f} {code:>5}")
    per_device_seq = rows[0][2] / rows[0][1]
    print(
        f"speed-up of --workers {args.workers} over one after another (same sample): "
        f"{rows[0][2] / rows[1][2]:.1f}x"
    )
    print(
        f"projected one-after-another time for {len(names)} cameras: "
        f"{per_device_seq * len(names):.0f} s"
    )
    if not args.quick:
        print(f"goal: {len(names)} cameras in under {GOAL_S:.0f} s; measured {rows[2][2]:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
