"""Benchmark: wall time and peak memory of the demo (baseline profile, one simulated camera).

Runs `cctv-conformance demo` in a fresh process several times and prints a table. Nothing is
asserted: figures go in the README's performance section.

    python benchmarks/bench_demo.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def one_run(out: str) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB of the run's process tree, exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "demo", "--out", out],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: valid as a peak when it grew.
    return wall, max(peak_kib, before) / 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    walls, peaks = [], []
    print(
        f"demo benchmark: {args.runs} runs, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    print(f"{'run':>4} {'wall (s)':>9} {'peak RSS (MiB)':>15} {'exit':>5}")
    for index in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as out:
            wall, peak, code = one_run(out)
        walls.append(wall)
        peaks.append(peak)
        print(f"{index:>4} {wall:>9.2f} {peak:>15.1f} {code:>5}")
    print(f"{'median':>4} {statistics.median(walls):>9.2f} {max(peaks):>15.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
