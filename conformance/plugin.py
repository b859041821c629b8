"""The pytest plugin: turns requirements into tests and test results into verdicts with evidence.

Registered through the ``pytest11`` entry point, so it is active in every pytest run but inert
unless ``--profile`` is given. With a profile it:

- loads the catalogue, profile and target (bad input stops the run with a message naming file,
  field and problem);
- parametrizes every test that takes ``device`` over the target's devices;
- checks that every conformance test carries ``@pytest.mark.requirement("ID")`` with a known ID;
- deselects tests whose requirement is not in the profile (they are no outcome of this run);
- skips, with a reason, tests whose requirement needs a safety mode the run does not allow, or
  depends on a conditional feature neither claimed nor discovered;
- maps each test result to one of the six outcomes, keeps its evidence, labels it for Allure,
  journals it to disk immediately and writes results.json at the end;
- turns a failure whose cause another requirement judges (a cached answer tagged by
  ``DeviceUnderTest.cached(..., judge=ID)``, an unreadable core reply) into ``inconclusive``
  ``blocked by <ID>``, and a pass or fail with no evidence file of the device's own bytes into a
  suite error (see docs/verdicts.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance import __version__
from conformance.catalogue import ProfileRequirement, ResolvedProfile, load_catalogue
from conformance.errors import InputError
from conformance.evidence import Evidence
from conformance.outcomes import Blocked, Outcome, skip_reason
from conformance.plugin_options import add_options
from conformance.redaction import Redactor
from conformance.targets import Target, load_target, select_devices, single_device_target
from conformance.verdict_records import (
    EVIDENCE_KEY,
    EXCHANGE_START,
    TestRecord,
    VerdictRecorder,
    cause_of,
    label_for_allure,
)
from conformance.verdicts import is_device_fault, judged_by

SUITES_DIR = Path(__file__).resolve().parent / "suites"
RUN_KEY = pytest.StashKey["ConformanceRun"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(id): the requirement ID this conformance test checks"
    )
    if not config.getoption("profile"):
        return
    try:
        run = ConformanceRun.from_options(config)
    except InputError as exc:
        raise pytest.UsageError(str(exc)) from None
    run._config = config
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(run, "cctv-conformance-run")


@dataclass
class ConformanceRun(VerdictRecorder):
    """State of one conformance run; registered as a plugin so its hooks see the session."""

    profile: ResolvedProfile
    target: Target
    mode: str
    results_dir: Path
    timeout: float
    known_ids: set[str]
    redactor: Redactor
    workers: int = 4
    allow_destructive: bool = False
    started: float = field(default_factory=time.time)
    records: list[TestRecord] = field(default_factory=list)
    implemented: dict[str, list[str]] = field(default_factory=dict)
    duts: list[Any] = field(default_factory=list)
    _config: Any = None
    _device_of: dict[str, Any] = field(default_factory=dict)
    _remaining: dict[str, int] = field(default_factory=dict)
    items_of: dict[str, list[Any]] = field(default_factory=dict)
    """Each device's selected tests, in run order (its failed-login budget is planned from
    them, without walking every device's tests for each device)."""
    _tally: dict[str, dict[Outcome, int]] = field(default_factory=dict)
    """Outcomes recorded so far per device, for the progress lines."""
    _prefetcher: Any = None
    _devices_done: int = 0
    _recorded: set[str] = field(default_factory=set)
    """Node IDs in :attr:`records` (a test is recorded once)."""

    @classmethod
    def from_options(cls, config: pytest.Config) -> ConformanceRun:
        catalogue = load_catalogue()
        profile = catalogue.resolve(config.getoption("profile"))
        if config.getoption("device_url"):
            target = single_device_target(
                config.getoption("device_url"),
                config.getoption("device_user"),
                config.getoption("device_password_env"),
            )
        elif config.getoption("target"):
            target = load_target(config.getoption("target"), config.getoption("ready_file"))
        else:
            raise InputError("--target", None, "give a target file or --device-url")
        target = select_devices(target, config.getoption("only_device"))
        results_dir = Path(config.getoption("results_dir"))
        results_dir.mkdir(parents=True, exist_ok=True)
        from conformance.dut import DeviceUnderTest
        from conformance.vms_units import vms_camera_pairs

        redactor = Redactor(target.secrets)
        from conformance import redaction

        for stream in redaction.TERMINALS:
            stream.redactor = redactor
        run = cls(
            profile=profile,
            target=target,
            mode=config.getoption("mode"),
            results_dir=results_dir,
            timeout=config.getoption("io_timeout"),
            workers=config.getoption("workers"),
            allow_destructive=config.getoption("allow_destructive"),
            known_ids=set(catalogue.requirements),
            redactor=redactor,
        )
        run.duts = [
            DeviceUnderTest(d, timeout=run.timeout, redactor=redactor) for d in target.devices
        ]
        for dut in run.duts:
            dut.vms = target.vms  # export warm-ups (conformance.prefetch) reach the VMS here
        run.duts += vms_camera_pairs(target, profile)  # vms-ingest: (VMS, camera) pairs
        (results_dir / "results.jsonl").write_text("")
        return run

    # -- collection ------------------------------------------------------------------------
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "device" in metafunc.fixturenames:
            duts = self.duts
            if self._outside_profile(metafunc.definition):
                # Deselected at collection (pytest_collection_modifyitems) whatever the device:
                # one item still has its marker checked and is counted as deselected, instead of
                # one per device of an estate (most of the catalogue is outside a profile).
                duts = duts[:1]
            metafunc.parametrize("device", duts, ids=[d.name for d in duts])

    def _outside_profile(self, definition: pytest.Item) -> bool:
        """A conformance test of a known requirement the profile leaves out (unknown IDs and
        unmarked tests are not: collection reports them as problems)."""
        marker = definition.get_closest_marker("requirement")
        req_id = marker.args[0] if marker is not None and marker.args else None
        return req_id in self.known_ids and self.profile.get(req_id) is None

    def pytest_report_header(self) -> list[str]:
        names = ", ".join(d.name for d in self.target.devices)
        return [
            f"cctv-conformance {__version__}: profile {self.profile.id} v{self.profile.version} "
            f"({len(self.profile.requirements)} requirements), mode {self.mode}",
            f"target {self.target.spec.supplier} / {self.target.spec.product}: {names}",
        ]

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Check every conformance test names a known requirement, deselect those outside the
        profile, skip (with the reason) those the safety mode excludes, order by device.

        Tests of requirements outside the profile are deselected rather than skipped: they are
        no outcome of this run (results.json and the statement hold the profile's rows only),
        and as skipped tests they filled junit.xml and Allure with dozens of raw pytest names.
        """
        problems = []
        outside: list[pytest.Item] = []
        for item in items:
            marker = item.get_closest_marker("requirement")
            if marker is None:
                if SUITES_DIR in Path(str(item.path)).parents:
                    problems.append(f"{item.nodeid}: conformance test has no requirement marker")
                continue
            req_id = marker.args[0] if marker.args else ""
            if req_id not in self.known_ids:
                problems.append(f"{item.nodeid}: unknown requirement ID {req_id!r}")
                continue
            entry = self.profile.get(req_id)
            if entry is None:
                outside.append(item)
                continue
            self.implemented.setdefault(req_id, []).append(item.nodeid)
            safety = entry.requirement.safety
            if safety == "intrusive" and self.mode != "lab":
                item.add_marker(
                    pytest.mark.skip(
                        reason=skip_reason(
                            Outcome.NOT_TESTED,
                            f"{req_id} changes device settings; run with --mode lab",
                        )
                    )
                )
            elif safety == "destructive" and not (self.mode == "lab" and self.allow_destructive):
                item.add_marker(
                    pytest.mark.skip(
                        reason=skip_reason(
                            Outcome.NOT_TESTED,
                            f"{req_id} is destructive (reboot, reset or firmware); run with "
                            "--mode lab --allow-destructive",
                        )
                    )
                )
        if problems:
            raise pytest.UsageError("invalid conformance tests:\n  " + "\n  ".join(problems))
        if outside:
            dropped = {id(item) for item in outside}
            items[:] = [item for item in items if id(item) not in dropped]
            if self._config is not None:
                self._config.hook.pytest_deselected(items=outside)
        self._order_by_device(items)

    def _order_by_device(self, items: list[pytest.Item]) -> None:
        """Run each device's tests together (stable order within a device), so a device's
        evidence is gathered once, its memory released after, and progress shown per device."""
        index = {id(dut): i for i, dut in enumerate(self.duts)}
        position = {id(item): i for i, item in enumerate(items)}

        def key(item: pytest.Item) -> tuple[int, int]:
            dut = self._dut(item)
            return (index.get(id(dut), -1), position[id(item)])

        items.sort(key=key)
        self._device_of = {}
        self._remaining = {}
        self.items_of = {}
        for item in items:
            dut = self._dut(item)
            if dut is not None:
                self._device_of[item.nodeid] = dut
                self._remaining[dut.name] = self._remaining.get(dut.name, 0) + 1
                self.items_of.setdefault(dut.name, []).append(item)

    # -- running -----------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session):
        from conformance.prefetch import Prefetcher

        self._prefetcher = Prefetcher(self.duts, self.profile, self.workers)
        self._prefetcher.start()
        self._devices_done = 0
        try:
            return (yield)
        finally:
            self._prefetcher.close()

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        dut = self._device_of.get(nodeid)
        if dut is None:
            return
        self._remaining[dut.name] -= 1
        if self._remaining[dut.name]:
            return
        dut.release()
        self._devices_done += 1
        if len(self.duts) > 1:
            self._report_progress(dut)
        self._prefetcher.device_done()

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        entry = self._entry(item)
        dut = self._dut(item)
        if entry is None:
            return
        if dut is not None:
            self._start_test(item, entry, dut)
        # After any skip above, before the test's fixtures: where an autouse fixture did it.
        label_for_allure(self.profile, entry)

    def _start_test(self, item: pytest.Item, entry: ProfileRequirement, dut: Any) -> None:
        item.stash[EVIDENCE_KEY] = Evidence(self.results_dir, dut.name, entry.id, self.redactor)
        if hasattr(dut, "begin_test"):  # cached answers read from here on are this test's
            dut.begin_test()
        feature = entry.requirement.feature
        if entry.level == "conditional" and feature:
            from conformance.discovery import discover

            try:
                view = discover(dut).features.get(feature)
            except Exception:  # noqa: BLE001 - undefined counts as supported: run the test
                view = None
            if view is not None and not view.available:
                pytest.skip(
                    skip_reason(
                        Outcome.NOT_CLAIMED,
                        f"conditional feature '{feature}' is not claimed and the device reports it "
                        f"not supported ({view.how})",
                    )
                )

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function):
        """Device faults are conformance failures: present them as assertion failures, unless
        another requirement judges their cause (then the check is blocked by it)."""
        try:
            return (yield)
        except Blocked as exc:
            if exc.in_profile and self.profile.get(exc.requirement_id) is None:
                raise Blocked(exc.requirement_id, exc.cause, in_profile=False) from exc
            raise
        except Exception as exc:
            entry = self._entry(pyfuncitem)
            judge = judged_by(exc)
            if judge and entry is not None and judge != entry.id:
                in_profile = self.profile.get(judge) is not None
                raise Blocked(judge, cause_of(exc), in_profile=in_profile) from exc
            if is_device_fault(exc):
                req = entry.id if entry else "requirement"
                raise AssertionError(f"{req}: the device answered with an error: {exc}") from exc
            raise


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """The recorder for this test's verdict (see conformance.evidence)."""
    run = request.config.stash.get(RUN_KEY, None)
    item = request.node
    ev = item.stash.get(EVIDENCE_KEY, None)
    if ev is None:
        ev = Evidence(
            run.results_dir if run else None,
            "device",
            "unknown",
            run.redactor if run else Redactor(),
        )
        item.stash[EVIDENCE_KEY] = ev
    dut = item.callspec.params.get("device") if hasattr(item, "callspec") else None
    if dut is not None and hasattr(dut, "begin_test"):
        dut.begin_test()
    if dut is not None and getattr(dut, "_onvif", None) is not None:
        item.stash[EXCHANGE_START] = len(dut._onvif.exchanges)
    return ev


@pytest.fixture
def params(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The requirement's effective parameters (catalogue defaults + profile overrides)."""
    run = request.config.stash[RUN_KEY]
    marker = request.node.get_closest_marker("requirement")
    entry = run.profile.get(marker.args[0])
    return dict(entry.parameters) if entry else {}


@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> ConformanceRun:
    """The run (one per session: set up once, not once per test that uses it)."""
    return request.config.stash[RUN_KEY]


@pytest.fixture
def failed_logins(request: pytest.FixtureRequest, device: Any, evidence: Evidence) -> Any:
    """This test's share of its device's failed-login budget (see conformance.login_budget):
    ``failed_logins.claim(n, what)`` before sending, ``.attempt()`` before each failing login."""
    from conformance.login_budget import budget_for

    run = request.config.stash[RUN_KEY]
    marker = request.node.get_closest_marker("requirement")
    budget = budget_for(device, run, run.items_of.get(device.name, []))
    return budget.for_test(marker.args[0], evidence)
