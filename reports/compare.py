"""Supplier comparison: several result folders side by side, requirement by requirement.

Procurement compares suppliers row by row: requirements down, one column per tested device
(supplier, product, firmware, device) across, the outcome in each cell linking to that
folder's evidence. Rows whose outcomes differ are highlighted. Filters (profile, level, domain,
differences only) are a few lines of inline script; nothing is loaded, and with scripts off or
on paper every row shows.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.charts import outcome_bars
from reports.claims import measured_firmware
from reports.compatibility import merge_compatibility, render_compatibility
from reports.compliance import _cell
from reports.html import OUTCOME_LABELS, VERDICT_LABELS, e, legend_html, outcome_badge, page


class CompareError(ValueError):
    """A folder given to ``compare`` holds no usable results.json."""


@dataclass
class Column:
    """One tested device of one result folder."""

    folder: Path
    results: dict[str, Any]
    device: dict[str, Any]

    @property
    def label(self) -> str:
        t = self.results["target"]
        return f"{t.get('supplier', '')} — {t.get('product', '')}"

    @property
    def firmware(self) -> str:
        return measured_firmware(self.device) or self.results["target"].get("firmware", "") or "?"

    @property
    def profile(self) -> str:
        p = self.results["profile"]
        return f"{p['id']} v{p['version']}"

    def rows(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.device["requirements"]}


def load_columns(folders: list[Path]) -> list[Column]:
    columns = []
    for folder in folders:
        path = folder / "results.json"
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
            devices = results["devices"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CompareError(f"{path}: not a readable results.json ({exc})") from None
        columns.extend(Column(folder, results, device) for device in devices)
    if not columns:
        raise CompareError("no devices in the given result folders")
    return columns


FILTER_SCRIPT = """
(function(){
  var f=document.getElementById('filters'); if(!f) return;
  f.hidden=false;
  function apply(){
    var p=f.profile.value,l=f.level.value,d=f.domain.value,x=f.diff.checked,n=0;
    document.querySelectorAll('tr.req').forEach(function(r){
      var ok=(!p||(' '+r.dataset.profiles+' ').indexOf(' '+p+' ')>=0)&&(!l||r.dataset.level===l)
        &&(!d||r.dataset.domain===d)&&(!x||r.classList.contains('diff'));
      r.style.display=ok?'':'none'; if(ok) n++;
    });
    document.getElementById('shown').textContent=n;
  }
  f.addEventListener('change',apply); apply();
})();
"""

CSS = """
.diff td{background:#fff6e0} .diff td.rq{box-shadow:inset 4px 0 0 #e8a23a}
th.col{min-width:9em;font-size:.85em} td.cell{white-space:nowrap}
#filters{margin:.6em 0;padding:.5em;border:1px solid #d9dee8;background:#f7f8fb}
#filters label{margin-right:1em}
@media print{#filters{display:none} .diff td{background:#fff6e0 !important;
-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _options(name: str, values: list[str]) -> str:
    opts = "".join(f"<option value='{e(v)}'>{e(v)}</option>" for v in values)
    return (
        f"<label>{e(name)} <select name={e(name)}><option value=''>all</option>{opts}"
        "</select></label>"
    )


def _table(columns: list[Column], out: Path) -> tuple[str, int, int]:
    order: dict[str, dict[str, Any]] = {}
    profiles: dict[str, set[str]] = {}
    for col in columns:
        for rid, row in col.rows().items():
            order.setdefault(rid, row)
            profiles.setdefault(rid, set()).add(col.results["profile"]["id"])
    head = "".join(
        f"<th class=col>#{i} {e(c.label)}<div class=small>firmware {e(c.firmware)}<br>"
        f"{e(c.device['name'])}<br>{e(c.profile)}<br>folder {e(c.folder.name)}</div></th>"
        for i, c in enumerate(columns, 1)
    )
    body = []
    n_diff = 0
    for rid, first in order.items():
        cells, outcomes = [], []
        for col in columns:
            row = col.rows().get(rid)
            if row is None:
                outcomes.append("absent")
                cells.append("<td class=cell><span class=small>not in profile</span></td>")
                continue
            outcomes.append(row["outcome"])
            statement = os.path.relpath(col.folder / "compliance.html", out)
            anchor = f"{statement}#{col.device['name']}-{rid}"
            files = row.get("evidence", [])
            first_file = os.path.relpath(col.folder / files[0]["path"], out) if files else ""
            evidence = (
                f"<div class=small><a href='{e(first_file)}'>"
                f"{len(files)} evidence file{'s' if len(files) != 1 else ''}</a></div>"
                if files
                else ""
            )
            level = (
                f"<div class=small>{e(row['level'])}</div>"
                if row["level"] != first["level"]
                else ""
            )
            cells.append(
                f"<td class=cell><a href='{e(anchor)}'>{outcome_badge(row['outcome'])}</a>"
                f"{level}{evidence}</td>"
            )
        diff = len(set(outcomes)) > 1
        n_diff += diff
        body.append(
            f"<tr class='req{' diff' if diff else ''}' id='{e(rid)}' "
            f"data-profiles='{e(' '.join(sorted(profiles[rid])))}' "
            f"data-level='{e(first['level'])}' "
            f"data-domain='{e(first['domain'])}'><td class=rq><code>{e(rid)}</code>"
            f"<div class=small>{e(first['title'])}</div></td><td>{e(first['domain'])}</td>"
            f"<td>{e(first['level'])}</td>{''.join(cells)}</tr>"
        )
    table = (
        "<table class=compare><tr><th>Requirement</th><th>Domain</th><th>Level</th>"
        f"{head}</tr>{''.join(body)}</table>"
    )
    return table, len(order), n_diff


def _sections(columns: list[Column]) -> list[dict[str, Any] | None]:
    """Each results folder's compatibility matrix once (several columns share a folder)."""
    seen = {c.folder: c.results.get("compatibility") for c in columns}
    return list(seen.values())


def render_compare(columns: list[Column], out: Path) -> str:
    table, n_rows, n_diff = _table(columns, out)
    counts = {
        f"#{i} {c.folder.name}/{c.device['name']}": Counter(
            r["outcome"] for r in c.device["requirements"]
        )
        for i, c in enumerate(columns, 1)
    }
    summary = "".join(
        f"<tr><td>#{i} {e(c.label)}<div class=small>folder {e(c.folder.name)}</div></td>"
        f"<td>{e(c.firmware)}</td><td>{e(c.device['name'])}</td>"
        f"<td>{e(c.profile)}</td><td>{e(c.results['started'])}</td>"
        f"<td><span class='o v-{e(c.device['verdict'])}'>"
        f"{e(VERDICT_LABELS.get(c.device['verdict'], c.device['verdict']))}</span></td>"
        f"<td><a href='{e(os.path.relpath(c.folder / 'compliance.html', out))}'>statement</a>"
        "</td></tr>"
        for i, c in enumerate(columns, 1)
    )
    all_profiles = sorted({c.results["profile"]["id"] for c in columns})
    levels = sorted({r["level"] for c in columns for r in c.device["requirements"]})
    domains = sorted({r["domain"] for c in columns for r in c.device["requirements"]})
    filters = (
        "<form id=filters hidden>"
        + _options("profile", all_profiles)
        + _options("level", levels)
        + _options("domain", domains)
        + "<label><input type=checkbox name=diff> only rows that differ</label>"
        f" <span class=small><span id=shown>{n_rows}</span> of {n_rows} rows shown</span></form>"
    )
    body = f"""
<h1>Supplier comparison</h1>
<p>{len(columns)} tested device(s) side by side, {n_rows} requirements;
<b id=ndiff>{n_diff}</b> row(s) where the outcomes differ are highlighted. Click an outcome for
the supplier's compliance statement and its evidence.</p>
<table class=suppliers><tr><th>Supplier — product</th><th>Firmware (reported)</th><th>Device</th>
<th>Profile</th><th>Tested (UTC)</th><th>Verdict</th><th>Report</th></tr>{summary}</table>
<h2>Outcomes per supplier</h2><div class=keep>{outcome_bars(counts, width=760)}</div>
{render_compatibility(merge_compatibility(_sections(columns)))}
<h2>Requirement by requirement</h2>{filters}{table}
<h2>What the outcomes mean</h2>{legend_html()}
<p class=small>Built from {len({c.folder for c in columns})} results folder(s); links are relative,
so keep this page beside them.</p>
"""
    return page("Supplier comparison", body, CSS, FILTER_SCRIPT)


def write_compare(folders: list[Path], out: Path) -> tuple[Path, Path]:
    """Write compare.html and compare.csv into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    columns = load_columns(folders)
    html_path = out / "compare.html"
    html_path.write_text(render_compare(columns, out.resolve()), encoding="utf-8")
    csv_path = out / "compare.csv"
    ids: dict[str, dict[str, Any]] = {}
    for col in columns:
        for rid, row in col.rows().items():
            ids.setdefault(rid, row)
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["requirement", "title", "domain", "level"]
            + [f"{c.label} | {c.firmware} | {c.device['name']} | {c.folder}" for c in columns]
            + ["differs"]
        )
        for rid, first in ids.items():
            outcomes = [col.rows().get(rid, {}).get("outcome", "") for col in columns]
            writer.writerow(
                _cell(v)
                for v in [rid, first["title"], first["domain"], first["level"], *outcomes]
                + ["yes" if len(set(outcomes)) > 1 else "no"]
            )
    return html_path, csv_path


__all__ = ["CompareError", "OUTCOME_LABELS", "load_columns", "render_compare", "write_compare"]
