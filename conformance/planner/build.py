"""From an estate inventory and result folders to the plan (plan.json, schema below).

The plan holds one option per candidate VMS: those with vms-ingest evidence are assessed camera
by camera (:mod:`conformance.planner.assess`), costed and ranked
(:mod:`conformance.planner.disruption`); those without are listed "not assessable: no evidence"
with the test that would assess them, never scored. "Test next" ranks the untested models by how
many cameras' verdicts they would decide. The schema is documented in docs/planner.md.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.planner.assess import (
    REPLACE,
    SAME_STREAM,
    UNKNOWN,
    Assessment,
    CameraFacts,
    assess,
)
from conformance.planner.changes import FEATURES
from conformance.planner.disruption import camera_cost, order_of_work, totals
from conformance.planner.evidence import EvidenceIndex, VmsEvidence

SCHEMA = "cctv-conformance/plan/1"
STATUS_LABELS = {
    "works": "works end to end",
    "needs_change": "works after a change",
    "needs_replacement": "needs replacement",
    "unknown": "unknown (no evidence)",
}
CAMERA_PROFILE = "estate-migration"


def facts_of(estate: Any) -> list[CameraFacts]:
    """Every camera of the inventory, in its order, as the assessment reads it."""
    found = []
    for authority in estate.authorities:
        for camera in authority.cameras:
            stream = camera.stream
            found.append(
                CameraFacts(
                    name=camera.name,
                    authority=authority.id,
                    make=camera.manufacturer or "",
                    model=camera.model or "",
                    firmware=camera.firmware or "",
                    codec=(stream.codec or "").upper() if stream else "",
                    width=stream.width if stream else None,
                    height=stream.height if stream else None,
                    fps=stream.fps if stream else None,
                    transport=(stream.transport or "") if stream else "",
                    features=tuple(camera.features or ()),
                    must_not_go_dark=bool(camera.must_not_go_dark),
                    location=camera.location or "",
                    role=camera.role or "",
                    control_room=camera.control_room or "",
                )
            )
    return found


def build_plan(estate: Any, inventory: str, index: EvidenceIndex) -> dict[str, Any]:
    """The whole plan as a JSON-ready dict (nothing written); ``index`` holds the result
    folders read by :func:`conformance.planner.evidence.index_results`."""
    cameras = facts_of(estate)
    candidates = [(c.vms, c.label or c.vms, c.note or "") for c in estate.candidates] or [
        (name, name, "") for name in sorted(index.vms)
    ]
    warnings = _warnings(estate, cameras, index, {c[0] for c in candidates})
    options = []
    for vms_name, label, note in candidates:
        vms = index.vms.get(vms_name)
        if vms is None:
            options.append(_not_assessable(vms_name, label, note))
        else:
            options.append(_option(vms, label, note, cameras, estate, index))
    _rank(options)
    assessable = [o for o in options if o["assessable"]]
    return {
        "schema": SCHEMA,
        "estate": estate.estate,
        "inventory": inventory,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "suite": {"name": "cctv-conformance", "version": __version__},
        "weights": estate.weights.model_dump(),
        "durations": estate.durations.model_dump(),
        "budget": estate.budget.model_dump(),
        "totals": {"authorities": len(estate.authorities), "cameras": len(cameras)},
        "evidence": index.folders,
        "recommended": assessable[0]["id"] if assessable else None,
        "options": options,
        "test_next": _test_next(cameras, options),
        "warnings": warnings,
    }


def _not_assessable(vms_name: str, label: str, note: str) -> dict[str, Any]:
    return {
        "id": vms_name,
        "label": label,
        "note": note,
        "assessable": False,
        "not_assessable_reason": (
            f"no evidence: none of the result folders holds vms-ingest results for {vms_name}"
        ),
        "test": (
            f"cctv-conformance run --target <a target file for {vms_name}> --profile vms-ingest "
            "--mode lab --out <folder>, then plan again with that folder"
        ),
        "rank": None,
        "counts": None,
        "assessable_cameras": 0,
        "assessable_share": None,
        "disruption": None,
        "over_budget": None,
        "losses": [],
        "authorities": [],
        "order_of_work": [],
        "cameras": [],
    }


def _option(
    vms: VmsEvidence, label: str, note: str, cameras: list[CameraFacts], estate: Any, index: Any
) -> dict[str, Any]:
    assessed = []
    for facts in cameras:
        a = assess(facts, vms, index)
        assessed.append((a, camera_cost(a, estate.durations)))
    overall = totals(assessed, estate.weights, estate.durations)
    counts = overall["counts"]
    known = counts["total"] - counts[UNKNOWN]
    by_authority = []
    for authority in estate.authorities:
        mine = [(a, cost) for a, cost in assessed if a.facts.authority == authority.id]
        part = totals(mine, estate.weights, estate.durations)
        by_authority.append(
            {
                "id": authority.id,
                "name": authority.name,
                **part,
                "losses": _losses(mine, index, brief=True),
            }
        )
    budget = estate.budget.replacements
    return {
        "id": vms.name,
        "label": label,
        "note": note,
        "assessable": True,
        "not_assessable_reason": "",
        "test": "",
        "rank": None,
        "vms": (vms.run.get("vms") or {}),
        "counts": counts,
        "assessable_cameras": known,
        "assessable_share": round(known / counts["total"], 4) if counts["total"] else 0.0,
        "disruption": overall["disruption"],
        "over_budget": budget is not None and counts[REPLACE] > budget,
        "losses": _losses(assessed, index),
        "authorities": by_authority,
        "order_of_work": order_of_work(
            assessed, [x.id for x in estate.authorities], estate.durations
        ),
        "cameras": [_camera_row(a, cost) for a, cost in assessed],
    }


def _camera_row(a: Assessment, cost: dict[str, Any]) -> dict[str, Any]:
    f = a.facts
    evidence = a.evidence
    return {
        "camera": f.name,
        "authority": f.authority,
        "control_room": f.control_room,
        "location": f.location,
        "role": f.role,
        "make": f.make,
        "model": f.model,
        "firmware": f.firmware,
        "codec": f.codec,
        "status": a.status,
        "summary": _summary(a),
        "changes": a.changes,
        "replacement_reasons": a.replace,
        "unknown_reason": a.unknown,
        "notes": a.notes,
        "camera_evidence": {
            "source": a.source,
            "folder": a.index.href(evidence.folder, "").rstrip("/") if evidence else "",
            "device": evidence.name if evidence else "",
            "verdict": str(evidence.device.get("verdict", "")) if evidence else "",
        },
        "verdicts": list(a.verdicts.values()),
        "cells": a.cells,
        "losses": sorted(k for k, v in a.losses.items() if v == "lost"),
        "features": dict(sorted(a.losses.items())),
        "parallel_streaming": a.parallel,
        "dark_h": cost["dark_h"],
        "must_not_go_dark": f.must_not_go_dark,
        "maintenance_window": cost["window"],
    }


def _summary(a: Assessment) -> str:
    """One line a reader acts on."""
    if a.status == UNKNOWN:
        return a.unknown
    if a.status == REPLACE:
        return "needs replacement: " + "; ".join(a.replace)
    like = "a camera like it" if a.match == SAME_STREAM else "it"
    how = f"{a.vms.name} ingests {like} ({a.match})"
    if a.changes:
        return "works after: " + "; ".join(c["label"] for c in a.changes) + f" — {how}"
    return f"works end to end — {how}"


def _losses(assessed: list[tuple[Assessment, dict]], index: Any, brief: bool = False) -> list[dict]:
    """Per feature: how many cameras lose it, keep it, or have no evidence either way."""
    found: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
    for a, _ in assessed:
        for feature, status in a.losses.items():
            found[(feature, status)].append(a)
    entries = []
    for feature, label in FEATURES.items():
        for status in ("lost", "unknown", "kept"):
            members = found.get((feature, status))
            if not members:
                continue
            entry = {"feature": feature, "label": label, "status": status, "cameras": len(members)}
            if not brief:
                entry["per_authority"] = dict(Counter(a.facts.authority for a in members))
                entry["reason"], entry["cells"] = _loss_reason(feature, status, members)
            entries.append(entry)
    return entries


def _loss_reason(feature: str, status: str, members: list[Assessment]) -> tuple[str, list[dict]]:
    stages = {"evidential_export": ("evidence package", "audit"), "recording_search": ("search",)}
    cells = [c for a in members for c in a.cells if c["stage"] in stages.get(feature, ())]
    unique = list({(c["camera"], c["stage"]): c for c in cells}.values())[:4]
    if feature in ("ptz", "events") and status == "unknown":
        return (
            "no evidence: vms-ingest does not exercise "
            f"{'PTZ control' if feature == 'ptz' else 'events'} through the VMS",
            [],
        )
    if feature == "h265":
        return (
            "the VMS does not ingest H.265 (its matrix cell); the main stream is switched to H.264"
            if status == "lost"
            else "kept: the VMS records the H.265 main stream",
            unique,
        )
    failing = [c for c in unique if c["outcome"] != "pass"]
    reason = "; ".join(f"{c['requirement']} {c['outcome']}: {c['reason']}"[:200] for c in failing)
    return reason or ("every cited cell passes" if status == "kept" else ""), unique


def _rank(options: list[dict[str, Any]]) -> None:
    """Worst-case score first (unknown cameras costed as replacements), then score."""
    scored = sorted(
        (o for o in options if o["assessable"]),
        key=lambda o: (o["disruption"]["worst_case_score"], o["disruption"]["score"], o["id"]),
    )
    for rank, option in enumerate(scored, start=1):
        option["rank"] = rank
    options.sort(key=lambda o: (o["rank"] is None, o["rank"] or 0))


def _test_next(cameras: list[CameraFacts], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Untested models ranked by how many cameras' verdicts a test of them would decide."""
    rows: dict[tuple, dict[str, Any]] = {}
    by_name = {f.name: f for f in cameras}
    for option in options:
        for row in option["cameras"]:
            if row["status"] != UNKNOWN:
                continue
            facts = by_name[row["camera"]]
            missing_camera = row["camera_evidence"]["source"] == "none"  # as assess found it
            key = (facts.make, facts.model, facts.firmware) if missing_camera else (
                "vms", option["id"], facts.codec
            )  # fmt: skip
            entry = rows.setdefault(
                key,
                {
                    "make": facts.make,
                    "model": facts.model,
                    "firmware": facts.firmware,
                    "codec": facts.codec,
                    "missing": "camera results"
                    if missing_camera
                    else f"vms-ingest on {option['id']}",
                    "cameras": set(),
                    "decides": Counter(),
                    "test": (
                        "cctv-conformance run --target <a target naming one "
                        f"{' '.join(p for p in key if p) or 'such'} camera> "
                        f"--profile {CAMERA_PROFILE}"
                        if missing_camera
                        else f"cctv-conformance run --target <{option['id']} target> --profile "
                        f"vms-ingest --mode lab, with a {facts.codec or 'like'} camera in its site"
                    ),
                },
            )
            entry["cameras"].add(facts.name)
            entry["decides"][option["id"]] += 1
    ranked = sorted(rows.values(), key=lambda r: (-len(r["cameras"]), -sum(r["decides"].values())))
    return [
        {
            **r,
            "cameras": len(r["cameras"]),
            "camera_names": sorted(r["cameras"]),
            "decides": dict(r["decides"]),
        }
        for r in ranked
    ]


