"""What a distributed run is, as kept in the store: enough for any worker to audit one of its
devices and for ``run --attach`` to pick the run up again, and nothing secret.

The manifest holds the profile, mode and options, the target file's text (which by its schema
names environment variables, never passwords: :func:`conformance.fields.reject_literal_password`)
and every device with its queue and task id. Task messages carry only the run id, the device and
its queue; a worker reads the rest here and the credentials from its own environment.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.errors import InputError

KEY_PREFIX = "cctv:run:"


@dataclass(frozen=True)
class Limit:
    """A queue's limits: devices audited at once, live stream sessions at once (0: no limit)."""

    devices: int = 0
    streams: int = 0


@dataclass
class Manifest:
    run_id: str
    profile: str
    profile_digest: str
    """Workers refuse to judge with another profile content or suite version than this."""
    suite_version: str
    mode: str
    timeout: float
    select: str | None
    target_name: str
    target_text: str
    ready_file: str | None
    devices: list[dict[str, str]]
    """``{"name", "queue"}`` in the target's order (the estate's results keep that order)."""
    limits: dict[str, Limit] = field(default_factory=dict)
    created: float = field(default_factory=time.time)

    def task_id(self, device: str) -> str:
        """One id per run and device: a re-delivered audit overwrites its own result, never
        adds a second one."""
        return f"{self.run_id}:{device}"

    def queue_of(self, device: str) -> str:
        return next(d["queue"] for d in self.devices if d["name"] == device)

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        data = json.loads(text)
        data["limits"] = {q: Limit(**v) for q, v in data.get("limits", {}).items()}
        return cls(**data)


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-", time.gmtime()) + secrets.token_hex(3)


def save(client: Any, manifest: Manifest, ttl_s: int) -> None:
    client.set(KEY_PREFIX + manifest.run_id, manifest.to_json(), ex=ttl_s)


def load(client: Any, run_id: str) -> Manifest:
    raw = client.get(KEY_PREFIX + run_id)
    if raw is None:
        raise InputError(
            "--attach", None, f"no run {run_id!r} on this broker (finished over a week ago?)"
        )
    return Manifest.from_json(raw)


def parse_limits(values: list[str], option: str) -> tuple[dict[str, int], list[InputError]]:
    """``QUEUE=N`` options into a mapping, with every malformed one named."""
    found: dict[str, int] = {}
    problems = []
    for value in values:
        queue, sep, number = value.partition("=")
        if not sep or not queue or not number.isdigit() or int(number) < 1:
            problems.append(
                InputError(option, None, f"must be QUEUE=N with N at least 1, got {value!r}")
            )
            continue
        found[queue] = int(number)
    return found, problems
