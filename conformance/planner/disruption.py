"""Disruption: what moving an estate onto one option costs, as one score and an order of work.

Why a score with the inventory's weights: authorities weigh a site visit, a replaced camera, a
remote reconfiguration and an hour of a camera recording nothing differently (a town centre on a
Saturday night is not a car park at noon), so the weights are theirs (documented defaults in
:mod:`conformance.planner.inventory`). Unknown cameras cost nothing in the score (nothing is
known), so options are ranked first by their *worst-case* score, in which every unknown camera
costs what a replacement would: an option is never ranked up for being less tested.

A camera that must not go dark is moved only where its own evidence shows it streams to two
clients at once (STREAM-CLIENTS-01: the old and new VMS record in parallel); any other step that
would take it dark is flagged "needs a maintenance window" and never scheduled.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from conformance.planner.assess import CHANGE, REPLACE, UNKNOWN, WORKS, Assessment

STATUSES = (WORKS, CHANGE, REPLACE, UNKNOWN)


def camera_cost(a: Assessment, durations: Any) -> dict[str, Any]:
    """Dark hours, site visit and reconfiguration of one camera's move (None when unknown)."""
    if a.status == UNKNOWN:
        return {"dark_h": 0.0, "visit": None, "reconfiguration": False, "window": False}
    dark = 0.0
    if a.status == REPLACE:
        dark = float(durations.replacement_h)
    else:
        for change in a.changes:
            if change["kind"] == "firmware_upgrade":
                change["dark_h"] = float(durations.firmware_upgrade_h)
                dark += change["dark_h"]
        if not a.parallel:
            dark += float(durations.switchover_h)
    visit = (a.facts.authority, a.facts.location or a.facts.name) if a.status == REPLACE else None
    return {
        "dark_h": round(dark, 3),
        "visit": visit,
        "reconfiguration": a.status == CHANGE,
        "window": a.facts.must_not_go_dark and dark > 0,
    }


def totals(assessed: list[tuple[Assessment, dict]], weights: Any, durations: Any) -> dict:
    """Counts and disruption of a set of cameras (an option, or one authority of it)."""
    counts = {s: 0 for s in STATUSES}
    for a, _ in assessed:
        counts[a.status] += 1
    counts["total"] = len(assessed)
    visits = {cost["visit"] for _, cost in assessed if cost["visit"] is not None}
    hours = round(sum(cost["dark_h"] for _, cost in assessed), 3)
    disruption = {
        "site_visits": len(visits),
        "replacements": counts[REPLACE],
        "reconfigurations": sum(1 for _, cost in assessed if cost["reconfiguration"]),
        "camera_hours_dark": hours,
        "maintenance_windows": sum(1 for _, cost in assessed if cost["window"]),
    }
    disruption["score"] = round(
        weights.site_visit * disruption["site_visits"]
        + weights.replacement * disruption["replacements"]
        + weights.reconfiguration * disruption["reconfigurations"]
        + weights.camera_hour_dark * disruption["camera_hours_dark"],
        2,
    )
    unknown_as_replacement = (
        weights.site_visit
        + weights.replacement
        + (weights.camera_hour_dark * durations.replacement_h)
    )
    disruption["worst_case_score"] = round(
        disruption["score"] + counts[UNKNOWN] * unknown_as_replacement, 2
    )
    return {"counts": counts, "disruption": disruption}


STEPS = (
    ("remote", "change settings remotely before the move (no dark time)"),
    ("firmware", "upgrade firmware (dark while it upgrades)"),
    ("parallel", "move with old and new VMS recording in parallel (no dark time)"),
    ("switchover", "move (dark during the switch-over)"),
    ("replace", "replace the camera (site visit)"),
    ("window", "needs a maintenance window: must not go dark, and no evidence it can move without"),
    ("unknown", "test first: no evidence to plan its move"),
)


def _step_of(a: Assessment, cost: dict) -> list[str]:
    if a.status == UNKNOWN:
        return ["unknown"]
    if cost["window"]:
        return ["window"]
    if a.status == REPLACE:
        return ["replace"]
    steps = []
    if any(c["kind"] != "firmware_upgrade" for c in a.changes):
        steps.append("remote")
    if any(c["kind"] == "firmware_upgrade" for c in a.changes):
        steps.append("firmware")
    steps.append("parallel" if a.parallel else "switchover")
    return steps


def order_of_work(
    assessed: list[tuple[Assessment, dict]], authorities: list[str], durations: Any
) -> list[dict[str, Any]]:
    """Authority by authority, the cheapest steps first; a camera that must not go dark is
    never in a step with dark time (it goes to the maintenance-window step instead)."""
    grouped: dict[tuple[str, str], list[tuple[Assessment, dict]]] = defaultdict(list)
    for a, cost in assessed:
        for step in _step_of(a, cost):
            grouped[(a.facts.authority, step)].append((a, cost))
    work = []
    for authority in authorities:
        for step, action in STEPS:
            members = grouped.get((authority, step))
            if not members:
                continue
            dark = _step_dark(step, members, durations)
            work.append(
                {
                    "step": len(work) + 1,
                    "authority": authority,
                    "kind": step,
                    "action": action,
                    "cameras": [a.facts.name for a, _ in members],
                    "camera_hours_dark": dark,
                    "site_visit": step == "replace",
                    "maintenance_window": step == "window",
                }
            )
    return work


def _step_dark(step: str, members: list[tuple[Assessment, dict]], durations: Any) -> float:
    if step == "firmware":
        return round(len(members) * float(durations.firmware_upgrade_h), 3)
    if step == "switchover":
        return round(len(members) * float(durations.switchover_h), 3)
    if step == "replace":
        return round(len(members) * float(durations.replacement_h), 3)
    return 0.0  # remote and parallel steps are not dark; window and unknown are not scheduled
