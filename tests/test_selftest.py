"""The self-test's own tests: which requirements each mode judges, and that it catches mistakes.

The selection tests are pure (no device). The case tests host real simulated cameras on
loopback and run the real ``cctv-conformance run`` process, with personas built here whose
declared breaks are wrong (too few, or the wrong ones): the self-test must report them in both
modes, or a wrong ``breaks`` list would go unnoticed on every commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.catalogue import Catalogue, load_catalogue
from conformance.cli import build_parser
from conformance.selftest import (
    BASELINE_PROFILE,
    DEFAULT_PROFILE,
    HOSTILE_TIMEOUT_S,
    PROFILES_ENV,
    VMS_PROFILE,
    _judge_rows,
    _profile_for,
    good_case,
    persona_case,
    run_cases,
    targeted_requirements,
    vms_case,
)
from fake_vms.personas import PERSONAS, Persona
from fake_vms.personas.knobs import Knobs

CORE = "onvif-s-core"


def _resolved(profile: str = DEFAULT_PROFILE):
    return load_catalogue().resolve(profile)


def _mislabelled(declares: tuple[str, ...]) -> Persona:
    """A camera that really breaks ONVIF-DEV-TIME-01 (time-needs-auth's knobs) but declares
    ``declares``: a persona whose check would not catch what it says it breaks."""
    real = PERSONAS["time-needs-auth"]
    assert real.breaks == ("ONVIF-DEV-TIME-01",)
    return Persona(
        name="mislabelled",
        description="time-needs-auth's quirk under the wrong declaration (test only)",
        breaks=declares,
        provenance="tests/test_selftest.py",
        knobs=real.knobs,
    )


# -- which requirements each case judges --------------------------------------------------------
def test_targeted_persona_case_selects_its_domains_and_the_baseline() -> None:
    """Two-way on every commit: the breaks, every requirement of their domains, and the whole
    baseline profile, in profile order."""
    resolved = _resolved()
    catalogue = load_catalogue()
    persona = PERSONAS["open-protected-ops"]  # device and security domains
    case = persona_case(persona, resolved, full=False, timeout=10.0)
    baseline = {e.id for e in _resolved(BASELINE_PROFILE).requirements}
    domains = {catalogue.requirements[i].domain for i in persona.breaks}
    assert domains == {"device", "security"}
    expected = {
        e.id
        for e in resolved.requirements
        if e.id in baseline or catalogue.requirements[e.id].domain in domains
    }
    assert set(case.requirements) == expected
    assert set(persona.breaks) <= set(case.requirements)
    assert case.breaks == frozenset(persona.breaks)
    assert not case.error and case.timeout == 10.0
    order = [e.id for e in resolved.requirements]
    assert list(case.requirements) == sorted(case.requirements, key=order.index)
    assert len(case.requirements) < len(order)  # cheaper than the full mode
    assert targeted_requirements(persona, resolved) == list(case.requirements)


def test_legal_oddity_judges_the_whole_profile_in_both_modes() -> None:
    resolved = _resolved()
    for name in ("services-elsewhere", "soap-prefixes", "short-keepalive"):
        for full in (False, True):
            case = persona_case(PERSONAS[name], resolved, full=full, timeout=10.0)
            assert not case.error, case.error
            assert case.requirements == tuple(e.id for e in resolved.requirements)
            assert case.breaks == frozenset()


def test_legal_oddity_that_names_what_it_affects_judges_those_domains_and_the_baseline() -> None:
    """timer-jitter holds every reply to the next whole second: on every commit it is judged on
    the events domain (where timers matter) and the baseline; nightly on everything."""
    resolved = _resolved()
    catalogue = load_catalogue()
    persona = PERSONAS["timer-jitter"]
    assert persona.legal and persona.affects == ("events",)
    baseline = {e.id for e in _resolved(BASELINE_PROFILE).requirements}
    targeted = persona_case(persona, resolved, full=False, timeout=10.0)
    assert not targeted.error and targeted.breaks == frozenset()
    assert set(targeted.requirements) == {
        e.id
        for e in resolved.requirements
        if e.id in baseline or catalogue.requirements[e.id].domain == "events"
    }
    assert any(catalogue.requirements[i].domain == "events" for i in targeted.requirements)
    full = persona_case(persona, resolved, full=True, timeout=10.0)
    assert full.requirements == tuple(e.id for e in resolved.requirements)


def test_every_persona_affects_only_domains_the_catalogue_has() -> None:
    domains = {r.domain for r in load_catalogue().requirements.values()}
    for persona in PERSONAS.values():
        assert set(persona.affects) <= domains, persona.name
        assert not persona.affects or persona.legal, f"{persona.name}: affects is for legal ones"


def test_legal_oddity_that_declares_breaks_is_an_error() -> None:
    wrong = Persona("odd", "legal but declares a break", ("ONVIF-DEV-TIME-01",), "t", legal=True)
    assert "a legal oddity breaks nothing" in persona_case(wrong, _resolved(), False, 10).error


def test_targeted_hostile_case_judges_only_its_breaks() -> None:
    persona = PERSONAS["hostile-black-hole"]
    case = persona_case(persona, _resolved(), full=False, timeout=10.0)
    assert set(case.requirements) == set(persona.breaks)


@pytest.mark.parametrize(
    ("outcome", "reason", "ok"),
    [
        ("pass", "", True),
        ("not_tested", "environment: multicast on loopback", True),
        ("not_tested", "no test implements it", False),
        ("inconclusive", "blocked by ONVIF-DEV-TIME-01: GetSystemDateAndTime refused", True),
        ("inconclusive", "blocked by ONVIF-DEV-TIME-01 (not in this profile): refused", True),
        ("inconclusive", "blocked by ONVIF-DEV-INFO-01: another requirement's fault", False),
        ("inconclusive", "timeout", False),
        ("not_claimed", "", False),
        ("fail", "", False),
    ],
)
def test_undeclared_requirements_must_behave_like_the_known_good_camera(
    outcome: str, reason: str, ok: bool
) -> None:
    """Blame on a declared break (``blocked by <its ID>``) is accepted; blame on anything else,
    or any other not-pass, is reported."""
    row = {"id": "ONVIF-MEDIA-PROF-01", "outcome": outcome, "reason": reason}
    problems = _judge_rows([row], frozenset({"ONVIF-DEV-TIME-01"}))
    assert (problems == []) is ok, problems


def test_every_declared_break_is_in_the_catalogue() -> None:
    known = load_catalogue().requirements
    unknown = {name: [i for i in p.breaks if i not in known] for name, p in PERSONAS.items()}
    assert {n: u for n, u in unknown.items() if u} == {}


def test_full_persona_case_selects_the_whole_profile() -> None:
    resolved = _resolved()
    case = persona_case(PERSONAS["clock-skew"], resolved, full=True, timeout=10.0)
    assert case.requirements == tuple(e.id for e in resolved.requirements)
    assert case.breaks == frozenset(PERSONAS["clock-skew"].breaks)


def test_good_case_always_judges_the_whole_profile() -> None:
    resolved = _resolved()
    case = good_case(resolved, 10.0)
    assert case.requirements == tuple(e.id for e in resolved.requirements)
    assert not case.breaks


@pytest.mark.parametrize("full", [False, True])
def test_hostile_case_keeps_its_rule_and_short_timeout(full: bool) -> None:
    persona = PERSONAS["hostile-black-hole"]
    case = persona_case(persona, _resolved(), full=full, timeout=10.0)
    assert case.hostile and case.timeout == HOSTILE_TIMEOUT_S
    assert set(persona.breaks) <= set(case.requirements)


def test_every_shipped_persona_judges_something_in_the_default_profile() -> None:
    resolved = _resolved()
    errors = {
        name: case.error
        for name, persona in PERSONAS.items()
        if getattr(persona, "applies_to", "camera") == "camera"
        and (case := persona_case(persona, resolved, full=False, timeout=10.0)).error
    }
    assert errors == {}


@pytest.mark.parametrize("full", [False, True])
def test_persona_that_selects_nothing_is_a_failing_case(tmp_path: Path, full: bool) -> None:
    resolved = _resolved()
    empty = Persona("empty", "declares nothing", breaks=(), provenance="test")
    elsewhere = _mislabelled(("SEC-PORTS-01",))  # not in onvif-s-core
    cases = [
        persona_case(empty, resolved, full=full, timeout=10.0),
        persona_case(elsewhere, _resolved(CORE), full=full, timeout=10.0),
    ]
    assert "declares no breaks" in cases[0].error
    assert "breaks nothing in profile onvif-s-core" in cases[1].error
    results = run_cases(cases, tmp_path, jobs=2, reruns=0)  # nothing is hosted or run
    assert [r.ok for r in results] == [False, False]
    assert [r.judged for r in results] == [0, 0]
    assert not list(tmp_path.iterdir())


def test_generated_profile_keeps_levels_and_parameters(tmp_path: Path) -> None:
    resolved = _resolved()
    case = persona_case(PERSONAS["media2-broken"], resolved, full=False, timeout=10.0)
    profile_id, env = _profile_for(case, tmp_path)
    generated = Catalogue(Path(env[PROFILES_ENV])).resolve(profile_id)
    original = {e.id: (e.level, e.parameters) for e in resolved.requirements}
    assert [e.id for e in generated.requirements] == list(case.requirements)
    for entry in generated.requirements:
        assert (entry.level, entry.parameters) == original[entry.id]
    whole = good_case(resolved, 10.0)
    assert _profile_for(whole, tmp_path) == (DEFAULT_PROFILE, {})


def test_cli_full_option() -> None:
    parser = build_parser()
    assert parser.parse_args(["selftest"]).full is False
    assert parser.parse_args(["selftest", "--full"]).full is True


def test_cli_reruns_option() -> None:
    parser = build_parser()
    assert parser.parse_args(["selftest"]).reruns == 1
    assert parser.parse_args(["selftest", "--reruns", "0"]).reruns == 0


# -- real cases: the self-test catches a persona whose declaration is wrong ---------------------
def test_targeted_mode_reports_a_persona_its_check_does_not_catch(tmp_path: Path) -> None:
    """Declared ONVIF-DEV-INFO-01, really breaks ONVIF-DEV-TIME-01: the targeted run (over the
    small core profile: both are device requirements) reports both directions; the honest
    persona beside it is fine."""
    resolved = _resolved(CORE)
    cases = [
        persona_case(_mislabelled(("ONVIF-DEV-INFO-01",)), resolved, full=False, timeout=10.0),
        persona_case(PERSONAS["time-needs-auth"], resolved, full=False, timeout=10.0),
    ]
    wrong, honest = run_cases(cases, tmp_path, jobs=2, reruns=0)
    core = [e.id for e in resolved.requirements]
    assert wrong.judged == len(core) and honest.judged == len(core)
    assert any(p.startswith("ONVIF-DEV-INFO-01: expected fail, got pass") for p in wrong.problems)
    assert any(p.startswith("ONVIF-DEV-TIME-01: expected pass, got fail") for p in wrong.problems)
    assert honest.ok, honest.problems
    assert honest.outcomes["ONVIF-DEV-TIME-01"] == "fail"
    run = json.loads((tmp_path / honest.device / "results.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in run["devices"][0]["requirements"]] == core


def test_targeted_mode_catches_a_persona_that_breaks_more_than_it_declares(
    tmp_path: Path,
) -> None:
    """Issue 13's case: a camera that really breaks ONVIF-DEV-TIME-01 and ONVIF-DEV-SCOPES-01
    but declares only TIME-01 passed the old targeted mode (it judged TIME-01 alone); now the
    undeclared failure is reported on every commit."""
    over = Persona(
        name="over-breaking",
        description="time-needs-auth plus an undeclared missing Profile S scope (test only)",
        breaks=("ONVIF-DEV-TIME-01",),
        provenance="tests/test_selftest.py",
        knobs=Knobs(time_requires_auth=True, omit_profile_scope=True),
    )
    case = persona_case(over, _resolved(CORE), full=False, timeout=10.0)
    assert "ONVIF-DEV-SCOPES-01" in case.requirements
    (result,) = run_cases([case], tmp_path, jobs=1, reruns=0)
    assert result.outcomes["ONVIF-DEV-TIME-01"] == "fail"
    assert len(result.problems) == 1, result.problems  # the undeclared failure, and only it
    assert result.problems[0].startswith("ONVIF-DEV-SCOPES-01: expected pass, got fail")


def test_full_mode_reports_a_persona_that_breaks_more_than_it_declares(tmp_path: Path) -> None:
    """Full mode over a whole (small) profile: the undeclared failure is reported too."""
    resolved = _resolved(CORE)
    case = persona_case(_mislabelled(("ONVIF-DEV-INFO-01",)), resolved, full=True, timeout=10.0)
    (result,) = run_cases([case], tmp_path, jobs=1, reruns=0)
    assert result.judged == len(resolved.requirements)
    assert any(p.startswith("ONVIF-DEV-INFO-01: expected fail, got pass") for p in result.problems)
    assert any(p.startswith("ONVIF-DEV-TIME-01: expected pass, got fail") for p in result.problems)


def test_cases_judging_recordings_start_on_a_recording_history() -> None:
    resolved = _resolved()
    assert persona_case(PERSONAS["replay-range-ignored"], resolved, False, 10.0).history_s > 0
    assert persona_case(PERSONAS["export-slow"], resolved, False, 10.0).history_s > 0
    # every targeted case now judges the baseline, whose export checks need a history
    assert persona_case(PERSONAS["time-needs-auth"], resolved, False, 10.0).history_s > 0
    assert persona_case(PERSONAS["time-needs-auth"], _resolved(CORE), False, 10.0).history_s == 0
    assert persona_case(PERSONAS["hostile-black-hole"], resolved, False, 10.0).history_s == 0
    assert good_case(resolved, 10.0).history_s > 0


# -- VMS cases: the simulated VMS plays the VMS under test ---------------------------------------
def test_vms_cases_judge_the_whole_vms_profile() -> None:
    vms_ids = {e.id for e in _resolved(VMS_PROFILE).requirements}
    good = vms_case(None, 10.0)
    persona = PERSONAS["vms-search-contained-only"]
    bad = vms_case(persona, 10.0)
    assert set(good.requirements) == set(bad.requirements) == vms_ids
    assert good.breaks == frozenset() and bad.breaks == frozenset(persona.breaks)
    assert good.site().vms.persona is None and good.site().cameras == ()
    assert bad.site().vms.persona == persona.name
    # VMS-EXPORT-EVIDENCE-01 is optional: its failure alone does not fail the run.
    assert "VMS-EXPORT-EVIDENCE-01" not in good.blocking
    assert "VMS-CONNECT-01" in good.blocking


def test_camera_persona_as_vms_case_is_an_error() -> None:
    case = vms_case(PERSONAS["time-needs-auth"], 10.0)
    assert "breaks nothing in profile vms-ingest-selftest" in case.error
    assert case.requirements == ()


@pytest.mark.slow
def test_vms_case_reports_a_mislabelled_vms_persona_for_every_pair(tmp_path: Path) -> None:
    """A real VMS case (simulated VMS ingesting the two self-test cameras): a VMS whose search
    misses overlapping clips, declared as breaking VMS-REC-01 instead, is reported for both
    (VMS, camera) pairs in both directions."""
    real = PERSONAS["vms-search-contained-only"]
    assert real.breaks == ("VMS-SEARCH-01",)
    wrong = Persona(
        name="vms-mislabelled",
        description="vms-search-contained-only's quirk under the wrong declaration (test only)",
        breaks=("VMS-REC-01",),
        provenance="tests/test_selftest.py",
        knobs=real.knobs,
        applies_to="vms",
    )
    (result,) = run_cases([vms_case(wrong, 10.0)], tmp_path, jobs=1, reruns=0)
    assert result.judged == 2 * len(_resolved(VMS_PROFILE).requirements)
    for camera in ("h264-tcp", "h265-udp"):
        unit = f"fake-vms · {camera}: "
        assert any(
            p.startswith(f"{unit}VMS-SEARCH-01: expected pass, got fail") for p in result.problems
        )
        assert any(
            p.startswith(f"{unit}VMS-REC-01: expected fail, got pass") for p in result.problems
        )


def test_persona_expects_are_selected_and_judged() -> None:
    """A legal quirk declares the outcomes it must have instead of a fail (``expects``): the
    targeted case judges those requirements, and judges them against that outcome."""
    from conformance.selftest import _judge_rows

    resolved = load_catalogue().resolve(DEFAULT_PROFILE)
    persona = PERSONAS["ptz-status-optional-off"]
    case = persona_case(persona, resolved, False, 10.0)
    assert not case.error and not case.breaks
    assert set(persona.expects) <= set(case.requirements)
    expects = dict(case.expects)
    rows = [{"id": req, "outcome": outcome} for req, outcome in expects.items()]
    assert _judge_rows(rows, case.breaks, expects) == []
    rows[0] = {**rows[0], "outcome": "fail", "reason": "MoveStatus is missing"}
    assert _judge_rows(rows, case.breaks, expects) == [
        f"{rows[0]['id']}: expected {expects[rows[0]['id']]}, got fail: MoveStatus is missing"
    ]


def test_every_case_site_is_built_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Camera and VMS cases alike get their site from selftest_site, so a site option the whole
    self-test runs with (SITE_OPTIONS, e.g. instrumentation off) is set in one place."""
    from conformance import selftest_cases

    built: list[str] = []
    original = selftest_cases.selftest_site

    def recording(name: str, cameras: tuple, vms: object | None = None):  # type: ignore[no-untyped-def]
        built.append(name)
        return original(name, cameras, vms)

    monkeypatch.setattr(selftest_cases, "selftest_site", recording)
    good_case(_resolved(), 10.0).site()
    persona_case(PERSONAS["clock-skew"], _resolved(), False, 10.0).site()
    vms_case(None, 10.0).site()
    assert built == ["selftest-good", "selftest-persona-clock-skew", "selftest-good-vms"]


def test_a_case_as_expected_only_when_run_again_passes_as_flaky(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A timing check that misses once on a loaded machine: the case is run again on a fresh
    simulator; as expected then, it passes but is named flaky with the first run's problems. A
    case that misbehaves every time still fails, after one rerun."""
    from conformance import selftest

    runs: dict[str, int] = {}

    def fake_run(case, out, slots=None):  # type: ignore[no-untyped-def]
        runs[case.device] = runs.get(case.device, 0) + 1
        problems = ["STREAM-FPS-01: expected pass, got fail: 21 fps"]
        if case.device == "persona-clock-skew" and runs[case.device] > 1:
            problems = []
        return selftest.CaseResult(case.device, case.label, 0, 0, problems=problems)

    monkeypatch.setattr(selftest, "_run_isolated_case", fake_run)
    resolved = _resolved()
    cases = [
        persona_case(PERSONAS[n], resolved, False, 10.0) for n in ("clock-skew", "no-rtsp-udp")
    ]
    flaky, broken = run_cases(cases, tmp_path, jobs=2)
    assert flaky.ok and flaky.flaky == ["STREAM-FPS-01: expected pass, got fail: 21 fps"]
    assert not broken.ok and not broken.flaky
    assert runs == {"persona-clock-skew": 2, "persona-no-rtsp-udp": 2}
    out = capsys.readouterr().out
    assert "ok*  clock-skew" in out and "flaky (first run only): STREAM-FPS-01" in out
    assert run_cases(cases[1:], tmp_path, jobs=1, reruns=0)[0].problems
    assert runs["persona-no-rtsp-udp"] == 3  # reruns=0: run once
