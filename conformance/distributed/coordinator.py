"""The ``run --broker`` side: send every device to its queue, show progress, collect each
device's folder as it ends and write the estate's results folder and reports.

The coordinator holds no credentials (the target is loaded without them) and can stop at any
time: what it collected is on disk, what it did not is in the store, and ``run --attach RUN_ID``
carries on. A broker that goes away is waited for (with a line saying so), not a crash.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from conformance.distributed import estate
from conformance.distributed.app import RESULT_TTL_S, TASK_NAME, make_app
from conformance.distributed.manifest import Limit, Manifest, load, new_run_id, save
from conformance.errors import InputError

POLL_S = 1.0
QUIET_S = 30.0
"""After this long without a device finishing, print where every queue stands."""


def safe_broker(url: str) -> str:
    """The broker URL as it may be printed or stored: no password."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def connect(url: str) -> Any:
    """A Redis client on the broker, or an :class:`InputError` saying why not."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        client.ping()
    except (ValueError, redis.RedisError) as exc:
        raise InputError("--broker", None, f"cannot use {safe_broker(url)}: {exc}") from None
    return client


def coordinator_target(manifest: Manifest) -> Any:
    """The run's target as the coordinator sees it: from the manifest, without credentials."""
    import yaml

    from conformance.targets import TargetFile, resolve_target

    spec = TargetFile.model_validate(yaml.safe_load(manifest.target_text))
    base = Path(manifest.target_name).parent
    target = resolve_target(
        spec, manifest.target_name, base, manifest.ready_file, credentials=False
    )
    from conformance.targets import select_devices

    return select_devices(target, [d["name"] for d in manifest.devices])


def new_manifest(args: argparse.Namespace, limits: dict[str, Limit]) -> Manifest:
    from conformance import __version__
    from conformance.catalogue import load_catalogue
    from conformance.targets import load_target, select_devices

    target = select_devices(
        load_target(args.target, args.ready_file, credentials=False), args.only_device
    )
    return Manifest(
        run_id=new_run_id(),
        profile=args.profile,
        profile_digest=load_catalogue().resolve(args.profile).digest,
        suite_version=__version__,
        mode=args.mode,
        timeout=args.timeout,
        select=args.select,
        target_name=args.target,
        target_text=Path(args.target).read_text(encoding="utf-8"),
        ready_file=str(target.ready_file.resolve()) if target.ready_file else None,
        devices=[{"name": d.name, "queue": d.work_queue} for d in target.devices],
        limits=limits,
    )


class Progress:
    """Devices done / total, not conforming so far, per queue; one line per event."""

    def __init__(self, manifest: Manifest, done: dict[str, dict[str, Any]]) -> None:
        self.queues = Counter(d["queue"] for d in manifest.devices)
        self.total = len(manifest.devices)
        self.done = done
        self.last_event = time.monotonic()

    def _failing(self) -> int:
        return sum(1 for d in self.done.values() if d.get("verdict") != "conforms")

    def finished(self, name: str, queue: str, record: dict[str, Any]) -> None:
        in_queue = sum(1 for d in self.done.values() if d["queue"] == queue)
        what = record.get("verdict") or f"not audited ({record.get('error', 'error')})"
        print(
            f"[{len(self.done):>{len(str(self.total))}}/{self.total}] {name}: {what} "
            f"({queue} {in_queue}/{self.queues[queue]}; {self._failing()} not conforming "
            f"so far; worker {record.get('worker', '?')})",
            flush=True,
        )
        self.last_event = time.monotonic()

    def waiting(self, running: Counter) -> None:
        if time.monotonic() - self.last_event < QUIET_S:
            return
        parts = []
        for queue, total in sorted(self.queues.items()):
            done = sum(1 for d in self.done.values() if d["queue"] == queue)
            if done < total:
                hint = "" if running[queue] else f", none started: is a worker on {queue!r}?"
                parts.append(f"{queue} {done}/{total} ({running[queue]} running{hint})")
        print("waiting: " + "; ".join(parts), flush=True)
        self.last_event = time.monotonic()


def _meta(app: Any, client: Any, task_ids: list[str]) -> list[dict[str, Any] | None]:
    import json

    keys = [app.backend.get_key_for_task(t) for t in task_ids]
    return [json.loads(v) if v else None for v in client.mget(keys)] if keys else []


