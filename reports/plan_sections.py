"""The plan's other sections: what to test next, the order of work, the evidence, warnings."""

from __future__ import annotations

from typing import Any

from reports.html import e
from reports.plan_parts import is_assessable, link, num, option_by_id, option_label

SECTIONS_CSS = """
table.work td:nth-child(4){font-size:.85em}
table.evidence td:first-child{white-space:nowrap}
ul.warnings li{margin:.15em 0}
"""


def render_test_next(plan: dict[str, Any]) -> str:
    """The tests that would decide the most cameras, with the command for each."""
    rows = plan.get("test_next") or []
    if not rows:
        return "<p class=small>Nothing: every camera's status rests on evidence already.</p>"
    labels = {str(o.get("id")): option_label(o) for o in plan.get("options") or []}
    body = []
    for row in rows:
        decides = "".join(
            f"<div>{e(labels.get(str(k), k))}: {e(num(n))}</div>"
            for k, n in (row.get("decides") or {}).items()
        )
        ident = " ".join(str(row.get(k) or "") for k in ("make", "model")).strip()
        body.append(
            f"<tr><td>{e(ident or 'make and model not given')}<div class=small>firmware "
            f"{e(row.get('firmware') or 'not given')}</div></td>"
            f"<td>{e(num(row.get('cameras', 0)))}</td><td>{decides or '—'}</td>"
            f"<td>{e(row.get('missing', ''))}</td>"
            f"<td><code>{e(row.get('test', ''))}</code></td></tr>"
        )
    return (
        "<table class=testnext><thead><tr><th>Make, model, firmware</th><th>Cameras</th>"
        "<th>Cameras it would decide, per option</th><th>Missing</th><th>Command</th></tr>"
        f"</thead><tbody>{''.join(body)}</tbody></table>"
    )


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def work_table(option: dict[str, Any], names: dict[str, str]) -> str:
    steps = option.get("order_of_work") or []
    if not steps:
        return "<p class=small>No work listed.</p>"
    body = []
    for step in steps:
        cameras = [str(c) for c in step.get("cameras") or []]
        authority = str(step.get("authority") or "")
        body.append(
            f"<tr><td>{e(step.get('step', ''))}</td><td>{e(names.get(authority, authority))}</td>"
            f"<td>{e(step.get('action', ''))}</td><td><b>{len(cameras)}</b>: "
            f"{e(', '.join(cameras))}</td><td>{e(num(step.get('camera_hours_dark', 0)))}</td>"
            f"<td>{_yes(step.get('site_visit'))}</td>"
            f"<td>{_yes(step.get('maintenance_window'))}</td></tr>"
        )
    return (
        f"<table class=work id='work-{e(option.get('id', ''))}'><thead><tr><th>Step</th>"
        "<th>Authority</th><th>Action</th><th>Cameras</th><th>Camera-hours dark</th>"
        f"<th>Site visit</th><th>Maintenance window</th></tr></thead><tbody>{''.join(body)}"
        "</tbody></table>"
    )


def render_order_of_work(plan: dict[str, Any], names: dict[str, str]) -> str:
    """The recommended option's steps; every other assessable option's in a ``<details>``."""
    recommended = option_by_id(plan, plan.get("recommended"))
    parts = []
    if recommended is not None and is_assessable(recommended):
        parts.append(
            f"<h3>{e(option_label(recommended))} (recommended)</h3>"
            + work_table(recommended, names)
        )
    else:
        parts.append("<p class=small>No option is recommended.</p>")
    for option in plan.get("options") or []:
        if option is recommended or not is_assessable(option):
            continue
        parts.append(
            f"<details class=option><summary>{e(option_label(option))}</summary>"
            f"{work_table(option, names)}</details>"
        )
    return "".join(parts)


def render_evidence(plan: dict[str, Any]) -> str:
    """The results folders the plan read, each linked to its compliance statement."""
    rows = []
    for ev in plan.get("evidence") or []:
        kind = str(ev.get("kind") or "")
        who = (
            f"VMS {ev.get('vms', '')}"
            if kind == "vms-ingest"
            else " — ".join(str(ev.get(k) or "") for k in ("supplier", "product") if ev.get(k))
        )
        rows.append(
            f"<tr><td><code>{e(ev.get('folder', ''))}</code></td><td>{e(kind)}</td>"
            f"<td>{e(who)}</td><td>{e(ev.get('profile', ''))}</td>"
            f"<td>{e(num(ev.get('devices', 0)))}</td><td>{e(ev.get('finished', ''))}</td>"
            f"<td>{link(ev.get('href'), 'compliance statement')}</td></tr>"
        )
    if not rows:
        return "<p>No results folders were given: every camera is unknown.</p>"
    return (
        "<table class=evidence><thead><tr><th>Folder</th><th>Kind</th><th>Supplier, product or "
        "VMS</th><th>Profile</th><th>Devices</th><th>Finished (UTC)</th><th>Statement</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def render_warnings(plan: dict[str, Any]) -> str:
    warnings = [str(w) for w in plan.get("warnings") or []]
    if not warnings:
        return ""
    items = "".join(f"<li>{e(w)}</li>" for w in warnings)
    return f"<h2 id=warnings>Warnings ({len(warnings)})</h2><ul class=warnings>{items}</ul>"
