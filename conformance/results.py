"""results.json (a contract): per target and device, per requirement, the outcome with evidence.

Every requirement of the profile appears for every device, whatever happened: a requirement no
test implements, or whose tests never ran, is ``not_tested`` with the reason. Zero evidence is
never a pass. A requirement blocked by another (cause ``blocked``) names it in ``blocked_by``.

The overall verdict is ``conforms``, ``does_not_conform``, ``incomplete`` (nothing failed, but a
mandatory requirement could not be judged here for an ``environment:`` or ``no stimulus:``
reason) or ``error`` (the suite itself failed).
"""

from __future__ import annotations

import json
import platform
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance import __version__
from conformance.errors import InputError
from conformance.outcomes import Outcome, is_unjudged_here, worst
from conformance.redaction import redact_deep
from conformance.targets import redacted
from conformance.vms_target import vms_section

if TYPE_CHECKING:
    from conformance.plugin import ConformanceRun

SCHEMA = "cctv-conformance/results/1"


def read_results(folder: Path, given_to: str = "--results") -> dict[str, Any]:
    """A results folder's results.json, checked as far as every reader relies on it (``merge``,
    ``inventory``, ``plan``): an :class:`InputError` naming the folder or file and the field
    otherwise. ``given_to`` names the option the folder came from."""
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise InputError(folder, None, f"{what} (given to {given_to})")
    path = folder / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, None, "no results.json: not a results folder of `run`") from None
    except OSError as exc:
        raise InputError(path, None, f"cannot read results: {exc.strerror}") from None
    except ValueError:
        raise InputError(path, None, "not a results.json (invalid JSON)") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        schema = data.get("schema") if isinstance(data, dict) else None
        raise InputError(path, "schema", f"{schema!r} is not {SCHEMA}")
    devices = data.get("devices")
    if not isinstance(devices, list) or not all(
        isinstance(d, dict) and isinstance(d.get("name"), str) for d in devices
    ):
        raise InputError(path, "devices", "not a list of devices with names")
    return data


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _combine(records: list[dict[str, Any]]) -> tuple[Outcome, str, str, str]:
    """The worst outcome of a requirement's tests, with that test's cause, reason and the
    requirement it was blocked by (if any)."""
    outcomes = [Outcome(r["outcome"]) for r in records]
    chosen = worst(outcomes)
    for r in records:
        if r["outcome"] == chosen.value:
            return chosen, r["cause"], r["reason"], r.get("blocked_by", "") or ""
    return chosen, "", "", ""


