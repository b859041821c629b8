"""From a test's result to its verdict record: outcome, cause, reason and evidence.

:class:`VerdictRecorder` holds the run's hooks that turn each pytest report into a
:class:`TestRecord` (journalled to ``results.jsonl`` at once, gathered into ``results.json`` at the
end): a skip maps to its outcome, a failure is classified (device fault, blocked, suite error),
every pass or fail must rest on an attached file of the device's own bytes, and the SOAP and RTSP
exchanges the test made are attached. :class:`conformance.plugin.ConformanceRun` is one.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.catalogue import ProfileRequirement, ResolvedProfile
from conformance.evidence import Evidence
from conformance.outcomes import Blocked, Outcome, blocked_by_of, outcome_of_skip
from conformance.verdicts import classify

EVIDENCE_KEY = pytest.StashKey[Evidence]()
SEVERITY_OF_LEVEL = {"mandatory": "critical", "conditional": "normal", "optional": "minor"}
EXCHANGE_START = pytest.StashKey[int]()
"""Where the test's own ONVIF exchanges begin in its device client's list (set by the
``evidence`` fixture): earlier ones are other tests' unless the test read their answers."""
_ATTACHED = pytest.StashKey[int]()
"""Set once a test's exchanges are attached, so a later report phase does not attach twice."""


@dataclass
class TestRecord:
    nodeid: str
    device: str
    requirement: str
    outcome: Outcome
    cause: str
    reason: str
    duration_s: float
    evidence: dict[str, Any]
    blocked_by: str = ""
    """The requirement judging the cause that kept this check from running (cause ``blocked``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "device": self.device,
            "requirement": self.requirement,
            "outcome": self.outcome.value,
            "cause": self.cause,
            "reason": self.reason,
            "blocked_by": self.blocked_by,
            "duration_s": round(self.duration_s, 3),
            "evidence": self.evidence,
        }


class VerdictRecorder:
    """The verdict half of a run: pytest hooks and helpers that record each test's outcome.

    Expects the attributes :class:`conformance.plugin.ConformanceRun` defines (``profile``,
    ``results_dir``, ``redactor``, ``records``, ``_recorded``, ``_tally``, ``_config``)."""

    profile: ResolvedProfile
    results_dir: Path
    redactor: Any
    records: list[TestRecord]
    _recorded: set[str]
    _tally: dict[str, dict[Outcome, int]]
    _config: Any

    def _entry(self, item: pytest.Item) -> ProfileRequirement | None:
        marker = item.get_closest_marker("requirement")
        return self.profile.get(marker.args[0]) if marker and marker.args else None

    @staticmethod
    def _dut(item: pytest.Item) -> Any:
        callspec = getattr(item, "callspec", None)
        return callspec.params.get("device") if callspec else None

    def _report_progress(self, dut: Any) -> None:
        """One line per finished device: devices done / total and failures so far."""
        mine = self._tally.get(dut.name, {})
        fails = mine.get(Outcome.FAIL, 0)
        broken = mine.get(Outcome.INCONCLUSIVE, 0)
        failing_devices = sum(
            1
            for tally in self._tally.values()
            if tally.get(Outcome.FAIL) or tally.get(Outcome.INCONCLUSIVE)
        )
        total = len(self.duts)
        line = (
            f"[{self._devices_done:>{len(str(total))}}/{total} devices] {dut.name}: "
            f"{fails} fail, {broken} inconclusive; "
            f"devices with failures so far: {failing_devices}"
        )
        reporter = self._config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(line)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        entry = self._entry(item)
        dut = self._dut(item)
        if entry is None or dut is None:
            return report
        record = None
        if report.skipped and call.when in ("setup", "call"):
            raw = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            outcome, reason = outcome_of_skip(raw.removeprefix("Skipped: "))
            record = (outcome, "skipped", reason)
        elif report.failed:
            exc = call.excinfo.value if call.excinfo else None
            outcome, cause = (
                classify(exc) if exc is not None else (Outcome.INCONCLUSIVE, "suite_error")
            )
            if call.when != "call" and cause == "device_fault":
                cause = "suite_error"  # fixtures must not judge the device
                outcome = Outcome.INCONCLUSIVE
            record = (outcome, cause, reason_of(exc, report))
        elif report.passed and call.when == "call":
            record = (Outcome.PASS, "passed", "")
        if record is not None:
            if call.when == "call":
                evidence = item.stash.get(EVIDENCE_KEY, None)
                self._attach_exchanges(item, evidence)
                attach_fixture_values(item, evidence)
                if report.failed and evidence is not None and call.excinfo is not None:
                    attach_failure_exchanges(call.excinfo.value, evidence)
            if record[0] in (Outcome.PASS, Outcome.FAIL):
                record = with_device_bytes(record, item.stash.get(EVIDENCE_KEY, None))
            self._record(item, entry.id, dut.name, *record, duration=report.duration)
        return report

    def _attach_exchanges(self, item: pytest.Item, evidence: Evidence | None) -> None:
        """Attach the SOAP exchanges the test made (once), so every verdict has its transcript."""
        dut = self._dut(item)
        if evidence is None or dut is None or item.stash.get(_ATTACHED, 0):
            return
        if getattr(dut, "_onvif", None) is None:
            # No ONVIF client yet (e.g. a VMS-only check): cached values may still attach.
            for value in dut.read_sources()[1] if hasattr(dut, "read_sources") else []:
                attach = getattr(value, "attach_to", None)
                if callable(attach):
                    attach(evidence)
            item.stash[_ATTACHED] = 1
            return
        item.stash[_ATTACHED] = 1
        start = item.stash.get(EXCHANGE_START, 0)
        mine = threading.get_ident()  # not the prefetcher's calls to the same device
        new = [x for x in dut._onvif.exchanges[start:] if getattr(x, "thread_id", mine) == mine]
        cached, values = dut.read_sources() if hasattr(dut, "read_sources") else ([], [])
        # The answers the test read from the cache rest on exchanges made before it started
        # (by the prefetcher or an earlier test): they are this verdict's evidence too.
        ids_new = {id(n) for n in new}
        earlier = [x for x in cached if id(x) not in ids_new]
        evidence.attach_exchanges("soap-transcript", earlier + new)
        for value in values:
            attach = getattr(value, "attach_to", None)
            if callable(attach):
                attach(evidence)

    def _record(
        self,
        item: pytest.Item,
        req_id: str,
        device: str,
        outcome: Outcome,
        cause: str,
        reason: str,
        duration: float,
    ) -> None:
        evidence = item.stash.get(EVIDENCE_KEY, None)
        record = TestRecord(
            item.nodeid,
            device,
            req_id,
            outcome,
            cause,
            self.redactor(reason),
            duration,
            evidence.to_dict() if evidence else {},
            blocked_by=blocked_by_of(reason) if cause == "blocked" else "",
        )
        # A setup skip followed by a teardown report must not be counted twice.
        if record.nodeid in self._recorded:
            return
        self._recorded.add(record.nodeid)
        self.records.append(record)
        tally = self._tally.setdefault(record.device, {})
        tally[record.outcome] = tally.get(record.outcome, 0) + 1
        with (self.results_dir / "results.jsonl").open("a", encoding="utf-8") as journal:
            journal.write(json.dumps(record.to_dict()) + "\n")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from conformance.results import build_results, write_allure_environment

        results = build_results(self)
        path = self.results_dir / "results.json"
        path.write_text(json.dumps(results, indent=2), encoding="utf-8")
        alluredir = session.config.getoption("allure_report_dir", None)
        if alluredir:
            write_allure_environment(Path(alluredir), results)


def attach_fixture_values(item: pytest.Item, evidence: Evidence | None) -> None:
    """Fixture values that know the device's bytes behind them (``attach_to(evidence)``, e.g.
    a VMS's ingest of a camera) attach them to every verdict that used them."""
    if evidence is None:
        return
    for name, value in getattr(item, "funcargs", {}).items():
        attach = getattr(value, "attach_to", None)
        if name not in ("device", "evidence") and callable(attach):
            attach(evidence)


