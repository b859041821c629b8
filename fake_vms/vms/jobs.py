"""Export jobs and the audit log of the simulated VMS.

Jobs run on a worker thread (packaging is CPU and disk work the event loop must not wait on);
the API polls them. The audit log is append-only and records who did what, when and from where.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fake_vms.vms.package import ExportSpec, build_package, iso
from fake_vms.vms.signing import Signer

MAX_JOBS = 64
"""Finished jobs kept (oldest dropped): bounds memory when a suite exports again and again."""


@dataclass
class AuditLog:
    """Append-only, thread-safe."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, user: str, action: str, source: str, **details: Any) -> None:
        entry = {
            "time": iso(datetime.now(UTC)), "user": user, "action": action,
            "source": source, "details": details,
        }  # fmt: skip
        with self._lock:
            self.entries.append(entry)

    def since(self, moment: datetime | None) -> list[dict[str, Any]]:
        with self._lock:
            entries = list(self.entries)
        if moment is None:
            return entries
        return [e for e in entries if e["time"] >= iso(moment)]


@dataclass
class Job:
    spec: ExportSpec
    state: str = "queued"
    progress: float = 0.0
    error: str = ""
    files: dict[str, bytes] | None = None
    created: float = field(default_factory=time.monotonic)
    finished_at: datetime | None = None

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "id": self.spec.job_id, "state": self.state, "progress": round(self.progress, 3),
            "cameras": [c.id for c in self.spec.cameras],
            "start": iso(self.spec.start), "end": iso(self.spec.end),
        }  # fmt: skip
        if self.error:
            status["error"] = self.error
        if self.finished_at is not None:
            status["finished"] = iso(self.finished_at)
        return status


class ExportJobs:
    """Creates jobs, runs each on its own daemon thread, keeps the last :data:`MAX_JOBS`."""

    def __init__(self, store: Any, signer: Signer, audit: AuditLog) -> None:
        self.store = store
        self.signer = signer
        self.audit = audit
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def create(self, spec_args: dict[str, Any], user: str, source: str) -> Job:
        job_id = uuid.uuid4().hex
        spec = ExportSpec(job_id=job_id, exported_at=datetime.now(UTC), **spec_args)
        job = Job(spec)
        with self._lock:
            self._jobs[job_id] = job
            while len(self._jobs) > MAX_JOBS:
                self._jobs.pop(next(iter(self._jobs)))
        if not spec.cameras[0].knobs.export_no_audit:
            self.audit.add(
                user, "export.create", source, job_id=job_id,
                cameras=[c.id for c in spec.cameras], start=iso(spec.start), end=iso(spec.end),
                operator=spec.operator, reason=spec.reason, case_reference=spec.case_reference,
            )  # fmt: skip
        threading.Thread(
            target=self._run, args=(job,), name=f"export-{job_id[:8]}", daemon=True
        ).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job: Job) -> None:
        job.state = "running"
        spec = job.spec
        try:

            def progress(value: float) -> None:
                job.progress = min(value, 0.99)

            files = build_package(spec, self.store, self.signer, progress)
            speed = spec.cameras[0].knobs.export_speed_x
            if speed:
                # The quirk: an export that runs at `speed` x real time (bounded by the range).
                span = (spec.end - spec.start).total_seconds()
                wait = span / speed - (time.monotonic() - job.created)
                with contextlib.suppress(ValueError):
                    time.sleep(max(0.0, min(wait, 60.0)))
            job.files = files
            job.progress = 1.0
            job.state = "done"
        except Exception as exc:  # noqa: BLE001 - a failed job reports why, the VMS goes on
            job.error = f"{type(exc).__name__}: {exc}"
            job.state = "failed"
        job.finished_at = datetime.now(UTC)
