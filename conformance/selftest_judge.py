"""How the self-test judges one case's rows: the expectation, in both directions.

A persona's declared breaks must fail; everything else it is judged on must behave like the
known-good camera (:func:`_like_known_good`). Hostile devices are held to their own, general
rule (:func:`_judge_hostile`).
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.checks.security import DECLARED_PREFIX
from conformance.outcomes import (
    BLOCKED_REASON,
    ENVIRONMENT_REASON,
    blocked_by_of,
    is_unjudged_here,
)
from conformance.selftest_cases import NOT_PASS, hostile_bound_s

BLOCKED_PREFIX = BLOCKED_REASON
"""Reason prefix of an inconclusive verdict blamed on another requirement (issue 12)."""


def _like_known_good(row: dict, breaks: frozenset[str]) -> bool:
    """A row that is not a pass but still what the known-good camera would give, or blamed on
    one of the persona's own breaks: ``not_tested`` the suite can never decide here (its
    environmental or declared-only reason), or ``inconclusive`` blocked by a declared break."""
    reason = str(row.get("reason") or "")
    if row["outcome"] == "not_tested":
        return reason.startswith((ENVIRONMENT_REASON, DECLARED_PREFIX))
    if row["outcome"] == "inconclusive" and reason.startswith(BLOCKED_PREFIX):
        return blocked_by_of(reason) in breaks
    return False


def _judge_rows(
    rows: list[dict], breaks: frozenset[str], expects: dict[str, str] | None = None
) -> list[str]:
    """Each row against its expectation: ``fail`` for the breaks, the declared outcome for the
    persona's ``expects``, ``pass`` for the rest (or what :func:`_like_known_good` allows)."""
    problems = []
    expects = expects or {}
    for row in rows:
        broken = row["id"] in breaks and row.get("breakable", True)  # see Case.breaks_cameras
        expected = "fail" if broken else expects.get(row["id"], "pass")
        if row["outcome"] != expected and not (
            expected == "pass" and _like_known_good(row, breaks)
        ):
            why = f": {row['reason']}" if row.get("reason") else ""
            where = row.get("unit", "")
            problems.append(f"{where}{row['id']}: expected {expected}, got {row['outcome']}{why}")
    return problems


def _unjudged_here(row: dict) -> bool:
    """A mandatory requirement the lab or the scene kept from being judged (``environment:``
    or ``no stimulus:``): the run's verdict is then ``incomplete`` (exit 4), not a failure."""
    return (
        row.get("level") == "mandatory"
        and row["outcome"] == "not_tested"
        and is_unjudged_here(str(row.get("reason", "")))
    )


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
