"""The Allure report for engineers: ``out/allure-report/index.html``, one offline file.

Built with the Allure 2 command-line tool (npm ``allure-commandline``, needs Java 8+; see
docs/reports.md for why not Allure 3). The report agrees with the compliance statement: it is
generated not from allure-pytest's per-test results but from one case per (device, requirement
of the profile) built by ``reports.allure_cases`` from results.json, the tests as steps with
their evidence. Before generating, this module makes the results say what Allure cannot infer:
each failure's message starts with its cause, domain and requirement (and whether it decides the
verdict), so ``categories.json`` can group cases first under the verdict, then by cause and
domain; the verdict is the report's name, the executor's build and the first environment line,
so the overview opens with it; history IDs are stable per (device, requirement), so trends
work. History comes from ``--allure-history DIR`` or the previous report in
``out/allure-report/history``. Analytics are switched off and the generated page is scanned:
a report that would load anything from the network is not published.

The compliance statement never depends on any of this: without the tool, one line says how to
install it and everything else is still written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from reports.allure_cases import VERDICT_MARK, verdict_title, write_cases
from reports.offline import scan_file

ALLURE_VERSION = "2.46.1"
INSTALL_HINT = (
    "Allure report not built: the Allure command-line tool is not installed; install it with "
    f"`npm install -g allure-commandline@{ALLURE_VERSION}` (needs Java 8+) or set ALLURE_BIN "
    "(`tox -e demo` installs it for you)"
)
CAUSE_TITLES = {
    "device_fault": ("Device fault (does not meet the requirement)", ["failed"]),
    "unreachable": ("Unreachable or timed out (no verdict)", ["broken"]),
    "undecidable": ("Undecidable answer (no verdict)", ["broken"]),
    "blocked": ("Blocked by another requirement's fault (no verdict)", ["broken"]),
    "suite_error": ("Suite error (fix the suite, not the device)", ["broken", "failed"]),
}
NO_REPORT_ENV = "CCTV_NO_ALLURE_REPORT"
"""Set (to anything but "0") by harnesses that run the suite many times and judge only
results.json (the self-test's 180-odd runs): the raw allure-results are still written, but the
HTML report, a Java process of several seconds per run, is not generated."""
_PREFIX = re.compile(r"^\[cause: [a-z_]+ \| domain: [^|\]]* \| [^\]]*\] ")
_OBJECT_REPR = re.compile(r"^<[\w.]+ object at 0x[0-9a-f]+>$")


def find_allure() -> str | None:
    """The ``allure`` executable: $ALLURE_BIN, else the one on PATH."""
    explicit = os.environ.get("ALLURE_BIN")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    return shutil.which("allure")


def categories(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Allure categories by cause and requirement domain, e.g. "Device fault — streaming".

    Allure puts each result in the first category that matches, so cause and domain are
    combined into one category each (only those with results show); a catch-all per cause
    follows for results without a domain.
    """
    domains = sorted(
        {r["domain"] for d in results.get("devices", []) for r in d.get("requirements", [])}
    )
    blockers = sorted(
        {
            r["blocked_by"]
            for d in results.get("devices", [])
            for r in d.get("requirements", [])
            if r.get("blocked_by")
        }
    )
    cats = verdict_categories(results, blockers)
    # One category per root cause, so every check it blocked sits under it.
    cats += [
        {
            "name": f"Blocked by {blocker} (one root cause)",
            "messageRegex": rf"(?s)\[cause: blocked \|.*blocked by {re.escape(blocker)}\b.*",
            "matchedStatuses": ["broken"],
        }
        for blocker in blockers
    ]
    for cause, (title, statuses) in CAUSE_TITLES.items():
        cats += [
            {
                "name": f"{title} — {domain}",
                "messageRegex": rf"(?s)\[cause: {cause} \| domain: {re.escape(domain)} \|.*",
                "matchedStatuses": statuses,
            }
            for domain in domains
        ]
        cats.append(
            {
                "name": title,
                "messageRegex": rf"(?s)\[cause: {cause} \|.*",
                "matchedStatuses": statuses,
            }
        )
    cats.append(
        {
            "name": "Not claimed, not applicable or not tested (reported, never a pass)",
            "matchedStatuses": ["skipped"],
        }
    )
    return cats


def verdict_categories(results: dict[str, Any], blockers: list[str]) -> list[dict[str, Any]]:
    """The categories of the cases that decide the verdict, named after it ("DOES NOT CONFORM:
    Device fault ..."), first, so the overview's category list opens with why the verdict is
    what it is. Cases carry `` | decides verdict`` in their message prefix (allure_cases).
    Nothing for a conforming run: no case decides it."""
    if results.get("verdict", "conforms") == "conforms":
        return []
    title = verdict_title(results["verdict"])
    mark = rf"\| [^|\]]* \| {VERDICT_MARK}\] "
    cats = [
        {
            "name": f"{title}: blocked by {blocker} (one root cause)",
            "messageRegex": rf"(?s)\[cause: blocked \| domain: [^|\]]* {mark}.*"
            rf"blocked by {re.escape(blocker)}\b.*",
            "matchedStatuses": ["broken"],
        }
        for blocker in blockers
    ]
    cats += [
        {
            "name": f"{title}: {cause_title}",
            "messageRegex": rf"(?s)\[cause: {cause} \| domain: [^|\]]* {mark}.*",
            "matchedStatuses": statuses,
        }
        for cause, (cause_title, statuses) in CAUSE_TITLES.items()
    ]
    cats.append(
        {
            "name": f"{title}: mandatory requirement not judged (not tested here)",
            "messageRegex": rf"(?s)\[cause: [a-z_]+ \| domain: [^|\]]* {mark}.*",
            "matchedStatuses": ["skipped", "failed", "broken"],
        }
    )
    return cats


def executor(results: dict[str, Any]) -> dict[str, Any]:
    """Allure's executor.json: the overview's "Executors" widget shows the verdict as the build."""
    return {
        "name": f"cctv-conformance {results.get('suite', {}).get('version', '')}".strip(),
        "type": "cctv-conformance",
        "buildName": f"{verdict_title(results.get('verdict', ''))}: "
        + (results.get("verdict_meaning") or ""),
        "reportName": report_name(results),
    }


def report_name(results: dict[str, Any]) -> str:
    """The report's title, the first line of the overview: verdict, target and profile."""
    target = results.get("target") or {}
    profile = results.get("profile") or {}
    who = " ".join(str(target.get(k) or "") for k in ("supplier", "product")).strip()
    return (
        f"{verdict_title(results.get('verdict', ''))} — {who or 'target'} against "
        f"{profile.get('id', '')} v{profile.get('version', '')}"
    )


def annotate(alluredir: Path, results: dict[str, Any]) -> int:
    """Prefix failure messages with cause/domain/requirement and make history IDs stable.

    allure-pytest derives the history ID from the test's parameters, and the device parameter
    is an object whose repr holds a memory address, so no two runs would share an ID. The
    device name (from the test name) replaces it. Returns the number of results changed.
    """
    rows = {(d["name"], r["id"]): r for d in results.get("devices", []) for r in d["requirements"]}
    changed = 0
    for path in sorted(alluredir.glob("*-result.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        labels = {lab.get("name"): lab.get("value") for lab in data.get("labels", [])}
        match = re.search(r"\[([^\]]+)\]$", data.get("name", ""))
        device = match.group(1) if match else ""
        for param in data.get("parameters", []):
            if _OBJECT_REPR.match(str(param.get("value", ""))):
                param["value"] = device
        key = f"{data.get('fullName', data.get('name', ''))}[{device}]"
        data["historyId"] = hashlib.md5(key.encode()).hexdigest()  # noqa: S324 - an ID, not security
        row = rows.get((device, labels.get("requirement", "")))
        details = data.setdefault("statusDetails", {})
        if row and data.get("status") in ("failed", "broken"):
            message = _PREFIX.sub("", details.get("message") or "")
            details["message"] = (
                f"[cause: {row.get('cause', '')} | domain: {row['domain']} | {row['id']}] {message}"
            )
        path.write_text(json.dumps(data), encoding="utf-8")
        changed += 1
    return changed


def _add_environment(alluredir: Path, results: dict[str, Any]) -> None:
    """Add what each device reported about itself (firmware) to Allure's environment panel."""
    from reports.claims import measured_firmware

    path = alluredir / "environment.properties"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    lines = [line for line in lines if not line.startswith(("device.", "verdict"))]
    # The verdict first: Allure's environment panel keeps the file's order.
    meaning = " ".join(str(results.get("verdict_meaning", "")).split())
    lines = [f"verdict={results.get('verdict', '')}", f"verdict.meaning={meaning}", *lines]
    for device in results.get("devices", []):
        reported = measured_firmware(device) or "(not reported)"
        name = re.sub(r"[^\w.-]", "_", device["name"])
        lines.append(f"device.{name}.firmware_reported={' '.join(reported.split())}")
        lines.append(f"device.{name}.verdict={device.get('verdict', '')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _copy_history(source: Path | None, alluredir: Path) -> bool:
    if source is None or not source.is_dir():
        return False
    target = alluredir / "history"
    target.mkdir(parents=True, exist_ok=True)
    copied = False
    for item in source.glob("*.json"):
        shutil.copy2(item, target / item.name)
        copied = True
    return copied


def embedded_files(report_html: Path) -> dict[str, bytes]:
    """The files a single-file report embeds (``widgets/summary.json``, ``data/test-cases/*``,
    ``history/*``...) by path: what the page shows, for tests and for carrying history on."""
    text = report_html.read_text(encoding="utf-8", errors="replace")
    files = {}
    for name, value in re.findall(r"d\('([\w./-]+)','([A-Za-z0-9+/=]*)'\)", text):
        try:
            files[name] = base64.b64decode(value)
        except (binascii.Error, ValueError):
            continue
    return files


def extract_history(report_html: Path, history_dir: Path) -> int:
    """Write the history files a single-file report embeds, for the next run to build on."""
    history_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    for name, data in embedded_files(report_html).items():
        if re.fullmatch(r"history/[\w.-]+\.json", name):
            (history_dir / name.removeprefix("history/")).write_bytes(data)
            n += 1
    return n


def build_allure_report(
    out: Path,
    results: dict[str, Any],
    history: Path | None = None,
    allure_bin: str | None = None,
    timeout: float = 300.0,
) -> Path | None:
    """Generate out/allure-report/index.html; print one line and return None if not possible.

    With ``CCTV_NO_ALLURE_REPORT`` set, nothing and no line (the harness asked for that)."""
    alluredir = out / "allure-results"
    if not alluredir.is_dir() or os.environ.get(NO_REPORT_ENV, "") not in ("", "0"):
        return None
    annotate(alluredir, results)
    (alluredir / "categories.json").write_text(
        json.dumps(categories(results), indent=1), encoding="utf-8"
    )
    _add_environment(alluredir, results)
    (alluredir / "executor.json").write_text(json.dumps(executor(results)), encoding="utf-8")
    report_dir = out / "allure-report"
    _copy_history(history or report_dir / "history", alluredir)
    binary = allure_bin or find_allure()
    if binary is None:
        print(INSTALL_HINT)
        return None
    env = {**os.environ, "ALLURE_NO_ANALYTICS": "true"}
    with tempfile.TemporaryDirectory(dir=out, prefix=".allure-") as tmp:
        staging = Path(tmp) / "report"
        cases = Path(tmp) / "cases"
        write_cases(alluredir, results, cases)
        command = [binary, "generate", str(cases), "-o", str(staging), "--single-file"]
        try:
            subprocess.run(
                [*command, "--report-name", report_name(results)],
                env=env,
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"Allure report not built: `{binary} generate` failed ({exc})")
            return None
        index = staging / "index.html"
        problems = scan_file(index) if index.is_file() else ["no index.html"]
        if problems:
            print(
                "Allure report not published: it would load from the network "
                f"({len(problems)} place(s), e.g. {problems[0][:120]!r})"
            )
            return None
        if report_dir.exists():
            shutil.rmtree(report_dir)
        report_dir.mkdir(parents=True)
        shutil.move(str(index), report_dir / "index.html")
        extract_history(report_dir / "index.html", report_dir / "history")
    return report_dir / "index.html"
