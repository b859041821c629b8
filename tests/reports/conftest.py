"""Shared fixtures for the report tests: real demo runs (a good camera and personas).

The demos run once per session, in parallel subprocesses started together, without the Allure
step (its own test calls it), so every report test reads results.json and evidence exactly as a
run writes them. ``demo_runs`` holds the good camera and ``half-frame-rate``;
``blank_identity_run`` (a camera that reports no firmware or serial number) is a separate
fixture so that ``demo_runs`` keeps its two keys for tests that iterate over it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PERSONA = "half-frame-rate"  # breaks STREAM-FPS-01: a visible difference in the comparison
BLANK = "blank-identity"  # reports no FirmwareVersion: "not reported", never the declared one


@pytest.fixture(scope="session")
def _demo_procs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, subprocess.Popen]]:
    root = tmp_path_factory.mktemp("demo-runs")
    # The demos write their PDFs (tests/reports/test_pdf.py reads them) even where the test
    # environment turns PDFs off for every other CLI run (tox.ini CCTV_NO_PDF).
    env = {**os.environ, "ALLURE_BIN": str(root / "no-allure-here")}
    env.pop("CCTV_NO_PDF", None)
    runs: dict[str, tuple[Path, str | None]] = {
        "good": (root / "good", None),
        "persona": (root / PERSONA, PERSONA),
        "blank": (root / BLANK, BLANK),
    }
    return {
        name: (
            out,
            subprocess.Popen(
                [sys.executable, "-m", "conformance.cli", "demo", "--out", str(out)]
                + (["--persona", persona] if persona else []),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
            ),
        )
        for name, (out, persona) in runs.items()
    }


def _finish(out: Path, proc: subprocess.Popen) -> Path:
    if proc.returncode is None:
        output, _ = proc.communicate(timeout=180)
        out.mkdir(parents=True, exist_ok=True)
        out.joinpath("demo-output.txt").write_text(output, encoding="utf-8")
    assert (out / "compliance.html").is_file(), (out / "demo-output.txt").read_text()
    return out


@pytest.fixture(scope="session")
def demo_runs(_demo_procs: dict[str, tuple[Path, subprocess.Popen]]) -> dict[str, Path]:
    return {name: _finish(*_demo_procs[name]) for name in ("good", "persona")}


@pytest.fixture(scope="session")
def blank_identity_run(_demo_procs: dict[str, tuple[Path, subprocess.Popen]]) -> Path:
    return _finish(*_demo_procs["blank"])
