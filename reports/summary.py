"""The one-page summary for a tender file (summary.html, printed to summary.pdf).

A procurement file holds one sheet per supplier, laid out like a declaration of conformance:
who was tested (supplier, product, model, firmware as declared and as the device reports it,
lab), what (the devices), against which profile (id, version, digest), the verdict and run
date, the suite version and the digest of results.json (so the sheet can be tied to the run
that produced it), counts by outcome, what went wrong in one line per root cause, and lines
for the lab to sign. Everything else is in the compliance statement; this page never grows
past one A4 sheet: long lists are cut with "and N more" pointing there.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from reports.claims import measured_firmware
from reports.evidence import sha256_of
from reports.html import OUTCOME_LABELS, OUTCOME_ORDER, VERDICT_LABELS, e, page, plain_reason
from reports.root_causes import root_causes

MAX_DEVICES = 8
MAX_CAUSES = 10
REASON_CHARS = 100

CSS = """
body{margin:1.2em;font-size:10pt} h1{font-size:1.35em;margin:0 0 .1em}
h2{font-size:1em;margin:.9em 0 .25em}
table{font-size:.85em;margin:.2em 0} .meta td:first-child{width:13em}
.counts td,.counts th{text-align:center}
.causes{margin:.2em 0 0 1.1em;padding:0;font-size:.85em} .causes li{margin:.1em 0}
code.rid{white-space:nowrap;word-break:keep-all}
.sign{width:100%;margin-top:.6em;border:none} .sign td{border:none;padding:2.6em .4em 0 0;
vertical-align:bottom;width:33%} .sign .line{border-top:1px solid #1d2330;padding-top:.15em;
font-size:.8em;color:#566074}
@media print{body{margin:0;font-size:9pt}}
"""


def _identity(device: dict[str, Any]) -> dict[str, Any]:
    """The identity the device reported (GetDeviceInformation), if that check ran."""
    for row in device.get("requirements", []):
        if row["id"] == "ONVIF-DEV-INFO-01":
            identity = (row.get("measured") or {}).get("identity")
            return identity if isinstance(identity, dict) else {}
    return {}


def _clip(text: str, limit: int = REASON_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _devices(results: dict[str, Any]) -> str:
    rows = []
    devices = results["devices"]
    for device in devices[:MAX_DEVICES]:
        ident = _identity(device)
        model = " ".join(str(ident.get(k) or "") for k in ("Manufacturer", "Model")).strip()
        rows.append(
            f"<tr><td>{e(device['name'])}</td><td>{e(model or '(not reported)')}</td>"
            f"<td>{e(measured_firmware(device) or '(not reported)')}</td>"
            f"<td>{e(VERDICT_LABELS.get(device['verdict'], device['verdict']))}</td></tr>"
        )
    more = len(devices) - MAX_DEVICES
    tail = (
        f"<tr><td colspan=4 class=small>and {more} more device(s): see the compliance "
        "statement</td></tr>"
        if more > 0
        else ""
    )
    return (
        "<table><tr><th>Device</th><th>Model (reported)</th><th>Firmware (reported)</th>"
        f"<th>Verdict</th></tr>{''.join(rows)}{tail}</table>"
    )


def cause_lines(results: dict[str, Any]) -> list[tuple[str, str]]:
    """One plain line per root cause: each failed or undecided requirement that no other
    requirement blocked, with the devices it hit and how many checks it blocked."""
    causes: dict[str, dict[str, Any]] = {}
    for device in results["devices"]:
        blocked = root_causes(device)
        rows = {r["id"]: r for r in device["requirements"]}
        for row in device["requirements"]:
            if row["outcome"] not in ("fail", "inconclusive") or row.get("blocked_by"):
                continue
            cause = causes.setdefault(
                row["id"],
                {"row": row, "devices": [], "blocked": 0},
            )
            cause["devices"].append(device["name"])
            cause["blocked"] += len(blocked.get(row["id"], []))
        for blocker, symptoms in blocked.items():
            if blocker not in rows:  # judged by a requirement outside this profile
                cause = causes.setdefault(blocker, {"row": None, "devices": [], "blocked": 0})
                cause["devices"].append(device["name"])
                cause["blocked"] += len(symptoms)
    lines = []
    for rid, cause in causes.items():
        row = cause["row"]
        # Reasons often open with their own ID ("ONVIF-DEV-SVC-01: ..."): said once is enough.
        reason = plain_reason(row.get("reason") or "") if row else ""
        reason = reason.removeprefix(f"{rid}: ").removeprefix(f"{rid} ")
        what = (
            f"{OUTCOME_LABELS.get(row['outcome'], row['outcome'])}: {row['title']}"
            f"{' — ' + reason if reason else ''}"
            if row
            else "not in this profile, but it blocked checks that are"
        )
        blocked = f" (blocked {cause['blocked']} other check(s))" if cause["blocked"] else ""
        many = len(cause["devices"]) - 2
        hit = ", ".join(cause["devices"][:2]) + (f" and {many} more" if many > 0 else "")
        lines.append((rid, f"{_clip(what)}{blocked} [{hit}]"))
    return lines


def _causes_html(results: dict[str, Any]) -> str:
    lines = cause_lines(results)
    if not lines:
        return "<p class=small>None: nothing failed and nothing was left undecided.</p>"
    items = []
    for rid, text in lines[:MAX_CAUSES]:
        items.append(f"<li><code class=rid>{e(rid)}</code> {e(text)}</li>")
    more = len(lines) - MAX_CAUSES
    if more > 0:
        items.append(f"<li class=small>and {more} more: see the compliance statement</li>")
    return f"<ul class=causes>{''.join(items)}</ul>"


def _counts(results: dict[str, Any]) -> str:
    counts = Counter(results.get("counts") or {})
    head = "".join(f"<th>{e(OUTCOME_LABELS[o])}</th>" for o in OUTCOME_ORDER)
    cells = "".join(f"<td>{counts.get(o, 0)}</td>" for o in OUTCOME_ORDER)
    return (
        f"<table class=counts><tr>{head}<th>Total</th></tr>"
        f"<tr>{cells}<td>{sum(counts.values())}</td></tr></table>"
    )


def render_summary(results: dict[str, Any], folder: Path | None = None) -> str:
    """The summary page; ``folder`` holds results.json (hashed for the digest line)."""
    target = results["target"]
    profile = results["profile"]
    suite = results.get("suite") or {}
    # Distinct firmware versions with how many devices report each: the devices table below
    # names them one by one, this line must stay one line on an estate.
    firmware = Counter(measured_firmware(d) or "(not reported)" for d in results["devices"])
    reported = "; ".join(
        f"{version} ({n} device{'s' if n > 1 else ''})" if len(results["devices"]) > 1 else version
        for version, n in firmware.most_common()
    )
    models = sorted(
        {
            " ".join(str(_identity(d).get(k) or "") for k in ("Manufacturer", "Model")).strip()
            for d in results["devices"]
        }
        - {""}
    )
    results_file = folder / "results.json" if folder else None
    digest = (
        sha256_of(results_file) if results_file and results_file.is_file() else "(not available)"
    )
    # Only the run's own "vms" record (redacted by conformance/results.py), never the target's.
    vms = results.get("vms") if isinstance(results.get("vms"), dict) else None
    meta = [
        ("Supplier", target.get("supplier") or "—"),
        ("Product", target.get("product") or "—"),
        ("Model (reported)", ", ".join(models) or "(not reported)"),
        ("Firmware declared", target.get("firmware") or "—"),
        ("Firmware reported", reported or "—"),
        ("Lab", target.get("lab") or "—"),
    ]
    if vms:
        meta.append(
            (
                "VMS used for exports",
                " ".join(str(vms.get(k) or "") for k in ("name", "product", "version")).strip(),
            )
        )
    meta += [
        ("Profile", f"{profile['title']} ({profile['id']} version {profile['version']})"),
        ("Profile digest (SHA-256)", profile["digest"]),
        ("Run (UTC)", f"{results.get('started', '')} to {results.get('finished', '')}"),
        (
            "Mode",
            "passive (read-only)" if results.get("mode") == "passive" else results.get("mode"),
        ),
        ("Suite", f"cctv-conformance {suite.get('version', '')}"),
        ("results.json (SHA-256)", digest),
    ]
    meta_rows = "".join(
        f"<tr><td>{e(k)}</td><td{' class=hash' if 'SHA' in k else ''}>{e(v)}</td></tr>"
        for k, v in meta
    )
    verdict = results["verdict"]
    body = f"""
<h1>Conformance test summary</h1>
<p class=small>One sheet for a tender file. The compliance statement (compliance.html / .pdf)
beside it holds the requirement matrix, the evidence and its SHA-256 manifest.</p>
<table class=meta>{meta_rows}</table>
<h2>Verdict</h2>
<p><span id=verdict class='verdict v-{e(verdict)}'>{e(VERDICT_LABELS.get(verdict, verdict))}</span>
<span class=small>{e(_clip(results.get("verdict_meaning", ""), 200))}</span></p>
<h2>Devices tested</h2>{_devices(results)}
<h2>Outcomes (all devices)</h2>{_counts(results)}
<h2>Root causes</h2>{_causes_html(results)}
<p class=small>This sheet reports what the suite measured on the network; it is not an ONVIF
Declaration of Conformance.</p>
<table class=sign><tr><td><div class=line>Tested by (name, signature)</div></td>
<td><div class=line>Reviewed by (name, signature)</div></td>
<td><div class=line>Date and lab stamp</div></td></tr></table>
"""
    title = f"Conformance summary — {target.get('supplier', '')} {target.get('product', '')}"
    return page(title, body, CSS)


def write_summary(results: dict[str, Any], out: Path) -> Path:
    """Write summary.html into ``out`` (the results folder)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "summary.html"
    path.write_text(render_summary(results, out), encoding="utf-8")
    return path
