"""The compliance statement: one self-contained HTML page (and a CSV) built from results.json.

Written for procurement readers, who never run the suite: who and what was tested, the verdict
and what it means, outcomes by domain, contradictions between claims and measurements, the
supplier's declaration marked evidenced or only declared, the requirement matrix with links to
the evidence, limitations, and a SHA-256 manifest. Nothing is loaded when it opens (inline CSS
and SVG, thumbnails as data: URIs), so it can be e-mailed alone, opened offline and printed.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from reports.charts import coverage_chart, fps_chart, outcome_bars
from reports.claims import (
    CONTRADICTED,
    EVIDENCED,
    Finding,
    claim_findings,
    contradictions,
    declaration_findings,
    measured_firmware,
)
from reports.compatibility import render_compatibility
from reports.evidence import manifest, read_json_evidence, sha256_of, thumbnail_data_uri
from reports.html import (
    OUTCOME_LABELS,
    OUTCOME_ORDER,
    VERDICT_LABELS,
    e,
    external_link,
    legend_html,
    outcome_badge,
    page,
    plain_reason,
    values_html,
)
from reports.root_causes import render_root_causes

CSS = """
.thumb{display:block;width:120px;height:auto;border:1px solid #d9dee8;margin:.2em 0}
figure{display:inline-block;margin:.3em 1em .6em 0;vertical-align:top}
figcaption{font-size:.78em;color:#566074}
.hash{font-family:ui-monospace,monospace;font-size:.75em;word-break:break-all}
.st-changed,.st-missing{color:#8a1111;font-weight:600}
td{overflow-wrap:anywhere}
table.matrix{table-layout:fixed}
.matrix th:nth-child(1){width:16%} .matrix th:nth-child(2){width:12%}
.matrix th:nth-child(3){width:11%} .matrix th:nth-child(4){width:10%}
.matrix th:nth-child(5){width:12%} .matrix th:nth-child(6){width:25%}
.matrix th:nth-child(7){width:14%}
.matrix .thumb{width:100%;max-width:120px}
table.manifest{table-layout:fixed} .manifest th:nth-child(1){width:42%}
.manifest th:nth-child(2){width:40%}
"""

# What the suite cannot see, in plain words (shown under "Limitations").
LIMITATIONS = [
    "Only the interfaces a device exposes over the network are checked; the physical build, "
    "cyber-security certification, data-protection and organisational duties are not.",
    "Passing these checks is not an official ONVIF conformance claim; only ONVIF's Declaration of "
    "Conformance gives that.",
    "Streams are measured over a short capture on the test network; behaviour under load, over "
    "days, or on a different network may differ.",
    "The device clock is compared with the test machine's clock; the measured offset carries the "
    "stated uncertainty (half the request round trip plus the one-second resolution of the "
    "answer).",
    "Only the stream configuration the device offers first is decoded; other resolutions or "
    "codecs it may offer are read from its configuration, not measured.",
    "The supplier's declaration (customers, maturity, roadmap) is reported as given.",
]


def _findings_table(findings: list[Finding], anchor_prefix: str) -> str:
    if not findings:
        return "<p class=small>None.</p>"
    rows = []
    for f in findings:
        cls = (
            "evidenced"
            if f.status.startswith(EVIDENCED)
            else "contradicted"
            if f.status == CONTRADICTED
            else "declared"
        )
        links = " ".join(f"<a href='#{e(anchor_prefix)}-{e(r)}'>{e(r)}</a>" for r in f.requirements)
        rows.append(
            f"<tr><td>{e(f.subject)}</td><td>{e(f.statement)}</td>"
            f"<td><span class='tag tag-{cls}'>{e(f.status)}</span></td>"
            f"<td>{e(f.detail)}</td><td>{links}</td></tr>"
        )
    return (
        "<table><tr><th>About</th><th>Statement</th><th>Status</th><th>Detail</th>"
        f"<th>Backed by</th></tr>{''.join(rows)}</table>"
    )


def _domain_counts(results: dict[str, Any]) -> dict[str, Counter]:
    by_domain: dict[str, Counter] = defaultdict(Counter)
    for device in results["devices"]:
        for row in device["requirements"]:
            by_domain[row["domain"]][row["outcome"]] += 1
    return dict(sorted(by_domain.items()))


def _domain_summary(results: dict[str, Any]) -> str:
    counts = _domain_counts(results)
    rows = []
    for domain, c in counts.items():
        cells = "".join(f"<td>{c[o] or ''}</td>" for o in OUTCOME_ORDER)
        rows.append(f"<tr><td>{e(domain)}</td>{cells}<td>{sum(c.values())}</td></tr>")
    head = "".join(f"<th>{e(OUTCOME_LABELS[o])}</th>" for o in OUTCOME_ORDER)
    return (
        f"<div class=keep>{outcome_bars(counts)}</div>"
        f"<table class=domains><tr><th>Domain</th>{head}<th>Total</th></tr>{''.join(rows)}</table>"
    )


def _images(row: dict[str, Any], folder: Path | None) -> str:
    out = []
    for f in row.get("evidence", []):
        if f.get("media_type") == "image/png":
            uri = thumbnail_data_uri(folder, f["path"])
            if uri:
                out.append(
                    f"<a href='{e(f['path'])}'><img class=thumb src='{e(uri)}' "
                    f"alt='{e(f['name'])} (decoded frame)'></a>"
                )
    return "".join(out)


def _matrix(device: dict[str, Any], folder: Path | None) -> str:
    rows = []
    for row in device["requirements"]:
        links = (
            " ".join(
                f"<a href='{e(f['path'])}'>{e(f['name'])}</a>" for f in row.get("evidence", [])
            )
            or "<span class=small>—</span>"
        )
        reason = (
            f"<div class=small>{e(plain_reason(row['reason']))}</div>" if row.get("reason") else ""
        )
        source = row["source"]
        expected = row.get("expected") or {}
        rows.append(
            f"<tr id='{e(device['name'])}-{e(row['id'])}' class='req o-row-{e(row['outcome'])}'>"
            f"<td><code>{e(row['id'])}</code>"
            f"<div class=small>{e(source.get('spec', ''))}: {e(source.get('clause', ''))}</div>"
            "</td>"
            f"<td>{e(row['title'])}</td><td>{e(row['level'])}</td>"
            f"<td>{outcome_badge(row['outcome'])}{reason}</td>"
            f"<td>{values_html(row.get('claimed', {}))}</td>"
            f"<td>{values_html(row.get('measured', {}))}"
            + (f"<div class=small>expected: {values_html(expected)}</div>" if expected else "")
            + f"</td><td>{_images(row, folder)}{links}</td></tr>"
        )
    return (
        "<table class=matrix><tr><th>Requirement</th><th>Title</th><th>Level</th><th>Outcome</th>"
        "<th>Claimed</th><th>Measured</th><th>Evidence</th></tr>" + "".join(rows) + "</table>"
    )


def _streams(device: dict[str, Any], folder: Path | None) -> str:
    """Frame rate over time for each distinct capture, with its first decoded frame."""
    rows = {r["id"]: r for r in device["requirements"]}
    fps_row = rows.get("STREAM-FPS-01", {})
    expected = (fps_row.get("expected") or {}).get("fps")
    tolerance = (fps_row.get("expected") or {}).get("tolerance_pct")
    seen: set[str] = set()
    figures = []
    for row in device["requirements"]:
        stats_files = [f for f in row.get("evidence", []) if f["name"].startswith("stream-stats")]
        for f in stats_files:
            stats = read_json_evidence(folder, f["path"])
            if not stats:
                continue
            # Several checks judge the same capture: draw each capture once.
            key = json.dumps(
                [stats.get("arrival_ms"), stats.get("duration_s"), stats.get("decoded_frames")]
            )
            if key in seen:
                continue
            seen.add(key)
            transport = (row.get("measured") or {}).get("transport") or f["name"].rsplit("-", 1)[-1]
            label = f"{row['id']} — {transport.upper()}: {stats.get('codec', '')} " + (
                f"{stats.get('width')}x{stats.get('height')}" if stats.get("width") else ""
            )
            frame = next(
                (
                    thumbnail_data_uri(folder, g["path"])
                    for g in row.get("evidence", [])
                    if g.get("media_type") == "image/png"
                ),
                None,
            )
            img = f"<img class=thumb src='{e(frame)}' alt='first decoded frame'>" if frame else ""
            chart = fps_chart(stats.get("arrival_ms") or [], expected, tolerance)
            figures.append(
                f"<figure class=stream>{chart}{img}<figcaption>{e(label)}; "
                f"{e(stats.get('decoded_frames', 0))} frames decoded in "
                f"{e(stats.get('duration_s', 0))} s</figcaption></figure>"
            )
    for row in device["requirements"]:
        cov = (row.get("measured") or {}).get("coverage")
        if isinstance(cov, dict) and cov.get("requested"):
            chart = coverage_chart(
                tuple(cov["requested"]), [tuple(c) for c in cov.get("covered", [])]
            )
            figures.append(f"<figure>{chart}<figcaption>{e(row['id'])}</figcaption></figure>")
    if not figures:
        return ""
    return "<h3>Streams and exports</h3>" + "".join(figures)


def _limitations(results: dict[str, Any]) -> str:
    params: dict[str, dict[str, Any]] = {}
    uncertainty = []
    skipped = []
    for device in results["devices"]:
        for row in device["requirements"]:
            if row.get("parameters"):
                params[row["id"]] = row["parameters"]
            m = row.get("measured") or {}
            if "uncertainty_s" in m:
                uncertainty.append(
                    f"{device['name']}: clock offset {m.get('clock_offset_s')} s "
                    f"± {m['uncertainty_s']} s"
                )
            if row["outcome"] == "not_tested":
                skipped.append(f"{device['name']} {row['id']}: {row.get('reason', '')}")
    prow = "".join(
        f"<tr><td><code>{e(rid)}</code></td><td>{values_html(p)}</td></tr>"
        for rid, p in sorted(params.items())
    )
    items = "".join(f"<li>{e(x)}</li>" for x in LIMITATIONS)
    return (
        "<h2>Limitations and measurement tolerances</h2>"
        "<p>Thresholds used in this run (from the profile; a stricter tender may tighten them):</p>"
        + (f"<table><tr><th>Requirement</th><th>Parameters</th></tr>{prow}</table>" if prow else "")
        + (
            "<p>Measurement uncertainty:</p><ul>"
            + "".join(f"<li>{e(u)}</li>" for u in uncertainty)
            + "</ul>"
            if uncertainty
            else ""
        )
        + (
            "<p>Not tested in this run (never counted as passed):</p><ul class=small>"
            + "".join(f"<li>{e(s)}</li>" for s in skipped)
            + "</ul>"
            if skipped
            else ""
        )
        + f"<p>What the suite cannot verify:</p><ul>{items}</ul>"
    )


def _manifest(results: dict[str, Any], folder: Path | None) -> str:
    entries = manifest(results, folder)
    results_file = folder / "results.json" if folder else None
    head = ""
    if results_file and results_file.is_file():
        head = f"<p>results.json: <span class=hash>{e(sha256_of(results_file))}</span></p>"
    rows = "".join(
        f"<tr><td><a href='{e(x['path'])}'>{e(x['path'])}</a></td>"
        f"<td class=hash>{e(x['recorded'])}</td>"
        f"<td class='st-{e(x['status'])}'>{e(x['status'])}</td>"
        f"<td>{e(x['size'] if x['size'] is not None else '')}</td></tr>"
        for x in entries
    )
    return (
        "<h2 class=pagebreak>Evidence manifest</h2>"
        "<p class=small>SHA-256 of every artifact, recorded when it was captured. When this page "
        "was generated each file was hashed again: <b>ok</b> means unchanged, <b>changed</b> or "
        "<b>missing</b> means the folder no longer holds what the test saw. Recompute with "
        "<code>sha256sum</code>.</p>"
        + head
        + "<table class=manifest><tr><th>File</th><th>SHA-256</th><th>Check</th><th>Bytes</th>"
        f"</tr>{rows}</table>"
    )


def _declaration(results: dict[str, Any]) -> str:
    target = results["target"]
    declaration = target.get("declaration") or {}
    if not declaration:
        return "<h2>Supplier declaration</h2><p class=small>No declaration was given.</p>"
    per_device = [declaration_findings(declaration, d) for d in results["devices"]] or [
        declaration_findings(declaration, {"requirements": []})
    ]
    combined = []
    for i, finding in enumerate(per_device[0]):
        statuses = {f[i].status for f in per_device}
        if CONTRADICTED in statuses:
            chosen = next(f[i] for f in per_device if f[i].status == CONTRADICTED)
        elif len(statuses) == 1:
            chosen = finding
        else:
            chosen = Finding(finding.subject, finding.statement, "declared, not verified")
        combined.append(chosen)
    prefix = results["devices"][0]["name"] if results["devices"] else "x"
    return (
        "<h2>Supplier declaration</h2><p class=small>The supplier's answers to the procurement "
        "questions. <b>Evidenced</b> means a passing check in this run backs the answer; "
        "<b>declared, not verified</b> means it is the supplier's word only.</p>"
        + _findings_table(combined, prefix)
    )


def render_compliance(results: dict[str, Any], folder: Path | None = None) -> str:
    """The statement page; ``folder`` is the results folder (for thumbnails and re-hashing)."""
    target = results["target"]
    profile = results["profile"]
    verdict = results["verdict"]
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
    meta_rows = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in meta)
    claims = target.get("claims") or {}
    devices = []
    contra = []
    for device in results["devices"]:
        notes = "".join(f"<li>{e(n)}</li>" for n in device.get("notes", []))
        found = contradictions(target, device)
        contra.append(
            f"<h3>{e(device['name'])}</h3>" + _findings_table(found, device["name"])
            if found
            else f"<h3>{e(device['name'])}</h3><p class=small>None found.</p>"
        )
        devices.append(
            f"<h2 class=pagebreak>Device {e(device['name'])} — "
            f"{e(VERDICT_LABELS.get(device['verdict'], device['verdict']))}</h2>"
            f"<p class=small>{e(device['onvif'])}. {e(device['verdict_meaning'])}</p>"
            + (f"<ul class=small>{notes}</ul>" if notes else "")
            + "<h3>Claims against measurements</h3>"
            + _findings_table(claim_findings(claims, device), device["name"])
            + _streams(device, folder)
            + render_root_causes(device)
            + "<h3>Requirement matrix</h3>"
            + _matrix(device, folder)
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
    verdict_label = VERDICT_LABELS.get(verdict, verdict)
    body = f"""
<h1>Compliance statement: {e(target.get("supplier", ""))} — {e(target.get("product", ""))}</h1>
<table class=meta>{meta_rows}</table>
<h2>Overall verdict</h2>
<p><span id=verdict class='verdict v-{e(verdict)}'>{e(verdict_label)}</span></p>
<p>{e(results["verdict_meaning"])}</p>
<p class=small>"Conforms" means every mandatory requirement of the profile that applies to the
device passed and no feature the supplier claims failed. "Incomplete" means nothing failed, but
a mandatory requirement could not be judged in this lab (the environment or a scene change the
run could not make, never the device): it is neither a pass nor a fail. Anything else is "does
not conform"; a suite error gives no valid result. An inconclusive check "blocked by" another
requirement could not run because of a fault that requirement judges (and fails). Each outcome
below means:</p>
{legend_html()}
<h2>Summary by domain</h2>{_domain_summary(results)}
<h2>Contradictions between claims, the device's answers and measurements</h2>
<p class=small>A supplier claim the device itself denies, a firmware version other than the one
declared, or a measured stream that differs from the claimed format or frame rate.</p>
{"".join(contra)}
{_declaration(results)}
{render_compatibility(results.get("compatibility"))}
{"".join(devices)}
{_limitations(results)}
{_manifest(results, folder)}
<h2>Sources</h2><p class=small>Specifications the requirements cite. These links open only when
clicked; nothing is fetched when this page opens.</p><ul class=small>{source_list}</ul>
<p class=small>Generated from results.json (schema {e(results["schema"])}).</p>
"""
    title = f"Compliance statement — {target.get('supplier', '')} {target.get('product', '')}"
    return page(title, body, CSS)


def _cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula (values may come from devices)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
                    _cell(value)
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
