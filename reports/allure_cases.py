"""Allure results that agree with the compliance statement: one case per (device, requirement).

allure-pytest writes one result per pytest test. That is the wrong unit for a conformance
report: a requirement may be judged by several tests (or by none yet), and a reader counting
Allure's test cases must find the profile's requirements times the devices, with the same
outcome the statement shows. So the report is generated from results built here, from
results.json (the verdict of each row, a contract) and the raw allure-pytest results (the
tests' steps and evidence attachments):

- one case per row, named ``<ID> <title>`` (plus `` — <device>`` when several devices), with a
  ``device`` parameter and a history ID stable per (device, requirement), so trends line up;
- its status from the row's outcome (pass -> passed, fail -> failed, inconclusive -> broken,
  not_claimed / not_applicable / not_tested -> skipped with the reason), never from pytest;
- each test that judged it becomes a step holding that test's status, message and attachments
  (the evidence, already redacted by the plugin); a row no test implements is a case without
  steps saying so;
- the row itself (claimed, measured, expected, reason, evidence paths) attached as JSON.

The raw results stay untouched in ``OUT/allure-results/`` for anyone who wants the pytest view.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

STATUS_OF_OUTCOME = {
    "pass": "passed",
    "fail": "failed",
    "inconclusive": "broken",
    "not_tested": "skipped",
    "not_applicable": "skipped",
    "not_claimed": "skipped",
}
VERDICT_MARK = "decides verdict"
"""Last field of a case's message prefix when the row decides the overall verdict."""

_NAMESPACE = uuid.UUID("6f0c7f3e-5d1a-4c3b-9a57-1e0a4e5c2b11")


def verdict_title(verdict: str) -> str:
    """``does_not_conform`` -> ``DOES NOT CONFORM``: how the overview spells the verdict."""
    return verdict.replace("_", " ").upper()


def decides_verdict(row: dict[str, Any]) -> bool:
    """Whether this row is one the verdict names (conformance.results.verdict_of's rule): a
    suite error, a mandatory requirement that did not pass (nor is not applicable), or a
    conditional one that failed or was inconclusive."""
    if row.get("cause") == "suite_error":
        return True
    if row.get("level") == "mandatory":
        return row.get("outcome") not in ("pass", "not_applicable")
    return row.get("level") == "conditional" and row.get("outcome") in ("fail", "inconclusive")


def message_prefix(row: dict[str, Any]) -> str:
    """``[cause: <cause> | domain: <domain> | <ID>]`` (``| decides verdict`` when it does):
    what categories.json matches on."""
    mark = f" | {VERDICT_MARK}" if decides_verdict(row) else ""
    return f"[cause: {row.get('cause') or 'none'} | domain: {row['domain']} | {row['id']}{mark}] "


def _millis(iso: str) -> int:
    try:
        return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")) * 1000
    except (TypeError, ValueError):
        return int(time.time() * 1000)


def raw_key(nodeid: str) -> tuple[str, str]:
    """The (fullName, name) allure-pytest gives the test with this pytest node ID, e.g.
    ``device/test_x.py::TestA::test_b[cam]`` -> ``device.test_x.TestA#test_b``, ``test_b[cam]``
    (node IDs are relative to the suites folder, as allure-pytest's module names are)."""
    path, *parts = nodeid.split("::")
    module = path.removesuffix(".py").replace("/", ".").replace("\\", ".")
    if not parts:
        return module, ""
    name = parts[-1]
    owner = ".".join([module, *parts[:-1]])
    return f"{owner}#{name.split('[', 1)[0]}", name


def load_raw(alluredir: Path) -> list[dict[str, Any]]:
    """allure-pytest's result files (not containers), unreadable ones left out."""
    raw = []
    for path in sorted(alluredir.glob("*-result.json")):
        try:
            raw.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return raw


def _raw_device(data: dict[str, Any]) -> str:
    match = re.search(r"\[([^\]]+)\]$", data.get("name", ""))
    return match.group(1) if match else ""


