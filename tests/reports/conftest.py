"""Shared fixtures for the report tests: two real demo runs (a good camera and a persona).

The demos run once per session, in parallel subprocesses, without the Allure step (its own test
calls it), so every report test reads results.json and evidence exactly as a run writes them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PERSONA = "half-frame-rate"  # breaks STREAM-FPS-01: a visible difference in the comparison


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("demo-runs")
    # The demos write their PDFs (tests/reports/test_pdf.py reads them) even where the test
    # environment turns PDFs off for every other CLI run (tox.ini CCTV_NO_PDF).
    env = {**os.environ, "ALLURE_BIN": str(root / "no-allure-here")}
    env.pop("CCTV_NO_PDF", None)
    runs = {"good": root / "good", "persona": root / PERSONA}
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "conformance.cli", "demo", "--out", str(out)]
            + (["--persona", PERSONA] if name == "persona" else []),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        for name, out in runs.items()
    }
    for name, proc in procs.items():
        output, _ = proc.communicate(timeout=180)
        assert (runs[name] / "compliance.html").is_file(), output
        runs[name].joinpath("demo-output.txt").write_text(output, encoding="utf-8")
    return runs
