"""plan.csv: one row per (option, camera), one row per option that could not be assessed.

Every cell goes through :func:`reports.html.csv_safe` (camera names and summaries come from an
inventory or a device: a cell starting like a formula is prefixed with ``'``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from reports.html import csv_safe
from reports.plan_parts import is_assessable

CSV_COLUMNS = [
    "option",
    "rank",
    "authority",
    "camera",
    "make",
    "model",
    "firmware",
    "role",
    "status",
    "summary",
    "changes",
    "change_requirements",
    "verdicts",
    "matrix_cells",
    "camera_evidence",
    "dark_h",
    "must_not_go_dark",
    "maintenance_window",
]


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def camera_row(option: dict[str, Any], camera: dict[str, Any]) -> list[str]:
    changes = camera.get("changes") or []
    change_ids = dict.fromkeys(r for c in changes for r in c.get("requirements") or [])
    verdicts = "; ".join(
        f"{v.get('requirement', '')}: {v.get('outcome', '')}" for v in camera.get("verdicts") or []
    )
    cells = "; ".join(
        f"{c.get('vms', '')} · {c.get('camera', '')}: {c.get('stage', '')} {c.get('outcome', '')}"
        for c in camera.get("cells") or []
    )
    return [
        option.get("id", ""),
        option.get("rank", ""),
        camera.get("authority", ""),
        camera.get("camera", ""),
        camera.get("make", ""),
        camera.get("model", ""),
        camera.get("firmware", ""),
        camera.get("role", ""),
        camera.get("status", ""),
        camera.get("summary", ""),
        "; ".join(str(c.get("label") or c.get("kind", "")) for c in changes),
        " ".join(change_ids),
        verdicts,
        cells,
        (camera.get("camera_evidence") or {}).get("source", ""),
        camera.get("dark_h", 0),
        _yes(camera.get("must_not_go_dark")),
        _yes(camera.get("maintenance_window")),
    ]


def not_assessable_row(option: dict[str, Any]) -> list[str]:
    row = [""] * len(CSV_COLUMNS)
    row[CSV_COLUMNS.index("option")] = option.get("id", "")
    row[CSV_COLUMNS.index("status")] = "not assessable"
    test = option.get("test") or ""
    row[CSV_COLUMNS.index("summary")] = (
        f"not assessable: {option.get('not_assessable_reason') or 'no evidence'}"
        + (f"; test that would assess it: {test}" if test else "")
    )
    return row


def write_plan_csv(plan: dict[str, Any], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for option in plan.get("options") or []:
            if not is_assessable(option):
                writer.writerow(csv_safe(v) for v in not_assessable_row(option))
                continue
            for camera in option.get("cameras") or []:
                writer.writerow(csv_safe(v) for v in camera_row(option, camera))
    return path