def _warnings(
    estate: Any, cameras: list[CameraFacts], index: EvidenceIndex, candidates: set[str]
) -> list[str]:
    warnings = []
    for facts in cameras:
        own = index.by_name.get(facts.name)
        if own is None or not own.identity[0]:
            continue
        if tuple(p.casefold() for p in own.identity) != tuple(p.casefold() for p in facts.identity):
            warnings.append(
                f"{facts.name}: the inventory says {' '.join(facts.identity)}, its own audit "
                f"measured {' '.join(own.identity)}; the audit's verdicts are used"
            )
    names = {f.name for f in cameras}
    extra = sorted(set(index.by_name) - names)
    if extra:
        warnings.append(
            f"{len(extra)} audited device(s) are not in the inventory (used only as lab results "
            f"for their make, model and firmware): {', '.join(extra[:10])}"
            + (" ..." if len(extra) > 10 else "")
        )
    for name in sorted(set(index.vms) - candidates):
        warnings.append(f"vms-ingest results for {name} were given but it is not a candidate")
    return warnings


def write_plan(plan: dict[str, Any], out: Path) -> list[Path]:
    """plan.json, then the reports rendered from it."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "plan.json"
    path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
    from reports.plan import write_plan_reports

    return [path, *write_plan_reports(plan, out)]
