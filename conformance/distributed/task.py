"""The worker side: one device's audit, run exactly as ``cctv-conformance run`` runs it.

The task reads the run's manifest from the store, writes the target's text into the worker's
spool, waits for room in its queue's device limit, installs the queue's stream-session gate and
runs the suite in this process (:func:`conformance.audit.run_suite` with ``--only-device``), so a
worker's verdicts are the one-process run's by construction. The device's results folder goes
back packed (:mod:`.archive`); credentials come from this worker's environment when the target
is loaded here, and never travel.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance import __version__, session_gate
from conformance.distributed import archive
from conformance.distributed.limits import RedisSemaphore, limit_key
from conformance.distributed.manifest import Manifest, load


@dataclass
class WorkerSettings:
    """Set by ``cctv-conformance worker`` before its processes start."""

    spool: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "cctv-worker")
    cap_bytes: int = archive.DEFAULT_CAP_BYTES


SETTINGS = WorkerSettings()
_manifests: dict[str, Manifest] = {}


def folder_name(device: str) -> str:
    """A file-system-safe, unique folder name for a device name (names may hold any text)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", device).strip("._") or "device"
    return f"{safe[:60]}-{hashlib.sha256(device.encode()).hexdigest()[:8]}"


def _manifest(client: Any, run_id: str) -> Manifest:
    if run_id not in _manifests:
        _manifests[run_id] = load(client, run_id)
    return _manifests[run_id]


def suite_args(manifest: Manifest, target_file: Path, device: str) -> argparse.Namespace:
    """The options ``run`` would have parsed for this one device."""
    return argparse.Namespace(
        profile=manifest.profile,
        mode=manifest.mode,
        target=str(target_file),
        device=None,
        user=None,
        password_env=None,
        ready_file=manifest.ready_file,
        only_device=[device],
        workers=1,
        timeout=manifest.timeout,
        select=manifest.select,
        tb="line",
        multicast_interface=None,
        stimulus=None,
        consumer_address=None,
        allow_destructive=False,
    )


@contextlib.contextmanager
def _limited(client: Any, manifest: Manifest, queue: str):
    """Room in the queue's device limit while the audit runs, and its stream-session gate."""
    limit = manifest.limits.get(queue)
    devices = (
        RedisSemaphore(client, limit_key(manifest.run_id, queue, "devices"), limit.devices).hold()
        if limit and limit.devices
        else contextlib.nullcontext()
    )
    streams = (
        RedisSemaphore(client, limit_key(manifest.run_id, queue, "streams"), limit.streams)
        if limit and limit.streams
        else None
    )
    with devices:
        session_gate.install(streams.hold if streams else None)
        try:
            yield
        finally:
            session_gate.install(None)


def warm_up() -> None:
    """Load once, in the worker's parent process, what every audit needs (pytest, the suite's
    plugin and clients, the profiles, the parsed ONVIF WSDLs): Celery forks its pool processes
    from the parent, so each starts with them in memory instead of spending them on its first
    device (measured here: a process's first audit took 3.6 core-s, later ones 1.3)."""
    import pytest  # noqa: F401

    import conformance.plugin  # noqa: F401
    from conformance.catalogue import load_catalogue
    from conformance.clients.wsdl import SERVICES, get_client

    load_catalogue()
    for service in SERVICES:
        get_client(service)


def _redacted(manifest: Manifest, target_file: Path, text: str) -> str:
    """``text`` without any credential this worker holds for the target (it goes to the
    broker); when the target cannot even be loaded here, no credential was read either."""
    from conformance.errors import InputError
    from conformance.redaction import Redactor
    from conformance.targets import load_target

    try:
        secrets = load_target(target_file, manifest.ready_file).secrets
    except InputError:
        return text
    return Redactor(secrets)(text)


def audit_device(client: Any, run_id: str, device: str, queue: str, worker: str) -> dict[str, Any]:
    """Audit one device; the result payload the coordinator collects."""
    from conformance.audit import run_suite
    from conformance.catalogue import load_catalogue

    manifest = _manifest(client, run_id)
    profile = load_catalogue().resolve(manifest.profile)
    base = {"device": device, "queue": queue, "worker": worker, "pid": os.getpid()}
    if (profile.digest, __version__) != (manifest.profile_digest, manifest.suite_version):
        return {
            **base,
            "completed": False,
            "error": (
                f"worker {worker} has suite {__version__} with profile digest "
                f"{profile.digest[:12]}; the run needs suite {manifest.suite_version} with "
                f"{manifest.profile_digest[:12]} (install the coordinator's version)"
            ),
        }
    spool = SETTINGS.spool / run_id
    spool.mkdir(parents=True, exist_ok=True)
    target_file = spool / "target.yaml"
    if not target_file.exists():
        partial = spool / f".target-{os.getpid()}.yaml"
        partial.write_text(manifest.target_text, encoding="utf-8")
        partial.replace(target_file)
    out = spool / folder_name(device)
    shutil.rmtree(out, ignore_errors=True)  # a re-delivered audit starts clean
    log = spool / f"{folder_name(device)}.log"
    with _limited(client, manifest, queue):
        started = time.time()
        try:
            with (
                log.open("w", encoding="utf-8") as sink,
                contextlib.redirect_stdout(sink),
                contextlib.redirect_stderr(sink),
            ):
                results = run_suite(suite_args(manifest, target_file, device), out)
        except Exception:  # noqa: BLE001 - reported to the coordinator as this device's error
            results = None
            with log.open("a", encoding="utf-8") as sink:
                sink.write(traceback.format_exc())
        finished = time.time()
    payload = {**base, "started": started, "finished": finished}
    if results is None or not (out / "results.json").exists():
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        error = _redacted(manifest, target_file, "; ".join(tail) or "the suite did not complete")
        return {**payload, "completed": False, "error": f"worker {worker}: {error}"}
    packed = archive.pack(out, SETTINGS.cap_bytes, spool / "kept")
    shutil.rmtree(out, ignore_errors=True)
    return {**payload, "completed": True, "verdict": results["verdict"], **packed}


def register(app: Any) -> None:
    """The audit task on ``app`` (late acknowledgement comes from the app's configuration)."""
    from celery.exceptions import Ignore

    from conformance.distributed.app import TASK_NAME

    @app.task(name=TASK_NAME, bind=True)
    def audit(self: Any, run_id: str, device: str, queue: str) -> dict[str, Any]:
        worker = self.request.hostname or "worker"
        client = app.backend.client
        # A task handed out again while its first copy still runs (the redelivery delay is
        # shorter than the audit) waits for that copy, and is dropped if it ended well: a
        # device is never audited twice at once, and a copy whose worker died (its hold
        # lapses) runs here.
        with RedisSemaphore(client, f"cctv:running:{self.request.id}", 1).hold():
            if app.backend.get_task_meta(self.request.id, cache=False)["status"] == "SUCCESS":
                raise Ignore()
            result = audit_device(client, run_id, device, queue, worker)
        what = result.get("verdict") or f"not audited: {result.get('error')}"
        print(f"{worker}: {device} ({queue}) {what}", flush=True)
        return result
