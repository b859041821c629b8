"""The supplier's declaration and claims as tables: what is evidenced, contradicted, only declared.

Four states, each shown distinctly because a reader acts on each differently: "not declared" (the
supplier left the question empty: ask them), "declared, not verified" (their word only),
"evidenced by <requirement IDs>" (a passing check backs it: follow the IDs to the evidence) and
"contradicted" (a check or the device itself disagrees). The findings themselves come from
:mod:`reports.claims`; this module only combines them across devices and renders them.
"""

from __future__ import annotations

from typing import Any

from reports.claims import (
    CONTRADICTED,
    DECLARED,
    EVIDENCED,
    NOT_DECLARED,
    Finding,
    declaration_findings,
)
from reports.html import e


def _status_class(status: str) -> str:
    if status.startswith(EVIDENCED):
        return "evidenced"
    if status == CONTRADICTED:
        return "contradicted"
    if status == NOT_DECLARED:
        return "notdeclared"
    return "declared"


def _rid_links(ids: list[str], anchor_prefix: str) -> str:
    return " ".join(
        f"<a href='#{e(anchor_prefix)}-{e(r)}'><code class=rid>{e(r)}</code></a>" for r in ids
    )


def findings_table(findings: list[Finding], anchor_prefix: str) -> str:
    """Findings as a table: the status says "evidenced by" with the IDs that back it."""
    if not findings:
        return "<p class=small>None.</p>"
    rows = []
    for f in findings:
        cls = _status_class(f.status)
        label = f.status
        if cls == "evidenced":
            label = f"{f.status} by" if f.status == EVIDENCED else f"{f.status}, by"
        statement = e(f.statement) if f.statement else "<span class=small>(no answer)</span>"
        backed = _rid_links(f.requirements, anchor_prefix) if f.requirements else ""
        rows.append(
            f"<tr class='f-{cls}'><td>{e(f.subject)}</td><td>{statement}</td>"
            f"<td><span class='tag tag-{cls}'>{e(label)}</span>"
            + (f" {backed}" if cls == "evidenced" else "")
            + f"</td><td>{e(f.detail)}"
            + (f"<div>{backed}</div>" if backed and cls != "evidenced" else "")
            + "</td></tr>"
        )
    return (
        "<table class=findings><tr><th>About</th><th>Statement</th><th>Status</th>"
        f"<th>Detail</th></tr>{''.join(rows)}</table>"
    )


def combined_declaration(results: dict[str, Any]) -> list[Finding]:
    """One finding per question across devices: contradicted anywhere wins, disagreement is
    "declared, not verified" (no single device's pass evidences a multi-device answer)."""
    declaration = (results.get("target") or {}).get("declaration") or {}
    devices = results.get("devices") or [{"requirements": []}]
    per_device = [declaration_findings(declaration, d) for d in devices]
    combined = []
    for i, finding in enumerate(per_device[0]):
        statuses = {f[i].status for f in per_device}
        if CONTRADICTED in statuses:
            chosen = next(f[i] for f in per_device if f[i].status == CONTRADICTED)
        elif len(statuses) == 1:
            chosen = finding
        else:
            chosen = Finding(finding.subject, finding.statement, DECLARED)
        combined.append(chosen)
    return combined


def render_declaration(results: dict[str, Any]) -> str:
    """The supplier declaration section of the statement."""
    declaration = (results.get("target") or {}).get("declaration") or {}
    if not declaration:
        return "<h2>Supplier declaration</h2><p class=small>No declaration was given.</p>"
    devices = results.get("devices") or []
    prefix = devices[0]["name"] if devices else "x"
    return (
        "<h2>Supplier declaration</h2><p class=small>The supplier's answers to the procurement "
        "questions. <b>Evidenced by</b> names the passing checks of this run that back the "
        "answer; <b>declared, not verified</b> is the supplier's word only; <b>not declared</b> "
        "means the question was left unanswered; <b>contradicted</b> means a check disagrees.</p>"
        + findings_table(combined_declaration(results), prefix)
    )


DECLARATION_CSS = """
.tag-notdeclared{border-color:#9aa4b8;color:#3b4457;background:#f2f4f8;font-style:italic}
"""
