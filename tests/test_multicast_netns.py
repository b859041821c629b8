"""STREAM-MCAST-01 judged for real: the simulator and the suite run inside a network namespace
whose only interface is a loopback with multicast on, so the device really sends RTP to its
group and the suite really joins it, and nothing reaches any real network.

Skipped, with the reason, where the environment does not permit ``ip netns`` (unprivileged CI):
the ordinary self-test then covers the SDP part and the not_tested (environment) outcome.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)


@pytest.fixture
def netns():
    """A fresh namespace: lo up with multicast on and the multicast route through it."""
    if shutil.which("ip") is None:
        pytest.skip("environment: the ip command is not installed")
    name = f"ccs-mcast-{os.getpid()}"
    made = _ip("netns", "add", name)
    if made.returncode != 0:
        pytest.skip(f"environment: ip netns is not permitted here ({made.stderr.strip()})")
    try:
        for step in (
            ("link", "set", "lo", "up"),
            ("link", "set", "lo", "multicast", "on"),
            ("route", "add", "224.0.0.0/4", "dev", "lo"),
        ):
            done = _ip("netns", "exec", name, "ip", *step)
            if done.returncode != 0:
                pytest.skip(f"environment: cannot configure the namespace: {done.stderr.strip()}")
        yield name
    finally:
        _ip("netns", "del", name)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _in(ns: str, *argv: str) -> list[str]:
    return ["ip", "netns", "exec", ns, sys.executable, *argv]


def _serve(ns: str, tmp: Path) -> tuple[subprocess.Popen, dict]:
    site = {
        "site": "multicast",
        "cameras": [
            {"name": "mc-good"},
            {"name": "mc-silent", "persona": "multicast-silent"},
        ],
    }
    (tmp / "site.yaml").write_text(yaml.safe_dump(site), encoding="utf-8")
    ready = tmp / "ready.json"
    proc = subprocess.Popen(
        _in(ns, "-m", "fake_vms.cli", "serve", "--site", str(tmp / "site.yaml"),
            "--ready-file", str(ready)),
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"fake-vms did not start: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    return proc, json.loads(ready.read_text(encoding="utf-8"))


def _judge(ns: str, device: dict, out: Path) -> dict:
    """STREAM-MCAST-01's row for one simulated camera, run inside the namespace."""
    run = subprocess.run(
        _in(ns, "-m", "conformance.cli", "run", "--device", device["onvif_url"],
            "--user", device["username"], "--password-env", "CCS_MCAST_PASSWORD",
            "--profile", "onvif-profile-s", "--select", "test_multicast_streaming",
            "--multicast-interface", "lo", "--out", str(out), "--timeout", "5"),
        env={**_env(), "CCS_MCAST_PASSWORD": device["password"]},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    results = out / "results.json"
    assert results.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    rows = json.loads(results.read_text(encoding="utf-8"))["devices"][0]["requirements"]
    return {r["id"]: r for r in rows}["STREAM-MCAST-01"]


def test_multicast_really_streams_and_a_silent_group_fails(netns, tmp_path):
    server, ready = _serve(netns, tmp_path)
    devices = {d["name"]: d for d in ready["devices"]}
    try:
        good = _judge(netns, devices["mc-good"], tmp_path / "good")
        silent = _judge(netns, devices["mc-silent"], tmp_path / "silent")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert good["outcome"] == "pass", good
    assert good["measured"]["rtp_packets"] > 0
    assert good["measured"]["decoded_frames"] > 0
    assert silent["outcome"] == "fail", silent
    assert "no RTP packet reached the multicast group" in silent["reason"]
