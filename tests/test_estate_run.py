"""Several devices in one run: grouped per device, progress per device, results for all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fake_vms.host import SimulatorThread, write_ready_file
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, Site, apply_persona


@pytest.mark.slow
def test_three_devices_concurrently_with_progress(tmp_path: Path) -> None:
    cameras = (
        CameraConfig(name="cam-a", width=640, height=360, site="northbridge"),
        CameraConfig(name="cam-b", width=640, height=360),
        apply_persona(
            CameraConfig(name="cam-c", width=640, height=360), PERSONAS["blank-identity"]
        ),
    )
    with SimulatorThread(Site("trio", cameras)) as simulator:
        ready = tmp_path / "ready.json"
        write_ready_file(ready, simulator.host.ready())
        target = tmp_path / "target.yaml"
        target.write_text(
            yaml.safe_dump(
                {
                    "supplier": "S",
                    "product": "P",
                    "simulator": {"ready_file": str(ready)},
                }
            )
        )
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "conformance.cli",
                "run",
                "--target",
                str(target),
                "--profile",
                "onvif-s-core",
                "--out",
                str(tmp_path / "out"),
                "--workers",
                "3",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    progress = [line for line in proc.stdout.splitlines() if "devices]" in line]
    assert [line.split("]")[0].split("[")[-1] for line in progress] == [
        "1/3 devices",
        "2/3 devices",
        "3/3 devices",
    ]
    assert "cam-c: 1 fail" in progress[-1]
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    verdicts = {d["name"]: d["verdict"] for d in results["devices"]}
    assert verdicts == {"cam-a": "conforms", "cam-b": "conforms", "cam-c": "does_not_conform"}
    # Each device's authority, from the simulator's ready file (none for cameras of no site).
    assert {d["name"]: d["site"] for d in results["devices"]} == {
        "cam-a": "northbridge",
        "cam-b": None,
        "cam-c": None,
    }
    journal = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").open()]
    devices_in_order = [entry["device"] for entry in journal]
    # Grouped: each device's tests run together, devices in target order.
    assert devices_in_order == sorted(devices_in_order, key=["cam-a", "cam-b", "cam-c"].index)
