"""Device folders from the workers into one estate results folder, as a one-process run's.

Each collected device is written at once (its evidence under ``evidence/<device>/`` where every
link expects it, its Allure results beside the others, its results.json and journal kept under
``.parts/``), so a coordinator that dies or is stopped loses nothing already collected and
``run --attach`` only waits for the rest. When every device is in, the estate's results.json is
assembled from the device entries with :func:`conformance.results.results_document`, the code
that assembles a one-process run's; a device whose audit could not run gets every requirement
``not_tested`` with the worker's reason, as an interrupted one-process run would.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from conformance.distributed import archive
from conformance.distributed.task import folder_name

PARTS = ".parts"
STATE = "distributed.json"


def read_state(out: Path) -> dict[str, Any]:
    path = out / STATE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"devices": {}}


def write_state(out: Path, state: dict[str, Any]) -> None:
    partial = out / f".{STATE}.partial"
    partial.write_text(json.dumps(state, indent=2), encoding="utf-8")
    partial.replace(out / STATE)


def absorb(out: Path, payload: dict[str, Any]) -> None:
    """Write one device's collected folder into the estate folder (idempotent: a device
    collected twice, after a re-delivery, replaces its own files, never adds a second copy)."""
    device = payload["device"]
    part = out / PARTS / folder_name(device)
    shutil.rmtree(part, ignore_errors=True)
    if not payload.get("completed"):
        return
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        staging = Path(tmp)
        archive.unpack(payload, staging)
        evidence = staging / "evidence"
        if evidence.is_dir():
            for folder in evidence.iterdir():
                target = out / "evidence" / folder.name
                shutil.rmtree(target, ignore_errors=True)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(folder), target)
        allure = staging / "allure-results"
        if allure.is_dir():
            (out / "allure-results").mkdir(parents=True, exist_ok=True)
            for item in allure.iterdir():
                if item.name != "environment.properties":
                    shutil.move(str(item), out / "allure-results" / item.name)
        part.mkdir(parents=True, exist_ok=True)
        for name in ("results.json", "results.jsonl", "junit.xml"):
            if (staging / name).exists():
                shutil.move(str(staging / name), part / name)


def _unaudited(device: Any, profile: Any, reason: str) -> dict[str, Any]:
    """A device entry for a device whose audit produced no results (every row not run)."""
    from conformance.results import device_requirement, root_causes_of, verdict_of

    rows = [device_requirement(entry, [], True) for entry in profile.requirements]
    verdict, meaning = verdict_of(rows)
    return {
        "name": device.name,
        "onvif": device.onvif_url,
        "site": device.site,
        "verdict": verdict,
        "verdict_meaning": meaning,
        "discovery": None,
        "notes": [f"not audited: {reason}"],
        "root_causes": root_causes_of(rows),
        "requirements": rows,
    }


def _device_entry(out: Path, device: Any, profile: Any, collected: dict[str, Any]) -> dict:
    part = out / PARTS / folder_name(device.name) / "results.json"
    if not part.exists():
        return _unaudited(device, profile, collected.get("error") or "no worker returned it")
    entry = json.loads(part.read_text(encoding="utf-8"))["devices"][0]
    kept = collected.get("kept")
    if kept:
        entry["notes"] = [*entry["notes"], archive.KEPT_NOTE.format(**kept)]
    return entry


def _merge_junit(parts: list[Path], into: Path) -> None:
    """One test suite of every device's test cases, with the counts summed."""
    merged = ET.Element("testsuites")
    suite = ET.SubElement(merged, "testsuite", name="pytest")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    elapsed = 0.0
    for path in parts:
        for each in ET.parse(path).getroot().iter("testsuite"):
            for key in totals:
                totals[key] += int(each.get(key, "0"))
            elapsed += float(each.get("time", "0"))
            suite.extend(list(each))
    suite.attrib.update({k: str(v) for k, v in totals.items()})
    suite.set("time", f"{elapsed:.3f}")
    ET.ElementTree(merged).write(into, encoding="utf-8", xml_declaration=True)


def write_estate(
    out: Path, manifest: Any, target: Any, profile: Any, collected: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """results.json, results.jsonl and junit.xml of the whole estate from the devices'
    folders and what was recorded of each as it was collected; returns the results."""
    from conformance.results import results_document
    from conformance.targets import redacted

    devices = [
        _device_entry(out, device, profile, collected.get(device.name, {}))
        for device in target.devices
    ]
    document = results_document(
        profile, manifest.mode, redacted(target), None, manifest.created, devices
    )
    (out / "results.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    parts = [out / PARTS / folder_name(d.name) for d in target.devices]
    with (out / "results.jsonl").open("w", encoding="utf-8") as journal:
        for part in parts:
            if (part / "results.jsonl").exists():
                journal.write((part / "results.jsonl").read_text(encoding="utf-8"))
    _merge_junit([p / "junit.xml" for p in parts if (p / "junit.xml").exists()], out / "junit.xml")
    from conformance.results import write_allure_environment

    write_allure_environment(out / "allure-results", document)
    return document
