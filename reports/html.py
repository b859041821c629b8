"""Shared HTML pieces for the reports: escaping, outcome words and colours, the page shell.

Every value in a report may come from a device or a supplier (identity strings, URIs, error
texts, declaration answers), so every piece of text goes through :func:`e` and every page is
built from these helpers: one place to get escaping and the offline rule right.
"""

from __future__ import annotations

import html
import json
from typing import Any

OUTCOME_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "not_claimed": "Not claimed",
    "not_applicable": "Not applicable",
    "not_tested": "Not tested",
    "inconclusive": "Inconclusive",
}
OUTCOME_ORDER = list(OUTCOME_LABELS)
OUTCOME_MEANINGS = {
    "pass": "measured, and met the requirement",
    "fail": "measured, and did not meet the requirement (or a mandatory feature is not offered)",
    "not_claimed": "an optional or conditional feature the supplier does not claim and the "
    "device does not offer; not held against the supplier",
    "not_applicable": "does not apply to this device (the reason is given)",
    "not_tested": "in scope but not checked (not implemented yet, or excluded by the safety "
    "mode); never counted as a pass",
    "inconclusive": "the suite could not decide (device unreachable, timeout, a suite error, or "
    "blocked by another requirement that judges the cause); never counted as a pass",
}
OUTCOME_COLOURS = {
    "pass": "#3fae5a",
    "fail": "#d64545",
    "inconclusive": "#e8a23a",
    "not_claimed": "#9aa4b8",
    "not_applicable": "#c3cad8",
    "not_tested": "#6f7a91",
}
# The browser itself refuses to fetch anything when the page opens: images only from data: URIs,
# styles and scripts only inline. Plain <a href> links still work when clicked.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
VERDICT_LABELS = {
    "conforms": "Conforms",
    "does_not_conform": "Does not conform",
    "incomplete": "Incomplete (not all could be judged here)",
    "error": "No valid result (suite error)",
}

BASE_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em;color:#1d2330;
line-height:1.35}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.6em;
border-bottom:2px solid #d9dee8;padding-bottom:.2em} h3{font-size:1em;margin:1.2em 0 .3em}
table{border-collapse:collapse;width:100%;font-size:.86em;margin:.6em 0}
th,td{border:1px solid #d9dee8;padding:.3em .45em;text-align:left;vertical-align:top}
th{background:#f2f4f8} .meta td:first-child{font-weight:600;width:14em}
.o{font-weight:600;border-radius:3px;padding:0 .4em;white-space:nowrap}
.o-pass{background:#d6f5dd;color:#11632a}.o-fail{background:#fbd9d9;color:#8a1111}
.o-inconclusive{background:#fde8c8;color:#7a4a00}.o-not_claimed,.o-not_applicable,
.o-not_tested{background:#e6e9ef;color:#3b4457}
.verdict{font-size:1.25em;padding:.5em .8em;border-radius:4px;display:inline-block}
.v-conforms{background:#d6f5dd}.v-does_not_conform{background:#fbd9d9}.v-error{background:#fde8c8}
.v-incomplete{background:#e6e9ef}
.small{font-size:.8em;color:#566074} code{font-size:.92em;word-break:break-all}
code.rid{white-space:nowrap;word-break:normal}
@media print{code.rid{font-size:.8em}}
.tag{white-space:nowrap;font-size:.75em;border:1px solid #9aa4b8;border-radius:3px;
padding:0 .3em;color:#3b4457}
.tag-evidenced{border-color:#3fae5a;color:#11632a;background:#eefaf1}
.tag-declared{border-color:#e8a23a;color:#7a4a00;background:#fff6e8}
.tag-contradicted{border-color:#d64545;color:#8a1111;background:#fdeeee}
.ext::after{content:" (external link)";font-size:.75em;color:#566074}
.legend td:first-child{width:9em}
@media print{body{margin:0;font-size:10pt} h2{page-break-after:avoid;break-after:avoid}
tr,figure,svg,.keep{page-break-inside:avoid;break-inside:avoid}
a{color:inherit;text-decoration:none}
.noprint{display:none} .pagebreak{page-break-before:always;break-before:page}}
@page{size:A4;margin:14mm}
"""


def e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def csv_safe(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula (values may come from devices)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def outcome_badge(outcome: str) -> str:
    return f"<span class='o o-{e(outcome)}'>{e(OUTCOME_LABELS.get(outcome, outcome))}</span>"


def values_html(values: dict[str, Any], limit: int = 160) -> str:
    """Values as short key: value lines (long values cut). The statement uses
    :mod:`reports.values` (units, no JSON); this stays for pages that have not moved to it."""
    if not values:
        return "<span class=small>—</span>"
    items = []
    for key, value in values.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        if len(text) > limit:
            text = text[: limit - 3] + "..."
        items.append(f"<div><code>{e(key)}</code>: {e(text)}</div>")
    return "".join(items)


def plain_reason(reason: str) -> str:
    """A failure reason without pytest's machinery (exception class, the assert expression)."""
    text = reason.split("\nassert ", 1)[0].strip()
    for prefix in ("AssertionError: ", "Failed: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def external_link(url: str, text: str) -> str:
    """A link to a spec or source on the web: clicked only, never loaded, and marked as such."""
    if not url.startswith(("https://", "http://")):
        return e(text)
    return f"<a class=ext href='{e(url)}' rel='noopener noreferrer'>{e(text)}</a>"


def legend_html() -> str:
    rows = "".join(
        f"<tr><td>{outcome_badge(o)}</td><td>{e(OUTCOME_MEANINGS[o])}</td></tr>"
        for o in OUTCOME_ORDER
    )
    return f"<table class=legend><tr><th>Outcome</th><th>Meaning</th></tr>{rows}</table>"


def page(title: str, body: str, css: str = "", script: str = "") -> str:
    """A complete page: inline CSS (and optional inline script), nothing loaded from anywhere."""
    js = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        f"<title>{e(title)}</title><style>{BASE_CSS}{css}</style></head><body>"
        f"{body}{js}</body></html>\n"
    )
