"""The planner's commands: ``inventory`` and ``plan``, registered on ``cctv-conformance``.

They live here rather than in conformance/cli.py so that the planner is one package; the main
parser calls :func:`add_planner_commands` once. Bad input raises
:class:`conformance.errors.InputError`, which ``cctv-conformance`` prints one line a problem
before exiting 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from conformance.planner.plan_command import add_plan_arguments, run_plan


def _inventory(args: argparse.Namespace) -> int:
    from conformance.planner.inventory_from_results import write_inventory

    estate, out = write_inventory(
        [Path(folder) for folder in args.results], Path(args.out), args.estate_name
    )
    authorities = estate["authorities"]
    cameras = sum(len(a["cameras"]) for a in authorities)
    print(
        f"inventory: {len(authorities)} authorities, {cameras} cameras of estate "
        f"{estate['estate']!r} written to {out}"
    )
    return 0


def add_planner_commands(subparsers: Any) -> None:
    """Register the planner's commands on the ``cctv-conformance`` subparsers."""
    inventory = subparsers.add_parser(
        "inventory",
        help="draft an estate inventory (YAML) from camera runs' results folders",
        description=(
            "Draft an estate inventory from camera runs: one camera per device, grouped by the "
            "authority (site) its results name, with the identity and stream it reported. "
            "Complete the draft by hand before planning with it."
        ),
    )
    inventory.add_argument(
        "--results",
        nargs="+",
        required=True,
        metavar="DIR",
        help="results folders of camera runs (a later folder's device replaces an earlier one)",
    )
    inventory.add_argument("--out", required=True, metavar="FILE", help="inventory to write")
    inventory.add_argument(
        "--estate-name", metavar="NAME", help="the estate's name (default: the target file's)"
    )
    inventory.set_defaults(func=_inventory)

    plan = subparsers.add_parser(
        "plan",
        help="options for merging an estate's CCTV platforms, from an inventory and results",
        description=(
            "For each candidate VMS: which cameras work end to end, after a named change, need "
            "replacement or are unknown, what the option loses, and its disruption; ranked, with "
            "an order of work and what to test next (docs/planner.md)."
        ),
    )
    add_plan_arguments(plan)
    plan.set_defaults(func=run_plan)
