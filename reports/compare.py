"""Supplier comparison: several result folders side by side, requirement by requirement.

Procurement compares suppliers row by row: requirements down, one column per tested device
across, labelled "supplier — product, device" (never a folder name) with the firmware the device
*reported* ("not reported" when it gave none; the declared one beside it, never in its place) and
the VMS that made the recordings judged, when there was one. Each cell is the outcome linking to
that folder's evidence, and every outcome other than a pass says why (a blocked check names its
blocker). Rows whose outcomes differ are highlighted. Declarations, claims and contradictions
follow, side by side (reports/compare_sides.py). Filters (profile, level, domain, differences
only) are a few lines of inline script; nothing is loaded, and with scripts off or on paper every
row shows.
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
from reports.compare_sides import (
    findings_sections,
    identity_html,
    reason_html,
    reported_identity,
    rid,
    vms_text,
)
from reports.compatibility import merge_compatibility, render_compatibility
from reports.html import (
    OUTCOME_LABELS,
    VERDICT_LABELS,
    csv_safe,
    e,
    legend_html,
    outcome_badge,
    page,
    plain_reason,
)


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
        """Supplier — product, device: what a reader compares (never a folder name)."""
        t = self.results.get("target") or {}
        supplier = str(t.get("supplier") or "").strip() or "(supplier not named)"
        product = str(t.get("product") or "").strip() or "(product not named)"
        return f"{supplier} — {product}, {self.device.get('name', '?')}"

    @property
    def identity(self) -> dict[str, str]:
        """What the device reported about itself ("not reported" where it gave nothing)."""
        return reported_identity(self.device)

    @property
    def firmware(self) -> str:
        """The firmware the device reported; never the declared one in its place."""
        return self.identity["firmware"]

    @property
    def declared_firmware(self) -> str:
        return str((self.results.get("target") or {}).get("firmware") or "") or "not declared"

    @property
    def vms(self) -> str:
        return vms_text(self.results)

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
th.col{min-width:9em;font-size:.85em} td.cell{min-width:8em}
code.rid{white-space:nowrap;word-break:normal} .suppliers td:first-child{min-width:12em}
.why{font-size:.78em;color:#3b4457;margin-top:.15em} .why summary{cursor:pointer}
.why .full,.sides .full{white-space:pre-wrap;word-break:break-word}
.absent{font-style:italic;color:#8a1111}
.sides th.subj{width:12em;font-weight:600} .finding+.finding{margin-top:.4em}
.tag-none{border-color:#9aa4b8;color:#3b4457}
svg.chart{max-width:100%;height:auto}
#filters{margin:.6em 0;padding:.5em;border:1px solid #d9dee8;background:#f7f8fb}
#filters label{margin-right:1em}
@media print{#filters{display:none} details>summary{list-style:none}
.diff td{background:#fff6e0 !important;
-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _options(name: str, values: list[str]) -> str:
    opts = "".join(f"<option value='{e(v)}'>{e(v)}</option>" for v in values)
    return (
        f"<label>{e(name)} <select name={e(name)}><option value=''>all</option>{opts}"
        "</select></label>"
    )


def column_head(i: int, col: Column) -> str:
    """A column's heading: supplier — product, device, then what the device reported."""
    vms = f"<br>VMS {e(col.vms)}" if col.vms else ""
    return (
        f"#{i} {e(col.label)}<div class=small>firmware reported "
        f"{identity_html(col.firmware)}<br>declared {e(col.declared_firmware)}{vms}<br>"
        f"{e(col.profile)}</div>"
    )


def _cell_html(
    col: Column, rid_: str, row: dict[str, Any], first: dict[str, Any], out: Path
) -> str:
    statement = os.path.relpath(col.folder / "compliance.html", out)
    anchor = f"{statement}#{col.device['name']}-{rid_}"
    files = row.get("evidence", [])
    first_file = os.path.relpath(col.folder / files[0]["path"], out) if files else ""
    evidence = (
        f"<div class=small><a href='{e(first_file)}'>"
        f"{len(files)} evidence file{'s' if len(files) != 1 else ''}</a></div>"
        if files
        else ""
    )
    level = f"<div class=small>{e(row['level'])}</div>" if row["level"] != first["level"] else ""
    via = f"<div class=small>via VMS {e(row['vms'])}</div>" if row.get("vms") else ""
    return (
        f"<td class=cell><a href='{e(anchor)}'>{outcome_badge(row['outcome'])}</a>"
        f"{reason_html(row)}{level}{via}{evidence}</td>"
    )


