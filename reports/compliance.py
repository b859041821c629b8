"""The compliance statement: one self-contained HTML page (and a CSV) built from results.json.

Written for procurement readers, who never run the suite. The first screen is the decision
(:mod:`reports.first_screen`: verdict, root causes, scope); then who and what was tested,
the outcome legend, outcomes by domain, contradictions between claims and measurements, the
supplier's declaration (:mod:`reports.declaration`), per device the claims, streams, root causes
and the requirement matrix (:mod:`reports.matrix`), limitations and a SHA-256 manifest
(:mod:`reports.statement_sections`). Nothing is loaded when it opens (inline CSS and SVG,
thumbnails as data: URIs), so it can be e-mailed alone, opened offline and printed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from reports.claims import claim_findings, contradictions, measured_firmware
from reports.compatibility import render_compatibility
from reports.declaration import DECLARATION_CSS, findings_table, render_declaration
from reports.first_screen import FIRST_SCREEN_CSS, render_first_screen
from reports.html import VERDICT_LABELS, csv_safe, e, external_link, legend_html, page
from reports.matrix import MATRIX_CSS, render_matrix
from reports.root_causes import render_root_causes
from reports.statement_sections import domain_summary, evidence_manifest, limitations, streams
from reports.values import VALUES_CSS

CSS = (
    """
