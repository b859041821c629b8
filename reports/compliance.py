"""The compliance statement: one self-contained HTML page (and a CSV) built from results.json.

Written for procurement readers, who never run the suite: who was tested, the verdict and what it
means, a summary by domain, and the requirement matrix with claimed and measured values and links
to the evidence files. No scripts, no external resources: it opens offline and prints to A4.
"""

from __future__ import annotations

import csv
import html
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

OUTCOME_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "not_claimed": "Not claimed",
    "not_applicable": "Not applicable",
    "not_tested": "Not tested",
    "inconclusive": "Inconclusive",
}
OUTCOME_ORDER = list(OUTCOME_LABELS)
VERDICT_LABELS = {
    "conforms": "Conforms",
    "does_not_conform": "Does not conform",
    "error": "No valid result (suite error)",
}

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em;color:#1d2330}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.6em;
border-bottom:2px solid #d9dee8;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;font-size:.86em;margin:.6em 0}
th,td{border:1px solid #d9dee8;padding:.3em .45em;text-align:left;vertical-align:top}
th{background:#f2f4f8} .meta td:first-child{font-weight:600;width:14em}
.o{font-weight:600;border-radius:3px;padding:0 .4em;white-space:nowrap}
.o-pass{background:#d6f5dd;color:#11632a}.o-fail{background:#fbd9d9;color:#8a1111}
.o-inconclusive{background:#fde8c8;color:#7a4a00}.o-not_claimed,.o-not_applicable,
.o-not_tested{background:#e6e9ef;color:#3b4457}
.verdict{font-size:1.25em;padding:.5em .8em;border-radius:4px;display:inline-block}
.v-conforms{background:#d6f5dd}.v-does_not_conform{background:#fbd9d9}.v-error{background:#fde8c8}
.bar{display:flex;height:1.1em;min-width:12em;border:1px solid #d9dee8}
.bar span{display:block;height:100%}
.b-pass{background:#3fae5a}.b-fail{background:#d64545}.b-inconclusive{background:#e8a23a}
.b-not_claimed,.b-not_applicable,.b-not_tested{background:#aab3c5}
.small{font-size:.8em;color:#566074} code{font-size:.92em}
@media print{body{margin:0} h2{page-break-after:avoid} tr{page-break-inside:avoid}
a{color:inherit;text-decoration:none}}
@page{size:A4;margin:14mm}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _values(values: dict[str, Any]) -> str:
    if not values:
        return "<span class=small>—</span>"
    items = []
    for key, value in values.items():
        text = json.dumps(value, default=str) if not isinstance(value, str) else value
        if len(text) > 160:
            text = text[:157] + "..."
        items.append(f"<div><code>{_e(key)}</code>: {_e(text)}</div>")
    return "".join(items)


def _outcome(outcome: str) -> str:
    return f"<span class='o o-{_e(outcome)}'>{_e(OUTCOME_LABELS.get(outcome, outcome))}</span>"


def _bar(counts: Counter) -> str:
    total = sum(counts.values()) or 1
    spans = "".join(
        f"<span class='b-{o}' style='width:{100 * counts[o] / total:.1f}%' "
        f"title='{_e(OUTCOME_LABELS[o])}: {counts[o]}'></span>"
        for o in OUTCOME_ORDER
        if counts[o]
    )
    return f"<div class=bar>{spans}</div>"


def _domain_summary(results: dict[str, Any]) -> str:
    by_domain: dict[str, Counter] = defaultdict(Counter)
    for device in results["devices"]:
        for row in device["requirements"]:
            by_domain[row["domain"]][row["outcome"]] += 1
    rows = []
    for domain, counts in sorted(by_domain.items()):
        cells = "".join(f"<td>{counts[o] or ''}</td>" for o in OUTCOME_ORDER)
        rows.append(f"<tr><td>{_e(domain)}</td><td>{_bar(counts)}</td>{cells}</tr>")
    head = "".join(f"<th>{_e(OUTCOME_LABELS[o])}</th>" for o in OUTCOME_ORDER)
    return f"<table><tr><th>Domain</th><th>Outcomes</th>{head}</tr>{''.join(rows)}</table>"


def _matrix(device: dict[str, Any]) -> str:
    rows = []
    for row in device["requirements"]:
        links = (
            " ".join(
                f"<a href='{_e(f['path'])}'>{_e(f['name'])}</a>" for f in row.get("evidence", [])
            )
            or "<span class=small>—</span>"
        )
        reason = f"<div class=small>{_e(row['reason'])}</div>" if row.get("reason") else ""
        source = row["source"]
        rows.append(
            f"<tr id='{_e(device['name'])}-{_e(row['id'])}'><td><code>{_e(row['id'])}</code>"
            f"<div class=small>{_e(source['spec'])}: {_e(source['clause'])}</div></td>"
            f"<td>{_e(row['title'])}</td><td>{_e(row['level'])}</td>"
            f"<td>{_outcome(row['outcome'])}{reason}</td>"
            f"<td>{_values(row.get('claimed', {}))}</td><td>{_values(row.get('measured', {}))}"
            f"</td><td>{links}</td></tr>"
        )
    return (
        "<table><tr><th>Requirement</th><th>Title</th><th>Level</th><th>Outcome</th>"
        "<th>Claimed</th><th>Measured</th><th>Evidence</th></tr>" + "".join(rows) + "</table>"
    )


def render_compliance(results: dict[str, Any]) -> str:
    target = results["target"]
    profile = results["profile"]
    verdict = results["verdict"]
    meta = [
        ("Supplier", target.get("supplier", "")),
        ("Product", target.get("product", "")),
        ("Firmware declared", target.get("firmware", "") or "—"),
        ("Profile", f"{profile['title']} ({profile['id']} v{profile['version']})"),
        ("Profile digest", profile["digest"][:16]),
        ("Suite", f"cctv-conformance {results['suite']['version']}"),
        ("Mode", results["mode"]),
        ("Lab", target.get("lab", "") or "—"),
        ("Run", f"{results['started']} to {results['finished']}"),
        ("Devices", ", ".join(d["name"] for d in results["devices"])),
    ]
    meta_rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in meta)
    devices = []
    for device in results["devices"]:
        notes = "".join(f"<li>{_e(n)}</li>" for n in device.get("notes", []))
        devices.append(
            f"<h2>Device {_e(device['name'])} — "
            f"{_e(VERDICT_LABELS.get(device['verdict'], device['verdict']))}</h2>"
            f"<p class=small>{_e(device['onvif'])}. {_e(device['verdict_meaning'])}</p>"
            + (f"<ul class=small>{notes}</ul>" if notes else "")
            + _matrix(device)
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance statement — {_e(target.get("supplier", ""))} {_e(target.get("product", ""))}
</title><style>{CSS}</style></head><body>
<h1>Compliance statement: {_e(target.get("supplier", ""))} — {_e(target.get("product", ""))}</h1>
<table class=meta>{meta_rows}</table>
<h2>Overall verdict</h2>
<p><span class='verdict v-{_e(verdict)}'>{_e(VERDICT_LABELS.get(verdict, verdict))}</span></p>
<p>{_e(results["verdict_meaning"])}</p>
<p class=small>Outcomes: pass and fail are measured; "not claimed" means a conditional feature the
supplier does not claim and the device does not advertise; "not tested" is always listed with its
reason; "inconclusive" means the suite could not decide (unreachable, timeout, suite error).
Every verdict links to its evidence files, with credentials removed.</p>
<h2>Summary by domain</h2>{_domain_summary(results)}
{"".join(devices)}
<p class=small>Generated from results.json (schema {_e(results["schema"])}).</p>
</body></html>
"""


def _cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula (values may come from devices)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_compliance(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "compliance.html"
    html_path.write_text(render_compliance(results), encoding="utf-8")
    csv_path = out / "compliance.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "device",
                "requirement",
                "title",
                "domain",
                "level",
                "outcome",
                "reason",
                "claimed",
                "measured",
                "evidence",
            ]
        )
        for device in results["devices"]:
            for row in device["requirements"]:
                writer.writerow(
                    _cell(value)
                    for value in [
                        device["name"],
                        row["id"],
                        row["title"],
                        row["domain"],
                        row["level"],
                        row["outcome"],
                        row.get("reason", ""),
                        json.dumps(row.get("claimed", {}), default=str),
                        json.dumps(row.get("measured", {}), default=str),
                        " ".join(f["path"] for f in row.get("evidence", [])),
                    ]
                )
    return html_path, csv_path
