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
  persona runs its ``breaks``, every other requirement of their domains and the whole
  ``pictco-la-baseline`` (:func:`targeted_requirements`), and must fail its breaks and behave
  like the known-good camera everywhere else. It is two-way: a persona that breaks more than it
  declares, in its own domains or in the baseline, fails the case on every commit.
- **full** (``--full``, nightly and before a release): every persona runs the whole profile
  (a persona that breaks something outside its domains and the baseline is found here).

Legal oddities (``legal=True``: unusual but conformant, no breaks) run the whole profile in both
modes and must pass all of it. Hostile personas are judged by their own rule in both modes (see
:func:`_judge_hostile`) and, in targeted mode, on their breaks only: their rule does not hold
them to passing anything. A case that would judge zero requirements is an error, never a silent
pass. A requirement counts as behaving like the known-good camera when it passes, is
``not_tested`` for the environment (or declared-only), or is ``inconclusive`` because one of the
persona's own breaks blocked it (``blocked by <ID>: ...``: the blame is on the declared break).

A case is a site to host, a target file for it, a profile, the requirements judged and the
expected failures (:class:`Case`, built in :mod:`conformance.selftest_cases`). Besides cameras,
the self-test judges the simulated VMS as a VMS under test: VMS personas
(``applies_to="vms"``) each play the VMS that ingests two good cameras under the
``vms-ingest-selftest`` profile (:func:`vms_case`), and every (VMS, camera) pair of the run is
judged. A VMS case always judges the whole (small) profile: its cost is the
ingest and recording time, not the number of checks, so it shows "exactly its breaks" for free.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from conformance.catalogue import load_catalogue
from conformance.coverage.selftest_record import coverage_record
from conformance.errors import InputError
from conformance.selftest_cases import (  # noqa: F401  (re-exported: the self-test's API)
    BASELINE_PROFILE,
    DEFAULT_PROFILE,
    FULL,
    GOOD,
    HISTORY_HOSTS,
    HISTORY_S,
    HOSTILE_TIMEOUT_S,
    NOT_PASS,
    PROFILES_ENV,
    RUN_LIMIT_S,
    SITE_OPTIONS,
    TARGETED,
    VMS_PROFILE,
    Case,
    camera_site,
    camera_target,
    default_jobs,
    expected_seconds,
    good_case,
    history_for,
    hostile_bound_s,
    persona_case,
    selftest_site,
    targeted_requirements,
    vms_case,
    vms_site,
)
from conformance.selftest_judge import (  # noqa: F401  (re-exported)
    BLOCKED_PREFIX,
    _judge_hostile,
    _judge_rows,
    _like_known_good,
    _unjudged_here,
)
from conformance.suites.events.stimulus import simulator_command


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
    flaky: list[str] = field(default_factory=list)
    """The first run's problems when only a second run of the case was as expected."""
    rows: list[dict] = field(default_factory=list)
    """A camera case's rows (ID, outcome, operations): what the coverage record is built from."""
    served: set[str] = field(default_factory=set)
    """Operations the simulator served the camera under test (its operation log)."""

    @property
    def ok(self) -> bool:
        return not self.problems


RERUNS = 1
"""A case whose run is not as expected is run once more, on a fresh simulator: a timing check
can miss on a loaded machine (every case's simulator shares the self-test's process). A case as
expected only the second time passes but is reported as flaky, with the first run's problems,
in its line, the summary and selftest.json; a persona that really misbehaves fails both runs."""


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


def _run_with_rerun(
    case: Case, out: Path, slots: threading.Semaphore | None = None, reruns: int = RERUNS
) -> CaseResult:
    """:func:`_run_isolated_case`, and up to ``reruns`` more times while not as expected (the
    earlier run's output is kept beside, ``<device>.run<N>``)."""
    result = _run_isolated_case(case, out, slots)
    for attempt in range(1, reruns + 1):
        if result.ok or case.error:
            break
        for path in (out / case.device, out / f"{case.device}.log"):
            if path.exists():
                path.rename(path.with_name(f"{path.name}.run{attempt}"))
        again = _run_isolated_case(case, out, slots)
        if again.ok:
            again.flaky = result.problems
        result = again
    return result


