"""Small pieces every part of the plan pages shares: status words, numbers, badges, links.

The plan (schema ``cctv-conformance/plan/1``) is built by the planner engine; these helpers only
read it. Every value may come from an inventory, a device or a results folder, so all text goes
through :func:`reports.html.e`, and a link is drawn only for a relative path (the plan links into
the results folders that sit beside it): anything with a scheme is shown as text, never followed.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reports.html import e

STATUS_LABELS = {
    "works": "works end to end",
    "needs_change": "works after a change",
    "needs_replacement": "needs replacement",
    "unknown": "unknown (no evidence)",
}
STATUS_ORDER = list(STATUS_LABELS)
LOSS_LABELS = {"lost": "lost", "kept": "kept", "unknown": "unknown"}
DISRUPTION_ROWS = (
    ("site_visits", "Site visits"),
    ("replacements", "Replacements"),
    ("reconfigurations", "Reconfigurations"),
    ("camera_hours_dark", "Camera-hours dark"),
    ("maintenance_windows", "Maintenance windows"),
)
SCORE_NOTE = (
    "score = site_visit x visits + replacement x replacements + "
    "reconfiguration x reconfigurations + camera_hour_dark x hours"
)
WEIGHT_KEYS = (
    ("site_visit", "site_visits"),
    ("replacement", "replacements"),
    ("reconfiguration", "reconfigurations"),
    ("camera_hour_dark", "camera_hours_dark"),
)

# Same colours as the outcome badges of reports/html.py: green works, amber needs a change,
# red needs replacement (or a lost feature), grey unknown.
PLAN_CSS = """
.s{font-weight:600;border-radius:3px;padding:0 .4em;white-space:nowrap}
.s-works,.l-kept{background:#d6f5dd;color:#11632a}
.s-needs_change{background:#fde8c8;color:#7a4a00}
.s-needs_replacement,.l-lost{background:#fbd9d9;color:#8a1111}
.s-unknown,.l-unknown,.s-not_assessable{background:#e6e9ef;color:#3b4457}
.flag{white-space:nowrap;font-size:.75em;border:1px solid #d64545;border-radius:3px;
padding:0 .3em;color:#8a1111;background:#fdeeee}
.flag-mw{border-color:#e8a23a;color:#7a4a00;background:#fff6e8}
"""

_SCHEME = re.compile(r"^\s*[a-zA-Z][a-zA-Z0-9+.-]*:|^\s*//")


def num(value: Any, places: int = 2) -> str:
    """A count or an amount as a reader writes it: 5, 41.5, 0.25 (halves rounded up, at most
    ``places`` decimals, no trailing zeros)."""
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    try:
        number = Decimal(str(float(value)))
        text = f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    except (TypeError, ValueError, ArithmeticError):
        return str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def score(value: Any) -> str:
    """The disruption score, to one decimal (123.75 reads 123.8)."""
    return num(value, places=1)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def status_badge(status: str) -> str:
    return f"<span class='s s-{e(status)}'>{e(status_label(status))}</span>"


def loss_badge(status: str) -> str:
    return f"<span class='s l-{e(status)}'>{e(LOSS_LABELS.get(status, status))}</span>"


def rid(requirement: str) -> str:
    return f"<code class=rid>{e(requirement)}</code>"


def cell_label(cell: dict[str, Any]) -> str:
    """A compatibility-matrix cell as a reader names it: ``vms · camera stage``."""
    return f"{cell.get('vms', '')} · {cell.get('camera', '')} {cell.get('stage', '')}"


def safe_href(href: Any) -> str:
    """``href`` when it is a relative path (what the plan gives), else "" (shown as text)."""
    text = str(href or "")
    return "" if not text or _SCHEME.match(text) else text


def link(href: Any, inner_html: str) -> str:
    """``inner_html`` (already escaped) linked to a relative ``href``; plain when unsafe."""
    target = safe_href(href)
    return f"<a href='{e(target)}'>{inner_html}</a>" if target else inner_html


def is_assessable(option: dict[str, Any]) -> bool:
    """Could the option be judged? (counts given and no reason it could not)."""
    return bool(option.get("counts")) and not option.get("not_assessable_reason")


def assessable_cameras(option: dict[str, Any]) -> int:
    """How many cameras the option's evidence judges.

    The design note gives the flag and the count under the same key (``assessable``); a JSON
    object keeps the last one, so a number there is the count. ``assessable_cameras`` wins when
    the engine names it so; otherwise the count is every camera whose status is known.
    """
    for key in ("assessable_cameras", "assessable"):
        value = option.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    counts = option.get("counts") or {}
    return int(counts.get("total", 0)) - int(counts.get("unknown", 0))


def assessable_share_text(option: dict[str, Any]) -> str:
    """``N of M cameras assessable (P %)``."""
    total = int((option.get("counts") or {}).get("total", 0))
    n = assessable_cameras(option)
    share = option.get("assessable_share")
    if not isinstance(share, (int, float)) or isinstance(share, bool):
        share = n / total if total else 0.0
    return f"{n} of {total} cameras assessable ({round(share * 100)} %)"


def counts_sentence(counts: dict[str, Any]) -> str:
    """``100 of 125 cameras work end to end, 15 after a change, 5 need replacement, 5 unknown``."""
    return (
        f"{counts.get('works', 0)} of {counts.get('total', 0)} cameras work end to end, "
        f"{counts.get('needs_change', 0)} after a change, "
        f"{counts.get('needs_replacement', 0)} need replacement, "
        f"{counts.get('unknown', 0)} unknown"
    )


def option_by_id(plan: dict[str, Any], option_id: str | None) -> dict[str, Any] | None:
    return next((o for o in plan.get("options") or [] if o.get("id") == option_id), None)


def option_label(option: dict[str, Any]) -> str:
    return str(option.get("label") or option.get("id") or "?")


def authority_names(plan: dict[str, Any]) -> dict[str, str]:
    """Authority id -> name, in the order the options list them."""
    names: dict[str, str] = {}
    for option in plan.get("options") or []:
        for authority in option.get("authorities") or []:
            names.setdefault(str(authority.get("id", "")), str(authority.get("name") or ""))
        for camera in option.get("cameras") or []:
            names.setdefault(str(camera.get("authority", "")), "")
    return {k: v or k for k, v in names.items()}
