"""The self-test's part in ONVIF coverage: build the observed record from its cases, check the
committed one against it, and write it when asked (``selftest --write-coverage``).

Kept apart from :mod:`conformance.selftest` so the self-test runner stays about running cases;
this is only bookkeeping over what the cases returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.coverage.observed import RECORD_PATH, ObservedRecord, RecordError, load_record


def record_of(cases: Sequence[Any], results: Sequence[Any], good_label: str) -> ObservedRecord:
    """What this run observed. Only camera cases count (a VMS case's rows are pairs). A persona
    counts as breaking a requirement only if its whole case was as expected and the requirement
    failed on it (never a crash or an inconclusive run)."""
    record = ObservedRecord()
    for case, result in zip(cases, results, strict=True):
        if not result.rows:
            continue
        if result.persona == good_label:
            if result.ok:
                record.note_known_good(result.rows, result.served)
            continue
        if not result.ok or case.hostile:
            continue
        for row in result.rows:
            if row["id"] in case.breaks and row["outcome"] == "fail":
                record.note_broken(result.persona, row["id"])
    return record


def reconcile(seen: ObservedRecord, write: bool, path: Path = RECORD_PATH) -> list[str]:
    """Check (or with ``write``, replace) the committed record; returns the problems that fail
    the self-test and prints what the user should know."""
    if write:
        seen.write(path)
        print(f"coverage: wrote {path} ({len(seen.requirements)} requirements observed)")
        return []
    try:
        committed = load_record(path)
    except RecordError as exc:
        return [str(exc)]
    problems = [
        f"coverage record {path.name}: {p} (run `cctv-conformance selftest --write-coverage`)"
        for p in committed.claims_beyond(seen)
    ]
    behind = seen.count_beyond(committed)
    if behind and not problems:
        print(
            f"coverage: this run observed {behind} operation(s) or breaking persona(s) that "
            f"{path.name} does not record yet; `cctv-conformance selftest --write-coverage` "
            "records them"
        )
    return problems


def coverage_record(
    cases: Sequence[Any], results: Sequence[Any], good_label: str, write: bool
) -> list[str]:
    """Check the committed record against this self-test run (or write it with ``write``);
    the problems that fail the run. Called only for a run of the whole default profile with
    every persona, the only run that sees everything the record may claim."""
    return reconcile(record_of(cases, results, good_label), write)
