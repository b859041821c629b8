"""Claimed, measured and expected values as a reader sees them: short labelled values with units.

results.json keeps every value a check recorded, often nested (an export job, a decoded file's
properties, the SOAP answers per operation). A procurement reader needs "frame rate (RTP): 12.5
fps", not a JSON blob, so each cell shows a few labelled values with units and summarises nested
ones ("3 items"); the full values sit one click away in a ``<details>`` element (and in the CSV,
unchanged). The unit comes from the key's naming convention (``_s``, ``_ms``, ``_pct``, ``fps``,
``bytes``, ``_x``): checks already name their keys that way, so no table per requirement is needed.
"""

from __future__ import annotations

import json
from typing import Any

from reports.html import e

# Key suffix (or whole key) -> unit shown after the value. Checked in order: longest first.
UNITS: list[tuple[str, str]] = [
    ("_x_realtime", "x realtime"),
    ("speed_x", "x realtime"),
    ("_pct", "%"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_bytes", "bytes"),
    ("bytes", "bytes"),
    ("fps", "fps"),
    ("_fps", "fps"),
    ("fps_rtp", "fps"),
    ("fps_arrival", "fps"),
    ("_ticks", "ticks"),
    ("frame_rate", "fps"),
    ("frame_rates", "fps"),
]
# Words in a label that read better spelt out.
LABEL_WORDS = {
    "fps": "frame rate",
    "rtp": "RTP",
    "pct": "",
    "ms": "",
    "s": "",
    "x": "",
    "mad": "MAD",
    "realtime": "",
}
FULL_LABELS = {
    "fps_rtp": "frame rate (RTP)",
    "fps_arrival": "frame rate (arrival times)",
    "fps": "frame rate",
}
SUMMARY_ITEMS = 4  # scalar values shown per cell before "+N more"
TEXT_LIMIT = 90  # characters of one value shown in the summary


def unit_for(key: str) -> str:
    """The unit implied by a value's key, or "" (a count, a name, a flag)."""
    k = key.lower()
    for suffix, unit in UNITS:
        if k == suffix.lstrip("_") or k.endswith(suffix):
            return unit
    return ""


def label_for(key: str) -> str:
    """A readable label: ``fps_rtp`` -> "frame rate (RTP)", ``elapsed_s`` -> "elapsed"."""
    if key in FULL_LABELS:
        return FULL_LABELS[key]
    if not key.replace("_", "").isalnum():
        return key  # a path, URI or phrase the check chose: shown as recorded
    words = [LABEL_WORDS.get(w.lower(), w) for w in key.replace("-", "_").split("_")]
    text = " ".join(w for w in words if w).strip()
    return text or key


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return f"{value:,}" if abs(value) >= 10_000 else str(value)


def scalar_text(key: str, value: Any) -> str:
    """One scalar as text with its unit (``12.5 fps``, ``0.28 s``, ``34,516 bytes``)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        unit = unit_for(key)
        return f"{_number(value)} {unit}".strip()
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def short_text(key: str, value: Any) -> str:
    """A value in a few words: scalars with units, lists of scalars joined, nested ones counted."""
    if _is_scalar(value):
        return scalar_text(key, value)
    if isinstance(value, list | tuple):
        if not value:
            return "none"
        if all(_is_scalar(v) for v in value) and len(value) <= 4:
            return scalar_text(key, ", ".join(scalar_text(key, v) for v in value))
        return _count(len(value), "item")
    if isinstance(value, dict):
        if not value:
            return "none"
        scalars = [(k, v) for k, v in value.items() if _is_scalar(v)][:2]
        if not scalars:
            return _count(len(value), "value")
        text = "; ".join(f"{label_for(k)} {scalar_text(k, v)}" for k, v in scalars)
        rest = len(value) - len(scalars)
        return text + ("; …" if rest else "")
    return scalar_text(key, value)


def _summarised(value: Any) -> bool:
    """Does :func:`short_text` leave part of this value out (so "all values" is worth a click)?"""
    if isinstance(value, str):
        return len(value) > TEXT_LIMIT
    if isinstance(value, list | tuple):
        return len(value) > 4 or not all(_is_scalar(v) for v in value)
    if isinstance(value, dict):
        return len(value) > 2 or not all(_is_scalar(v) for v in value.values())
    return False


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def full_html(value: Any, key: str = "") -> str:
    """Every value, nested as lists of labelled lines (never JSON braces)."""
    if _is_scalar(value):
        text = "none" if value is None else str(value) if isinstance(value, str) else None
        return e(text if text is not None else scalar_text(key, value))
    if isinstance(value, dict):
        if not value:
            return "none"
        items = "".join(
            f"<li><b>{e(label_for(str(k)))}</b>: {full_html(v, str(k))}</li>"
            for k, v in value.items()
        )
        return f"<ul class=vals>{items}</ul>"
    if isinstance(value, list | tuple):
        if not value:
            return "none"
        if all(_is_scalar(v) for v in value):
            return e(", ".join(scalar_text(key, v) for v in value))
        return "<ol class=vals>" + "".join(f"<li>{full_html(v, key)}</li>" for v in value) + "</ol>"
    return e(str(value))


def fingerprint(value: Any) -> str:
    """A stable identity for a value, to spot the same blob recorded on several rows."""
    return json.dumps(value, sort_keys=True, default=str)


def shared_values(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> dict[str, str]:
    """Nested values that several rows carry identically -> the first row that carries them.

    An export is made once and judged by a dozen checks, each recording the same export job: the
    matrix shows it on the first row and points the others there.
    """
    first: dict[str, str] = {}
    seen: dict[str, int] = {}
    for row in rows:
        for field in fields:
            for key, value in (row.get(field) or {}).items():
                if _is_scalar(value) or not value:
                    continue
                fp = key + "\0" + fingerprint(value)
                seen[fp] = seen.get(fp, 0) + 1
                first.setdefault(fp, row["id"])
    return {fp: rid for fp, rid in first.items() if seen[fp] > 1}


def values_cell(
    values: dict[str, Any] | None,
    row_id: str = "",
    shared: dict[str, str] | None = None,
    anchor: str = "",
) -> str:
    """A matrix cell: labelled short values with units, the full values in ``<details>``.

    ``shared`` (from :func:`shared_values`) names values first shown on another row: this row
    then links there instead of repeating them.
    """
    if not values:
        return "<span class=small>—</span>"
    shared = shared or {}
    lines = []
    full = {}
    for n, (key, value) in enumerate(values.items()):
        owner = shared.get(key + "\0" + fingerprint(value)) if not _is_scalar(value) else None
        if owner and owner != row_id:
            lines.append(
                f"<div><span class=vk>{e(label_for(key))}</span>: same as "
                f"<a href='#{e(anchor)}-{e(owner)}'><code class=rid>{e(owner)}</code></a></div>"
            )
            continue
        full[key] = value
        if n < SUMMARY_ITEMS:
            lines.append(
                f"<div><span class=vk>{e(label_for(key))}</span>: {e(short_text(key, value))}</div>"
            )
    hidden = len(values) - min(len(values), SUMMARY_ITEMS)
    if hidden > 0:
        lines.append(f"<div class=small>+{_count(hidden, 'more value')}</div>")
    if any(_summarised(v) for v in full.values()) or hidden > 0:
        lines.append(f"<details><summary>all values</summary>{full_html(full)}</details>")
    return "".join(lines)


def inline_values(values: dict[str, Any] | None) -> str:
    """Values as one line of text ("frame rate: 25 fps; tolerance: 10 %"), for sentences."""
    if not values:
        return ""
    return "; ".join(f"{label_for(k)}: {short_text(k, v)}" for k, v in values.items())


VALUES_CSS = """
.vk{color:#566074}
details summary{cursor:pointer;font-size:.8em;color:#2a5bd7}
ul.vals,ol.vals{margin:.1em 0 .1em 1.1em;padding:0;font-size:.92em}
"""
