"""The requirement matrix of the compliance statement: one row per requirement and device.

Each row reads on its own: the ID (never wrapped), the clause it comes from, the outcome with its
reason in plain words, and claimed / measured / expected as short labelled values with units
(:mod:`reports.values`), full values one click away. A value several rows share (an export job
judged by a dozen checks) is shown once and the other rows point to it. When a check explains a
pass that could look odd (``summary``), the explanation sits under the outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reports.evidence import thumbnail_data_uri
from reports.html import e, outcome_badge, plain_reason
from reports.values import shared_values, values_cell

VALUE_FIELDS = ("claimed", "measured", "expected")

MATRIX_CSS = """
td{overflow-wrap:anywhere}
table.matrix{table-layout:fixed}
.matrix th:nth-child(1){width:18%} .matrix th:nth-child(2){width:11%}
.matrix th:nth-child(3){width:8%} .matrix th:nth-child(4){width:13%}
.matrix th:nth-child(5){width:11%} .matrix th:nth-child(6){width:25%}
.matrix th:nth-child(7){width:14%}
.matrix .thumb{width:100%;max-width:120px}
.matrix .summary{font-size:.8em;color:#11632a}
"""


PICTURE_TYPES = {"image/png": "decoded frame", "image/jpeg": "picture as the device sent it"}


def images(row: dict[str, Any], folder: Path | None) -> str:
    """The row's pictures (decoded frames, snapshots as sent) as embedded thumbnails, each
    linking to the full file."""
    out = []
    for f in row.get("evidence", []):
        if f.get("media_type") in PICTURE_TYPES:
            uri = thumbnail_data_uri(folder, f["path"])
            if uri:
                kind = PICTURE_TYPES[f["media_type"]]
                out.append(
                    f"<a href='{e(f['path'])}'><img class=thumb src='{e(uri)}' "
                    f"alt='{e(f['name'])} ({kind})'></a>"
                )
    return "".join(out)


def row_summary(row: dict[str, Any]) -> str:
    """The check's own explanation of its verdict: a ``summary`` the check measured (e.g.
    EXPORT-IDENTICAL-01's "109 of 109 exported access units ...") or one on the row."""
    return str(row.get("summary") or (row.get("measured") or {}).get("summary") or "")


def _outcome_cell(row: dict[str, Any]) -> str:
    reason = f"<div class=small>{e(plain_reason(row['reason']))}</div>" if row.get("reason") else ""
    text = row_summary(row)
    summary = f"<div class=summary>{e(text)}</div>" if text else ""
    vms = f"<div class=small>judged through the VMS {e(row['vms'])}</div>" if row.get("vms") else ""
    return f"{outcome_badge(row['outcome'])}{reason}{summary}{vms}"


def render_matrix(device: dict[str, Any], folder: Path | None) -> str:
    """The device's matrix table (rows anchored ``<device>-<ID>`` for links from elsewhere)."""
    rows = device["requirements"]
    anchor = str(device["name"])
    shared = shared_values(rows, VALUE_FIELDS)
    out = []
    for row in rows:
        links = (
            " ".join(
                f"<a href='{e(f['path'])}'>{e(f['name'])}</a>" for f in row.get("evidence", [])
            )
            or "<span class=small>—</span>"
        )
        source = row["source"]
        expected = row.get("expected") or {}

        def cell(field: str, row: dict[str, Any] = row) -> str:
            values = dict(row.get(field) or {})
            if field == "measured":
                values.pop("summary", None)  # shown in words under the outcome
            return values_cell(values, row["id"], shared, anchor)

        out.append(
            f"<tr id='{e(anchor)}-{e(row['id'])}' class='req o-row-{e(row['outcome'])}'>"
            f"<td><code class=rid>{e(row['id'])}</code>"
            f"<div class=small>{e(source.get('spec', ''))}: {e(source.get('clause', ''))}</div>"
            "</td>"
            f"<td>{e(row['title'])}</td><td>{e(row['level'])}</td>"
            f"<td>{_outcome_cell(row)}</td>"
            f"<td>{cell('claimed')}</td>"
            f"<td>{cell('measured')}"
            + (f"<div class=small><b>expected</b></div>{cell('expected')}" if expected else "")
            + f"</td><td>{images(row, folder)}{links}</td></tr>"
        )
    return (
        "<table class=matrix><tr><th>Requirement</th><th>Title</th><th>Level</th><th>Outcome</th>"
        "<th>Claimed</th><th>Measured (and expected)</th><th>Evidence</th></tr>"
        + "".join(out)
        + "</table>"
    )
