"""``cctv-conformance selftest``: the suite judged against devices whose faults are known.

One simulator hosts the known-good camera and one camera per persona. The suite runs once per
camera, in its own process (as a user would run it), and every outcome is compared with the
expectation in both directions, as the OpenID conformance suite does with its expected-failures
files: the known-good camera must pass every requirement, and each persona must fail exactly the
requirements it declares and behave like the known-good camera everywhere else. A check that
misses its persona is as wrong as one that fails a good device.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from conformance.catalogue import load_catalogue
from conformance.checks.security import DECLARED_PREFIX
from conformance.errors import InputError
from conformance.outcomes import ENVIRONMENT_REASON
from conformance.selftest_security import run_environment, security_fields

GOOD = "good"
NOT_PASS = {"fail", "inconclusive"}


HOSTILE_TIMEOUT_S = 2.0
"""Hostile cases run with at most this timeout: their bound scales with it, and a black hole
would otherwise hold the self-test for minutes."""


def hostile_bound_s(timeout: float) -> float:
    """Longest one test may take against a hostile device: a small multiple of the timeout
    (two plain timeouts, then one exchange cut by the client's watchdog at three timeouts,
    which opens its circuit breaker) plus a live capture."""
    return 6 * timeout + 5.0


@dataclass
class CaseResult:
    device: str
    persona: str
    exit_code: int
    expected_exit: int
    outcomes: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _case_site(device: str, persona: str | None):
    """The cameras one case needs: the camera under test and a good peer recording beside it.

    Each case gets its own simulator, so a hostile or slow persona never disturbs another case,
    and only the cameras of the cases running at the moment record (recording every persona's
    camera for the whole self-test would load the machine more than the checks do). The peer
    gives the multi-camera export checks a second camera over the same time.
    """
    from fake_vms.personas import PERSONAS
    from fake_vms.site import CameraConfig, Site, apply_persona

    # PTZ on, so the conditional PTZ requirements are judged (personas may turn it off).
    # H.265 main stream (plus the H.264 stream2 that Media ver10 describes), so the Media2 and
    # H.265 requirements are judged too; every Media (ver10) check still sees H.264.
    # Recording on, with a 1 s gap 2 s in, so search, replay and export are judged (the
    # export checks need a gap to export across).
    base = dict(width=1280, height=720, fps=25, codec="H265", gop=25, ptz=True, record=True)
    base["recording_gaps"] = ((2.0, 1.0),)
    camera = CameraConfig(name=device, **base)
    if persona is not None:
        camera = apply_persona(camera, PERSONAS[persona])
    return Site(f"selftest-{device}", (camera, CameraConfig(name=f"peer-{device}", **base)))


def _run_isolated_case(
    device: str,
    persona: str,
    breaks: set[str],
    profile: str,
    out: Path,
    timeout: float,
    blocking: set[str],
    hostile: bool,
) -> CaseResult:
    """Host the case's cameras, run the suite against them, stop them."""
    from fake_vms.host import SimulatorThread, write_ready_file

    site = _case_site(device, None if persona == GOOD else persona)
    with SimulatorThread(site) as simulator:
        ready_file = out / "ready" / f"{device}.json"
        write_ready_file(ready_file, simulator.host.ready())
        return _run_case(
            device, persona, breaks, profile, out, ready_file, timeout, blocking, hostile
        )


def _target_file(out: Path, device: str, ready_file: Path) -> Path:
    spec = {
        "supplier": "Self-test",
        "product": f"fake_vms {device}",
        "firmware": "1.0.0",
        "lab": "cctv-conformance selftest",
        "simulator": {"ready_file": str(ready_file.resolve()), "devices": [device]},
        "claims": {
            "profiles": ["S"],
            "features": ["snapshot", "rtsp_udp", "rtsp_tcp", "ptz", "recording_search", "replay"],
            "codecs": ["H264"],
            "resolutions": ["1280x720"],
            "frame_rates": [25],
        },
    }
    spec.update(security_fields(ready_file, device))
    path = out / "targets" / f"{device}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _run_case(
    device: str,
    persona: str,
    breaks: set[str],
    profile: str,
    out: Path,
    ready_file: Path,
    timeout: float,
    blocking: set[str] | None = None,
    hostile: bool = False,
) -> CaseResult:
    """``blocking``: requirements whose failure fails the run (optional ones never do).

    ``hostile``: judge as a hostile device (see :func:`_judge_hostile`), not row by row."""
    case_out = out / device
    target = _target_file(out, device, ready_file)
    cmd = [
        sys.executable,
        "-m",
        "conformance.cli",
        "run",
        "--target",
        str(target),
        "--profile",
        profile,
        "--out",
        str(case_out),
        "--timeout",
        str(timeout),
        "--mode",
        "lab",  # every requirement is judged, intrusive ones included
    ]
    started = time.monotonic()
    env = run_environment(ready_file, device)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    except subprocess.TimeoutExpired as exc:  # a hung run is a finding, not a selftest crash
        proc = subprocess.CompletedProcess(cmd, -1, str(exc.stdout or ""), str(exc.stderr or ""))
    (out / f"{device}.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    result = CaseResult(
        device,
        persona,
        proc.returncode,
        1 if (breaks if blocking is None else breaks & blocking) else 0,
        seconds=time.monotonic() - started,
    )
    results_path = case_out / "results.json"
    if not results_path.exists():
        result.problems.append(f"no results.json (exit {proc.returncode}); see {device}.log")
        return result
    results = json.loads(results_path.read_text(encoding="utf-8"))
    rows = results["devices"][0]["requirements"]
    result.outcomes = {r["id"]: r["outcome"] for r in rows}
    if hostile:
        result.problems += _judge_hostile(rows, breaks, case_out, timeout, proc.returncode)
        return result
    for row in rows:
        expected = "fail" if row["id"] in breaks else "pass"
        environmental = row["outcome"] == "not_tested" and str(row.get("reason", "")).startswith(
            (ENVIRONMENT_REASON, DECLARED_PREFIX)  # declared-only requirements never pass
        )
        if row["outcome"] != expected and not (expected == "pass" and environmental):
            why = f": {row['reason']}" if row.get("reason") else ""
            result.problems.append(f"{row['id']}: expected {expected}, got {row['outcome']}{why}")
    if proc.returncode != result.expected_exit:
        result.problems.append(f"exit status {proc.returncode}, expected {result.expected_exit}")
    return result


