"""Results already written are never lost when the run dies (issue 5, point 2).

A real run is killed with SIGKILL mid-way (no cleanup of any kind runs); the per-test journal
must hold every test decided so far as complete JSON lines, and ``cctv-conformance recover``
must rebuild results.json from it: the journaled verdicts kept, every other requirement shown
``not_tested`` as interrupted, and the results marked recovered.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from simulated_target import write_simulated_target

from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site

KILL_AFTER = 4
"""Journal lines to wait for before the kill."""


@pytest.mark.slow
def test_sigkill_mid_run_keeps_the_journal_and_recover_rebuilds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with SimulatorThread(Site("journal", (CameraConfig(name="cam"),))) as simulator:
        target = write_simulated_target(
            tmp_path,
            simulator.host.ready(),
            "Journal",
            ["cam"],
            ["snapshot", "rtsp_udp", "rtsp_tcp"],
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "conformance.cli", "run", "--target", str(target),
             "--profile", "all-requirements", "--out", str(out), "--timeout", "5"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        journal = out / "results.jsonl"
        deadline = time.monotonic() + 90
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                if journal.exists() and len(journal.read_bytes().splitlines()) >= KILL_AFTER:
                    break
                time.sleep(0.05)
            assert proc.poll() is None, "the run finished before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
        assert not (out / "results.json").exists()
        lines = journal.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        assert len(records) >= KILL_AFTER
        recovered = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "recover", str(out)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert recovered.returncode in (0, 1), recovered.stdout + recovered.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["recovered"] is True
    rows = {r["id"]: r for r in results["devices"][0]["requirements"]}
    for record in records:
        assert rows[record["requirement"]]["tests"], record["requirement"]
    interrupted = [r for r in rows.values() if r["reason"].endswith("(deselected or interrupted)")]
    assert interrupted, "requirements never reached must be shown as interrupted"
    assert (out / "compliance.html").exists()
