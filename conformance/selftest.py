"""``cctv-conformance selftest``: the suite judged against devices whose faults are known.

Each case hosts its own simulator (the device under test and a good recording peer) and runs the
suite against it in its own process, as a user would run it. Outcomes are compared with the
expectation in both directions, as the OpenID conformance suite does with its expected-failures
files: the known-good camera must pass every requirement of the profile, and a persona must fail
the requirements it declares in ``breaks``. A check that misses its persona is as wrong as one
that fails a good device.

Two modes, one standard: every requirement's test is shown failing against a persona built to
break it and passing against the known-good camera.

- **targeted** (default, every commit): the known-good camera runs the whole profile; each
  persona runs only its ``breaks`` and must fail each of them.
- **full** (``--full``, nightly and before a release): every persona also runs the whole profile
  and must behave like the known-good camera everywhere else (a persona that breaks more than it
  declares is found here).

Hostile personas are judged by their own rule in both modes (see :func:`_judge_hostile`). A case
that would judge zero requirements is an error, never a silent pass.

A case is a site to host, a target file for it, a profile, the requirements judged and the
expected failures (:class:`Case`). Besides cameras, the self-test judges the simulated VMS as a
VMS under test: VMS personas (``applies_to="vms"``) each play the VMS that ingests two good
cameras under the ``vms-ingest-selftest`` profile (:func:`vms_case`), and every (VMS, camera)
pair of the run is judged. A VMS case always judges the whole (small) profile: its cost is the
ingest and recording time, not the number of checks, so it shows "exactly its breaks" for free.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conformance.catalogue import ResolvedProfile, load_catalogue
from conformance.checks.security import DECLARED_PREFIX
from conformance.errors import InputError
from conformance.outcomes import ENVIRONMENT_REASON
from conformance.selftest_security import run_environment, security_fields

GOOD = "good"
NOT_PASS = {"fail", "inconclusive"}
DEFAULT_PROFILE = "all-requirements"
VMS_PROFILE = "vms-ingest-selftest"
"""The profile VMS cases run: vms-ingest over two good cameras (one H.264/TCP, one H.265/UDP)."""
VMS_CLIP_S = 3.0
"""Clip length of the self-test's simulated VMS: the suite waits for two closed clips per
camera, so shorter clips shorten every VMS case (ZoneMinder-like 4 s gains nothing here)."""
TARGETED, FULL = "targeted", "full"
PROFILES_ENV = "CCTV_CONFORMANCE_PROFILES"
RUN_LIMIT_S = 600
"""A run that takes longer than this is killed and reported (a hung run is a finding)."""

RECORDING_DOMAINS = frozenset({"recording_search", "replay", "export"})
HISTORY_S = 6.0
"""A case judging recordings starts its run once its camera has recorded this long (with the
run's own start-up, about 8 s: past the recording gap, as a camera in the field would be).
Without it, a check that runs first in a short targeted run sees only the seconds before the
gap: replay-range-ignored's replay of the recording's start then lands within tolerance and
SEARCH-INFO-01 passes, though the whole-profile run, whose search tests start later, fails it."""
HISTORY_HOSTS = 2
"""Cases that may be hosting their cameras through the history wait beyond the ``jobs`` suite
runs: the wait costs next to no CPU, so it need not hold one of the runs' slots."""

HOSTILE_TIMEOUT_S = 2.0
"""Hostile cases run with at most this timeout: their bound scales with it, and a black hole
would otherwise hold the self-test for minutes."""


def hostile_bound_s(timeout: float) -> float:
    """Longest one test may take against a hostile device: a small multiple of the timeout
    (two plain timeouts, then one exchange cut by the client's watchdog at three timeouts,
    which opens its circuit breaker) plus a live capture."""
    return 6 * timeout + 5.0


TargetWriter = Callable[[Path, str, Path], Path]
"""``(out, device, ready_file) -> target file`` for one case."""
Environment = Callable[[Path, str], dict[str, str]]
"""``(ready_file, device) -> environment`` of one case's run (secrets the target refers to)."""


@dataclass(frozen=True)
class Case:
    """One self-test case: what to host, what to point the suite at, what to judge, what to expect.

    ``requirements`` are the IDs judged (all of the profile, or a subset: the run then uses a
    generated profile holding only those, with the levels and parameters the profile gives
    them, so the prefetcher warms only what they need). ``breaks`` are the IDs that must fail;
    every other judged requirement must pass (or, for a hostile device, follow
    :func:`_judge_hostile`). ``error`` marks a case that cannot be run as declared.
    """

    device: str
    label: str
    site: Callable[[], Any]
    target: TargetWriter
    profile: str
    requirements: tuple[str, ...]
    breaks: frozenset[str]
    timeout: float
    hostile: bool = False
    error: str = ""
    history_s: float = 0.0
    """Seconds the hosted cameras record before the run starts."""
    environment: Environment = run_environment
    breaks_cameras: frozenset[str] = frozenset()
    """A VMS case: the cameras whose pairs the breaks apply to (empty: every camera)."""

    @property
    def blocking(self) -> frozenset[str]:
        """Requirements of the case's profile whose failure fails the run (optional ones never
        do), hence the exit status the run must end with."""
        resolved = load_catalogue().resolve(self.profile)
        return frozenset(e.id for e in resolved.requirements if e.level != "optional")


@dataclass
class CaseResult:
    device: str
    persona: str
    exit_code: int
    expected_exit: int
    judged: int = 0
    outcomes: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


# -- cases -------------------------------------------------------------------------------------
def camera_site(device: str, persona: Any | None):
    """The cameras one case needs: the camera under test and a good peer recording beside it.

    Each case gets its own simulator, so a hostile or slow persona never disturbs another case,
    and only the cameras of the cases running at the moment record (recording every persona's
    camera for the whole self-test would load the machine more than the checks do). The peer
    gives the multi-camera export checks a second camera over the same time. The camera is the
    same in both modes, so a persona is judged on the camera the known-good run vouches for.
    """
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
        camera = apply_persona(camera, persona)
    return Site(f"selftest-{device}", (camera, CameraConfig(name=f"peer-{device}", **base)))


def _target_header(device: str, ready_file: Path) -> dict[str, Any]:
    """What every self-test target says about itself, and where its simulator's ready file is."""
    return {
        "supplier": "Self-test",
        "product": f"fake_vms {device}",
        "firmware": "1.0.0",
        "lab": "cctv-conformance selftest",
        "simulator": {"ready_file": str(ready_file.resolve())},
    }


def _write_target(out: Path, device: str, spec: dict[str, Any]) -> Path:
    path = out / "targets" / f"{device}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def camera_target(out: Path, device: str, ready_file: Path) -> Path:
    """The self-test target of one simulated camera (claims and security section)."""
    spec = _target_header(device, ready_file)
    spec["simulator"]["devices"] = [device]
    spec |= {
        "claims": {
            "profiles": ["S"],
            "features": ["snapshot", "rtsp_udp", "rtsp_tcp", "ptz", "recording_search", "replay"],
            "codecs": ["H264"],
            "resolutions": ["1280x720"],
            "frame_rates": [25],
        },
    }
    spec.update(security_fields(ready_file, device))
    return _write_target(out, device, spec)


def history_for(requirements: Sequence[str]) -> float:
    """:data:`HISTORY_S` when any of ``requirements`` judges recordings, else 0."""
    catalogue = load_catalogue()
    judged = {catalogue.requirements[i].domain for i in requirements}
    return HISTORY_S if judged & RECORDING_DOMAINS else 0.0


def good_case(resolved: ResolvedProfile, timeout: float) -> Case:
    """The known-good camera: the whole profile, expected to pass everywhere."""
    everything = tuple(e.id for e in resolved.requirements)
    return Case(
        GOOD,
        GOOD,
        lambda: camera_site(GOOD, None),
        camera_target,
        resolved.id,
        everything,
        frozenset(),
        timeout,
        history_s=history_for(everything),
    )


def persona_case(persona: Any, resolved: ResolvedProfile, full: bool, timeout: float) -> Case:
    """One persona's case: its ``breaks`` (targeted) or the whole profile (full).

    A persona that declares no breaks, or none in the profile, would judge nothing in targeted
    mode and prove nothing in either: the case is an error."""
    device = f"persona-{persona.name}"
    in_profile = [e.id for e in resolved.requirements]
    breaks = frozenset(persona.breaks) & set(in_profile)
    selected = in_profile if full else [i for i in in_profile if i in breaks]
    error = ""
    if not persona.breaks:
        error = "declares no breaks: a persona must name the requirements it is built to fail"
    elif not breaks:
        error = f"breaks nothing in profile {resolved.id} ({', '.join(persona.breaks)})"
    return Case(
        device,
        persona.name,
        lambda: camera_site(device, persona),
        camera_target,
        resolved.id,
        tuple(selected) if not error else (),
        breaks,
        min(timeout, HOSTILE_TIMEOUT_S) if persona.hostile else timeout,
        hostile=persona.hostile,
        error=error,
        history_s=history_for(selected),
    )


def vms_site(device: str, persona: Any | None):
    """A simulated VMS alone (it ingests the cameras the vms-ingest suite serves), misbehaving
    as ``persona`` says."""
    from fake_vms.personas.knobs import Knobs
    from fake_vms.site import Site, VmsSiteConfig

    vms = VmsSiteConfig(
        ingest=True,
        clip_s=VMS_CLIP_S,
        persona=persona.name if persona is not None else None,
        knobs=persona.knobs if persona is not None else Knobs(),
    )
    return Site(f"selftest-{device}", (), vms)


def vms_target(out: Path, device: str, ready_file: Path) -> Path:
    """The self-test target of one simulated VMS (its URL and operator from the ready file)."""
    spec = _target_header(device, ready_file) | {"claims": {"codecs": ["H264", "H265"]}}
    return _write_target(out, device, spec)


def _plain_environment(_ready_file: Path, _device: str) -> dict[str, str]:
    return dict(os.environ)


def vms_case(persona: Any | None, timeout: float) -> Case:
    """The simulated VMS (known-good, or one VMS persona) under the whole vms-ingest-selftest
    profile: every pair must pass, except the persona's ``breaks``, which must fail for every
    camera."""
    resolved = load_catalogue().resolve(VMS_PROFILE)
    everything = tuple(e.id for e in resolved.requirements)
    device = persona.name if persona is not None else f"{GOOD}-vms"
    breaks = frozenset(persona.breaks) if persona is not None else frozenset()
    error = ""
    if persona is not None and not breaks & set(everything):
        error = f"breaks nothing in profile {VMS_PROFILE} ({', '.join(persona.breaks) or 'none'})"
    return Case(
        device,
        device,
        lambda: vms_site(device, persona),
        vms_target,
        VMS_PROFILE,
        everything if not error else (),
        breaks,
        timeout,
        error=error,
        breaks_cameras=frozenset(persona.breaks_cameras) if persona is not None else frozenset(),
        environment=_plain_environment,
    )


# -- running -------------------------------------------------------------------------------------
def _profile_for(case: Case, out: Path) -> tuple[str, dict[str, str]]:
    """The profile ID the case's run uses and the environment that makes it loadable.

    A case judging the whole profile uses it as is. A case judging a subset gets a generated
    profile in its own folder (the catalogue's requirement files, linked, plus one profile
    file) holding exactly those requirements with the levels and parameters of the real
    profile, so verdicts, exit status and parameters are those the whole-profile run gives."""
    catalogue = load_catalogue()
    resolved = catalogue.resolve(case.profile)
    if set(case.requirements) == {e.id for e in resolved.requirements}:
        return case.profile, {}
    profile_id = f"selftest-{case.device}"
    root = out / "profiles" / case.device
    root.mkdir(parents=True, exist_ok=True)
    link = root / "requirements"
    if not link.exists():
        link.symlink_to((catalogue.root / "requirements").resolve(), target_is_directory=True)
    wanted = set(case.requirements)
    spec = {
        "id": profile_id,
        "version": resolved.version,
        "title": f"{resolved.title}: the requirements persona {case.label} breaks",
        "description": f"Generated by cctv-conformance selftest from profile {resolved.id}.",
        "requirements": [
            {"id": e.id, "level": e.level, "parameters": dict(e.parameters)}
            for e in resolved.requirements
            if e.id in wanted
        ],
    }
    (root / f"{profile_id}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    return profile_id, {PROFILES_ENV: str(root.resolve())}


def _run_isolated_case(
    case: Case, out: Path, slots: threading.Semaphore | None = None
) -> CaseResult:
    """Host the case's site, run the suite against it, stop it.

    ``slots`` bounds the suite runs going on at once (the CPU-bound part). A case that needs a
    recording history hosts its cameras and waits for the history *before* taking a slot, so
    the wait, which costs next to no CPU, overlaps other cases' runs instead of holding a slot.
    """
    from fake_vms.host import SimulatorThread, write_ready_file

    if case.error:
        return CaseResult(case.device, case.label, -1, -1, problems=[case.error])
    slot = slots or threading.Semaphore(1)
    if not case.history_s:
        slot.acquire()
    try:
        with SimulatorThread(case.site()) as simulator:
            if case.history_s:
                time.sleep(case.history_s)
                slot.acquire()
            ready_file = out / "ready" / f"{case.device}.json"
            write_ready_file(ready_file, simulator.host.ready())
            return _run_case(case, out, ready_file)
    finally:
        slot.release()


def _run_case(case: Case, out: Path, ready_file: Path) -> CaseResult:
    """Run the suite once against the hosted case and judge what it wrote."""
    case_out = out / case.device
    target = case.target(out, case.device, ready_file)
    profile_id, profile_env = _profile_for(case, out)
    cmd = [
        sys.executable,
        "-m",
        "conformance.cli",
        "run",
        "--target",
        str(target),
        "--profile",
        profile_id,
        "--out",
        str(case_out),
        "--timeout",
        str(case.timeout),
        "--mode",
        "lab",  # every requirement is judged, intrusive ones included
    ]
    started = time.monotonic()
    env = {**case.environment(ready_file, case.device), **profile_env}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_LIMIT_S, env=env)
    except subprocess.TimeoutExpired as exc:  # a hung run is a finding, not a selftest crash
        proc = subprocess.CompletedProcess(cmd, -1, str(exc.stdout or ""), str(exc.stderr or ""))
    (out / f"{case.device}.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    result = CaseResult(
        case.device,
        case.label,
        proc.returncode,
        1 if case.breaks & case.blocking else 0,
        seconds=time.monotonic() - started,
    )
    results_path = case_out / "results.json"
    if not results_path.exists():
        result.problems.append(f"no results.json (exit {proc.returncode}); see {case.device}.log")
        return result
    results = json.loads(results_path.read_text(encoding="utf-8"))
    devices = results["devices"]
    if not devices:
        result.problems.append(f"the run judged no device; see {case.device}.log")
        return result
    rows = []
    for unit in devices:  # one camera, or every (VMS, camera) pair of a VMS case
        prefix = f"{unit['name']}: " if len(devices) > 1 else ""
        camera = unit["name"].rpartition(" · ")[2]
        expect_fail = not case.breaks_cameras or camera in case.breaks_cameras
        unit_rows = [{**r, "unit": prefix, "breakable": expect_fail} for r in unit["requirements"]]
        rows += unit_rows
        seen = {r["id"] for r in unit_rows}
        missing = [i for i in case.requirements if i not in seen]
        if missing:
            result.problems.append(f"{prefix}not judged: {', '.join(missing)}")
    result.judged = len(rows)
    result.outcomes = {f"{r['unit']}{r['id']}": r["outcome"] for r in rows}
    if case.hostile:
        result.problems += _judge_hostile(
            rows, case.breaks, case_out, case.timeout, proc.returncode
        )
        return result
    result.problems += _judge_rows(rows, case.breaks)
    if proc.returncode != result.expected_exit:
        result.problems.append(f"exit status {proc.returncode}, expected {result.expected_exit}")
    return result


def _judge_rows(rows: list[dict], breaks: frozenset[str]) -> list[str]:
    """Each row against its expectation: ``fail`` for the breaks, ``pass`` for the rest (a
    ``not_tested`` the suite can never decide here, with its environmental reason, counts as
    a pass)."""
    problems = []
    for row in rows:
        expected = "fail" if row["id"] in breaks and row.get("breakable", True) else "pass"
        environmental = row["outcome"] == "not_tested" and str(row.get("reason", "")).startswith(
            (ENVIRONMENT_REASON, DECLARED_PREFIX)  # declared-only requirements never pass
        )
        if row["outcome"] != expected and not (expected == "pass" and environmental):
            why = f": {row['reason']}" if row.get("reason") else ""
            where = row.get("unit", "")
            problems.append(f"{where}{row['id']}: expected {expected}, got {row['outcome']}{why}")
    return problems


def _judge_hostile(
    rows: list[dict], breaks: frozenset[str], case_out: Path, timeout: float, exit_code: int
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


def run_cases(cases: Sequence[Case], out: Path, jobs: int) -> list[CaseResult]:
    """Run the cases ``jobs`` at a time, printing each as it is judged, in case order."""
    results: list[CaseResult] = []
    jobs = max(1, jobs)
    slots = threading.Semaphore(jobs)
    # Extra workers host the cameras of cases that wait for a recording history while ``jobs``
    # suite runs go on; at most ``jobs`` runs at once either way.
    with ThreadPoolExecutor(max_workers=jobs + HISTORY_HOSTS) as pool:
        futures = [pool.submit(_run_isolated_case, case, out, slots) for case in cases]
        for done, future in enumerate(futures, start=1):
            result = future.result()
            results.append(result)
            status = "ok  " if result.ok else "FAIL"
            print(
                f"  [{done}/{len(cases)}] {status} {result.persona:<28} "
                f"{result.judged:>3} judged, exit {result.exit_code} in {result.seconds:.1f} s",
                flush=True,
            )
            for problem in result.problems:
                print(f"        {problem}")
    return results


def run_selftest(
    profile: str,
    out: Path,
    jobs: int = 3,
    personas: list[str] | None = None,
    timeout: float = 10.0,
    full: bool = False,
) -> int:
    """Judge the suite against the known-good camera and the personas; 0 when all as expected.

    With a narrower ``--profile`` than the default, personas that break nothing in it are
    skipped (and listed); a persona named with ``--persona`` that breaks nothing in it, or
    any persona without breaks, is a failing case."""
    from fake_vms.personas import PERSONAS

    mode = FULL if full else TARGETED
    resolved = load_catalogue().resolve(profile)
    in_profile = {e.id for e in resolved.requirements}
    chosen = personas or list(PERSONAS)
    unknown = [p for p in chosen if p not in PERSONAS]
    if unknown:
        raise InputError("--persona", None, f"unknown persona(s): {', '.join(unknown)}")
    # VMS personas play the VMS under test (vms-ingest cases), not a camera. VMS cases join the
    # self-test's own profile run, or when named with --persona.
    vms_personas = [p for p in chosen if PERSONAS[p].applies_to == "vms"]
    chosen = [p for p in chosen if p not in vms_personas]
    if profile != DEFAULT_PROFILE and not personas:
        vms_personas = []
    narrowed = profile != DEFAULT_PROFILE and not personas
    skipped = [
        p
        for p in chosen
        if narrowed and PERSONAS[p].breaks and not set(PERSONAS[p].breaks) & in_profile
    ]
    chosen = [p for p in chosen if p not in skipped]
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"selftest ({mode}): profile {profile}, known-good device + {len(chosen)} personas, "
        f"{jobs} at a time; "
        + (
            "every case judges the whole profile"
            if full
            else "the known-good device judges the whole profile, each persona its breaks"
        ),
        flush=True,
    )
    for name in skipped:
        print(f"  skipped persona {name}: it breaks nothing in profile {profile}")
    if vms_personas:
        print(
            f"  + known-good simulated VMS and {len(vms_personas)} VMS personas under "
            f"{VMS_PROFILE} (every case judges the whole profile for each camera pair)"
        )
    started = time.monotonic()
    cases = [] if personas and not chosen else [good_case(resolved, timeout)]
    cases += [persona_case(PERSONAS[p], resolved, full, timeout) for p in chosen]
    if vms_personas:
        cases += [vms_case(None, timeout)] + [vms_case(PERSONAS[p], timeout) for p in vms_personas]
    results = run_cases(cases, out, jobs)
    seconds = round(time.monotonic() - started, 1)
    summary = {
        "mode": mode,
        "profile": profile,
        "seconds": seconds,
        "cases": [
            {
                "device": r.device,
                "persona": r.persona,
                "judged": r.judged,
                "exit_code": r.exit_code,
                "ok": r.ok,
                "seconds": round(r.seconds, 1),
                "problems": r.problems,
                "outcomes": r.outcomes,
            }
            for r in results
        ],
        "skipped_personas": skipped,
        "vms_personas": vms_personas,
    }
    (out / "selftest.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    failed = [r for r in results if not r.ok]
    persona_judged = [r.judged for r in results if r.persona != GOOD]
    spread = (
        f"personas {min(persona_judged)}-{max(persona_judged)} each"
        if persona_judged
        else "no personas"
    )
    print(
        f"selftest ({mode}): {len(results) - len(failed)} of {len(results)} cases as expected "
        f"in {seconds} s; requirements judged: known-good {results[0].judged}, {spread}, "
        f"{sum(r.judged for r in results)} in all"
    )
    return 1 if failed else 0
