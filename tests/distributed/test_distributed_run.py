"""Distributed audits on a real Redis and real workers against the five-authority estate
(simulator in its own process): the same verdicts as one process, one queue per authority,
nothing lost when a worker is SIGKILLed mid-audit or the broker restarts, re-attaching."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from distributed_parts import (
    ESTATE_TARGET,
    outcomes,
    ready_devices,
    run_cli,
    start_cli,
)

pytestmark = pytest.mark.slow

# Two cameras of each authority, conforming and not (legacy firmware, H.265, clones).
SAMPLE = [
    "nb-dome-01",
    "nb-bullet-legacy-01",
    "em-hik-01",
    "em-dahu-old-02",
    "sv-flexi-01",
    "sv-flexi-old-01",
    "wh-ipc-01",
    "wh-ipc-clone-01",
    "mc-fd-01",
    "mc-ib-01",
]
PROFILE = "pictco-la-baseline"


def _run_args(ready: Path, out: Path, devices: list[str], *extra: str) -> list[str]:
    args = [
        "run",
        "--target",
        str(ESTATE_TARGET),
        "--ready-file",
        str(ready),
        "--profile",
        PROFILE,
        "--out",
        str(out),
        *extra,
    ]
    for name in devices:
        args += ["--only-device", name]
    return args


def _state(out: Path) -> dict:
    path = out / "distributed.json"
    return json.loads(path.read_text()) if path.exists() else {"devices": {}}


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _task_status(redis_server, run_id: str, device: str) -> str | None:
    raw = redis_server.client().get(f"celery-task-meta-{run_id}:{device}")
    return json.loads(raw)["status"] if raw else None


def _run_id(out: Path) -> str:
    _wait_for(lambda: _state(out).get("run_id"), 60, "the run to be created")
    return _state(out)["run_id"]


def test_same_verdicts_as_one_process_with_a_worker_per_authority_queue(
    estate_ready: Path, redis_server, workers, tmp_path: Path
) -> None:
    """On a sample of two cameras per authority; the whole estate (125 cameras) with
    CCTV_DISTRIBUTED_FULL=1, as `tox -e selftest-full` runs it."""
    full = os.environ.get("CCTV_DISTRIBUTED_FULL") == "1"
    sample = [d["name"] for d in ready_devices(estate_ready)] if full else SAMPLE
    at_once = 4 if full else 2
    one = run_cli(
        *_run_args(estate_ready, tmp_path / "one", sample, "--workers", str(2 * at_once)),
        timeout=1800,
    )
    assert one.returncode in (0, 1), one.stdout + one.stderr
    # Each device goes to its authority's queue (the ready file's site): two workers, each
    # inside "its" networks, take only their own authorities' cameras.
    north_east = ["northbridge", "eastmoor"]
    workers.start(redis_server.url, "north-east", north_east, concurrency=at_once)
    workers.start(
        redis_server.url,
        "south-west-mid",
        ["southvale", "westholm", "midcaster"],
        concurrency=at_once,
    )
    many = run_cli(
        *_run_args(estate_ready, tmp_path / "many", sample, "--broker", redis_server.url),
        timeout=1800,
    )
    assert many.returncode == one.returncode, many.stdout + many.stderr

    assert outcomes(tmp_path / "many") == outcomes(tmp_path / "one")
    one_doc = json.loads((tmp_path / "one" / "results.json").read_text())
    many_doc = json.loads((tmp_path / "many" / "results.json").read_text())
    assert [d["name"] for d in many_doc["devices"]] == [d["name"] for d in one_doc["devices"]]
    assert many_doc["verdict"] == one_doc["verdict"]
    assert many_doc["counts"] == one_doc["counts"]
    # The same target section (the one-process run may also mask a word of a URL that equals
    # a user name it holds; the coordinator holds none).
    names = [(d["name"], d["role"]) for d in one_doc["target"]["devices"]]
    assert [(d["name"], d["role"]) for d in many_doc["target"]["devices"]] == names
    assert {k: v for k, v in many_doc["target"].items() if k != "devices"} == {
        k: v for k, v in one_doc["target"].items() if k != "devices"
    }
    # Every evidence link of the estate folder resolves, as in a one-process run's.
    for device in many_doc["devices"]:
        for row in device["requirements"]:
            for item in row["evidence"]:
                assert (tmp_path / "many" / item["path"]).is_file(), item["path"]
    # One journal line per test, no test twice.
    journal = [json.loads(line) for line in (tmp_path / "many" / "results.jsonl").open()]
    keys = [(r["device"], r["nodeid"]) for r in journal]
    assert len(keys) == len(set(keys))
    # Queues: which worker audited which device.
    state = _state(tmp_path / "many")["devices"]
    sites = {d["name"]: d["site"] for d in ready_devices(estate_ready)}
    for name in sample:
        expected = "north-east" if sites[name] in north_east else "south-west-mid"
        assert state[name]["worker"].startswith(expected + "@"), (name, state[name])
    # Progress: one line per device, done / total, per queue.
    lines = [line for line in many.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == len(sample)
    assert lines[-1].startswith(f"[{len(sample)}/{len(sample)}]")


def test_a_worker_killed_mid_audit_has_its_device_rerun_by_another_once(
    estate_ready: Path, redis_server, workers, tmp_path: Path
) -> None:
    devices = ["nb-dome-03", "nb-dome-04"]
    fast = ["--redeliver-after", "6"]
    workers.start(redis_server.url, "doomed", ["northbridge"], extra=fast)
    out = tmp_path / "out"
    coordinator = start_cli(
        *_run_args(estate_ready, out, devices, "--broker", redis_server.url),
        log=tmp_path / "run.log",
    )
    try:
        run_id = _run_id(out)
        _wait_for(
            lambda: _task_status(redis_server, run_id, devices[0]) == "STARTED",
            120,
            "the first audit to start",
        )
        workers.kill("doomed")  # SIGKILL, pool and all, mid-audit
        assert _task_status(redis_server, run_id, devices[0]) == "STARTED"
        workers.start(redis_server.url, "rescuer", ["northbridge"], extra=fast)
        assert coordinator.wait(300) == 0, (tmp_path / "run.log").read_text()
    finally:
        coordinator.kill()

    state = _state(out)["devices"]
    assert {state[d]["worker"].split("@")[0] for d in devices} == {"rescuer"}
    # The redelivery delay (6 s) is shorter than an audit, so copies of running audits were
    # handed out too: each waited for its first copy and was dropped, never audited again.
    for device in devices:
        assert workers.log("rescuer").count(f": {device} (northbridge)") == 1
    assert outcomes(out)[devices[0]] == outcomes(out)[devices[1]]
    assert json.loads((out / "results.json").read_text())["verdict"] == "conforms"
    journal = [json.loads(line) for line in (out / "results.jsonl").open()]
    keys = [(r["device"], r["nodeid"]) for r in journal]
    assert len(keys) == len(set(keys)), "a re-run device was counted twice"
    assert {k[0] for k in keys} == set(devices)


def test_results_survive_a_broker_restart_and_a_coordinator_reattaches(
    estate_ready: Path, redis_server, workers, tmp_path: Path
) -> None:
    devices = ["wh-ipc-02", "wh-ipc-03", "wh-ipc-04"]
    workers.start(redis_server.url, "westholm", ["westholm"])
    out = tmp_path / "out"
    first = start_cli(
        *_run_args(estate_ready, out, devices, "--broker", redis_server.url),
        log=tmp_path / "first.log",
    )
    try:
        run_id = _run_id(out)
        _wait_for(lambda: len(_state(out)["devices"]) >= 1, 180, "a first device collected")
    finally:
        first.kill()  # the coordinator goes away ...
        first.wait(10)
    redis_server.stop()  # ... and so does the broker, with audits queued and running
    redis_server.start()
    second = run_cli(
        "run", "--attach", run_id, "--broker", redis_server.url, "--out", str(out), timeout=400
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert "re-attached" in second.stdout
    found = outcomes(out)
    assert list(found) == devices
    assert all(
        outcome in ("pass", "not_applicable") for o in found.values() for outcome in o.values()
    )
