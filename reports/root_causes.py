"""Blocked verdicts grouped under the requirement that judges their cause.

When one thing is broken (GetProfiles refused, a dead service address, a reply no reader could
use), every check that needed it is ``inconclusive`` with ``blocked by <ID>``. A reader should see
one root cause with its symptoms listed under it, not twenty unrelated-looking failures; this
module builds that grouping for the compliance statement (and any other report).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reports.html import e, outcome_badge, plain_reason


def root_causes(device: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Blocking requirement ID -> the rows it blocked, in catalogue order (blockers sorted)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in device.get("requirements", []):
        if row.get("blocked_by"):
            groups[row["blocked_by"]].append(row)
    return dict(sorted(groups.items()))


def render_root_causes(device: dict[str, Any]) -> str:
    """An HTML section per device: each root cause, its own outcome, and what it blocked."""
    groups = root_causes(device)
    if not groups:
        return ""
    rows_by_id = {r["id"]: r for r in device.get("requirements", [])}
    parts = []
    anchor = e(device["name"])
    for blocker, blocked in groups.items():
        own = rows_by_id.get(blocker)
        status = (
            f"{outcome_badge(own['outcome'])} "
            f"<span class=small>{e(plain_reason(own.get('reason', '')))}</span>"
            if own
            else "<span class=small>(not in this profile: no verdict carries it in this run)</span>"
        )
        link = (
            f"<a href='#{anchor}-{e(blocker)}'><code class=rid>{e(blocker)}</code></a>"
            if own
            else (f"<code class=rid>{e(blocker)}</code>")
        )
        items = "".join(
            f"<li><a href='#{anchor}-{e(r['id'])}'><code class=rid>{e(r['id'])}</code></a> "
            f"{e(r['title'])}</li>"
            for r in blocked
        )
        parts.append(
            f"<tr><td>{link}</td><td>{status}</td>"
            f"<td>{len(blocked)}<ul class=small>{items}</ul></td></tr>"
        )
    return (
        "<h3>Root causes of blocked checks</h3>"
        "<p class=small>These checks could not run because something another requirement judges "
        "is broken; that requirement carries the fail, the blocked checks are inconclusive.</p>"
        "<table><tr><th>Root cause (requirement)</th><th>Its outcome</th>"
        f"<th>Checks it blocked</th></tr>{''.join(parts)}</table>"
    )
