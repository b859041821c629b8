"""A camera without audio: the audio requirements are not applicable, never failed (audio is a
conditional feature of Profiles S and T). The simulator's audio-less camera answers every audio
operation env:Receiver/ter:ActionNotSupported and has no audio in its profiles, as such cameras
do; the known-good camera's audio is judged by the self-test."""

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
AUDIO_REQUIREMENTS = ("ONVIF-AUDIO-CONS-01", "ONVIF-AUDIO-CONS-02", "ONVIF-AUDIO-FAULT-01")


def test_no_audio_is_not_applicable(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    shutil.copytree(ROOT / "profiles", profiles)
    (profiles / "audio-only.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "audio-only",
                "version": "1",
                "title": "Audio requirements",
                "requirements": [{"id": r, "level": "conditional"} for r in AUDIO_REQUIREMENTS],
            }
        ),
        encoding="utf-8",
    )
    with SimulatorThread(Site("no-audio", (CameraConfig(name="no-audio", audio=False),))) as sim:
        device = sim.host.ready()["devices"][0]
        run = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--device", device["onvif_url"],
             "--user", device["username"], "--password-env", "CCS_AUDIO_PASSWORD",
             "--profile", "audio-only", "--out", str(tmp_path / "out"), "--timeout", "5"],
            env={**os.environ, "PYTHONPATH": str(ROOT), "CCS_AUDIO_PASSWORD": device["password"],
                 "CCTV_CONFORMANCE_PROFILES": str(profiles)},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    results = tmp_path / "out" / "results.json"
    assert results.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    rows = {
        r["id"]: r
        for r in json.loads(results.read_text(encoding="utf-8"))["devices"][0]["requirements"]
    }
    for requirement in AUDIO_REQUIREMENTS:
        assert rows[requirement]["outcome"] == "not_applicable", rows[requirement]
    assert "audio" in rows["ONVIF-AUDIO-CONS-01"]["reason"]