def _failed(device: dict[str, str], meta: dict[str, Any]) -> dict[str, Any]:
    """The payload of a task that raised (the worker's audit did not run to its end)."""
    reason = meta.get("result")
    if isinstance(reason, dict):
        reason = reason.get("exc_message") or reason.get("exc_type")
    return {"device": device["name"], "completed": False, "error": f"the task failed: {reason}"}


def collect(app: Any, client: Any, manifest: Manifest, out: Path) -> dict[str, dict[str, Any]]:
    """Wait for every device, absorbing each as it ends (re-attachable at any point); returns
    what was recorded of each device (worker, times, verdict, evidence kept on a worker)."""
    import redis

    state = estate.read_state(out)
    state.update(run_id=manifest.run_id)
    done: dict[str, dict[str, Any]] = state["devices"]
    progress = Progress(manifest, done)
    away_since: float | None = None
    while len(done) < len(manifest.devices):
        pending = [d for d in manifest.devices if d["name"] not in done]
        try:
            metas = _meta(app, client, [manifest.task_id(d["name"]) for d in pending])
        except redis.RedisError as exc:
            if away_since is None:
                away_since = time.monotonic()
                print(f"broker unreachable ({exc}); waiting for it", file=sys.stderr, flush=True)
            time.sleep(min(10.0, 1.0 + time.monotonic() - away_since))
            continue
        if away_since is not None:
            print("broker back; carrying on", file=sys.stderr, flush=True)
            away_since = None
        running: Counter = Counter()
        for device, meta in zip(pending, metas, strict=True):
            status = (meta or {}).get("status")
            if status == "STARTED":
                running[device["queue"]] += 1
            if status not in ("SUCCESS", "FAILURE"):
                continue
            payload = meta["result"] if status == "SUCCESS" else _failed(device, meta)
            estate.absorb(out, payload)
            record = {
                k: payload.get(k) for k in ("worker", "started", "finished", "verdict", "kept")
            }
            record.update(queue=device["queue"], error=payload.get("error"))
            done[device["name"]] = record
            estate.write_state(out, state)
            progress.finished(device["name"], device["queue"], record)
        if len(done) < len(manifest.devices):
            progress.waiting(running)
            time.sleep(POLL_S)
    return done


def run_distributed(args: argparse.Namespace) -> dict[str, Any]:
    """``run --broker``: a new run, or ``--attach RUN_ID`` to one in progress; the estate's
    results, once every device is in (written to ``--out``, reports not yet)."""
    from conformance.catalogue import load_catalogue

    client = connect(args.broker)
    app = make_app(args.broker)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.attach:
        manifest = load(client, args.attach)
        if estate.read_state(out).get("run_id") not in (None, manifest.run_id):
            raise InputError(
                "--out", None, f"{out} holds another distributed run; give its own folder"
            )
        print(f"run {manifest.run_id}: re-attached ({len(manifest.devices)} devices)")
    else:
        manifest = new_manifest(args, limits_of(args))
        save(client, manifest, RESULT_TTL_S)
        (out / "results.json").unlink(missing_ok=True)
        estate.write_state(out, {"run_id": manifest.run_id, "devices": {}})
        queues = Counter(d["queue"] for d in manifest.devices)
        for device in manifest.devices:
            app.send_task(
                TASK_NAME,
                args=[manifest.run_id, device["name"], device["queue"]],
                task_id=manifest.task_id(device["name"]),
                queue=device["queue"],
            )
        listing = ", ".join(f"{q} ({n})" for q, n in sorted(queues.items()))
        print(f"run {manifest.run_id}: {len(manifest.devices)} devices sent to {listing}")
    print(
        f"  re-attach with: cctv-conformance run --attach {manifest.run_id} "
        f"--broker {safe_broker(args.broker)} --out {out}",
        flush=True,
    )
    collected = collect(app, client, manifest, out)
    profile = load_catalogue().resolve(manifest.profile)
    return estate.write_estate(out, manifest, coordinator_target(manifest), profile, collected)


def limits_of(args: argparse.Namespace) -> dict[str, Limit]:
    from conformance.distributed.manifest import parse_limits

    devices, _ = parse_limits(args.queue_limit or [], "--queue-limit")
    streams, _ = parse_limits(args.stream_limit or [], "--stream-limit")
    return {q: Limit(devices.get(q, 0), streams.get(q, 0)) for q in {*devices, *streams}}
