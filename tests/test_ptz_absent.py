"""A device with no PTZ service (issue 14): PTZ requirements are not_claimed where the profile
makes PTZ conditional, and fail with a plain statement where it makes PTZ mandatory; never the
error of calling a service GetServices does not list."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site

ROOT = Path(__file__).resolve().parent.parent


def test_no_ptz_service_is_not_claimed_or_a_plain_fail(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    shutil.copytree(ROOT / "profiles", profiles)
    (profiles / "ptz-levels.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "ptz-levels",
                "version": "1",
                "title": "PTZ mandatory and conditional",
                "requirements": [
                    {"id": "PTZ-NODES-01", "level": "mandatory"},
                    {"id": "PTZ-STATUS-01", "level": "conditional"},
                ],
            }
        ),
        encoding="utf-8",
    )
    with SimulatorThread(Site("no-ptz", (CameraConfig(name="no-ptz", ptz=False),))) as sim:
        device = sim.host.ready()["devices"][0]
        run = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--device", device["onvif_url"],
             "--user", device["username"], "--password-env", "CCS_PTZ_PASSWORD",
             "--profile", "ptz-levels", "--out", str(tmp_path / "out"), "--timeout", "5"],
            env={**os.environ, "PYTHONPATH": str(ROOT), "CCS_PTZ_PASSWORD": device["password"],
                 "CCTV_CONFORMANCE_PROFILES": str(profiles)},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    results = tmp_path / "out" / "results.json"
    assert results.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    rows = {
        r["id"]: r
        for r in json.loads(results.read_text(encoding="utf-8"))["devices"][0]["requirements"]
    }
    nodes, status = rows["PTZ-NODES-01"], rows["PTZ-STATUS-01"]
    assert status["outcome"] == "not_claimed", status
    assert nodes["outcome"] == "fail", (nodes["cause"], nodes["reason"])
    assert "the profile requires the PTZ service; GetServices lists none" in nodes["reason"]
