"""Real parts for the distributed tests (their fixtures: tests/distributed/conftest.py):
Debian's redis-server on a free loopback port (with its append-only file, so it can be restarted
with its data), ``cctv-conformance worker`` processes in their own process groups (so a test can
SIGKILL a worker with its children, as a crashed machine would), and the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ESTATE_SITE = ROOT / "fixtures" / "sites" / "five-authorities.yaml"
ESTATE_TARGET = ROOT / "fixtures" / "targets" / "five-authorities.yaml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """One redis-server, persistent across restarts (append-only file in its own folder)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=2, socket_timeout=10)


def ready_devices(ready: Path) -> list[dict]:
    return json.loads(ready.read_text())["devices"]


class Workers:
    """``cctv-conformance worker`` processes a test starts; all stopped at its end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}

    def start(
        self,
        broker: str,
        name: str,
        queues: list[str],
        concurrency: int = 1,
        env: dict[str, str] | None = None,
        extra: list[str] | None = None,
    ) -> subprocess.Popen:
        argv = [
            sys.executable,
            "-m",
            "conformance.cli",
            "worker",
            "--broker",
            broker,
            "--concurrency",
            str(concurrency),
            "--name",
            name,
            "--spool",
            str(self.tmp / f"spool-{name}"),
            *[a for q in queues for a in ("--queue", q)],
            *(extra or []),
        ]
        log = (self.tmp / f"worker-{name}.log").open("w")
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CCTV_NO_PDF": "1", **(env or {})},
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.tmp / f"worker-{name}.log").read_text(errors="replace")

    def kill(self, name: str) -> None:
        """SIGKILL the worker and its pool processes at once (a machine lost mid-audit)."""
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600):
    """``cctv-conformance ARGS`` as a user runs it; the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CCTV_NO_PDF": "1", **(env or {})} if env is not None else None,
    )


def start_cli(*args: str, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``cctv-conformance ARGS`` in the background, its output to ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", *args],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "CCTV_NO_PDF": "1", **(env or {})},
        start_new_session=True,
    )


def outcomes(results_dir: Path) -> dict[str, dict[str, str]]:
    """device -> requirement -> outcome, from a results folder."""
    data = json.loads((results_dir / "results.json").read_text())
    return {d["name"]: {r["id"]: r["outcome"] for r in d["requirements"]} for d in data["devices"]}