def _table(columns: list[Column], out: Path) -> tuple[str, int, int]:
    order: dict[str, dict[str, Any]] = {}
    profiles: dict[str, set[str]] = {}
    for col in columns:
        for rid_, row in col.rows().items():
            order.setdefault(rid_, row)
            profiles.setdefault(rid_, set()).add(col.results["profile"]["id"])
    head = "".join(f"<th class=col>{column_head(i, c)}</th>" for i, c in enumerate(columns, 1))
    body = []
    n_diff = 0
    for rid_, first in order.items():
        cells, outcomes = [], []
        for col in columns:
            row = col.rows().get(rid_)
            if row is None:
                outcomes.append("absent")
                cells.append("<td class=cell><span class=small>not in profile</span></td>")
                continue
            outcomes.append(row["outcome"])
            cells.append(_cell_html(col, rid_, row, first, out))
        diff = len(set(outcomes)) > 1
        n_diff += diff
        body.append(
            f"<tr class='req{' diff' if diff else ''}' id='{e(rid_)}' "
            f"data-profiles='{e(' '.join(sorted(profiles[rid_])))}' "
            f"data-level='{e(first['level'])}' "
            f"data-domain='{e(first['domain'])}'><td class=rq>{rid(rid_)}"
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


def _summary(columns: list[Column], out: Path) -> str:
    """Who was tested: labels, what each device reported (never filled in), VMS, verdict."""
    any_vms = any(c.vms for c in columns)
    rows = []
    for i, c in enumerate(columns, 1):
        ident = c.identity
        others = "".join(
            f"<div>{e(name)}: {identity_html(value)}</div>"
            for name, value in ident.items()
            if name != "firmware"
        )
        vms = f"<td>{e(c.vms) or '<span class=small>none</span>'}</td>" if any_vms else ""
        rows.append(
            f"<tr><td>#{i} {e(c.label)}</td><td>{identity_html(c.firmware)}</td>"
            f"<td>{e(c.declared_firmware)}</td><td class=small>{others}</td>{vms}"
            f"<td>{e(c.profile)}</td><td>{e(c.results.get('started', ''))}</td>"
            f"<td><span class='o v-{e(c.device['verdict'])}'>"
            f"{e(VERDICT_LABELS.get(c.device['verdict'], c.device['verdict']))}</span></td>"
            f"<td><a href='{e(os.path.relpath(c.folder / 'compliance.html', out))}'>statement</a>"
            "</td></tr>"
        )
    vms_head = "<th>VMS (exports and recordings)</th>" if any_vms else ""
    return (
        "<table class=suppliers><tr><th>Supplier — product, device</th>"
        "<th>Firmware (reported)</th><th>Firmware (declared)</th><th>Identity (reported)</th>"
        f"{vms_head}<th>Profile</th><th>Tested (UTC)</th><th>Verdict</th><th>Report</th></tr>"
        f"{''.join(rows)}</table>"
    )


def render_compare(columns: list[Column], out: Path) -> str:
    table, n_rows, n_diff = _table(columns, out)
    counts = {
        f"#{i} {c.label}": Counter(r["outcome"] for r in c.device["requirements"])
        for i, c in enumerate(columns, 1)
    }
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
    heads = [f"#{i} {e(c.label)}" for i, c in enumerate(columns, 1)]
    bars = outcome_bars(counts, width=900, label_w=480, aria="Outcomes per supplier")
    body = f"""
<h1>Supplier comparison</h1>
<p>{len(columns)} tested device(s) side by side, {n_rows} requirements;
<b id=ndiff>{n_diff}</b> row(s) where the outcomes differ are highlighted. Each outcome other
than a pass carries its reason; click an outcome for the supplier's compliance statement and its
evidence. Firmware and identity are what each device reported; "not reported" means the device
gave none (the declared firmware is shown beside it, never in its place).</p>
{_summary(columns, out)}
<h2>Outcomes per supplier</h2><div class=keep>{bars}</div>
{render_compatibility(merge_compatibility(_sections(columns)))}
<h2>Requirement by requirement</h2>{filters}{table}
{findings_sections(columns, heads)}
<h2>What the outcomes mean</h2>{legend_html()}
<p class=small>Built from {len({c.folder for c in columns})} results folder(s); links are relative,
so keep this page beside them.</p>
"""
    return page("Supplier comparison", body, CSS, FILTER_SCRIPT)


def _csv_reason(row: dict[str, Any]) -> str:
    if not row or row.get("outcome") == "pass":
        return ""
    blocked = str(row.get("blocked_by") or "")
    reason = " ".join(plain_reason(str(row.get("reason") or "")).split())
    return f"blocked by {blocked}: {reason}" if blocked and "blocked by" not in reason else reason


def write_compare(folders: list[Path], out: Path) -> tuple[Path, Path]:
    """Write compare.html and compare.csv into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    columns = load_columns(folders)
    html_path = out / "compare.html"
    html_path.write_text(render_compare(columns, out.resolve()), encoding="utf-8")
    csv_path = out / "compare.csv"
    ids: dict[str, dict[str, Any]] = {}
    for col in columns:
        for rid_, row in col.rows().items():
            ids.setdefault(rid_, row)
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        labels = [
            f"#{i} {c.label} (firmware reported: {c.firmware})" for i, c in enumerate(columns, 1)
        ]
        writer.writerow(
            [csv_safe(v) for v in ["requirement", "title", "domain", "level", *labels]]
            + [f"#{i} reason" for i in range(1, len(columns) + 1)]
            + ["differs"]
        )
        for rid_, first in ids.items():
            rows = [col.rows().get(rid_, {}) for col in columns]
            outcomes = [r.get("outcome", "") for r in rows]
            writer.writerow(
                csv_safe(v)
                for v in [rid_, first["title"], first["domain"], first["level"], *outcomes]
                + [_csv_reason(r) for r in rows]
                + ["yes" if len(set(outcomes)) > 1 else "no"]
            )
    return html_path, csv_path


__all__ = ["CompareError", "OUTCOME_LABELS", "load_columns", "render_compare", "write_compare"]
