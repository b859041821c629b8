"""Recover ``results.json`` from the per-test journal when a run did not finish.

The plugin appends one line to ``results.jsonl`` as each test is decided (opened, written and
closed per record), so a crash, a kill or a hung worker loses at most the test in flight. The
CLI records how the run was started in ``run.json``; from the two, this module rebuilds
``results.json`` exactly as the plugin would have at the end, with every requirement whose tests
never reported shown as ``not_tested`` ("did not run (deselected or interrupted)") and the run
marked ``recovered``. Used by ``cctv-conformance run`` when pytest dies, and by
``cctv-conformance recover DIR`` after the process itself was killed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import InputError

RUN_FILE = "run.json"
JOURNAL = "results.jsonl"
RECOVERED_NOTE = "recovered from the per-test journal: the run did not complete"


def write_run_file(out: Path, spec: dict[str, Any]) -> None:
    """How the run was started (no secrets: credentials are named by environment variable)."""
    (out / RUN_FILE).write_text(
        json.dumps({**spec, "started": time.time()}, indent=2), encoding="utf-8"
    )


def read_journal(out: Path) -> list[dict[str, Any]]:
    """Every complete journal line; a line cut short by a kill is skipped."""
    path = out / JOURNAL
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


@dataclass
class _Record:
    raw: dict[str, Any]

    @property
    def device(self) -> str:
        return self.raw["device"]

    @property
    def requirement(self) -> str:
        return self.raw["requirement"]

    def to_dict(self) -> dict[str, Any]:
        return self.raw


@dataclass
class _Dut:
    name: str
    device: Any
    notes: list[str] = field(default_factory=lambda: [RECOVERED_NOTE])
    _cache: dict[str, Any] = field(default_factory=dict)


@dataclass
class _RecoveredRun:
    """What :func:`conformance.results.build_results` reads from a ConformanceRun."""

    profile: Any
    target: Any
    mode: str
    started: float
    records: list[_Record]
    duts: list[_Dut]
    implemented: dict[str, list[str]]
    redactor: Any


def recover(out: Path) -> dict[str, Any]:
    """Rebuild and write ``out/results.json`` from ``run.json`` and the journal."""
    from conformance.catalogue import load_catalogue
    from conformance.redaction import Redactor
    from conformance.results import build_results
    from conformance.targets import load_target, select_devices, single_device_target

    run_file = out / RUN_FILE
    if not run_file.exists():
        raise InputError(str(run_file), None, "no run.json: not a results folder of `run`")
    spec = json.loads(run_file.read_text(encoding="utf-8"))
    profile = load_catalogue().resolve(spec["profile"])
    if spec.get("device"):
        target = single_device_target(spec["device"], spec.get("user"), spec.get("password_env"))
    else:
        target = load_target(spec["target"], spec.get("ready_file"))
    target = select_devices(target, spec.get("only_device") or [])
    run = _RecoveredRun(
        profile=profile,
        target=target,
        mode=spec.get("mode", "passive"),
        started=spec.get("started", time.time()),
        records=[_Record(r) for r in read_journal(out)],
        duts=[_Dut(d.name, d) for d in target.devices],
        implemented={e.id: [] for e in profile.requirements},
        redactor=Redactor(target.secrets),
    )
    results = build_results(run)  # type: ignore[arg-type]
    results["recovered"] = True
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results
