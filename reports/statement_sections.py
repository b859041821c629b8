"""Sections of the compliance statement below the first screen: domains, streams, limits, hashes.

Split from :mod:`reports.compliance` so each module has one job: these are the supporting
sections a lab engineer re-checks (outcomes by domain, frame rate over time per capture, the
thresholds and uncertainties that applied, and the SHA-256 manifest of every artifact).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from reports.charts import coverage_chart, fps_chart, outcome_bars
from reports.evidence import manifest, read_json_evidence, sha256_of, thumbnail_data_uri
from reports.html import OUTCOME_LABELS, OUTCOME_ORDER, e
from reports.values import short_text

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


def _domain_counts(results: dict[str, Any]) -> dict[str, Counter]:
    by_domain: dict[str, Counter] = defaultdict(Counter)
    for device in results["devices"]:
        for row in device["requirements"]:
            by_domain[row["domain"]][row["outcome"]] += 1
    return dict(sorted(by_domain.items()))


def domain_summary(results: dict[str, Any]) -> str:
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


def streams(device: dict[str, Any], folder: Path | None) -> str:
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


def _parameters(params: dict[str, Any]) -> str:
    """Profile parameters by their exact names (what a stricter tender would set), with units."""
    return "".join(
        f"<div><code>{e(k)}</code>: {e(short_text(k, v))}</div>" for k, v in params.items()
    )


def limitations(results: dict[str, Any]) -> str:
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
        f"<tr><td><code class=rid>{e(rid)}</code></td><td>{_parameters(p)}</td></tr>"
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


def evidence_manifest(results: dict[str, Any], folder: Path | None) -> str:
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
