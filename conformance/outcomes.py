"""The six outcomes of a requirement on a target (a contract), and how pytest results map to them.

- ``pass`` / ``fail``: the check ran and the device met / did not meet the requirement;
- ``not_claimed``: a conditional feature neither claimed nor advertised;
- ``not_applicable``: the requirement does not apply, with the reason;
- ``not_tested``: excluded by safety mode, or no test implements it yet;
- ``inconclusive``: the suite could not decide (unreachable, timeout, suite error).

Tests signal the three skip-like outcomes with :func:`not_claimed`, :func:`not_applicable` and
:func:`not_tested`, which skip with a prefixed reason, so pytest and Allure show them as skipped
with the reason and never deselect them.
"""

from __future__ import annotations

from enum import StrEnum

import pytest


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_CLAIMED = "not_claimed"
    NOT_APPLICABLE = "not_applicable"
    NOT_TESTED = "not_tested"
    INCONCLUSIVE = "inconclusive"


# Worst first: combining several results for one requirement keeps the most severe.
SEVERITY = {
    Outcome.FAIL: 5,
    Outcome.INCONCLUSIVE: 4,
    Outcome.PASS: 3,
    Outcome.NOT_CLAIMED: 2,
    Outcome.NOT_APPLICABLE: 1,
    Outcome.NOT_TESTED: 0,
}

_SKIP_PREFIXES = {
    Outcome.NOT_CLAIMED: "not_claimed: ",
    Outcome.NOT_APPLICABLE: "not_applicable: ",
    Outcome.NOT_TESTED: "not_tested: ",
}


def worst(outcomes: list[Outcome]) -> Outcome:
    return max(outcomes, key=SEVERITY.__getitem__) if outcomes else Outcome.NOT_TESTED


def not_claimed(reason: str) -> None:
    pytest.skip(_SKIP_PREFIXES[Outcome.NOT_CLAIMED] + reason)


def not_applicable(reason: str) -> None:
    pytest.skip(_SKIP_PREFIXES[Outcome.NOT_APPLICABLE] + reason)


def not_tested(reason: str) -> None:
    pytest.skip(_SKIP_PREFIXES[Outcome.NOT_TESTED] + reason)


ENVIRONMENT_REASON = "environment: "
"""Prefix of a not_tested reason that lies in where the suite runs, not in the device."""


def not_testable_here(reason: str) -> None:
    """not_tested because this environment cannot exercise the feature (e.g. multicast on
    loopback); the self-test accepts it in place of a pass, since no device could do better."""
    not_tested(ENVIRONMENT_REASON + reason)


def skip_reason(outcome: Outcome, reason: str) -> str:
    return _SKIP_PREFIXES[outcome] + reason


def outcome_of_skip(reason: str) -> tuple[Outcome, str]:
    """Map a skip reason back to its outcome; an unprefixed skip is ``not_applicable``."""
    for outcome, prefix in _SKIP_PREFIXES.items():
        if reason.startswith(prefix):
            return outcome, reason[len(prefix) :]
    return Outcome.NOT_APPLICABLE, reason


class Inconclusive(Exception):
    """The suite could not decide; raised by checks that lack what they need to judge."""


BLOCKED_REASON = "blocked by "
"""Prefix of an inconclusive reason whose cause another requirement judges (and fails)."""
NO_STIMULUS_REASON = "no stimulus: "
"""Prefix of a not_tested reason: the run could not make the scene change the check needs."""


class Blocked(Inconclusive):
    """A check could not run because something it depends on is broken, and another requirement
    judges that cause: this check is ``inconclusive``, the judging requirement carries the fail.

    ``reason`` reads ``blocked by <ID>: <cause>``, or ``blocked by <ID> (not in this profile):
    <cause>`` when the run's profile does not include the judging requirement (the reader still
    learns where the fault lies, although no verdict in this run carries it).
    """

    def __init__(self, requirement_id: str, cause: str, *, in_profile: bool = True) -> None:
        self.requirement_id = requirement_id
        self.cause = cause
        self.in_profile = in_profile
        where = "" if in_profile else " (not in this profile)"
        super().__init__(f"{BLOCKED_REASON}{requirement_id}{where}: {cause}")


def blocked(requirement_id: str, cause: str, *, in_profile: bool = True) -> None:
    """Stop the running check as blocked by ``requirement_id`` (see :class:`Blocked`)."""
    raise Blocked(requirement_id, cause, in_profile=in_profile)


def blocked_by_of(reason: str) -> str:
    """The requirement ID a ``blocked by <ID>...: ...`` reason names ("" for other reasons)."""
    if not reason.startswith(BLOCKED_REASON):
        return ""
    rest = reason[len(BLOCKED_REASON) :]
    return rest.split(":", 1)[0].split(" ", 1)[0].strip()


def is_unjudged_here(reason: str) -> bool:
    """A not_tested reason that lies in the lab or the scene, not the device or the suite's
    scope: such a mandatory requirement makes a run ``incomplete`` rather than failed."""
    return reason.startswith((ENVIRONMENT_REASON, NO_STIMULUS_REASON))
