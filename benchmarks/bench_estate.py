"""Benchmark: the five-authority estate (125 simulated cameras), passive baseline profile.

Measures an estate audit the way an authority would run it (one command, one merged report):
wall time, cameras per minute and peak memory of the suite, the suite's own CPU (core-seconds per
audited camera), and the speed-up of gathering several devices' evidence at once (``--workers``)
against checking devices one after another. The sequential figure is measured on a sample of
devices and projected to the whole estate (running all 125 one by one takes a quarter of an
hour). Nothing is asserted.

The simulator runs in its own process, so its CPU is never counted as the suite's. The suite's
CPU is the user + system time of the waited ``cctv-conformance run`` process from ``os.wait4``,
which includes any children it spawned and waited for (headless Chromium for the PDFs; the
passive baseline run spawns no FFmpeg: video is decoded in-process by PyAV). Each row is the
whole ``run`` command with ``CCTV_NO_PDF=1`` (the audit, results.json, junit.xml, Allure
results and report, compliance.html and summary.html); the full estate is also measured as the
audit alone (the same pytest session the command starts, without the reports written after it)
and, unless ``--no-pdf-row``, as the whole command with the PDFs (Chromium).

The full-estate ``run`` row is taken ``--repeat`` times (default 3) and the goal line reads the
median: on this shared 2-core machine one run's CPU moves by 10-20 % with the other load.

    python benchmarks/bench_estate.py [--sample 10] [--workers 12] [--repeat 3] [--quick]
        [--no-pdf-row] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "fixtures" / "sites" / "five-authorities.yaml"
TARGET = ROOT / "fixtures" / "targets" / "five-authorities.yaml"
GOAL_S = 300.0  # the goal: 125 cameras, passive baseline, under 5 minutes on 2 cores
GOAL_CPU_PER_CAMERA = 0.5  # the suite's own core-seconds per audited camera (simulator excluded)


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


@dataclass
class Row:
    label: str
    cameras: int
    wall: float
    cpu: float
    """user + system seconds of the suite process and the children it waited for"""
    rss: float
    code: int


def suite_argv(ready: Path, devices: list[str], workers: int, out: Path, audit_only: bool):
    """The ``run`` command; or, audit only, the pytest session that command starts (its own
    arguments, from ``conformance.audit.pytest_args``), with no reports written after it."""
    if not audit_only:
        argv = [sys.executable, "-m", "conformance.cli", "run", "--target", str(TARGET)]
        argv += ["--ready-file", str(ready), "--profile", "pictco-la-baseline"]
        argv += ["--out", str(out), "--workers", str(workers)]
        for name in devices:
            argv += ["--only-device", name]
        return argv
    from conformance.audit import pytest_args
    from conformance.cli import build_parser

    options = ["run", "--target", str(TARGET), "--ready-file", str(ready)]
    options += ["--profile", "pictco-la-baseline", "--out", str(out), "--workers", str(workers)]
    for name in devices:
        options += ["--only-device", name]
    out.mkdir(parents=True, exist_ok=True)
    return [sys.executable, "-m", "pytest", *pytest_args(build_parser().parse_args(options), out)]


def run_suite(
    label: str,
    ready: Path,
    devices: list[str],
    workers: int,
    out: Path,
    *,
    audit_only: bool = False,
    pdf: bool = False,
) -> Row:
    argv = suite_argv(ready, devices, workers, out, audit_only)
    env = dict(os.environ)
    if pdf:
        env.pop("CCTV_NO_PDF", None)
    else:
        env["CCTV_NO_PDF"] = "1"
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    return Row(label, len(devices), wall, cpu, usage.ru_maxrss / 1024, code)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=10, help="devices for the sequential run")
    parser.add_argument("--workers", type=int, default=12, help="devices gathered at once")
    parser.add_argument("--quick", action="store_true", help="sample runs only (no full estate)")
    parser.add_argument(
        "--no-pdf-row", action="store_true", help="skip the full-estate run with the PDFs"
    )
    parser.add_argument("--keep", help="keep each run's output folder under this directory")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="times the full-estate `run` row is taken; the goal line reads their median "
        "(one run's CPU moves by 10-20 %% with the machine's other load)",
    )
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        keep = Path(args.keep) if args.keep else Path(tmp)
        ready = Path(tmp) / "ready.json"
        started = time.perf_counter()
        estate = start_estate(ready)
        bring_up = time.perf_counter() - started
        try:
            names = [d["name"] for d in json.loads(ready.read_text())["devices"]]
            sample = names[: args.sample]
            n, w = len(sample), args.workers
            rows = [
                run_suite(f"{n} devices, one after another", ready, sample, 1, keep / "seq"),
                run_suite(f"{n} devices, --workers {w}", ready, sample, w, keep / "par"),
            ]
            if not args.quick:
                m = len(names)
                repeats = [
                    run_suite(
                        f"{m} devices, --workers {w} ({i + 1}/{args.repeat})",
                        ready,
                        names,
                        w,
                        keep / f"full-{i + 1}",
                    )
                    for i in range(max(1, args.repeat))
                ]
                rows.extend(repeats)
                rows.append(
                    run_suite(
                        f"{m} devices, audit only",
                        ready,
                        names,
                        w,
                        keep / "audit",
                        audit_only=True,
                    )
                )
                if not args.no_pdf_row:
                    rows.append(
                        run_suite(
                            f"{m} devices, with PDFs", ready, names, w, keep / "pdf", pdf=True
                        )
                    )
        finally:
            estate.terminate()
            estate.wait(10)
    print(
        f"estate benchmark: {len(names)} simulated cameras, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.2f} at start; simulator ready in {bring_up:.1f} s (its own process: its "
        "CPU is not counted)"
    )
    print(
        "suite CPU = user + system time of the waited suite process and the children it waited "
        "for (os.wait4); rows run `cctv-conformance run` with CCTV_NO_PDF=1 (audit, results.json, "
        "junit, Allure, compliance.html, summary.html) unless marked: 'audit only' is the pytest "
        "session alone (no reports after it), 'with PDFs' adds headless Chromium (a child "
        "process) for the PDFs; no row spawns FFmpeg (PyAV decodes in-process)"
    )
    print(
        f"{'run':<34} {'wall (s)':>9} {'cameras/min':>12} {'CPU (s)':>8} {'core-s/camera':>14} "
        f"{'peak RSS (MiB)':>15} {'exit':>5}"
    )
    for r in rows:
        print(
            f"{r.label:<34} {r.wall:>9.1f} {60 * r.cameras / r.wall:>12.1f} {r.cpu:>8.1f} "
            f"{r.cpu / r.cameras:>14.2f} {r.rss:>15.0f} {r.code:>5}"
        )
    per_device_seq = rows[0].wall / rows[0].cameras
    print(
        f"speed-up of --workers {args.workers} over one after another (same sample): "
        f"{rows[0].wall / rows[1].wall:.1f}x"
    )
    print(
        f"projected one-after-another time for {len(names)} cameras: "
        f"{per_device_seq * len(names):.0f} s"
    )
    if not args.quick:
        by_cpu = sorted(repeats, key=lambda r: r.cpu)
        full = by_cpu[(len(by_cpu) - 1) // 2]  # the median run (the lower one of an even count)
        audit = next(r for r in rows if r.label.endswith("audit only"))
        print(f"goal: {len(names)} cameras in under {GOAL_S:.0f} s; measured {full.wall:.0f} s")
        spread = ", ".join(f"{r.cpu / r.cameras:.2f}" for r in repeats)
        print(
            f"suite CPU per camera: {full.cpu / full.cameras:.2f} core-s, the median of "
            f"{len(repeats)} runs ({spread}) (goal <= {GOAL_CPU_PER_CAMERA}); the `run` command "
            f"without PDFs, {full.cameras} cameras, --workers {args.workers}; the audit alone "
            f"{audit.cpu / audit.cameras:.2f} core-s, so the reports after it about "
            f"{(full.cpu - audit.cpu) / full.cameras:.2f} core-s per camera (a difference of two "
            "runs: under other load on the machine it can even come out negative)"
        )
    else:
        par = rows[1]
        print(
            f"suite CPU per camera: {par.cpu / par.cameras:.2f} core-s (goal <= "
            f"{GOAL_CPU_PER_CAMERA}; --quick: the {par.cameras}-device sample at --workers "
            f"{args.workers}, not the full estate)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
