"""A realistic plan (schema cctv-conformance/plan/1) with the results files its links name.

Three options (two assessable, one without evidence), three authorities, twelve cameras covering
every status, changes with requirement IDs, verdicts and compatibility-matrix cells whose hrefs
point at small files created under the given root, losses, an order of work, tests to run next
and warnings. Counts and disruption are computed from the cameras, as the engine does, so the
tests can hold the page to the dict. ``root/plan`` is the plan's folder; the results folders
(``root/estate``, ``root/vms-sim``, ``root/zm``) sit beside it, as the hrefs expect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WEIGHTS = {"site_visit": 5.0, "replacement": 10.0, "reconfiguration": 1.0, "camera_hour_dark": 0.5}
AUTHORITIES = {
    "northbridge": "Northbridge Borough Council",
    "eastvale": "Eastvale District <Council> & Partners",
    "southport": "Southport Police",
}
INJECTED = "=SUM(1,2)-sp-04"  # a camera name a spreadsheet would run as a formula
# (camera, authority, make, model, firmware, role, must_not_go_dark)
CAMERAS = [
    ("nb-dome-01", "northbridge", "Axiscope", "AXD-3215", "10.12.4", "town-centre", True),
    ("nb-dome-02", "northbridge", "Axiscope", "AXD-3215", "10.12.4", "town-centre", False),
    ("nb-ptz-03", "northbridge", "Vistaline", "VPT-900", "2.1.0", "town-centre PTZ", False),
    ("nb-car-04", "northbridge", "Technology", "IPC", "V4.01.R09", "car park", False),
    ("ev-bullet-01", "eastvale", "Axiscope", "AXB-1100", "9.80.1", "<b>car park</b>", False),
    ("ev-bullet-02", "eastvale", "Axiscope", "AXB-1100", "9.80.1", "car park", True),
    ("ev-dome-03", "eastvale", "Technology", "IPC", "V4.01.R09", "evidential", False),
    ("ev-ptz-04", "eastvale", "Vistaline", "VPT-900", "2.0.7", "town-centre PTZ", False),
    ("sp-cell-01", "southport", "Custodia", "CC-20", "1.4", "custody suite", True),
    ("sp-cell-02", "southport", "Custodia", "CC-20", "1.4", "custody suite", False),
    ("sp-gate-03", "southport", "", "", "", "", False),
    (INJECTED, "southport", "Vistaline", "VPT-900", "2.1.0", "yard", False),
]
# Per option, the status of each camera (same order as CAMERAS).
STATUSES = {
    "fake-vms": [
        "works", "works", "needs_change", "unknown", "works", "needs_change",
        "unknown", "needs_replacement", "works", "works", "unknown", "works",
    ],
    "zoneminder": [
        "works", "needs_change", "needs_replacement", "unknown", "needs_change", "needs_change",
        "unknown", "needs_replacement", "works", "needs_replacement", "unknown", "works",
    ],
}  # fmt: skip
LABELS = {"fake-vms": "Simulated VMS", "zoneminder": "ZoneMinder (Debian)"}
FOLDERS = {"fake-vms": "vms-sim", "zoneminder": "zm"}
SUMMARIES = {
    "works": "works end to end: streams, records and exports through the VMS",
    "needs_change": "works after setting NTP on the camera",
    "needs_replacement": "firmware offers no H.264 profile this VMS ingests: replace",
    "unknown": "no results for this make, model and firmware",
}


def _touch(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _camera(option: str, index: int, status: str, root: Path) -> dict[str, Any]:
    name, authority, make, model, firmware, role, keep_lit = CAMERAS[index]
    changes: list[dict[str, Any]] = []
    dark = 0.25
    if status == "needs_change":
        changes = [
            {"kind": "set_ntp", "label": "set NTP", "requirements": ["ONVIF-DEV-TIME-02"],
             "remote": True, "dark_h": 0.0},
            {"kind": "firmware", "label": "upgrade firmware",
             "requirements": ["STREAM-FORMAT-01", "ONVIF-MEDIA-ENC-01"], "remote": True,
             "dark_h": 0.5},
        ]  # fmt: skip
        dark = 0.75
    elif status == "needs_replacement":
        changes = [
            {"kind": "replace", "label": "replace the camera", "requirements": ["VMS-CONNECT-01"],
             "remote": False, "dark_h": 4.0}
        ]  # fmt: skip
        dark = 4.0
    elif status == "unknown":
        dark = 0.0
    verdicts, cells = [], []
    evidence = {"source": "none", "folder": "", "device": "", "verdict": ""}
    if status != "unknown":
        evidence = {"source": "own audit", "folder": "../estate", "device": name,
                    "verdict": "conforms" if status == "works" else "does_not_conform"}  # fmt: skip
        for rid, outcome in (("ONVIF-MEDIA-URI-01", "pass"), ("ONVIF-DEV-TIME-02", "fail")):
            if outcome == "fail" and status == "works":
                continue
            rel = f"estate/evidence/{name}/{rid}/01-soap-transcript.txt"
            _touch(root / rel, f"{name} {rid}\n")
            verdicts.append({"requirement": rid, "outcome": outcome, "reason": "",
                             "device": name, "href": f"../{rel}"})  # fmt: skip
        folder = FOLDERS[option]
        for stage, rid in (("connect", "VMS-CONNECT-01"), ("export", "VMS-EXPORT-01")):
            outcome = "fail" if status == "needs_replacement" and stage == "connect" else "pass"
            cells.append({"vms": option, "camera": "h264-1080p25", "match": "same make, model "
                          "and firmware", "stage": stage, "requirement": rid, "outcome": outcome,
                          "reason": "", "href": f"../{folder}/compliance.html"})  # fmt: skip
    return {
        "camera": name, "authority": authority, "control_room": f"{authority[:2]}-control",
        "location": f"{name} site", "role": role, "make": make, "model": model,
        "firmware": firmware, "status": status, "summary": SUMMARIES[status],
        "changes": changes, "camera_evidence": evidence, "verdicts": verdicts, "cells": cells,
        "losses": ["ptz"] if "PTZ" in role and option == "zoneminder" else [],
        "dark_h": dark, "must_not_go_dark": keep_lit,
        "maintenance_window": keep_lit and dark > 0,
    }  # fmt: skip


def _counts(cameras: list[dict[str, Any]]) -> dict[str, int]:
    counts = {s: 0 for s in ("works", "needs_change", "needs_replacement", "unknown")}
    for camera in cameras:
        counts[camera["status"]] += 1
    return {**counts, "total": len(cameras)}


def _disruption(cameras: list[dict[str, Any]]) -> dict[str, Any]:
    replacements = sum(c["status"] == "needs_replacement" for c in cameras)
    reconfigurations = sum(c["status"] == "needs_change" for c in cameras)
    hours = sum(c["dark_h"] for c in cameras)
    score = (
        WEIGHTS["site_visit"] * replacements
        + WEIGHTS["replacement"] * replacements
        + WEIGHTS["reconfiguration"] * reconfigurations
        + WEIGHTS["camera_hour_dark"] * hours
    )
    return {"site_visits": replacements, "replacements": replacements,
            "reconfigurations": reconfigurations, "camera_hours_dark": hours,
            "maintenance_windows": sum(c["maintenance_window"] for c in cameras),
            "score": score}  # fmt: skip


def _loss(option: str, cameras: list[dict[str, Any]]) -> dict[str, Any]:
    ptz = [c for c in cameras if "PTZ" in c["role"]]
    lost = option == "zoneminder"
    return {
        "feature": "ptz", "label": "PTZ control", "status": "lost" if lost else "kept",
        "cameras": len(ptz), "per_authority": {c["authority"]: 1 for c in ptz},
        "reason": "VMS-PTZ-01 failed: the VMS offers no PTZ control" if lost else "",
        "cells": [{"vms": option, "camera": "ptz-1080p", "stage": "ptz",
                   "requirement": "VMS-PTZ-01", "outcome": "fail" if lost else "pass",
                   "reason": "", "href": f"../{FOLDERS[option]}/compliance.html"}],
    }  # fmt: skip


def _option(option: str, rank: int, root: Path) -> dict[str, Any]:
    cameras = [_camera(option, i, s, root) for i, s in enumerate(STATUSES[option])]
    counts = _counts(cameras)
    authorities = []
    for aid, name in AUTHORITIES.items():
        own = [c for c in cameras if c["authority"] == aid]
        ptz = sum("PTZ" in c["role"] for c in own)
        authorities.append({"id": aid, "name": name, "counts": _counts(own),
                            "disruption": _disruption(own),
                            "losses": [{"feature": "ptz", "label": "PTZ control", "cameras": ptz}]
                            if ptz and option == "zoneminder" else []})  # fmt: skip
    work = [
        {"step": i, "authority": aid, "action": "switch over with parallel streaming "
         "(no dark time)", "cameras": [c["camera"] for c in cameras if c["authority"] == aid],
         "camera_hours_dark": 0.0, "site_visit": False, "maintenance_window": False}
        for i, aid in enumerate(AUTHORITIES, 1)
    ] + [{"step": 4, "authority": "southport", "action": "replace cameras on site",
          "cameras": [c["camera"] for c in cameras if c["status"] == "needs_replacement"],
          "camera_hours_dark": 8.0, "site_visit": True, "maintenance_window": True}]  # fmt: skip
    known = counts["total"] - counts["unknown"]
    return {
        "id": option, "label": LABELS[option], "not_assessable_reason": "", "test": "",
        "rank": rank, "counts": counts, "assessable": known,
        "assessable_share": known / counts["total"], "disruption": _disruption(cameras),
        "over_budget": option == "zoneminder", "losses": [_loss(option, cameras)],
        "authorities": authorities, "order_of_work": work, "cameras": cameras,
    }  # fmt: skip


def sample_plan(root: Path) -> dict[str, Any]:
    """The plan whose folder is ``root / "plan"``; every file its hrefs name exists."""
    (root / "plan").mkdir(parents=True, exist_ok=True)
    for folder in ("estate", "vms-sim", "zm"):
        _touch(root / folder / "compliance.html", f"<!DOCTYPE html><title>{folder}</title>\n")
    federation = {
        "id": "federation", "label": "Keep local VMSs and federate them", "assessable": False,
        "not_assessable_reason": "no evidence: no vms-ingest results for federation",
        "test": "cctv-conformance run --target <federation VMS target> --profile vms-ingest "
        "--mode lab", "rank": None, "counts": None, "disruption": None, "losses": [],
        "authorities": [], "order_of_work": [], "cameras": [],
    }  # fmt: skip
    return {
        "schema": "cctv-conformance/plan/1", "estate": "three-authorities <test>",
        "inventory": "fixtures/estates/three-authorities.yaml",
        "generated": "2026-12-07T15:00:00Z",
        "suite": {"name": "cctv-conformance", "version": "0.1.0"},
        "weights": WEIGHTS,
        "durations": {"switchover_h": 0.25, "firmware_upgrade_h": 0.5, "replacement_h": 4.0},
        "budget": {"replacements": 2},
        "totals": {"authorities": len(AUTHORITIES), "cameras": len(CAMERAS)},
        "evidence": [
            {"folder": "../estate", "href": "../estate/compliance.html", "kind": "camera",
             "profile": "estate-migration", "supplier": "Northbridge audit", "product": "estate",
             "devices": 9, "finished": "2026-12-06T10:00:00Z"},
            {"folder": "../vms-sim", "href": "../vms-sim/compliance.html", "kind": "vms-ingest",
             "vms": "fake-vms", "profile": "vms-ingest", "devices": 7,
             "finished": "2026-12-06T11:00:00Z"},
            {"folder": "../zm", "href": "../zm/compliance.html", "kind": "vms-ingest",
             "vms": "zoneminder", "profile": "vms-ingest", "devices": 7,
             "finished": "2026-12-06T12:00:00Z"},
        ],
        "recommended": "fake-vms",
        "options": [_option("fake-vms", 1, root), _option("zoneminder", 2, root), federation],
        "test_next": [
            {"make": "Technology", "model": "IPC", "firmware": "V4.01.R09", "cameras": 2,
             "decides": {"fake-vms": 2, "zoneminder": 2}, "missing": "camera results",
             "test": "cctv-conformance run --target <a target naming one such camera> "
             "--profile estate-migration"},
            {"make": "", "model": "", "firmware": "", "cameras": 1,
             "decides": {"fake-vms": 1, "zoneminder": 1}, "missing": "make and model",
             "test": "cctv-conformance inventory --results <folder with sp-gate-03>"},
        ],
        "warnings": [
            "sp-gate-03: no make or model in the inventory and no results name it",
            "ev-ptz-04: firmware 2.0.7 differs from the lab's 2.1.0; lab results not used",
        ],
    }  # fmt: skip
