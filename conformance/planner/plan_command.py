"""``cctv-conformance plan``: options, reads and reports for merging an estate's CCTV platforms.

Bad input (the inventory, a results folder) is found all at once, before anything is written:
one line per problem naming the file and the field, exit status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance.errors import InputError, raise_all

STATUS_ORDER = ("works", "needs_change", "needs_replacement", "unknown")


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--estate", required=True, help="the estate inventory (YAML)")
    parser.add_argument(
        "--results",
        nargs="+",
        required=True,
        metavar="DIR",
        help="result folders: estate audits, lab runs, vms-ingest runs of candidate VMSs",
    )
    parser.add_argument("--out", default="out/plan", help="where plan.html/csv/json go")


def run_plan(args: argparse.Namespace) -> int:
    from conformance.planner.build import build_plan, write_plan
    from conformance.planner.evidence import index_results
    from conformance.planner.inventory import load_inventory

    out = Path(args.out)
    folders = [Path(f) for f in args.results]
    errors: list[InputError] = []
    estate = index = None
    try:
        estate = load_inventory(args.estate)
    except InputError as exc:
        errors.append(exc)
    try:
        index = index_results(folders, out)
    except InputError as exc:
        errors.append(exc)
    raise_all(errors)  # the inventory's and every folder's problems at once
    plan = build_plan(estate, str(args.estate), index)
    written = write_plan(plan, out)
    _print_summary(plan)
    print("plan: " + ", ".join(str(p) for p in written))
    return 0


def _print_summary(plan: dict) -> None:
    print(f"estate {plan['estate']}: {plan['totals']['cameras']} cameras in "
          f"{plan['totals']['authorities']} authorities")  # fmt: skip
    for option in plan["options"]:
        if not option["assessable"]:
            print(f"  -  {option['label']}: not assessable ({option['not_assessable_reason']})")
            continue
        counts = option["counts"]
        parts = ", ".join(f"{counts[s]} {s.replace('_', ' ')}" for s in STATUS_ORDER)
        d = option["disruption"]
        print(
            f"  {option['rank']}. {option['label']}: {parts}; score {d['score']} "
            f"(worst case {d['worst_case_score']})"
        )
    if plan["recommended"]:
        print(f"recommended: {plan['recommended']}")
    for warning in plan["warnings"]:
        print(f"warning: {warning}")
