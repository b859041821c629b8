"""The interoperability plan as a reader gets it: plan.html, plan.csv and plan.pdf.

The planner (``cctv-conformance plan``) builds a dict (schema ``cctv-conformance/plan/1``,
written as plan.json by the planner itself); this module only renders it. The page is for the
people who choose a platform for an estate: the recommendation in one sentence and the options
side by side first (:mod:`reports.plan_options`), then what to test next, each authority's share,
the order of work (:mod:`reports.plan_sections`), and every camera with links to the verdicts its
statement rests on (:mod:`reports.plan_cameras`). Like the compliance statement it is one file
that loads nothing (inline CSS, no script), and it prints with the same rules (running header,
"Page N of M", requirement IDs never split). Links are relative to the plan's folder: the results
folders it read must stay beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from reports.html import e, page
from reports.pdf import write_pdfs
from reports.plan_cameras import CAMERAS_CSS, render_cameras
from reports.plan_csv import write_plan_csv
from reports.plan_options import (
    OPTIONS_CSS,
    recommendation_sentence,
    render_options,
    render_per_authority,
)
from reports.plan_parts import PLAN_CSS, authority_names, is_assessable, option_by_id
from reports.plan_sections import (
    SECTIONS_CSS,
    render_evidence,
    render_order_of_work,
    render_test_next,
    render_warnings,
)
from reports.print_css import RunningHeader

SCHEMA = "cctv-conformance/plan/1"

PRINT_CSS = """
.printonly{display:none}
h1{margin-top:0} .intro{margin:.2em 0}
@media print{
.printonly{display:block}
table.options,table.cameras{font-size:7pt}
.cameras th,.cameras td{padding:.1em .2em;overflow-wrap:break-word}
.cameras th:nth-child(2){width:9%} .cameras th:nth-child(5){width:8%}
.cameras th:nth-child(9){width:6%}
details.why{display:none}
}
"""
CSS = PLAN_CSS + OPTIONS_CSS + CAMERAS_CSS + SECTIONS_CSS + PRINT_CSS


def _intro(plan: dict[str, Any]) -> str:
    totals = plan.get("totals") or {}
    suite = plan.get("suite") or {}
    parts = [
        f"{totals.get('authorities', 0)} authorities, {totals.get('cameras', 0)} cameras",
        f"inventory {plan.get('inventory') or '(not named)'}",
        f"generated {plan.get('generated') or '(no date)'}",
        f"{suite.get('name') or 'cctv-conformance'} {suite.get('version') or ''}".strip(),
    ]
    return f"<p class='intro small'>{e(' · '.join(parts))}</p>"


def render_plan(plan: dict[str, Any]) -> str:
    """The whole plan.html page for ``plan`` (hrefs kept as given: relative to its folder)."""
    estate = str(plan.get("estate") or "(estate not named)")
    names = authority_names(plan)
    recommended = option_by_id(plan, plan.get("recommended"))
    rec_class = "" if recommended is not None and is_assessable(recommended) else " class=none"
    body = f"""
<h1>Interoperability plan: {e(estate)}</h1>
{_intro(plan)}
<p id=recommendation{rec_class}>{e(recommendation_sentence(plan))}</p>
<section id=summary>{render_options(plan)}</section>
{render_warnings(plan)}
<h2 id=test-next>Test next</h2>
<p class=small>Cameras whose status no evidence decides yet, grouped by make, model and firmware:
one test of one such camera decides them all.</p>
{render_test_next(plan)}
<h2 id=per-authority>Per authority</h2>
{render_per_authority(plan, names)}
<h2 id=order-of-work>Order of work</h2>
{render_order_of_work(plan, names)}
<h2 id=per-camera>Per camera</h2>
<p class=small>Each camera's statement links the verdicts it rests on (by requirement ID) and the
compatibility-matrix cells ("VMS · camera stage") in the results folders beside this page.</p>
<p class='small printonly'>On paper only the recommended option's cameras are listed; plan.html
and plan.csv hold every option.</p>
{render_cameras(plan, names)}
<h2 id=evidence>Evidence used</h2>
{render_evidence(plan)}
<p class=small>Generated from the plan (schema {e(plan.get("schema") or SCHEMA)}). Links are
relative: keep this page beside the results folders it names.</p>
"""
    return page(f"Interoperability plan — {estate}", body, CSS)


def plan_header(plan: dict[str, Any]) -> RunningHeader:
    """The estate left, the recommendation and date right, totals and inventory at the foot."""
    recommended = option_by_id(plan, plan.get("recommended"))
    right = (
        f"Recommended: {recommended.get('label') or recommended.get('id')}"
        if recommended is not None and is_assessable(recommended)
        else "No recommendation"
    )
    date = str(plan.get("generated") or "")[:10]
    totals = plan.get("totals") or {}
    suite = plan.get("suite") or {}
    return RunningHeader(
        left=f"Interoperability plan: {plan.get('estate') or '(estate not named)'}",
        right=f"{right} · {date}" if date else right,
        footer=f"{totals.get('authorities', 0)} authorities, {totals.get('cameras', 0)} cameras"
        f" · inventory {plan.get('inventory') or '(not named)'} · cctv-conformance "
        f"{suite.get('version', '')}",
    )


def write_plan_html(plan: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "plan.html"
    path.write_text(render_plan(plan), encoding="utf-8")
    return path


def write_plan_pdf(plan: dict[str, Any], html_path: Path) -> tuple[list[Path], list[str]]:
    """plan.pdf beside plan.html; (PDFs written, one line per problem). Nothing and no line
    with ``CCTV_NO_PDF`` set; one line without Chromium (as for compliance.pdf)."""
    return write_pdfs([html_path], plan_header(plan))


def write_plan_reports(plan: dict[str, Any], out: Path, *, pdf: bool = True) -> list[Path]:
    """Write plan.html, plan.csv and (when Chromium is there) plan.pdf into ``out``.

    A PDF that could not be printed is one line on stderr; the other files stand.
    """
    html_path = write_plan_html(plan, out)
    written = [html_path, write_plan_csv(plan, out / "plan.csv")]
    if pdf:
        pdfs, problems = write_plan_pdf(plan, html_path)
        written.extend(pdfs)
        for line in problems:
            print(f"cctv-conformance: {line}", file=sys.stderr)
    return written


__all__ = [
    "SCHEMA",
    "plan_header",
    "render_plan",
    "write_plan_csv",
    "write_plan_html",
    "write_plan_pdf",
    "write_plan_reports",
]