def _judge_hostile(
    rows: list[dict], breaks: set[str], case_out: Path, timeout: float, exit_code: int
) -> list[str]:
    """A hostile device breaks many requirements at once, so it is held to a general rule:
    its ``breaks`` are each fail or inconclusive with a reason; anything else passes (with
    evidence, which the plugin enforces) or is not-pass with a reason; no test takes longer
    than :func:`hostile_bound_s`; the run completes (exit 0 or 1, not a suite error)."""
    problems = []
    for row in rows:
        reason = str(row.get("reason") or "").strip()
        if row["id"] in breaks and row["outcome"] not in NOT_PASS:
            problems.append(f"{row['id']}: expected fail or inconclusive, got {row['outcome']}")
        elif row["outcome"] != "pass" and not reason:
            problems.append(f"{row['id']}: {row['outcome']} without a reason")
    bound = hostile_bound_s(timeout)
    journal = case_out / "results.jsonl"
    for line in journal.read_text(encoding="utf-8").splitlines() if journal.exists() else []:
        record = json.loads(line)
        if record["duration_s"] > bound:
            problems.append(
                f"{record['requirement']}: took {record['duration_s']:.1f} s, over the "
                f"{bound:g} s bound for a hostile device"
            )
    if exit_code not in (0, 1):
        problems.append(f"exit status {exit_code}: the run did not complete")
    return problems


def run_selftest(
    profile: str, out: Path, jobs: int = 3, personas: list[str] | None = None, timeout: float = 10.0
) -> int:
    from fake_vms.personas import PERSONAS

    resolved = load_catalogue().resolve(profile)
    in_profile = {e.id for e in resolved.requirements}
    blocking = {e.id for e in resolved.requirements if e.level != "optional"}
    chosen = personas or list(PERSONAS)
    unknown = [p for p in chosen if p not in PERSONAS]
    if unknown:
        raise InputError("--persona", None, f"unknown persona(s): {', '.join(unknown)}")
    skipped = [
        p for p in chosen if not set(PERSONAS[p].breaks) & in_profile and not PERSONAS[p].hostile
    ]
    chosen = [p for p in chosen if p not in skipped]
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"selftest: profile {profile}, known-good device + {len(chosen)} personas, "
        f"{jobs} at a time",
        flush=True,
    )
    for name in skipped:
        print(f"  skipped persona {name}: it breaks nothing in profile {profile}")
    started = time.monotonic()
    cases = [(GOOD, GOOD, set(), False)] + [
        (f"persona-{p}", p, set(PERSONAS[p].breaks) & in_profile, PERSONAS[p].hostile)
        for p in chosen
    ]
    results: list[CaseResult] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            pool.submit(
                _run_isolated_case,
                device,
                persona,
                breaks,
                profile,
                out,
                min(timeout, HOSTILE_TIMEOUT_S) if hostile else timeout,
                blocking,
                hostile,
            )
            for device, persona, breaks, hostile in cases
        ]
        for done, future in enumerate(futures, start=1):
            result = future.result()
            results.append(result)
            status = "ok  " if result.ok else "FAIL"
            print(
                f"  [{done}/{len(cases)}] {status} {result.persona:<28} exit "
                f"{result.exit_code} in {result.seconds:.1f} s",
                flush=True,
            )
            for problem in result.problems:
                print(f"        {problem}")
    summary = {
        "profile": profile,
        "seconds": round(time.monotonic() - started, 1),
        "cases": [
            {
                "device": r.device,
                "persona": r.persona,
                "exit_code": r.exit_code,
                "ok": r.ok,
                "problems": r.problems,
                "outcomes": r.outcomes,
            }
            for r in results
        ],
        "skipped_personas": skipped,
    }
    (out / "selftest.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    failed = [r for r in results if not r.ok]
    print(
        f"selftest: {len(results) - len(failed)} of {len(results)} cases as expected "
        f"in {summary['seconds']} s"
    )
    return 1 if failed else 0
