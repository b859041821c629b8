"""Benchmark: a simulated estate of 500 cameras audited by 1, 2 and 4 distributed workers.

The estate is the five-authority estate four times over (125 cameras per simulator process, four
processes, names prefixed ``s1-`` .. ``s4-``; every camera keeps its authority, so its queue).
A Redis from Debian's packages is started on a free port; each configuration starts its worker
processes (``cctv-conformance worker``, every authority queue, ``--concurrency`` audits at once
each), runs ``cctv-conformance run --broker`` for the whole estate and stops the workers. For
each: wall time, cameras per minute, the suite's CPU per camera (workers with their pool
processes, and the coordinator) and the simulators' CPU per camera, and the speed-up over one
worker. Beside them, the tool a user would otherwise pick: one process, ``run --workers 12``.
Nothing is asserted.

    python benchmarks/bench_distributed.py [--cameras 500] [--workers 1 2 4] [--concurrency 6]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_seconds_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AUTHORITIES = ROOT / "fixtures" / "sites" / "authorities"
QUEUES = ["northbridge", "eastmoor", "southvale", "westholm", "midcaster"]
PROFILE = "pictco-la-baseline"
ENV = {**os.environ, "CCTV_NO_PDF": "1", "PYTHONUNBUFFERED": "1"}


def shard_site(folder: Path, shard: int) -> Path:
    """The five-authority estate with every camera name prefixed ``s<shard>-``."""
    sites = []
    for path in sorted(AUTHORITIES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for camera in data["cameras"]:
            camera["name"] = f"s{shard}-{camera['name']}"
        sites.append(data)
    site = folder / f"shard-{shard}.yaml"
    site.write_text(yaml.safe_dump({"estate": f"shard-{shard}", "sites": sites}))
    return site


def start_simulators(folder: Path, shards: int) -> tuple[list[subprocess.Popen], Path]:
    """One simulator process per shard; one ready file naming every camera."""
    procs, readies = [], []
    for shard in range(1, shards + 1):
        ready = folder / f"ready-{shard}.json"
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "fake_vms.cli",
                    "serve",
                    "--site",
                    str(shard_site(folder, shard)),
                    "--ready-file",
                    str(ready),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        )
        readies.append(ready)
    deadline = time.monotonic() + 600
    while not all(r.exists() for r in readies):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise SystemExit("the simulators did not become ready")
        time.sleep(0.5)
    devices = []
    for ready in readies:
        data = json.loads(ready.read_text())
        devices += [{**d, "discovery_port": data.get("discovery_port")} for d in data["devices"]]
    merged = folder / "ready.json"
    merged.write_text(json.dumps({"devices": devices}))
    return procs, merged


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.0)
    return proc, f"redis://127.0.0.1:{port}/0"


def wait_rusage(proc: subprocess.Popen) -> tuple[float, int]:
    """CPU seconds (the process and the children it waited for) and exit status."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, proc.returncode


def target_file(folder: Path, ready: Path, cameras: int) -> Path:
    """The first ``cameras`` cameras of the simulators (spread over every authority)."""
    devices = json.loads(ready.read_text())["devices"]
    by_site: dict[str, list[str]] = {}
    for device in devices:
        by_site.setdefault(device["site"], []).append(device["name"])
    chosen: list[str] = []
    while len(chosen) < min(cameras, len(devices)):
        for names in by_site.values():
            if names and len(chosen) < cameras:
                chosen.append(names.pop(0))
    target = folder / "target.yaml"
    target.write_text(
        yaml.safe_dump(
            {
                "supplier": "Benchmark estate",
                "product": "simulated cameras",
                "simulator": {"ready_file": str(ready), "devices": chosen},
            }
        )
    )
    return target


def distributed(folder: Path, broker: str, target: Path, workers: int, concurrency: int):
    """Wall seconds, suite CPU seconds (workers + coordinator), exit status, devices judged."""
    procs = []
    for index in range(workers):
        argv = [sys.executable, "-m", "conformance.cli", "worker", "--broker", broker,
                "--concurrency", str(concurrency), "--name", f"bench-{workers}-{index}",
                "--spool", str(folder / f"spool-{workers}-{index}")]  # fmt: skip
        argv += [a for q in QUEUES for a in ("--queue", q)]
        procs.append(
            subprocess.Popen(
                argv,
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        )
    out = folder / f"out-{workers}"
    started = time.perf_counter()
    coordinator = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "run", "--broker", broker, "--target",
         str(target), "--profile", PROFILE, "--out", str(out)],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    coordinator_cpu, code = wait_rusage(coordinator)
    wall = time.perf_counter() - started
    cpu = coordinator_cpu
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)  # warm shutdown: the pool is reaped, its CPU counted
    for proc in procs:
        cpu += wait_rusage(proc)[0]
    judged = len(json.loads((out / "results.json").read_text())["devices"]) if code < 2 else 0
    return wall, cpu, code, judged


def one_process(folder: Path, target: Path, workers: int):
    out = folder / "out-one"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "run", "--target", str(target), "--profile",
         PROFILE, "--out", str(out), "--workers", str(workers)],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    cpu, code = wait_rusage(proc)
    wall = time.perf_counter() - started
    judged = len(json.loads((out / "results.json").read_text())["devices"]) if code < 2 else 0
    return wall, cpu, code, judged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--cameras",
        type=int,
        default=500,
        help="cameras audited (default 500; simulators host 125 each)",
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=6, help="audits at once per worker")
    parser.add_argument("--no-one-process", action="store_true", help="skip the comparison run")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed (Debian package redis-server)")
    shards = max(1, math.ceil(args.cameras / 125))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        simulators, ready = start_simulators(folder, shards)
        bring_up = time.perf_counter() - started
        redis, broker = start_redis(folder)
        target = target_file(folder, ready, args.cameras)
        cameras = min(args.cameras, len(json.loads(ready.read_text())["devices"]))
        print(
            f"distributed benchmark: {cameras} simulated cameras in {shards} simulator processes "
            f"(ready in {bring_up:.0f} s), profile {PROFILE}, {os.cpu_count()} CPUs, load "
            f"average {os.getloadavg()[0]:.2f} at start; each row is printed as it ends",
            flush=True,
        )
        print(
            f"{'run':<28} {'wall (s)':>9} {'cameras/min':>12} {'suite core-s/cam':>17} "
            f"{'simulator core-s/cam':>21} {'speed-up':>9} {'judged':>7} {'exit':>5}",
            flush=True,
        )
        runs = [(f"{w} worker(s) x {args.concurrency}", w) for w in args.workers]
        if not args.no_one_process:
            runs.append(("one process, --workers 12", None))
        base: float | None = None
        try:
            for label, workers in runs:
                sim_before = sum(cpu_seconds_of(p.pid) for p in simulators)
                if workers is None:
                    wall, cpu, code, judged = one_process(folder, target, 12)
                else:
                    wall, cpu, code, judged = distributed(
                        folder, broker, target, workers, args.concurrency
                    )
                sim = sum(cpu_seconds_of(p.pid) for p in simulators) - sim_before
                base = base or wall
                print(
                    f"{label:<28} {wall:>9.0f} {60 * cameras / wall:>12.1f} "
                    f"{cpu / cameras:>17.2f} {sim / cameras:>21.2f} {base / wall:>8.2f}x "
                    f"{judged:>7} {code:>5}",
                    flush=True,
                )
        finally:
            for proc in [*simulators, redis]:
                proc.terminate()
                proc.wait(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
