"""What a distributed run must never do: carry a credential through the broker, exceed a
queue's limits on a live estate, or push oversized evidence through Redis; and how it refuses
bad options (exit 2, every problem named, no traceback)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from pathlib import Path

import pytest
import yaml
from distributed_parts import free_port, run_cli
from secret_scan import find_in_text, secret_forms

from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site

USERNAME = "d1str-0perator"
PASSWORDS = {"cam-a": "Br0ker/Never+Sees%this é", "cam-b": "W0rker-only pw#2"}


def _target(folder: Path, ready: dict, queue_of: dict[str, str]) -> Path:
    """A target naming each camera with credentials by environment variable (no ready file:
    the coordinator's machine holds no password at all)."""
    devices = []
    for entry in ready["devices"]:
        name = entry["name"]
        devices.append(
            {
                "name": name,
                "onvif": entry["onvif_url"],
                "credentials": {
                    "username_env": "CAM_USER",
                    "password_env": f"PW_{name.upper()[-1]}",
                },
                "queue": queue_of[name],
            }
        )
    target = folder / "target.yaml"
    target.write_text(yaml.safe_dump({"supplier": "S", "product": "P", "devices": devices}))
    return target


def _monitor(server, seen: list[str], stop: threading.Event) -> threading.Thread:
    """Every command the broker receives (task messages, results, keys), as Redis MONITOR sees."""

    def listen() -> None:
        with server.client().monitor() as monitor:
            for command in monitor.listen():
                seen.append(command["command"])
                if stop.is_set():
                    return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    return thread


def _stored(client) -> list[str]:
    """Every value in the store as text, base64 task bodies and result archives opened."""
    texts = []
    for key in client.keys("*"):
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key)]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "hash":
            values = list(client.hgetall(key).values())
        elif kind == "zset":
            values = client.zrange(key, 0, -1)
        elif kind == "set":
            values = list(client.smembers(key))
        else:
            values = []
        for value in values:
            text = value.decode("utf-8", "replace")
            texts.append(f"{key!r}: {text}")
            texts += _opened(text)
    return texts


