"""One audit run: the suite under pytest, its results folder, and the reports built from it.

``cctv-conformance run`` calls :func:`run_suite` then :func:`write_reports`; a distributed
worker calls :func:`run_suite` alone for one device (its coordinator writes the estate's
reports once every device is in), so both paths judge with exactly the same suite invocation.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def pytest_args(args: argparse.Namespace, out: Path) -> list[str]:
    from conformance.plugin import SUITES_DIR

    argv = [
        str(SUITES_DIR),
        "-c",
        str(SUITES_DIR / "pytest.ini"),
        "--rootdir",
        str(SUITES_DIR),
        "--profile",
        args.profile,
        "--mode",
        args.mode,
        "--results-dir",
        str(out),
        "--io-timeout",
        str(args.timeout),
        "--workers",
        str(args.workers),
        "--junitxml",
        str(out / "junit.xml"),
        "-o",
        "junit_family=xunit2",
        "--alluredir",
        str(out / "allure-results"),
        "--clean-alluredir",
        "-q",
        f"--tb={getattr(args, 'tb', 'line')}",
        "-rfE",
        "--color=no",
        "-p",
        "no:cacheprovider",
    ]
    if getattr(args, "multicast_interface", None):
        argv += ["--multicast-interface", args.multicast_interface]
    if args.device:
        argv += ["--device-url", args.device]
        if args.user:
            argv += ["--device-user", args.user]
        if args.password_env:
            argv += ["--device-password-env", args.password_env]
    else:
        argv += ["--target", args.target]
    if args.ready_file:
        argv += ["--ready-file", args.ready_file]
    if args.select:
        argv += ["-k", args.select]
    if getattr(args, "allow_destructive", False):
        argv += ["--allow-destructive"]
    for name in args.only_device:
        argv += ["--only-device", name]
    for option in ("stimulus", "consumer_address"):
        if getattr(args, option, None):
            argv += ["--" + option.replace("_", "-"), getattr(args, option)]
    return argv


def redacted_terminal(run: Callable[[], T]) -> T:
    """Run with stdout and stderr behind the run's redactor (conformance.redaction.TERMINALS):
    pytest prints failing checks' texts, which may quote what a device sent."""
    from conformance import redaction

    saved = sys.stdout, sys.stderr
    redaction.TERMINALS[:] = [redaction.RedactingStream(s) for s in saved]
    sys.stdout, sys.stderr = redaction.TERMINALS
    try:
        return run()
    finally:
        sys.stdout, sys.stderr = saved
        redaction.TERMINALS.clear()


def run_suite(args: argparse.Namespace, out: Path) -> dict | None:
    """Run the suite into ``out``; the results, or None when it did not complete (what the
    journal held is then kept as a recovered results.json, and the reason printed)."""
    import pytest

    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"
    results_path.unlink(missing_ok=True)
    write_run_file(args, out)
    code = redacted_terminal(lambda: pytest.main(pytest_args(args, out)))
    if code in (
        pytest.ExitCode.INTERNAL_ERROR,
        pytest.ExitCode.USAGE_ERROR,
        pytest.ExitCode.NO_TESTS_COLLECTED,
        pytest.ExitCode.INTERRUPTED,
    ):
        print(
            f"cctv-conformance: the suite did not complete (pytest exit {int(code)})",
            file=sys.stderr,
        )
        recover_quietly(out)
        return None
    if not results_path.exists():
        print("cctv-conformance: no results.json was written", file=sys.stderr)
        return None
    return json.loads(results_path.read_text(encoding="utf-8"))


def write_reports(results: dict, out: Path, allure_history: str | None = None) -> None:
    """Every report of a results folder: compliance statement, Allure, summary and PDFs."""
    from reports.allure import build_allure_report
    from reports.compliance import write_compliance

    write_compliance(results, out)
    build_allure_report(out, results, Path(allure_history) if allure_history else None)
    print_summary(results, out)
    write_pdfs(results, out)