def _index(raw: list[dict[str, Any]]) -> dict[Any, list[dict[str, Any]]]:
    """Raw results by (fullName, name), and by (device, requirement label) as a fallback."""
    index: dict[Any, list[dict[str, Any]]] = {}
    for data in raw:
        index.setdefault((data.get("fullName", ""), data.get("name", "")), []).append(data)
        labels = {lab.get("name"): lab.get("value") for lab in data.get("labels", [])}
        if labels.get("requirement"):
            key = ("label", _raw_device(data), labels["requirement"])
            index.setdefault(key, []).append(data)
    return index


def _tests_of(row: dict[str, Any], device: str, index: dict[Any, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for nodeid in row.get("tests", []):
        for data in index.get(raw_key(nodeid), []):
            if all(data is not f for f in found):
                found.append(data)
    if not found:
        found = list(index.get(("label", device, row["id"]), []))
    return sorted(found, key=lambda d: d.get("start", 0))


def _step(data: dict[str, Any]) -> dict[str, Any]:
    """A raw test result as a step of its requirement's case."""
    step = {
        key: data[key]
        for key in ("name", "status", "statusDetails", "attachments", "steps", "parameters")
        if key in data
    }
    step["start"] = data.get("start", 0)
    step["stop"] = data.get("stop", step["start"])
    return step


def _labels(row: dict[str, Any], device: str, results: dict[str, Any], several: bool) -> list:
    profile = results.get("profile", {})
    severity = {"mandatory": "critical", "conditional": "normal", "optional": "minor"}
    pairs = [
        ("epic", f"{profile.get('title', '')} ({profile.get('id', '')})"),
        ("feature", row["domain"]),
        ("story", f"{row['id']}: {row['title']}"),
        ("severity", severity.get(row.get("level", ""), "normal")),
        ("requirement", row["id"]),
        ("level", row.get("level", "")),
        ("outcome", row["outcome"]),
        ("tag", row["outcome"]),
        ("device", device),
        ("suite", row["domain"]),
    ]
    if several:  # Suites tab: device, then domain (one level, the domain, for one device)
        pairs.append(("parentSuite", device))
    pairs += [("onvif_test", test_id) for test_id in row.get("onvif_tests", [])]
    return [{"name": name, "value": value} for name, value in pairs]


def _message(row: dict[str, Any], tests: list[dict[str, Any]]) -> str:
    if row["outcome"] == "pass":
        return ""
    reason = row.get("reason") or ""
    if not reason:  # the first test's own message (e.g. the assertion) instead
        texts = [(d.get("statusDetails") or {}).get("message") or "" for d in tests]
        reason = re.sub(r"^\[cause: [^\]]*\] ", "", next((t for t in texts if t), ""))
    # Categories match failures and verdict-deciding rows on the prefix; other skipped rows
    # read plainly ("not_applicable: <reason>").
    prefixed = row["outcome"] in ("fail", "inconclusive") or decides_verdict(row)
    return f"{message_prefix(row) if prefixed else ''}{row['outcome']}: {reason}".rstrip(": ")


def _link_or_copy(source: Path, target: Path) -> bool:
    if target.exists():
        return True
    try:
        os.link(source, target)
    except OSError:
        try:
            shutil.copy2(source, target)
        except OSError:
            return False
    return True


def _carry_attachments(step: dict[str, Any], alluredir: Path, staging: Path) -> None:
    """Bring a step's attachment files (and its sub-steps') along; drop references to files
    that are gone, so the report never shows an empty attachment."""
    kept = []
    for attachment in step.get("attachments", []):
        source = Path(str(attachment.get("source", ""))).name
        if source and _link_or_copy(alluredir / source, staging / source):
            kept.append(attachment)
    step["attachments"] = kept
    for sub in step.get("steps", []):
        _carry_attachments(sub, alluredir, staging)


def describe(row: dict[str, Any], ran: bool) -> str:
    """What the row says beyond its status: how binding it is, where it comes from, its
    parameters, and (when no test ran) why not."""
    source = row.get("source") or {}
    lines = [
        f"{row.get('normative', '')} ({row.get('level', '')}, {row.get('safety', 'passive')})."
        f" Source: {source.get('spec', '')}, {source.get('clause', '')}.".strip()
    ]
    if row.get("parameters"):
        values = ", ".join(f"{k}={v}" for k, v in sorted(row["parameters"].items()))
        lines.append(f"Parameters: {values}.")
    if row.get("blocked_by"):
        lines.append(f"Blocked by {row['blocked_by']}: that requirement carries the fault.")
    if not ran:
        lines.append(f"No test ran for this requirement on this device: {row.get('reason', '')}")
    return "\n".join(lines)


def case_of(
    row: dict[str, Any],
    device: str,
    tests: list[dict[str, Any]],
    results: dict[str, Any],
    several: bool,
) -> dict[str, Any]:
    """The Allure result for one (device, requirement) row, its tests as steps."""
    key = f"{device}|{row['id']}"
    started, finished = _millis(results.get("started", "")), _millis(results.get("finished", ""))
    steps = [_step(data) for data in tests]
    start = min((s["start"] for s in steps), default=finished)
    stop = max((s["stop"] for s in steps), default=start)
    trace = "\n\n".join(
        (data.get("statusDetails") or {}).get("trace", "")
        for data in tests
        if (data.get("statusDetails") or {}).get("trace")
    )
    description = next((d["description"] for d in tests if d.get("description")), "")
    description = "\n\n".join(p for p in (description, describe(row, bool(tests))) if p)
    link = (row.get("source") or {}).get("url")
    source = row.get("source") or {}
    return {
        "uuid": str(uuid.uuid5(_NAMESPACE, f"{key}|{started}")),
        "historyId": hashlib.md5(key.encode()).hexdigest(),  # noqa: S324 - an ID, not security
        "testCaseId": hashlib.md5(row["id"].encode()).hexdigest(),  # noqa: S324
        "fullName": f"{device}/{row['id']}",
        "name": f"{row['id']} {row['title']}" + (f" — {device}" if several else ""),
        "status": STATUS_OF_OUTCOME.get(row["outcome"], "unknown"),
        "statusDetails": {"message": _message(row, tests), **({"trace": trace} if trace else {})},
        "stage": "finished",
        "description": description,
        "start": start,
        "stop": stop,
        "labels": _labels(row, device, results, several),
        "parameters": [{"name": "device", "value": device}]
        + ([{"name": "vms", "value": str(row["vms"])}] if row.get("vms") else []),
        "links": (
            [{"type": "link", "url": link, "name": f"{source.get('spec')}: {source.get('clause')}"}]
            if link
            else []
        ),
        "steps": steps,
        "attachments": [],
    }


def write_cases(alluredir: Path, results: dict[str, Any], staging: Path) -> int:
    """Write one Allure result per (device, requirement) of results.json into ``staging``,
    with the raw results' attachments, environment, categories, executor and history.
    Returns the number of cases written."""
    staging.mkdir(parents=True, exist_ok=True)
    index = _index(load_raw(alluredir))
    devices = results.get("devices", [])
    several = len(devices) > 1
    written = 0
    for device in devices:
        for row in device.get("requirements", []):
            tests = _tests_of(row, device["name"], index)
            case = case_of(row, device["name"], tests, results, several)
            for step in case["steps"]:
                _carry_attachments(step, alluredir, staging)
            row_file = f"{case['uuid']}-row-attachment.json"
            (staging / row_file).write_text(json.dumps(row, indent=1), encoding="utf-8")
            case["attachments"].append(
                {"name": "results.json row", "source": row_file, "type": "application/json"}
            )
            (staging / f"{case['uuid']}-result.json").write_text(json.dumps(case), encoding="utf-8")
            written += 1
    for name in ("environment.properties", "categories.json", "executor.json"):
        if (alluredir / name).is_file():
            shutil.copy2(alluredir / name, staging / name)
    if (alluredir / "history").is_dir():
        shutil.copytree(alluredir / "history", staging / "history", dirs_exist_ok=True)
    return written