def _merge_values(records: list[dict[str, Any]], key: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for r in records:
        merged.update(r["evidence"].get(key, {}))
    return merged


def device_requirement(entry, records: list[dict[str, Any]], implemented: bool) -> dict[str, Any]:
    req = entry.requirement
    base = {
        "id": req.id,
        "title": req.title,
        "domain": req.domain,
        "level": entry.level,
        "normative": req.normative,
        "safety": req.safety,
        "parameters": entry.parameters,
        "source": req.source.model_dump(),
        "onvif_tests": list(req.onvif_tests),
    }
    if not records:
        reason = (
            "no test implements this requirement yet"
            if not implemented
            else "its tests did not run (deselected or interrupted)"
        )
        return {
            **base,
            "outcome": Outcome.NOT_TESTED.value,
            "cause": "not_run",
            "reason": reason,
            "blocked_by": "",
            "claimed": {},
            "measured": {},
            "expected": {},
            "evidence": [],
            "operations": [],
            "tests": [],
        }
    outcome, cause, reason, blocked_by = _combine(records)
    if outcome is Outcome.NOT_CLAIMED and entry.level == "mandatory":
        outcome, cause = Outcome.FAIL, "device_fault"
        reason = f"mandatory feature not claimed: {reason}"
    return {
        **base,
        "outcome": outcome.value,
        "cause": cause,
        "reason": reason,
        "blocked_by": blocked_by,
        "claimed": _merge_values(records, "claimed"),
        "measured": _merge_values(records, "measured"),
        "expected": _merge_values(records, "expected"),
        "notes": [n for r in records for n in r["evidence"].get("notes", [])],
        "evidence": [f for r in records for f in r["evidence"].get("files", [])],
        "operations": _operations_of(records),
        "tests": [r["nodeid"] for r in records],
    }


def _operations_of(records: list[dict[str, Any]]) -> list[str]:
    """The protocol operations the requirement's verdict rests on, across its tests, sorted."""
    return sorted({op for r in records for op in r["evidence"].get("operations", [])})


def root_causes_of(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Blocking requirement -> the requirements it blocked: one root cause, its symptoms."""
    causes: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.get("blocked_by"):
            causes[row["blocked_by"]].append(row["id"])
    return dict(sorted(causes.items()))


def verdict_of(requirements: list[dict[str, Any]]) -> tuple[str, str]:
    """The overall verdict and a sentence saying what it means."""
    if any(r["cause"] == "suite_error" for r in requirements):
        return "error", "The suite itself failed on at least one check; the result is not valid."
    blocking = [
        r
        for r in requirements
        if (r["level"] == "mandatory" and r["outcome"] not in ("pass", "not_applicable"))
        or (r["level"] == "conditional" and r["outcome"] in ("fail", "inconclusive"))
    ]
    if not blocking:
        return "conforms", (
            "Every mandatory requirement that applies passed, and no claimed feature failed."
        )
    ids = ", ".join(sorted({r["id"] for r in blocking}))
    unjudged = [
        r for r in blocking if r["outcome"] == "not_tested" and is_unjudged_here(r["reason"])
    ]
    if len(unjudged) == len(blocking):  # every other mandatory/conditional one passed or n/a
        return "incomplete", (
            "Nothing failed, but these mandatory requirements could not be judged here "
            f"(the lab or the scene, not the device): {ids}. Re-run where they can be."
        )
    return "does_not_conform", f"Not met, not tested or inconclusive: {ids}."


def build_results(run: ConformanceRun) -> dict[str, Any]:
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in run.records:
        by_key[(record.device, record.requirement)].append(record.to_dict())
    devices = []
    all_rows: list[dict[str, Any]] = []
    for dut in run.duts:
        rows = [
            device_requirement(
                entry, by_key.get((dut.name, entry.id), []), entry.id in run.implemented
            )
            for entry in run.profile.requirements
        ]
        _name_vms(rows, dut, run.target)
        all_rows.extend(rows)
        verdict, meaning = verdict_of(rows)
        discovery = dut._cache.get("discovery")
        devices.append(
            {
                "name": dut.name,
                "onvif": dut.device.onvif_url,
                "site": getattr(dut.device, "site", None),
                "verdict": verdict,
                "verdict_meaning": meaning,
                "discovery": discovery.to_dict() if hasattr(discovery, "to_dict") else None,
                "notes": [run.redactor(n) for n in dut.notes],
                "root_causes": root_causes_of(rows),
                "requirements": rows,
            }
        )
    document = results_document(
        run.profile,
        run.mode,
        redacted(run.target),
        # The VMS behind the run's export and VMS verdicts (null when no row was judged
        # through one, even if the target names a VMS).
        vms_section(getattr(run.target, "vms", None), run.redactor)
        if any("vms" in row for row in all_rows)
        else None,
        run.started,
        devices,
    )
    # Everything a device said (notes, measured values) passes the redactor once more: it has
    # learnt by now every password a device put in a URL during the run.
    return redact_deep(document, run.redactor)


def results_document(
    profile: Any,
    mode: str,
    target: dict[str, Any],
    vms: dict[str, Any] | None,
    started: float,
    devices: list[dict[str, Any]],
) -> dict[str, Any]:
    """The whole document around its device entries: the verdict over every row, the counts
    and the compatibility matrix. One place, so a distributed run's estate folder
    (:mod:`conformance.distributed.estate`) is assembled exactly as a one-process run's."""
    all_rows = [row for device in devices for row in device["requirements"]]
    verdict, meaning = verdict_of(all_rows)
    counts: dict[str, int] = defaultdict(int)
    for row in all_rows:
        counts[row["outcome"]] += 1
    return {
        "schema": SCHEMA,
        "suite": {
            "name": "cctv-conformance",
            "version": __version__,
            "python": platform.python_version(),
        },
        "profile": {
            "id": profile.id,
            "version": profile.version,
            "title": profile.title,
            "digest": profile.digest,
        },
        "mode": mode,
        "target": target,
        "vms": vms,
        "started": _iso(started),
        "finished": _iso(time.time()),
        "verdict": verdict,
        "verdict_meaning": meaning,
        "counts": dict(counts),
        "devices": devices,
        **_compatibility(devices),
    }


VMS_DOMAINS = ("export", "vms")
"""Requirement domains judged through the target's VMS (its export, ingest and audit APIs)."""


def _name_vms(rows: list[dict[str, Any]], dut: Any, target: Any) -> None:
    """Tag each row judged through a VMS with the VMS's name (``"vms": "<name>"``): every row of
    a (VMS, camera) pair, and the export and VMS rows of a target that has a VMS whose tests
    ran (a row never run asked nothing)."""
    pair_vms = getattr(dut, "vms_name", None)
    config = getattr(target, "vms", None)
    for row in rows:
        if pair_vms:
            row["vms"] = pair_vms
        elif config is not None and row.get("domain") in VMS_DOMAINS and row.get("tests"):
            row["vms"] = config.name  # only rows whose tests ran: those asked the VMS


def _compatibility(devices: list[dict[str, Any]]) -> dict[str, Any]:
    """The (VMS, camera) compatibility matrix, only when the run judged such pairs."""
    from reports.compatibility import compatibility

    section = compatibility(devices)
    return {"compatibility": section} if section else {}


def write_allure_environment(alluredir: Path, results: dict[str, Any]) -> None:
    """Allure's environment panel: suite version, profile, target and firmware."""
    alluredir.mkdir(parents=True, exist_ok=True)
    target = results["target"]
    lines = {
        "suite.version": results["suite"]["version"],
        "profile": f"{results['profile']['id']} v{results['profile']['version']}",
        "target.supplier": target.get("supplier", ""),
        "target.product": target.get("product", ""),
        "target.firmware": target.get("firmware", ""),
        "mode": results["mode"],
        "verdict": results["verdict"],
    }
    text = "\n".join(f"{k}={str(v).replace(chr(10), ' ')}" for k, v in lines.items())
    (alluredir / "environment.properties").write_text(text + "\n", encoding="utf-8")
