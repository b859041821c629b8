"""A target file for cameras the test hosts itself: the ready file and the target beside it.

Tests that run ``cctv-conformance run`` as a user would, against a SimulatorThread, all need the
same two files; this writes them in one place so the target's shape is defined once. Tests
that judge one camera against a profile of their own (a feature the camera lacks) run it with
:func:`run_profile_on_camera`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from fake_vms.host import SimulatorThread, write_ready_file
from fake_vms.site import Site


def write_simulated_target(
    folder: Path,
    ready: dict[str, Any],
    supplier: str,
    devices: Iterable[str],
    features: Iterable[str],
    **fields: Any,
) -> Path:
    """Write ``ready.json`` (the simulator's, credentials included: keep ``folder`` out of any
    output that is scanned) and ``target.yaml`` naming ``devices`` into ``folder``; return the
    target's path. ``fields`` are further top-level target fields."""
    folder.mkdir(parents=True, exist_ok=True)
    ready_file = folder / "ready.json"
    write_ready_file(ready_file, ready)
    spec = {
        "supplier": supplier,
        "product": "fake_vms",
        "simulator": {"ready_file": str(ready_file), "devices": list(devices)},
        "claims": {"features": list(features)},
        **fields,
    }
    target = folder / "target.yaml"
    target.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return target


def run_profile_on_camera(
    folder: Path, camera: Any, profile_id: str, requirements: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Run ``cctv-conformance run`` as a user would against one simulated ``camera``
    (a CameraConfig) with a profile written for the test (``requirements``: ID -> level);
    return results.json's requirement rows by ID."""
    root = Path(__file__).resolve().parent.parent
    profiles = folder / "profiles"
    shutil.copytree(root / "profiles", profiles)
    profile = {
        "id": profile_id,
        "version": "1",
        "title": f"{profile_id} (written by a test)",
        "requirements": [{"id": r, "level": level} for r, level in requirements.items()],
    }
    (profiles / f"{profile_id}.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    with SimulatorThread(Site(camera.name, (camera,))) as sim:
        device = sim.host.ready()["devices"][0]
        run = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--device", device["onvif_url"],
             "--user", device["username"], "--password-env", "CCS_TEST_PASSWORD",
             "--profile", profile_id, "--out", str(folder / "out"), "--timeout", "5"],
            env={**os.environ, "PYTHONPATH": str(root), "CCS_TEST_PASSWORD": device["password"],
                 "CCTV_CONFORMANCE_PROFILES": str(profiles)},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    results = folder / "out" / "results.json"
    assert results.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    rows = json.loads(results.read_text(encoding="utf-8"))["devices"][0]["requirements"]
    return {r["id"]: r for r in rows}