def _opened(text: str) -> list[str]:
    """Task message bodies (base64 JSON) and result archives (base64 tar.gz), decoded."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found = []
    items = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("body"), str):
            found.append(base64.b64decode(item["body"]).decode("utf-8", "replace"))
        result = item.get("result")
        if isinstance(result, dict) and result.get("archive"):
            blob = base64.b64decode(result["archive"])
            with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
                for member in tar.getmembers():
                    if member.isfile():
                        content = tar.extractfile(member).read()  # type: ignore[union-attr]
                        found.append(content.decode("utf-8", "replace"))
    return found


@pytest.mark.slow
def test_credentials_stay_with_the_workers_and_queue_limits_hold(
    redis_server, workers, tmp_path: Path
) -> None:
    cameras = tuple(
        CameraConfig(name=name, width=640, height=360, username=USERNAME, password=password)
        for name, password in PASSWORDS.items()
    )
    with SimulatorThread(Site("pair", cameras)) as simulator:
        target = _target(tmp_path, simulator.host.ready(), {"cam-a": "north", "cam-b": "north"})
        seen: list[str] = []
        stop = threading.Event()
        monitor = _monitor(redis_server, seen, stop)
        # The passwords live only in the worker's environment.
        workers.start(
            redis_server.url,
            "north",
            ["north"],
            concurrency=2,
            env={"CAM_USER": USERNAME, "PW_A": PASSWORDS["cam-a"], "PW_B": PASSWORDS["cam-b"]},
        )
        coordinator_env: dict[str, str] = {}  # the coordinator's machine has none of them
        proc = run_cli(
            "run",
            "--target",
            str(target),
            "--profile",
            "onvif-s-core",
            "--out",
            str(tmp_path / "out"),
            "--broker",
            redis_server.url,
            "--queue-limit",
            "north=1",
            "--stream-limit",
            "north=1",
            env=coordinator_env,
        )
        stop.set()
        redis_server.client().ping()  # one more command, so the monitor sees the stop
        monitor.join(10)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    # The protected operations passed: the workers did log in with the passwords.
    assert results["verdict"] == "conforms"
    forms = {USERNAME} | set().union(*(secret_forms(p, USERNAME) for p in PASSWORDS.values()))
    assert len(seen) > 50, "the monitor saw the run"
    hits = find_in_text("\n".join(seen), forms, "broker commands")
    hits += find_in_text("\n".join(_stored(redis_server.client())), forms, "broker store")
    assert hits == []
    # Queue limit 1: the two devices of "north" were audited one after the other, although the
    # worker could take two at once.
    state = json.loads((tmp_path / "out" / "distributed.json").read_text())["devices"]
    spans = sorted((d["started"], d["finished"]) for d in state.values())
    assert len(spans) == 2 and spans[0][1] <= spans[1][0], spans


@pytest.mark.slow
def test_a_worker_without_the_credentials_reports_the_device_not_audited_with_why(
    redis_server, workers, tmp_path: Path
) -> None:
    cameras = (CameraConfig(name="cam-a", width=640, height=360, password=PASSWORDS["cam-a"]),)
    with SimulatorThread(Site("one", cameras)) as simulator:
        target = _target(tmp_path, simulator.host.ready(), {"cam-a": "north"})
        workers.start(redis_server.url, "bare", ["north"], env={"CAM_USER": "admin"})
        proc = run_cli(
            "run", "--target", str(target), "--profile", "onvif-s-core",
            "--out", str(tmp_path / "out"), "--broker", redis_server.url,
        )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    device = json.loads((tmp_path / "out" / "results.json").read_text())["devices"][0]
    assert device["verdict"] == "does_not_conform"
    assert any("environment variable PW_A is not set" in n for n in device["notes"]), device
    assert {r["outcome"] for r in device["requirements"]} == {"not_tested"}
    assert "cam-a: not audited (worker bare@" in proc.stdout


@pytest.mark.slow
def test_evidence_over_the_cap_stays_on_the_worker_with_its_hash(
    redis_server, workers, tmp_path: Path
) -> None:
    camera = CameraConfig(name="cam-a", width=640, height=360)
    with SimulatorThread(Site("one", (camera,))) as simulator:
        ready = tmp_path / "ready.json"
        ready.write_text(json.dumps(simulator.host.ready()))
        target = tmp_path / "target.yaml"
        target.write_text(
            yaml.safe_dump({"supplier": "S", "product": "P", "simulator": {"ready_file": "x"}})
        )
        workers.start(redis_server.url, "w", ["default"], extra=["--evidence-cap-mb", "0.01"])
        proc = run_cli(
            "run",
            "--target",
            str(target),
            "--ready-file",
            str(ready),
            "--profile",
            "onvif-s-core",
            "--out",
            str(tmp_path / "out"),
            "--broker",
            redis_server.url,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    device = json.loads((tmp_path / "out" / "results.json").read_text())["devices"][0]
    note = next(n for n in device["notes"] if n.startswith("evidence kept on worker"))
    path = Path(note.split(" at ", 1)[1].split(" (", 1)[0])
    digest = note.split("sha256 ", 1)[1].split(")", 1)[0]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    with tarfile.open(path) as tar:
        kept = {m.name for m in tar.getmembers()}
    for row in device["requirements"]:
        for item in row["evidence"]:
            assert item["path"] in kept  # the kept archive holds every linked file ...
            assert not (tmp_path / "out" / item["path"]).exists()  # ... which stayed there


def test_bad_distributed_options_exit_2_naming_every_problem(tmp_path: Path) -> None:
    target = tmp_path / "target.yaml"
    target.write_text(
        yaml.safe_dump(
            {
                "supplier": "S",
                "product": "P",
                "devices": [{"name": "c", "onvif": "http://192.0.2.1/onvif/device_service"}],
            }
        )
    )
    proc = run_cli(
        "run",
        "--target",
        str(target),
        "--profile",
        "onvif-s-core",
        "--broker",
        "http://broker",
        "--queue-limit",
        "north",
        "--stream-limit",
        "south=0",
        "--stimulus",
        "true",
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    for needle in ("--broker", "--queue-limit", "--stream-limit", "--stimulus"):
        assert needle in proc.stderr, (needle, proc.stderr)

    refused = run_cli(
        "run", "--target", str(target), "--profile", "onvif-s-core",
        "--broker", f"redis://127.0.0.1:{free_port()}/0", "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "--broker: cannot use redis://127.0.0.1" in refused.stderr

    # A user name written in the target would travel with its text: refused, like a password.
    literal = yaml.safe_load(target.read_text())
    literal["devices"][0]["credentials"] = {"username": "admin", "password_env": "PW"}
    target.write_text(yaml.safe_dump(literal))
    named = run_cli(
        "run", "--target", str(target), "--profile", "onvif-s-core", "--broker", "redis://b:1/0"
    )
    assert named.returncode == 2
    assert "devices[0].credentials.username: a distributed run keeps credentials" in named.stderr

    attach = run_cli("run", "--attach", "x", "--profile", "onvif-s-core")
    assert attach.returncode == 2
    assert "--attach: needs --broker" in attach.stderr
    assert "--attach: takes the run's own target and profile" in attach.stderr

    worker = run_cli("worker", "--broker", "redis://x", "--concurrency", "0")
    assert worker.returncode == 2 and "--concurrency: must be at least 1" in worker.stderr


def test_the_stream_limit_gates_every_cameras_stream_slot_across_processes(redis_server) -> None:
    """Two cameras' stream slots (conformance.dut.StreamSlot) under a queue's stream limit of
    one: their live sessions never overlap, and a holder that dies frees its room when its lease
    lapses instead of blocking the queue."""
    from conformance import session_gate
    from conformance.distributed.limits import RedisSemaphore
    from conformance.dut import StreamSlot

    limit = RedisSemaphore(redis_server.client(), "cctv:limit:t:q:streams", 1, lease_s=1.5)
    session_gate.install(limit.hold)
    spans: list[tuple[float, float]] = []

    def session(slot: StreamSlot) -> None:
        import time

        for _ in range(3):
            with slot:
                started = time.monotonic()
                time.sleep(0.05)
                spans.append((started, time.monotonic()))

    try:
        threads = [threading.Thread(target=session, args=(StreamSlot(),)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        session_gate.install(None)
    spans.sort()
    assert len(spans) == 6
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans
    # A holder that never releases (its worker was SIGKILLed): room again after the lease.
    assert limit.try_acquire("dead-worker")
    assert not limit.try_acquire("other")
    import time

    time.sleep(1.7)
    assert limit.try_acquire("other")
