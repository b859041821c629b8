"""The failed-login budget: one accountant per device for every deliberately failing login.

Some checks must send credentials the device is expected to refuse: a wrong password
(ONVIF-DEV-AUTH-02), the make's default passwords (SEC-DEFCRED-01), Basic with the real
password (SEC-NOBASIC-01), a replayed nonce (SEC-NONCE-01), a stale Created (SEC-CREATED-01).
Real cameras count such failures and lock out after a few of them, per account (often the
``admin`` account the control room's VMS also uses) or per source address (the auditor), for
minutes to an hour. A read-only audit that locks an operational camera out of its VMS is the
service disruption passive mode exists to avoid, so in passive mode every such attempt is asked
for here first, and the total per device per run stays below the device's lockout threshold.

Requests without any credentials (the anonymous first leg of HTTP Digest, ONVIF-DEV-AUTH-01,
SEC-NOANON-01) are not failed logins: every ONVIF client starts that way (ONVIF Core,
authentication method selection) and a device that counted them would lock out its own VMS.

The plan is made once per device, before its first spending test runs, from the run's selected
tests, so which checks get the budget does not depend on the order tests happen to run in:
requirements of the baseline profile first, then by level (mandatory, conditional, optional),
then by the severity order of :data:`SPENDERS`, then by ID. A check that does not fit is
``not_tested`` with a reason saying what it would have sent, the budget and how to allow it;
the budget is never handed out in part (a partial check could not be a pass).

Lab mode has no cap (SEC-LOCKOUT-01 locks an account on purpose and waits the lock out), but the
attempts are still counted and shown as evidence.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.outcomes import not_tested

DEFAULT_MAX_FAILED_LOGINS = 5
"""Assumed lockout threshold when the target declares none: the common factory setting of
camera firmware that locks after failed logins (five failures, then a lock of minutes to half
an hour), and the smallest value in wide use; devices with a lower threshold must declare it."""

MARGIN = 2
"""Failed logins kept back from the threshold. One, because the threshold-th failure is the one
that locks (so threshold - 1 is the most that is ever safe); a second for failures the suite
does not cause but the device counts in the same window: an operator or VMS mistyping a password
during the audit, or firmware that counts one refused request twice (a Digest retry, a Basic
attempt). Default threshold 5 - margin 2 = a budget of 3 per device per run."""

DEFAULT_BUDGET = DEFAULT_MAX_FAILED_LOGINS - MARGIN

DEFAULT_MIN_INTERVAL_S = 1.0
"""Passive-mode pause between two failing attempts on one device, used only where it can matter.