def _run_isolated_case(
    case: Case, out: Path, slots: threading.Semaphore | None = None
) -> CaseResult:
    """Host the case's site, run the suite against it, stop it.

    ``slots`` bounds the suite runs going on at once (the CPU-bound part). A case that needs a
    recording history hosts its cameras and waits for the history *before* taking a slot, so
    the wait, which costs next to no CPU, overlaps other cases' runs instead of holding a slot.
    """
    from conformance.coverage.observed import served_operations
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
            result = _run_case(case, out, ready_file)
            result.served = served_operations(simulator.host.oplog.entries(case.device))
            return result
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
        "--stimulus",  # scene changes for motion and tampering, as a lab makes them
        simulator_command(ready_file),
    ]
    started = time.monotonic()
    # The self-test judges results.json only: no PDFs (reports/pdf.py NO_PDF_ENV) and no Allure
    # HTML report (reports/allure.py NO_REPORT_ENV; under tox, Java took ~7 s of every run).
    env = {
        **case.environment(ready_file, case.device),
        **profile_env,
        "CCTV_NO_PDF": "1",
        "CCTV_NO_ALLURE_REPORT": "1",
    }
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
    if len(devices) == 1:
        result.rows = [{k: r.get(k) for k in ("id", "outcome", "operations")} for r in rows]
    result.outcomes = {f"{r['unit']}{r['id']}": r["outcome"] for r in rows}
    if case.hostile:
        result.problems += _judge_hostile(
            rows, case.breaks, case_out, case.timeout, proc.returncode
        )
        return result
    result.problems += _judge_rows(rows, case.breaks, dict(case.expects))
    if result.expected_exit == 0 and any(_unjudged_here(r) for r in rows):
        result.expected_exit = 4  # nothing fails, a mandatory one cannot be judged: incomplete
    if proc.returncode != result.expected_exit:
        result.problems.append(f"exit status {proc.returncode}, expected {result.expected_exit}")
    return result


def run_cases(
    cases: Sequence[Case], out: Path, jobs: int, reruns: int = RERUNS
) -> list[CaseResult]:
    """Run the cases ``jobs`` at a time, longest first (each not-as-expected case ``reruns``
    more times, see :data:`RERUNS`), printing each as it is judged; the results in case order."""
    results: dict[int, CaseResult] = {}
    jobs = max(1, jobs)
    slots = threading.Semaphore(jobs)
    # Longest first, so no long case starts last while the other slots stand idle.
    order = sorted(range(len(cases)), key=lambda i: -expected_seconds(cases[i]))
    # Extra workers host the cameras of cases that wait for a recording history while ``jobs``
    # suite runs go on; at most ``jobs`` runs at once either way.
    with ThreadPoolExecutor(max_workers=jobs + HISTORY_HOSTS) as pool:
        futures = {pool.submit(_run_with_rerun, cases[i], out, slots, reruns): i for i in order}
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results[futures[future]] = result
            status = ("ok* " if result.flaky else "ok  ") if result.ok else "FAIL"
            print(
                f"  [{done}/{len(cases)}] {status} {result.persona:<28} "
                f"{result.judged:>3} judged, exit {result.exit_code} in {result.seconds:.1f} s",
                flush=True,
            )
            for problem in result.problems:
                print(f"        {problem}")
            for problem in result.flaky:
                print(f"        flaky (first run only): {problem}")
    return [results[i] for i in range(len(cases))]


def run_selftest(
    profile: str,
    out: Path,
    jobs: int | None = None,
    personas: list[str] | None = None,
    timeout: float = 10.0,
    full: bool = False,
    reruns: int = RERUNS,
    write_coverage: bool = False,
) -> int:
    """Judge the suite against the known-good camera and the personas; 0 when all as expected
    (a case as expected only when run again, up to ``reruns`` times, counts, and is named).

    With a narrower ``--profile`` than the default, personas that break nothing in it are
    skipped (and listed); a persona named with ``--persona`` that breaks nothing in it, or
    any persona without breaks, is a failing case."""
    from fake_vms.personas import PERSONAS

    if write_coverage and (profile != DEFAULT_PROFILE or personas):
        raise InputError(
            "--write-coverage",
            None,
            f"needs the whole {DEFAULT_PROFILE} self-test: drop --profile and --persona",
        )
    mode = FULL if full else TARGETED
    jobs = jobs or default_jobs()
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
            else "the known-good device and legal oddities judge the whole profile, each "
            f"persona its breaks, their domains and {BASELINE_PROFILE}"
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
    results = run_cases(cases, out, jobs, reruns)
    seconds = round(time.monotonic() - started, 1)
    whole_run = profile == DEFAULT_PROFILE and not personas  # sees all a record may claim
    coverage_problems = coverage_record(cases, results, GOOD, write_coverage) if whole_run else []
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
                "flaky": r.flaky,
                "outcomes": r.outcomes,
            }
            for r in results
        ],
        "skipped_personas": skipped,
        "vms_personas": vms_personas,
        "coverage_problems": coverage_problems,
    }
    (out / "selftest.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    failed = [r for r in results if not r.ok]
    persona_judged = [r.judged for r in results if r.persona != GOOD]
    spread = (
        f"personas {min(persona_judged)}-{max(persona_judged)} each"
        if persona_judged
        else "no personas"
    )
    good = next((r.judged for r in results if r.persona == GOOD), 0)
    flaky = [r.persona for r in results if r.flaky]
    print(
        f"selftest ({mode}): {len(results) - len(failed)} of {len(results)} cases as expected "
        f"in {seconds} s; requirements judged: known-good {good}, {spread}, "
        f"{sum(r.judged for r in results)} in all"
        + (f"; as expected only when run again: {', '.join(flaky)}" if flaky else "")
    )
    for problem in coverage_problems:
        print(f"  FAIL {problem}")
    return 1 if failed or coverage_problems else 0
