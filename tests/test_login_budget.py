"""The failed-login budget accountant (conformance.login_budget) and its target field."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
import yaml

from conformance.errors import InputError
from conformance.login_budget import (
    DEFAULT_MAX_FAILED_LOGINS,
    MARGIN,
    FailedLoginBudget,
    Request,
    allocate,
    pause_s,
)
from conformance.outcomes import Outcome, outcome_of_skip
from conformance.targets import LockoutPolicy, load_target

REQUESTS = [
    Request("SEC-CREATED-01", 1),
    Request("SEC-NONCE-01", 1),
    Request("SEC-DEFCRED-01", 6),
    Request("SEC-NOBASIC-01", 1),
    Request("ONVIF-DEV-AUTH-02", 1, in_baseline=True),
]


class FakeEvidence:
    def __init__(self) -> None:
        self.measured: dict = {}

    def measure(self, key, value):
        self.measured[key] = value
        return value


def _granted(plan) -> list[str]:
    return [r for r, a in plan.items() if a.granted]


def test_default_budget_is_threshold_minus_margin() -> None:
    budget = FailedLoginBudget("cam", "passive", DEFAULT_MAX_FAILED_LOGINS, False, {})
    assert (DEFAULT_MAX_FAILED_LOGINS, MARGIN, budget.budget) == (5, 2, 3)
    assert FailedLoginBudget("cam", "passive", 1, True, {}).budget == 0
    assert FailedLoginBudget("cam", "lab", 5, False, {}).budget is None


def test_baseline_first_then_severity_and_whole_grants_only() -> None:
    plan = allocate(REQUESTS, 3)
    # AUTH-02 is in the baseline; DEFCRED (6) does not fit and is refused whole; the cheaper
    # checks after it still fit, in severity order.
    assert _granted(plan) == ["ONVIF-DEV-AUTH-02", "SEC-NOBASIC-01", "SEC-NONCE-01"]
    assert list(plan) == [
        "ONVIF-DEV-AUTH-02",
        "SEC-DEFCRED-01",
        "SEC-NOBASIC-01",
        "SEC-NONCE-01",
        "SEC-CREATED-01",
    ]
    refused = plan["SEC-CREATED-01"]
    assert not refused.granted and refused.reserved_before == 3
    assert refused.before == ("ONVIF-DEV-AUTH-02", "SEC-NOBASIC-01", "SEC-NONCE-01")


def test_plan_does_not_depend_on_the_order_of_requests() -> None:
    plans = {tuple(_granted(allocate(p, 4))) for p in itertools.permutations(REQUESTS)}
    assert len(plans) == 1


def test_level_ranks_before_severity() -> None:
    plan = allocate([Request("SEC-DEFCRED-01", 1, "optional"), Request("SEC-CREATED-01", 1)], 1)
    assert _granted(plan) == ["SEC-CREATED-01"]


def test_lab_mode_has_no_cap() -> None:
    plan = allocate(REQUESTS + [Request("SEC-LOCKOUT-01", 8)], None)
    assert len(_granted(plan)) == len(REQUESTS) + 1


def test_refused_claim_is_not_tested_with_reason_and_evidence() -> None:
    plan = allocate(REQUESTS, 3)
    budget = FailedLoginBudget("cam", "passive", 5, False, plan)
    evidence = FakeEvidence()
    with pytest.raises(pytest.skip.Exception) as skipped:
        budget.for_test("SEC-DEFCRED-01", evidence).claim(6, "each default by WSSE and Digest")
    outcome, reason = outcome_of_skip(str(skipped.value.msg))
    assert outcome is Outcome.NOT_TESTED
    for part in ("would send 6 failed login(s)", "each default by WSSE and Digest", "budget is 3",
                 "--mode lab", "lockout_policy.max_failed_logins", "at least 9"):  # fmt: skip
        assert part in reason, reason
    record = evidence.measured["failed_login_budget"]
    assert record["granted"] is False and record["would_send"] == 6 and record["remaining"] == 3
    assert budget.total_spent == 0


def test_granted_claim_counts_each_attempt() -> None:
    budget = FailedLoginBudget("cam", "passive", 5, True, allocate(REQUESTS, 3))
    evidence = FakeEvidence()
    test = budget.for_test("SEC-NONCE-01", evidence).claim(1, "a replayed token")
    test.attempt()
    record = evidence.measured["failed_login_budget"]
    assert (record["spent_by_this_check"], record["spent_on_device"], record["remaining"]) == (
        1,
        1,
        2,
    )
    with pytest.raises(RuntimeError):
        test.attempt()  # more than it claimed is a suite bug


def test_claim_larger_than_planned_is_refused() -> None:
    budget = FailedLoginBudget("cam", "passive", 5, True, allocate(REQUESTS, 3))
    with pytest.raises(pytest.skip.Exception):
        budget.for_test("SEC-NONCE-01", FakeEvidence()).claim(2, "two replays")


def test_unplanned_spender_is_a_suite_error() -> None:
    budget = FailedLoginBudget("cam", "passive", 5, True, {})
    with pytest.raises(RuntimeError, match="SPENDERS"):
        budget.for_test("SEC-NEW-01", FakeEvidence()).claim(1, "x")


def test_lab_claims_are_uncapped_and_still_counted() -> None:
    budget = FailedLoginBudget("cam", "lab", 5, False, {})
    evidence = FakeEvidence()
    test = budget.for_test("SEC-LOCKOUT-01", evidence).claim(8, "wrong Operator passwords")
    for _ in range(8):
        test.attempt()
    assert budget.total_spent == 8 and evidence.measured["failed_login_budget"]["budget"] is None


def test_failing_attempts_are_paced() -> None:
    budget = FailedLoginBudget("cam", "passive", 10, True, allocate(REQUESTS, 8), 0.05)
    test = budget.for_test("SEC-DEFCRED-01", FakeEvidence()).claim(3, "defaults")
    started = time.monotonic()
    for _ in range(3):
        test.attempt()
    assert time.monotonic() - started >= 0.1


def test_pause_only_where_a_burst_could_exceed_the_default_budget() -> None:
    assert pause_s(None, "passive") == 0.0  # 3 failures at most: the budget covers it
    assert pause_s(LockoutPolicy(max_failed_logins=5), "passive") == 0.0
    assert pause_s(LockoutPolicy(max_failed_logins=12), "passive") == 1.0
    assert pause_s(LockoutPolicy(max_failed_logins=3, min_interval_s=2.5), "passive") == 2.5
    assert pause_s(LockoutPolicy(max_failed_logins=12), "lab") == 0.0


def _target(tmp_path: Path, **extra) -> Path:
    spec = {
        "supplier": "S",
        "product": "P",
        "devices": [{"name": "cam", "onvif": "http://192.0.2.10/onvif/device_service"}],
        **extra,
    }
    path = tmp_path / "target.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_lockout_policy_declared_at_target_or_device(tmp_path: Path) -> None:
    target = load_target(_target(tmp_path, lockout_policy={"max_failed_logins": 7}))
    assert target.devices[0].lockout.max_failed_logins == 7
    spec = {
        "lockout_policy": {"max_failed_logins": 7},
        "devices": [
            {
                "name": "cam",
                "onvif": "http://192.0.2.10/onvif/device_service",
                "lockout_policy": {"max_failed_logins": 3, "window_s": 1800},
            }
        ],
    }
    device = load_target(_target(tmp_path, **spec)).devices[0]
    assert (device.lockout.max_failed_logins, device.lockout.window_s) == (3, 1800)
    assert load_target(_target(tmp_path)).devices[0].lockout is None


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"max_failed_logins": 0}, "lockout_policy.max_failed_logins"),
        ({"window_s": 60}, "lockout_policy.max_failed_logins"),
        ({"max_failed_logins": 5, "window": 60}, "lockout_policy.window"),
        ({"max_failed_logins": 5, "min_interval_s": -1}, "lockout_policy.min_interval_s"),
    ],
)
def test_bad_lockout_policy_names_file_and_field(tmp_path: Path, policy, field) -> None:
    path = _target(tmp_path, lockout_policy=policy)
    with pytest.raises(InputError) as err:
        load_target(path)
    assert err.value.source == str(path) and err.value.field == field