def attach_failure_exchanges(exc: BaseException, evidence: Evidence) -> None:
    """The protocol exchanges a failing client call carried on its exception (an RTSP capture
    that broke off keeps its transcript there), so the failure shows the device's own bytes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        exchanges = getattr(current, "exchanges", None)
        if exchanges:
            evidence.attach_exchanges("failure-transcript", list(exchanges))
            return
        current = current.__cause__ or current.__context__


def with_device_bytes(
    record: tuple[Outcome, str, str], evidence: Evidence | None
) -> tuple[Outcome, str, str]:
    """A pass or fail must rest on the device's own bytes: at least one attached file (SOAP or
    RTSP transcript, SDP, capture, frame, export). Measured values alone do not count; a verdict
    without such a file is a defect of the suite, reported as such (never as a verdict)."""
    if evidence is not None and evidence.files:
        return record
    verb = "passed" if record[0] is Outcome.PASS else "failed"
    reason = f"the check {verb} without attaching any evidence file of the device's own bytes"
    if record[2]:
        reason += f" (its reason: {record[2]})"
    return Outcome.INCONCLUSIVE, "suite_error", reason


def cause_of(exc: BaseException) -> str:
    """The text of a cause another requirement judges, as a blocked reason quotes it."""
    text = str(exc).strip() or type(exc).__name__
    return text if type(exc).__name__ == "Inconclusive" else f"{type(exc).__name__}: {text}"


def reason_of(exc: BaseException | None, report: pytest.TestReport) -> str:
    if exc is None:
        return str(report.longrepr)[-2000:]
    if isinstance(exc, Blocked):
        return str(exc)[:2000]
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


def label_for_allure(profile: ResolvedProfile, entry: ProfileRequirement) -> None:
    """Label a conformance test for Allure: profile epic, domain feature, requirement story.

    Called from the run's setup hook rather than an autouse fixture: the labels are the same,
    without a fixture (and an Allure container file) per test."""
    import allure

    req = entry.requirement
    allure.dynamic.epic(f"{profile.title} ({profile.id})")
    allure.dynamic.feature(req.domain)
    allure.dynamic.story(f"{req.id}: {req.title}")
    allure.dynamic.severity(SEVERITY_OF_LEVEL[entry.level])
    allure.dynamic.label("requirement", req.id)
    allure.dynamic.label("level", entry.level)
    allure.dynamic.description(req.text)
    if req.source.url:
        allure.dynamic.link(req.source.url, name=f"{req.source.spec}: {req.source.clause}")
    for test_id in req.onvif_tests:
        allure.dynamic.label("onvif_test", test_id)
