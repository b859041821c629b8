"""The first screen of the statement: the decision, why, and what it covers.

A procurement officer reads the top of the page and stops. So right after the title comes the
verdict; then each root cause in one plain sentence (a failing requirement, or a mandatory one
that could not be judged), with what was claimed, measured and expected, how many other verdicts
it blocked, and links to its evidence and its matrix row; then the scope (what the profile covers
and which domains of the catalogue it leaves out). Blocked checks are counted under their cause,
never listed as causes of their own: one broken service is one reason, not twenty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports.html import VERDICT_LABELS, e, outcome_badge, plain_reason
from reports.root_causes import root_causes
from reports.scope import render_scope
from reports.values import inline_values

MAX_CAUSES = 8  # root causes shown on the first screen; the rest are counted
NOT_JUDGED = ("not_tested", "inconclusive")
REASON_LIMIT = 220


@dataclass
class Cause:
    """One reason the device does not conform (or could not be judged)."""

    device: str
    row: dict[str, Any] | None  # None: a blocker outside this profile
    requirement: str
    blocked: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rank(self) -> tuple[int, int, str]:
        """Mandatory fails first, then other fails, then what was not judged; most blocked first."""
        row = self.row or {}
        tier = (
            0
            if row.get("outcome") == "fail" and row.get("level") == "mandatory"
            else 1
            if row.get("outcome") == "fail"
            else 2
        )
        return (tier, -len(self.blocked), self.requirement)


def device_causes(device: dict[str, Any]) -> list[Cause]:
    """A device's root causes: its fails, its unblocked mandatory rows not judged, and blockers."""
    rows = {r["id"]: r for r in device.get("requirements", [])}
    groups = root_causes(device)
    causes: dict[str, Cause] = {}
    for row in device.get("requirements", []):
        if row.get("blocked_by"):
            continue  # counted under its cause
        failing = row["outcome"] == "fail"
        unjudged = row["outcome"] in NOT_JUDGED and row.get("level") == "mandatory"
        if failing or unjudged:
            causes[row["id"]] = Cause(device["name"], row, row["id"], groups.get(row["id"], []))
    for blocker, blocked in groups.items():
        if blocker not in causes:
            own = rows.get(blocker)
            causes[blocker] = Cause(device["name"], own, blocker, blocked)
    return sorted(causes.values(), key=lambda c: c.rank)


def first_line(text: str) -> str:
    """The reason's first sentence-sized line, without pytest's machinery."""
    plain = plain_reason(text or "").strip()
    line = plain.splitlines()[0] if plain else ""
    return line if len(line) <= REASON_LIMIT else line[: REASON_LIMIT - 1] + "…"


def cause_html(cause: Cause) -> str:
    """One root cause: a sentence, then claimed/measured/expected and links, all short."""
    anchor = f"{cause.device}-{cause.requirement}"
    rid = f"<code class=rid>{e(cause.requirement)}</code>"
    if cause.row is None:
        sentence = (
            f"{rid} is not in this profile, but what it checks is broken: "
            f"{len(cause.blocked)} checks could not run."
        )
        return f"<li class=cause>{sentence}</li>"
    row = cause.row
    level = row.get("level", "")
    what = {
        "fail": "failed",
        "not_tested": "was not tested",
        "inconclusive": "could not be decided",
    }.get(row["outcome"], row["outcome"])
    reason = first_line(row.get("reason", ""))
    blocked = (
        f" It blocked {len(cause.blocked)} other verdict{'s' if len(cause.blocked) != 1 else ''}."
        if cause.blocked
        else ""
    )
    values = []
    for label, key in (("claimed", "claimed"), ("measured", "measured"), ("expected", "expected")):
        text = inline_values(_scalars_first(row.get(key)))
        if text:
            values.append(f"<b>{label}</b> {e(text)}")
    evidence = row.get("evidence") or []
    links = [f"<a href='#{e(anchor)}'>matrix row</a>"]
    if evidence:
        links.insert(0, f"<a href='{e(evidence[0]['path'])}'>evidence</a>")
    vms = f" (through the VMS {e(row['vms'])})" if row.get("vms") else ""
    return (
        f"<li class=cause>{outcome_badge(row['outcome'])} {rid} {e(row.get('title', ''))} "
        f"({e(level)}) {what}{vms}: <span class=reason>{e(reason)}</span>{e(blocked)}"
        + (f"<div class=small>{' · '.join(values)}</div>" if values else "")
        + f"<div class=small>{' · '.join(links)}</div></li>"
    )


def _scalars_first(values: dict[str, Any] | None, limit: int = 4) -> dict[str, Any]:
    """The few values worth a sentence: scalars and short lists, nested blobs left out."""
    out: dict[str, Any] = {}
    for key, value in (values or {}).items():
        if isinstance(value, dict):
            continue
        if isinstance(value, list) and (len(value) > 4 or any(isinstance(v, dict) for v in value)):
            continue
        out[key] = value
        if len(out) == limit:
            break
    return out


def render_first_screen(results: dict[str, Any]) -> str:
    """Verdict, root causes (per device, up to :data:`MAX_CAUSES` in all) and the scope."""
    verdict = results["verdict"]
    label = VERDICT_LABELS.get(verdict, verdict)
    devices = results.get("devices", [])
    per_device = [(d["name"], device_causes(d)) for d in devices]
    total = sum(len(c) for _, c in per_device)
    budget = MAX_CAUSES
    parts = []
    for name, causes in per_device:
        if not causes:
            continue
        shown = causes[: max(budget, 0)]
        budget -= len(shown)
        more = len(causes) - len(shown)
        head = f"<h3 class=dev>{e(name)}</h3>" if len(devices) > 1 else ""
        items = "".join(cause_html(c) for c in shown)
        tail = f"<p class=small>and {more} more (see the matrix)</p>" if more else ""
        parts.append(head + (f"<ol class=causes>{items}</ol>" if items else "") + tail)
    if total:
        why = f"<h2 class=first>Why: {total} root cause{'s' if total != 1 else ''}</h2>" + "".join(
            parts
        )
    else:
        why = ""
    return (
        "<section id=decision class=decision>"
        f"<div class=verdict-line><span id=verdict class='verdict v-{e(verdict)}'>{e(label)}</span>"
        + (
            f" <span class=meaning>{e(results.get('verdict_meaning', ''))}</span>"
            if not total
            else ""
        )
        + "</div>"
        f"{why}{render_scope(results)}</section>"
    )


FIRST_SCREEN_CSS = """
.decision{margin:.4em 0 1em}
.verdict-line{margin:.2em 0 .4em}
.meaning{font-size:.9em}
.scope{font-size:.88em;margin:.3em 0}
.scope p{margin:.2em 0}
p.notassessed{margin:.2em 0;color:#7a4a00}
p.notassessed span+span::before{content:" · ";color:#566074}
ol.causes{margin:.2em 0 .2em 1.4em;padding:0;font-size:.9em}
ol.causes li{margin:.15em 0}
h2.first{margin-top:.6em}
h3.dev{margin:.5em 0 .1em}
"""