def write_run_file(args: argparse.Namespace, out: Path) -> None:
    """Record how the run started, so `recover` can rebuild results.json from the journal."""
    from conformance.recover import write_run_file as write

    keys = ("profile", "target", "device", "user", "password_env", "mode", "only_device")
    spec = {k: getattr(args, k, None) for k in keys}
    spec["target"] = str(Path(args.target).resolve()) if args.target else None
    spec["ready_file"] = str(Path(args.ready_file).resolve()) if args.ready_file else None
    write(out, spec)


def recover_quietly(out: Path) -> None:
    """After a crash, keep what the journal holds (results.json marked recovered)."""
    from conformance.recover import recover

    if (out / "results.json").exists() or not (out / "results.jsonl").exists():
        return
    try:
        recover(out)
    except Exception as exc:  # noqa: BLE001 - the crash is already reported; say why not
        print(f"cctv-conformance: could not recover results.json: {exc}", file=sys.stderr)
        return
    print(f"cctv-conformance: {out / 'results.json'} recovered from the journal", file=sys.stderr)


def attention(rows: list[dict]) -> str:
    """``failed: A, B (optional); inconclusive: C (blocked by A); not judged here: D``: a bare
    list of IDs after "conforms" read as if those requirements had passed."""
    from conformance.outcomes import is_unjudged_here

    def label(r: dict) -> str:
        level = f" ({r['level']})" if r.get("level") not in (None, "mandatory") else ""
        blocked = f" (blocked by {r['blocked_by']})" if r.get("blocked_by") else ""
        return r["id"] + level + blocked

    groups = {
        "failed": [label(r) for r in rows if r["outcome"] == "fail"],
        "inconclusive": [label(r) for r in rows if r["outcome"] == "inconclusive"],
        "not judged here": [
            label(r)
            for r in rows
            if r["outcome"] == "not_tested"
            and r.get("level") == "mandatory"
            and is_unjudged_here(r.get("reason", ""))
        ],
    }
    return "; ".join(f"{name}: {', '.join(ids)}" for name, ids in groups.items() if ids)


def print_summary(results: dict, out: Path) -> None:
    counts = ", ".join(f"{n} {k}" for k, n in sorted(results["counts"].items()))
    print(f"\nprofile {results['profile']['id']}: {results['verdict']} ({counts})")
    print(f"  {results['verdict_meaning']}")
    devices = results["devices"]
    many = len(devices) > 10  # an estate: list only the devices that need attention
    for device in devices:
        bad = attention(device["requirements"])
        if bad or not many:
            print(f"  {device['name']}: {device['verdict']}" + (f" — {bad}" if bad else ""))
    if many:
        conforming = sum(d["verdict"] == "conforms" for d in devices)
        print(f"  {conforming} of {len(devices)} devices conform")
    print(
        f"reports: {out / 'results.json'}, {out / 'junit.xml'}, {out / 'compliance.html'}, "
        f"{out / 'allure-results'}/"
    )
    if (out / "allure-report" / "index.html").exists():
        print(f"allure: {out / 'allure-report' / 'index.html'}")


def write_pdfs(results: dict, out: Path) -> None:
    """summary.html, then compliance.pdf and summary.pdf beside the pages (when Chromium is
    installed; otherwise one line says so and the run's other reports stand)."""
    from reports.pdf import MAX_STATEMENT_DEVICES, compliance_header, write_pdfs
    from reports.summary import write_summary

    summary = write_summary(results, out)
    pages = [out / "compliance.html", summary]
    problems = []
    if len(results["devices"]) > MAX_STATEMENT_DEVICES:
        pages = [summary]
        problems.append(
            f"compliance.pdf not written: {len(results['devices'])} devices would print "
            f"hundreds of pages (at most {MAX_STATEMENT_DEVICES}); summary.pdf and "
            "compliance.html cover the estate"
        )
    written, failed = write_pdfs(pages, compliance_header(results))
    print(f"summary: {summary}" + (f"; pdf: {', '.join(map(str, written))}" if written else ""))
    for line in problems + failed:
        print(f"cctv-conformance: {line}", file=sys.stderr)


# -- compare ---------------------------------------------------------------------------------
