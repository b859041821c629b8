"""``tox -e plan``: the planner on the simulated five-authority estate, evidence gathered first.

What a programme team would do, on loopback: audit the cameras the audit machine can reach
(four of the five authorities), test lab samples of the models it cannot reach, have each
candidate VMS ingest stand-in cameras (the simulator's VMS always; ZoneMinder where it can run
here), then plan. Every step is a real ``cctv-conformance`` run into ``OUT/evidence/<step>``;
the plan goes to ``OUT``. A step that cannot run is said, and the plan says which evidence is
missing (the option without it is "not assessable").
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from conformance.cli import project_file

ESTATE = "fixtures/estates/five-authorities.yaml"
CAMERA_PROFILE = "estate-migration"
VMS_PROFILE = "vms-ingest-estate"
STATUS_MEANING = {0: "done, everything conforms", 1: "done, some devices do not conform"}
"""What a run's exit status means for the demo: both are evidence (faulty cameras are the point)."""


def _cli(*args: str, log: Path, pdf: bool = False) -> int:
    """One ``cctv-conformance`` run, its output in a log beside the evidence (the terminal
    gets one line per step: the runs' own progress is long). The evidence runs write no PDFs
    (the plan links their HTML); the plan itself prints one where Chromium is installed."""
    env = dict(os.environ) if pdf else {**os.environ, "CCTV_NO_PDF": "1"}
    with log.open("w", encoding="utf-8") as sink:
        return subprocess.call(
            [sys.executable, "-m", "conformance.cli", *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=project_file("."),
        )


def _step(title: str, *args: str, log: Path) -> int:
    """One ``cctv-conformance`` run as a step of the demo, with a line before and after."""
    started = time.monotonic()
    print(f"plan demo: {title} ...", flush=True)
    status = _cli(*args, log=log)
    said = STATUS_MEANING.get(status, f"FAILED (exit {status}): its evidence will be missing")
    print(
        f"plan demo: {title}: {said}, {time.monotonic() - started:.0f} s (log: {log})",
        flush=True,
    )
    return status


def camera_evidence(evidence: Path, workers: int) -> None:
    """The estate audit (four authorities) and the lab samples, each a real run."""
    runs = (
        ("estate-audit", "five-authorities-reachable.yaml", "five-authorities.yaml", workers),
        ("lab-samples", "lab-samples.yaml", "lab-samples.yaml", 3),
    )
    for name, site, target, n in runs:
        _step(
            f"{name} ({CAMERA_PROFILE})",
            "demo", "--site", f"fixtures/sites/{site}", "--target", f"fixtures/targets/{target}",
            "--profile", CAMERA_PROFILE, "--workers", str(n), "--out", str(evidence / name),
            log=evidence / f"{name}.log",
        )  # fmt: skip


def simulated_vms_evidence(evidence: Path) -> None:
    """The simulator's VMS ingests the stand-in cameras (vms-ingest-estate)."""
    with tempfile.TemporaryDirectory() as private:
        ready = Path(private) / "vms-ready.json"
        server = subprocess.Popen(
            [sys.executable, "-m", "fake_vms.cli", "serve", "--site",
             str(project_file("fixtures/sites/vms-host.yaml")), "--ready-file", str(ready)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not ready.exists() and time.monotonic() < deadline and server.poll() is None:
                time.sleep(0.2)
            _step(
                f"vms-ingest on the simulated VMS ({VMS_PROFILE})",
                "run", "--target", "fixtures/targets/vms-sim.yaml", "--ready-file", str(ready),
                "--profile", VMS_PROFILE, "--mode", "lab", "--out", str(evidence / "vms-fake-vms"),
                log=evidence / "vms-fake-vms.log",
            )  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)


def zoneminder_evidence(evidence: Path) -> str:
    """ZoneMinder ingests the stand-ins where it can run here; else the reason it cannot."""
    check = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "zm", "check"],
        capture_output=True, text=True, cwd=project_file("."),
    )  # fmt: skip
    if check.returncode != 0:
        said = (check.stdout + check.stderr).strip().splitlines()
        return said[-1] if said else f"zm check exited {check.returncode}"
    state = evidence / "zm-state"
    up = _step("ZoneMinder up", "zm", "up", "--state", str(state), log=evidence / "zm-up.log")
    if up != 0:
        return f"ZoneMinder could not be brought up here (zm up exited {up}; see zm-up.log)"
    try:
        _step(
            f"vms-ingest on ZoneMinder ({VMS_PROFILE})",
            "run", "--target", str(state / "zoneminder.yaml"), "--profile", VMS_PROFILE,
            "--mode", "lab", "--out", str(evidence / "vms-zoneminder"),
            log=evidence / "vms-zoneminder.log",
        )  # fmt: skip
    finally:
        _cli("zm", "down", "--state", str(state), log=evidence / "zm-down.log")
    return ""


def run_plan_demo(out: Path, workers: int = 12, zoneminder: bool = True) -> int:
    """Gather the evidence into OUT/evidence, then plan into OUT."""
    evidence = out / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    camera_evidence(evidence, workers)
    simulated_vms_evidence(evidence)
    missing = zoneminder_evidence(evidence) if zoneminder else "skipped (--no-zoneminder)"
    inventory = project_file(ESTATE)
    if missing:
        print(f"plan demo: ZoneMinder evidence missing: {missing}", flush=True)
        inventory = _with_note(inventory, evidence, "zoneminder", f"no evidence here: {missing}")
    folders = sorted(
        str(p) for p in evidence.iterdir() if p.is_dir() and (p / "results.json").exists()
    )
    shown = os.path.relpath(inventory, project_file("."))  # the plan names it, machine-free
    status = _cli(
        "plan", "--estate", shown, "--results", *folders, "--out", str(out),
        log=out / "plan.log", pdf=True,
    )  # fmt: skip
    print((out / "plan.log").read_text(encoding="utf-8"), end="")
    return status


def _with_note(inventory: Path, evidence: Path, vms: str, note: str) -> Path:
    """A copy of the inventory whose candidate says why its evidence is missing."""
    data = yaml.safe_load(inventory.read_text(encoding="utf-8"))
    for candidate in data.get("candidates") or []:
        if candidate.get("vms") == vms:
            candidate["note"] = note
    copy = evidence / "estate-with-notes.yaml"
    copy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return copy


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a thin wrapper
    import argparse

    parser = argparse.ArgumentParser(prog="python -m conformance.planner.demo")
    parser.add_argument("--out", default="out/plan")
    parser.add_argument("--workers", type=int, default=12)
    parser.add_argument("--no-zoneminder", action="store_true")
    args = parser.parse_args(argv)
    return run_plan_demo(Path(args.out), args.workers, not args.no_zoneminder)


if __name__ == "__main__":
    sys.exit(main())
