"""Fixtures of the distributed tests; the parts themselves are in tests/distributed_parts.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed_parts import ESTATE_SITE, RedisServer, Workers


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run adds it)")
    server = RedisServer(tmp_path / "redis")
    server.folder.mkdir()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def estate_ready(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The five-authority estate served by the simulator in its own process; its ready file."""
    folder = tmp_path_factory.mktemp("estate")
    ready = folder / "ready.json"
    log = folder / "simulator.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fake_vms.cli",
            "serve",
            "--site",
            str(ESTATE_SITE),
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    deadline = time.monotonic() + 180
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.2)
    yield ready
    proc.terminate()
    proc.wait(20)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    started = Workers(tmp_path)
    yield started
    started.stop_all()
