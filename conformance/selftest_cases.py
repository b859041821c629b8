"""The self-test's cases: what each one hosts, points the suite at, judges and expects.

:mod:`conformance.selftest` runs and judges them; this module only builds them: the known-good
camera, one case per persona (targeted or full, see :func:`targeted_requirements`), and the
simulated VMS cases. Every case's site is built in one place (:func:`selftest_site`), so a site
option the whole self-test runs with is set once, in :data:`SITE_OPTIONS`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.catalogue import ResolvedProfile, load_catalogue
from conformance.selftest_security import run_environment, security_fields

GOOD = "good"
NOT_PASS = {"fail", "inconclusive"}
DEFAULT_PROFILE = "all-requirements"
BASELINE_PROFILE = "pictco-la-baseline"
"""Every targeted persona case judges this whole profile besides its own domains."""
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
    expects: tuple[tuple[str, str], ...] = ()
    """(ID, outcome) pairs judged with an outcome other than the default (a persona's
    ``expects``: a legal quirk that must pass, or a feature it removes: ``not_claimed``)."""
    environment: Environment = run_environment
    breaks_cameras: frozenset[str] = frozenset()
    """A VMS case: the cameras whose pairs the breaks apply to (empty: every camera)."""

    @property
    def blocking(self) -> frozenset[str]:
        """Requirements of the case's profile whose failure fails the run (optional ones never
        do), hence the exit status the run must end with."""
        resolved = load_catalogue().resolve(self.profile)
        return frozenset(e.id for e in resolved.requirements if e.level != "optional")


# -- cases -------------------------------------------------------------------------------------
SITE_OPTIONS: dict[str, Any] = {"instrumentation": False}
"""Site fields every self-test case is hosted with: the one place where the self-test's sites
are built, :func:`selftest_site`. Instrumentation is off (no frame-counter SEI, no spontaneous
motion or tampering): every verdict must hold on what a real camera sends, and event checks
get their scene changes from the run's ``--stimulus`` command, as in a lab."""


def selftest_site(name: str, cameras: tuple[Any, ...], vms: Any | None = None):
    """The site of one case, with :data:`SITE_OPTIONS` (every case's site is built here)."""
    from dataclasses import replace

    from fake_vms.site import Site

    if SITE_OPTIONS.get("instrumentation") is False:  # off for every camera, as the flag is
        cameras = tuple(replace(c, instrumentation=False) for c in cameras)
    return Site(name, cameras, vms, **SITE_OPTIONS)


def camera_site(device: str, persona: Any | None):
    """The cameras one case needs: the camera under test and a good peer recording beside it.

    Each case gets its own simulator, so a hostile or slow persona never disturbs another case,
    and only the cameras of the cases running at the moment record (recording every persona's
    camera for the whole self-test would load the machine more than the checks do). The peer
    gives the multi-camera export checks a second camera over the same time. The camera is the
    same in both modes, so a persona is judged on the camera the known-good run vouches for.
    """
    from fake_vms.site import CameraConfig, apply_persona

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
    return selftest_site(
        f"selftest-{device}", (camera, CameraConfig(name=f"peer-{device}", **base))
    )


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


def targeted_requirements(persona: Any, resolved: ResolvedProfile) -> list[str]:
    """What a persona's targeted case judges, in profile order: its breaks and expects, every
    other requirement of the domains they belong to, and the whole :data:`BASELINE_PROFILE` (so an
    over-breaking persona is caught on every commit); the whole profile for a legal oddity,
    unless it names the domains its quirk ``affects`` (then those domains and the baseline);
    only the breaks for a hostile device (its rule holds nothing else to a pass)."""
    catalogue = load_catalogue()
    in_profile = [e.id for e in resolved.requirements]
    affects = set(getattr(persona, "affects", ()))
    if getattr(persona, "legal", False) and not affects:
        return in_profile
    if persona.hostile:
        return [i for i in in_profile if i in persona.breaks]
    declared = (*persona.breaks, *getattr(persona, "expects", {}))
    domains = affects | {
        catalogue.requirements[i].domain for i in declared if i in catalogue.requirements
    }
    baseline = {e.id for e in catalogue.resolve(BASELINE_PROFILE).requirements}
    return [
        i
        for i in in_profile
        if i in declared or i in baseline or catalogue.requirements[i].domain in domains
    ]


def persona_case(persona: Any, resolved: ResolvedProfile, full: bool, timeout: float) -> Case:
    """One persona's case: :func:`targeted_requirements` (targeted) or the whole profile (full).

    A persona that declares no breaks (unless it is a legal oddity, which must pass
    everything), or none in the profile, would prove nothing: the case is an error."""
    device = f"persona-{persona.name}"
    in_profile = [e.id for e in resolved.requirements]
    breaks = frozenset(persona.breaks) & set(in_profile)
    expects = {k: v for k, v in getattr(persona, "expects", {}).items() if k in in_profile}
    selected = in_profile if full else targeted_requirements(persona, resolved)
    selected += [i for i in in_profile if i in expects and i not in selected]
    legal = getattr(persona, "legal", False)
    error = ""
    if legal and persona.breaks:
        error = f"a legal oddity breaks nothing, yet declares {', '.join(persona.breaks)}"
    elif not persona.breaks and not legal and not getattr(persona, "expects", None):
        error = "declares no breaks: a persona must name the requirements it is built to fail"
    elif not breaks and not legal and not expects:
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
        expects=tuple(sorted(expects.items())),
    )


MAX_DEFAULT_JOBS = 16
"""A suite run holds about 200 MiB: more at once by default would need a large machine."""


def default_jobs() -> int:
    """Suite runs at once: two more than the CPUs, at most :data:`MAX_DEFAULT_JOBS`. A run
    against a simulated camera spends most of its time waiting for the device (its live captures
    and recording history last as long as they last), so on 2 cores four runs keep both busy:
    the targeted self-test took 1007 s, every case as expected. Six at a time took 633-770 s but
    is not safe: every case's simulator shares the machine, and in one CI run the simulated VMS
    of ``export-transcoded-half-rate`` (it transcodes) exported at 1.61x real time in both runs of
    the case, under EXPORT-SPEED-01's 2x, a verdict the load made, not the persona."""
    return min((os.cpu_count() or 1) + 2, MAX_DEFAULT_JOBS)


VMS_CASE_S = 35.0
"""About how long a VMS case runs (it waits for two closed clips of each of its two cameras,
whatever the number of requirements): :func:`expected_seconds`'s figure for one."""


def expected_seconds(case: Case) -> float:
    """A rough duration of ``case``, from measured self-tests on 2 cores (a camera case: about
    4 s of start-up and a third of a second a requirement; a VMS case: :data:`VMS_CASE_S`).
    Only the order matters: the longest cases start first, so the run does not end on one long
    case started last while the other slots stand idle."""
    if case.profile == VMS_PROFILE:
        return VMS_CASE_S
    return 4.0 + len(case.requirements) / 3


def vms_site(device: str, persona: Any | None):
    """A simulated VMS alone (it ingests the cameras the vms-ingest suite serves), misbehaving
    as ``persona`` says."""
    from fake_vms.personas.knobs import Knobs
    from fake_vms.site import VmsSiteConfig

    vms = VmsSiteConfig(
        ingest=True,
        clip_s=VMS_CLIP_S,
        persona=persona.name if persona is not None else None,
        knobs=persona.knobs if persona is not None else Knobs(),
    )
    return selftest_site(f"selftest-{device}", (), vms)


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
