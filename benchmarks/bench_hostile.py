"""Benchmark: the hostile-device battery. Per hostile case, the outcome the suite recorded and
the time the suite took on it; then the total handled over total.

    /work/venv/bin/python benchmarks/bench_hostile.py [--timeout 1.0] [--out DIR]

"Handled" means: the expected outcome (fail or inconclusive), a reason naming the behaviour, and
the test ended within the bound (a small multiple of the timeout; conformance.selftest).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "hostile"))

from hostile_battery import TIMEOUT_S, bound_s, run_battery  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S)
    parser.add_argument("--out", help="keep the run's results here (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = run_battery(Path(args.out or tmp), timeout=args.timeout)
    print(f"hostile battery: timeout {args.timeout:g} s, bound {bound_s(args.timeout):g} s/test")
    print(f"{'case':<28} {'requirement':<20} {'outcome':<13} {'seconds':>8}  reason")
    for v in run.verdicts:
        mark = "" if v.handled else "  <-- NOT HANDLED: " + "; ".join(v.problems)
        reason = " ".join(v.reason.split())[:70]
        print(
            f"{v.case.persona:<28} {v.case.requirement:<20} {v.outcome:<13} "
            f"{v.seconds:>8.2f}  {reason}{mark}"
        )
    good = ", ".join(f"{k} {o}" for k, o in run.good.items())
    print(f"good camera in the same run: {good}")
    handled = sum(v.handled for v in run.verdicts)
    print(f"handled {handled}/{len(run.verdicts)}; whole run {run.seconds:.1f} s")
    return 0 if handled == len(run.verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