A count-based lockout is kept off by the budget alone; a pause only helps against rate-based
blocking (N failures from one address within a second or so) tripped by a burst. Within the
default budget of 3 no such rule can trip that is not a lockout threshold of 3 or less, which
the budget already covers; so the pause applies by default only when a declared threshold
allows more than 3 failures (a burst of DEFCRED attempts with several default pairs), unless
``lockout_policy.min_interval_s`` says otherwise. Measured cost: one pause per failing attempt
that follows another within the interval, about (spent - 1) x 1 s per device (4.1 s for six
failures in a row on the simulator); at 3 failures on a 500-camera estate it would have added
some 15 minutes for no protection, hence not by default. Lab mode never pauses (SEC-LOCKOUT-01
measures the device's own slow-down)."""

BASELINE_PROFILE = "pictco-la-baseline"
"""Its requirements get the budget first: they decide whether a camera may join the service."""

LEVEL_ORDER = {"mandatory": 0, "conditional": 1, "optional": 2}

HOW_TO_ALLOW = (
    "to run it: use --mode lab on a lab device, or declare the device's lockout threshold as "
    "lockout_policy.max_failed_logins (target or device entry) if it tolerates more failures"
)


@dataclass(frozen=True)
class Spender:
    """A requirement whose check sends logins that should fail, and how many it sends."""

    requirement: str
    cost: Callable[[Any, Any, dict[str, Any]], int]
    """(conformance run, device under test, requirement parameters) -> failed logins sent."""


def _default_credential_pairs(run: Any, dut: Any, params: dict[str, Any]) -> int:
    import os

    tried = [
        c
        for c in run.target.spec.default_credentials
        if c.password is not None or (c.password_env and os.environ.get(c.password_env) is not None)
    ]
    return 2 * len(tried)  # WS-Security and HTTP Digest for each


def _basic(run: Any, dut: Any, params: dict[str, Any]) -> int:
    device = dut.device
    plain = not device.onvif_url.startswith("https:")
    return 1 if plain and device.username and device.password is not None else 0


def _one(run: Any, dut: Any, params: dict[str, Any]) -> int:
    return 1


SPENDERS: tuple[Spender, ...] = (
    # Severity order, used after baseline membership and level. DEV-AUTH-02 judges how a VMS is
    # told its credentials are wrong (interoperability of every device) and costs one.
    Spender("ONVIF-DEV-AUTH-02", _one),
    # Default passwords left in place are the most serious finding (PSTI Sch. 1 para 1; the
    # first thing an attacker tries).
    Spender("SEC-DEFCRED-01", _default_credential_pairs),
    # A password sent in clear text on the network.
    Spender("SEC-NOBASIC-01", _basic),
    # A captured request replayed; then a stale one (freshness is the weaker of the two).
    Spender("SEC-NONCE-01", _one),
    Spender("SEC-CREATED-01", _one),
    # Intrusive (lab only): locks the Operator test account on purpose.
    Spender("SEC-LOCKOUT-01", lambda run, dut, p: int(p.get("failed_attempts", 8))),
)
SPENDER_RANK = {s.requirement: i for i, s in enumerate(SPENDERS)}
SPENDER_BY_ID = {s.requirement: s for s in SPENDERS}


def budget_of(threshold: int, mode: str) -> int | None:
    """Failed logins a run may cause on a device with this lockout threshold (``None`` in lab
    mode: no cap)."""
    return None if mode == "lab" else max(threshold - MARGIN, 0)


@dataclass(frozen=True)
class Request:
    """One check's claim on the budget, as planned."""

    requirement: str
    cost: int
    level: str = "mandatory"
    in_baseline: bool = False


@dataclass(frozen=True)
class Allocation:
    requirement: str
    cost: int
    granted: bool
    before: tuple[str, ...]
    """Requirements planned ahead of this one that were granted budget."""
    reserved_before: int
    """Failed logins granted to those requirements."""


def priority(request: Request) -> tuple[int, int, int, str]:
    """Baseline first, then level, then the severity order of SPENDERS, then ID."""
    return (
        0 if request.in_baseline else 1,
        LEVEL_ORDER.get(request.level, 3),
        SPENDER_RANK.get(request.requirement, len(SPENDERS)),
        request.requirement,
    )


def allocate(requests: Iterable[Request], budget: int | None) -> dict[str, Allocation]:
    """Grant each request in priority order if it fits what is left (``None``: no cap).

    A request that does not fit is refused whole, and later (cheaper) ones may still fit; the
    result depends only on the requests, never on the order they were given in.
    """
    plan: dict[str, Allocation] = {}
    granted: list[str] = []
    reserved = 0
    for request in sorted(requests, key=priority):
        fits = budget is None or reserved + request.cost <= budget
        plan[request.requirement] = Allocation(
            request.requirement, request.cost, fits, tuple(granted), reserved
        )
        if fits and request.cost:
            granted.append(request.requirement)
            reserved += request.cost
    return plan


@dataclass
class FailedLoginBudget:
    """The accountant of one device for one run."""

    device: str
    mode: str
    threshold: int
    declared: bool
    plan: dict[str, Allocation]
    min_interval_s: float = 0.0
    spent: dict[str, int] = field(default_factory=dict)
    _last_failure: float | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def capped(self) -> bool:
        return self.mode != "lab"

    @property
    def budget(self) -> int | None:
        """Failed logins this run may cause on the device (``None`` in lab mode: no cap)."""
        return budget_of(self.threshold, self.mode)

    @property
    def total_spent(self) -> int:
        return sum(self.spent.values())

    @property
    def remaining(self) -> int | None:
        return None if self.budget is None else self.budget - self.total_spent

    def for_test(self, requirement: str, evidence: Any) -> TestBudget:
        return TestBudget(self, requirement, evidence)

    def attempt(self, requirement: str) -> None:
        """Count one failing attempt, pausing first so failures do not come in bursts."""
        with self._lock:
            if self._last_failure is not None and self.min_interval_s > 0:
                wait = self._last_failure + self.min_interval_s - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            self._last_failure = time.monotonic()
            self.spent[requirement] = self.spent.get(requirement, 0) + 1

    def describe_threshold(self) -> str:
        how = "declared" if self.declared else "assumed: the target declares none"
        return f"lockout after {self.threshold} failed logins ({how}) minus a margin of {MARGIN}"


class TestBudget:
    """A test's view of its device's budget: claim before sending, count each attempt."""

    def __init__(self, budget: FailedLoginBudget, requirement: str, evidence: Any) -> None:
        self._budget = budget
        self.requirement = requirement
        self._evidence = evidence
        self.granted = 0
        self.what = ""

    def claim(self, attempts: int, what: str) -> TestBudget:
        """Ask for ``attempts`` failed logins before sending any; ``not_tested`` if refused.

        ``what`` says what would be sent, for the evidence and the not_tested reason.
        """
        budget = self._budget
        self.what = what
        if budget.capped and attempts > 0:
            allocation = budget.plan.get(self.requirement)
            if allocation is None:
                raise RuntimeError(
                    f"{self.requirement} spends failed logins but is not planned: add it to "
                    "conformance.login_budget.SPENDERS"
                )
            if not allocation.granted or attempts > allocation.cost:
                self._record(attempts, granted=False)
                not_tested(self._refusal(attempts, allocation))
        self.granted = attempts
        self._record(attempts, granted=True)
        return self

    def attempt(self) -> None:
        """Call right before sending each login that should fail."""
        if self.spent >= self.granted:
            raise RuntimeError(f"{self.requirement} sent more failed logins than it claimed")
        self._budget.attempt(self.requirement)
        self._record(self.granted, granted=True)

    @property
    def spent(self) -> int:
        return self._budget.spent.get(self.requirement, 0)

    def _refusal(self, attempts: int, allocation: Allocation) -> str:
        budget = self._budget
        ahead = (
            f"{allocation.reserved_before} already planned for higher-priority checks "
            f"({', '.join(allocation.before)})"
            if allocation.before
            else "none planned for other checks"
        )
        needed = allocation.reserved_before + attempts + MARGIN
        return (
            f"passive mode: would send {attempts} failed login(s) ({self.what}); device "
            f"{budget.device}'s failed-login budget is {budget.budget} ("
            f"{budget.describe_threshold()}), {ahead}; {HOW_TO_ALLOW} (at least {needed} "
            "needed for this check)"
        )

    def _record(self, attempts: int, *, granted: bool) -> None:
        budget = self._budget
        self._evidence.measure(
            "failed_login_budget",
            {
                "mode": budget.mode,
                "would_send": attempts,
                "what": self.what,
                "granted": granted,
                "spent_by_this_check": self.spent,
                "spent_on_device": budget.total_spent,
                "budget": budget.budget,
                "remaining": budget.remaining,
                "lockout_threshold": budget.threshold,
                "threshold_declared": budget.declared,
            },
        )


def plan_device(run: Any, dut: Any, items: Iterable[Any]) -> FailedLoginBudget:
    """The device's accountant, planned from the tests selected to run on it."""
    policy = getattr(dut.device, "lockout", None)
    threshold = policy.max_failed_logins if policy else DEFAULT_MAX_FAILED_LOGINS
    interval = pause_s(policy, run.mode)
    requests = []
    baseline = _baseline_ids()
    seen: set[str] = set()
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or callspec.params.get("device") is not dut:
            continue  # another device's test (checked first: the run holds every device's)
        marker = item.get_closest_marker("requirement")
        if marker is None or not marker.args:
            continue
        req_id = marker.args[0]
        spender = SPENDER_BY_ID.get(req_id)
        entry = run.profile.get(req_id)
        if (
            spender is None
            or entry is None
            or req_id in seen
            or item.get_closest_marker("skip") is not None
        ):
            continue
        seen.add(req_id)
        cost = spender.cost(run, dut, dict(entry.parameters))
        requests.append(Request(req_id, cost, entry.level, req_id in baseline))
    plan = allocate(requests, budget_of(threshold, run.mode))
    return FailedLoginBudget(dut.name, run.mode, threshold, policy is not None, plan, interval)


def pause_s(policy: Any, mode: str) -> float:
    """Seconds between two failing attempts (see :data:`DEFAULT_MIN_INTERVAL_S`)."""
    if mode == "lab":
        return 0.0
    if policy is not None and policy.min_interval_s is not None:
        return float(policy.min_interval_s)
    threshold = policy.max_failed_logins if policy else DEFAULT_MAX_FAILED_LOGINS
    budget = budget_of(threshold, mode)
    return DEFAULT_MIN_INTERVAL_S if budget is not None and budget > DEFAULT_BUDGET else 0.0


def _baseline_ids() -> frozenset[str]:
    from conformance.catalogue import load_catalogue

    try:
        return frozenset(e.id for e in load_catalogue().resolve(BASELINE_PROFILE).requirements)
    except Exception:  # noqa: BLE001 - no baseline profile: every requirement ranks alike
        return frozenset()


def budget_for(dut: Any, run: Any, items: Iterable[Any]) -> FailedLoginBudget:
    """The one accountant of ``dut`` for this run (planned on first use)."""
    return dut.cached("failed_login_budget", lambda: plan_device(run, dut, items))