.thumb{display:block;width:120px;height:auto;border:1px solid #d9dee8;margin:.2em 0}
figure{display:inline-block;margin:.3em 1em .6em 0;vertical-align:top}
figcaption{font-size:.78em;color:#566074}
.hash{font-family:ui-monospace,monospace;font-size:.75em;word-break:break-all}
.st-changed,.st-missing{color:#8a1111;font-weight:600}
table.manifest{table-layout:fixed} .manifest th:nth-child(1){width:42%}
.manifest th:nth-child(2){width:40%}
h1{margin-top:0}
"""
    + MATRIX_CSS
    + VALUES_CSS
    + FIRST_SCREEN_CSS
    + DECLARATION_CSS
)


def vms_text(vms: dict[str, Any] | None) -> str:
    """The VMS that made the exports judged in this run, in one line ("" when none)."""
    if not vms:
        return ""
    name = str(vms.get("name") or "")
    product = " ".join(str(vms.get(k) or "") for k in ("product", "version")).strip()
    address = str(vms.get("address") or "")
    text = name + (f" ({product})" if product else "")
    return text + (f" at {address}" if address else "")


def _meta(results: dict[str, Any]) -> list[tuple[str, str]]:
    target = results["target"]
    profile = results["profile"]
    reported = ", ".join(
        f"{d['name']}: {measured_firmware(d) or '(not reported)'}" for d in results["devices"]
    )
    meta = [
        ("Supplier", target.get("supplier", "") or "—"),
        ("Product", target.get("product", "") or "—"),
        ("Firmware declared", target.get("firmware", "") or "—"),
        ("Firmware reported by the device", reported or "—"),
        ("Profile", f"{profile['title']} ({profile['id']} version {profile['version']})"),
        ("Profile digest (SHA-256)", profile["digest"]),
        ("Suite", f"cctv-conformance {results['suite']['version']}"),
        ("Date (UTC)", f"{results['started']} to {results['finished']}"),
        ("Lab", target.get("lab", "") or "—"),
        ("Mode", "passive (read-only)" if results["mode"] == "passive" else results["mode"]),
        ("Devices", ", ".join(d["name"] for d in results["devices"]) or "—"),
    ]
    vms = vms_text(results.get("vms"))
    if vms:
        meta.append(("VMS that made the exports", vms))
    return meta


def _device_section(results: dict[str, Any], device: dict[str, Any], folder: Path | None) -> str:
    claims = results["target"].get("claims") or {}
    notes = "".join(f"<li>{e(n)}</li>" for n in device.get("notes", []))
    return (
        f"<h2 class=pagebreak>Device {e(device['name'])} — "
        f"{e(VERDICT_LABELS.get(device['verdict'], device['verdict']))}</h2>"
        f"<p class=small>{e(device['onvif'])}. {e(device['verdict_meaning'])}</p>"
        + (f"<ul class=small>{notes}</ul>" if notes else "")
        + "<h3>Claims against measurements</h3>"
        + findings_table(claim_findings(claims, device), device["name"])
        + streams(device, folder)
        + render_root_causes(device)
        + "<h3>Requirement matrix</h3>"
        + render_matrix(device, folder)
    )


def render_compliance(results: dict[str, Any], folder: Path | None = None) -> str:
    """The statement page; ``folder`` is the results folder (for thumbnails and re-hashing)."""
    target = results["target"]
    meta_rows = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in _meta(results))
    contra = []
    for device in results["devices"]:
        found = contradictions(target, device)
        contra.append(
            f"<h3>{e(device['name'])}</h3>"
            + (findings_table(found, device["name"]) if found else "<p class=small>None found.</p>")
        )
    sources = sorted(
        {
            (r["source"].get("spec", ""), r["source"].get("url", ""))
            for d in results["devices"]
            for r in d["requirements"]
            if r["source"].get("url")
        }
    )
    source_list = "".join(f"<li>{external_link(url, spec)}</li>" for spec, url in sources)
    body = f"""
<h1>Compliance statement: {e(target.get("supplier", ""))} — {e(target.get("product", ""))}</h1>
{render_first_screen(results)}
<h2>What was tested</h2>
<table class=meta>{meta_rows}</table>
<h2>What the verdict and outcomes mean</h2>
<p class=small>"Conforms" means every mandatory requirement of the profile that applies to the
device passed and no feature the supplier claims failed. "Incomplete" means nothing failed, but
a mandatory requirement could not be judged in this lab (the environment or a scene change the
run could not make, never the device): it is neither a pass nor a fail. Anything else is "does
not conform"; a suite error gives no valid result. An inconclusive check "blocked by" another
requirement could not run because of a fault that requirement judges (and fails). Each outcome
below means:</p>
{legend_html()}
<h2>Summary by domain</h2>{domain_summary(results)}
<h2>Contradictions between claims, the device's answers and measurements</h2>
<p class=small>A supplier claim the device itself denies, a firmware version other than the one
declared, or a measured stream that differs from the claimed format or frame rate.</p>
{"".join(contra)}
{render_declaration(results)}
{render_compatibility(results.get("compatibility"))}
{"".join(_device_section(results, d, folder) for d in results["devices"])}
{limitations(results)}
{evidence_manifest(results, folder)}
<h2>Sources</h2><p class=small>Specifications the requirements cite. These links open only when
clicked; nothing is fetched when this page opens.</p><ul class=small>{source_list}</ul>
<p class=small>Generated from results.json (schema {e(results["schema"])}).</p>
"""
    title = f"Compliance statement — {target.get('supplier', '')} {target.get('product', '')}"
    return page(title, body, CSS)


CSV_COLUMNS = [
    "device",
    "requirement",
    "title",
    "domain",
    "level",
    "outcome",
    "cause",
    "reason",
    "blocked_by",
    "claimed",
    "measured",
    "expected",
    "evidence",
    "evidence_sha256",
]


def write_csv(results: dict[str, Any], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for device in results["devices"]:
            for row in device["requirements"]:
                writer.writerow(
                    csv_safe(value)
                    for value in [
                        device["name"],
                        row["id"],
                        row["title"],
                        row["domain"],
                        row["level"],
                        row["outcome"],
                        row.get("cause", ""),
                        row.get("reason", ""),
                        row.get("blocked_by", ""),
                        json.dumps(row.get("claimed", {}), default=str),
                        json.dumps(row.get("measured", {}), default=str),
                        json.dumps(row.get("expected", {}), default=str),
                        " ".join(f["path"] for f in row.get("evidence", [])),
                        " ".join(f.get("sha256", "") for f in row.get("evidence", [])),
                    ]
                )
    return path


def write_compliance(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """Write compliance.html and compliance.csv into ``out`` (the results folder)."""
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "compliance.html"
    html_path.write_text(render_compliance(results, out), encoding="utf-8")
    return html_path, write_csv(results, out / "compliance.csv")
