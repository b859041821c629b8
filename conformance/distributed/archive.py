"""A device's results folder packed for the trip from worker to coordinator.

Everything a lab needs to re-check the device's verdicts travels: results.json and its journal,
the JUnit file, the Allure results and the evidence, as one gzip-compressed tar carried as
base64 in the task's result. Above the per-device cap (50 MB by default: Redis holds results in
memory) the evidence stays on the worker, as a complete archive whose host, path and SHA-256
travel instead, so the estate report can say where to fetch it and how to check it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import socket
import tarfile
from pathlib import Path
from typing import Any

DEFAULT_CAP_BYTES = 50 * 1024 * 1024
KEPT_NOTE = (
    "evidence kept on worker {host} at {path} ({size} bytes compressed, sha256 {sha256}): "
    "over the per-device cap of {cap} bytes for the trip through the broker"
)
_SKIP = {"run.json"}  # where the worker's own spool put the target: not the estate's business


def _pack(folder: Path, with_evidence: bool) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if not path.is_file() or relative.as_posix() in _SKIP:
                continue
            if not with_evidence and relative.parts[0] == "evidence":
                continue
            tar.add(path, arcname=relative.as_posix(), recursive=False)
    return buffer.getvalue()


def pack(folder: Path, cap_bytes: int, keep_dir: Path) -> dict[str, Any]:
    """The folder as a result payload: ``archive`` (base64), and ``kept`` when the evidence
    stayed on this worker (host, path, size, sha256)."""
    whole = _pack(folder, with_evidence=True)
    if len(whole) <= cap_bytes:
        return {"archive": base64.b64encode(whole).decode("ascii"), "kept": None}
    keep_dir.mkdir(parents=True, exist_ok=True)
    kept = keep_dir / f"{folder.name}.tar.gz"
    kept.write_bytes(whole)
    light = _pack(folder, with_evidence=False)
    return {
        "archive": base64.b64encode(light).decode("ascii"),
        "kept": {
            "host": socket.gethostname(),
            "path": str(kept.resolve()),
            "size": len(whole),
            "sha256": hashlib.sha256(whole).hexdigest(),
            "cap": cap_bytes,
        },
    }


def unpack(payload: dict[str, Any], into: Path) -> None:
    """Write a payload's folder under ``into`` (member paths are checked to stay inside)."""
    data = base64.b64decode(payload["archive"])
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(into, filter="data")
