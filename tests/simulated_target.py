"""A target file for cameras the test hosts itself: the ready file and the target beside it.

Tests that run ``cctv-conformance run`` as a user would, against a SimulatorThread, all need the
same two files; this writes them in one place so the target's shape is defined once.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from fake_vms.host import write_ready_file


def write_simulated_target(
    folder: Path,
    ready: dict[str, Any],
    supplier: str,
    devices: Iterable[str],
    features: Iterable[str],
    **fields: Any,
) -> Path:
    """Write ``ready.json`` (the simulator's, credentials included: keep ``folder`` out of any
    output that is scanned) and ``target.yaml`` naming ``devices`` into ``folder``; return the
    target's path. ``fields`` are further top-level target fields."""
    folder.mkdir(parents=True, exist_ok=True)
    ready_file = folder / "ready.json"
    write_ready_file(ready_file, ready)
    spec = {
        "supplier": supplier,
        "product": "fake_vms",
        "simulator": {"ready_file": str(ready_file), "devices": list(devices)},
        "claims": {"features": list(features)},
        **fields,
    }
    target = folder / "target.yaml"
    target.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return target
