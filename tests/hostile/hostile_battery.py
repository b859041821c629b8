"""The hostile-device battery: the suite against every hostile persona and a good camera at once.

Shared by tests/hostile/test_hostile_battery.py and benchmarks/bench_hostile.py. One simulator
hosts a known-good camera and one camera per hostile persona; one ``cctv-conformance run`` (a
subprocess, as users run it) checks them all with a short timeout and a handful of requirements
that touch every hostile surface (SOAP, RTSP, RTP). Each case states what the suite must record:
the outcome(s), a fragment of the reason, and that the test ended within a small multiple of the
timeout. The good camera in the same run must still pass: hostility must not leak across devices.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from fake_vms.host import SimulatorThread, write_ready_file
from fake_vms.personas import get_persona
from fake_vms.site import CameraConfig, Site, apply_persona

TIMEOUT_S = 1.0
PROFILE = "all-requirements"
SELECT = (
    "test_device_identity_complete or test_time_readable_without_authentication "
    "or test_live_video_over_tcp or test_frame_rate_matches_configuration"
)
"""ONVIF-DEV-INFO-01, ONVIF-DEV-TIME-01 (SOAP), STREAM-RTSP-TCP-01 (RTSP), STREAM-FPS-01 (RTP)."""
INCONCLUSIVE_SILENCE = ("inconclusive", ("timed out", "no complete reply", "stopped answering"))
FAIL = "fail"


@dataclass(frozen=True)
class Case:
    persona: str
    requirement: str
    outcomes: tuple[str, ...]
    reasons: tuple[str, ...]
    """The recorded reason must contain one of these (case-insensitive)."""


def _soap(persona: str, outcome: str, *reasons: str) -> Case:
    return Case(persona, "ONVIF-DEV-INFO-01", (outcome,), reasons)


SILENT = ("timed out", "no complete reply", "stopped answering")
CASES: tuple[Case, ...] = (
    _soap("hostile-black-hole", "inconclusive", *SILENT),
    _soap("hostile-trickle", "inconclusive", *SILENT),
    _soap("hostile-endless-body", FAIL, "byte cap"),
    _soap("hostile-xml-bomb", FAIL, "DOCTYPE"),
    _soap("hostile-xxe", FAIL, "DOCTYPE"),
    _soap("hostile-oversized", FAIL, "byte cap"),
    _soap("hostile-malformed-xml", FAIL, "malformed XML"),
    _soap("hostile-wrong-content-type", FAIL, "content type"),
    _soap("hostile-tcp-reset", "inconclusive", "reset", "stopped answering", "broken"),
    _soap("hostile-redirect-loop", FAIL, "302"),
    _soap("hostile-echo-credentials", FAIL, "NotAuthorized"),
    Case("hostile-garbage-rtsp", "STREAM-RTSP-TCP-01", (FAIL,), ("bad status line",)),
    Case("hostile-rtp-flood", "STREAM-FPS-01", (FAIL,), ("fps",)),
)
GOOD_REQUIREMENTS = (
    "ONVIF-DEV-INFO-01",
    "ONVIF-DEV-TIME-01",
    "STREAM-RTSP-TCP-01",
    "STREAM-FPS-01",
)


def bound_s(timeout: float = TIMEOUT_S) -> float:
    """Longest one test may take against a hostile device (as the self-test's bound)."""
    from conformance.selftest import hostile_bound_s

    return hostile_bound_s(timeout)


@dataclass
class Verdict:
    case: Case
    outcome: str
    reason: str
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def handled(self) -> bool:
        return not self.problems


@dataclass
class BatteryRun:
    verdicts: list[Verdict]
    good: dict[str, str]
    """The good camera's outcome per requirement of GOOD_REQUIREMENTS."""
    exit_code: int
    seconds: float
    log: str


def _device(persona: str) -> str:
    return persona.removeprefix("hostile-")


def run_battery(
    out: Path, cases: tuple[Case, ...] = CASES, timeout: float = TIMEOUT_S
) -> BatteryRun:
    """Run the suite once against the good camera and every case's persona; judge each case."""
    cameras = [CameraConfig(name="good")]
    for persona in dict.fromkeys(c.persona for c in cases):
        cameras.append(apply_persona(CameraConfig(name=_device(persona)), get_persona(persona)))
    out.mkdir(parents=True, exist_ok=True)
    with SimulatorThread(Site("hostile", tuple(cameras))) as simulator:
        ready = out / "ready.json"
        write_ready_file(ready, simulator.host.ready())
        target = out / "target.yaml"
        spec = {
            "supplier": "Hostile battery",
            "product": "fake_vms",
            "simulator": {"ready_file": str(ready), "devices": [c.name for c in cameras]},
            "claims": {"features": ["snapshot", "rtsp_udp", "rtsp_tcp"], "frame_rates": [25]},
        }
        target.write_text(yaml.safe_dump(spec), encoding="utf-8")
        results_dir = out / "results"
        cmd = [
            sys.executable, "-m", "conformance.cli", "run", "--target", str(target),
            "--profile", PROFILE, "--out", str(results_dir), "--timeout", str(timeout),
            "--workers", "8", "-k", SELECT,
        ]  # fmt: skip
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        seconds = time.monotonic() - started
    records = [
        json.loads(line)
        for line in (results_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    by_key = {(r["device"], r["requirement"]): r for r in records}
    verdicts = []
    for case in cases:
        record = by_key.get((_device(case.persona), case.requirement))
        if record is None:
            verdicts.append(Verdict(case, "missing", "", 0.0, ["no result recorded"]))
            continue
        verdict = Verdict(case, record["outcome"], record["reason"], record["duration_s"])
        if verdict.outcome not in case.outcomes:
            verdict.problems.append(f"outcome {verdict.outcome}, expected {case.outcomes}")
        if not any(f.lower() in verdict.reason.lower() for f in case.reasons):
            verdict.problems.append(f"reason {verdict.reason[:200]!r} names none of {case.reasons}")
        if verdict.seconds > bound_s(timeout):
            verdict.problems.append(f"took {verdict.seconds:.1f} s > {bound_s(timeout):g} s")
        verdicts.append(verdict)
    good = {
        req: by_key.get(("good", req), {}).get("outcome", "missing") for req in GOOD_REQUIREMENTS
    }
    return BatteryRun(verdicts, good, proc.returncode, seconds, proc.stdout + proc.stderr)
