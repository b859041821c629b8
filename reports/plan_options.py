"""The plan's first screen: the recommendation in one sentence, then the options side by side.

Laid out like the supplier comparison (reports/compare.py): one column per option across,
what a reader compares down (rank, cameras per status, the share the evidence could judge,
disruption with the weights that scored it, the replacement budget, the features each option
loses). An option without evidence is a column saying why and which test would assess it, never
a score. The per-authority tables reuse the same layout for one authority's cameras.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports.html import e
from reports.plan_parts import (
    DISRUPTION_ROWS,
    SCORE_NOTE,
    STATUS_ORDER,
    WEIGHT_KEYS,
    assessable_share_text,
    cell_label,
    counts_sentence,
    is_assessable,
    link,
    loss_badge,
    num,
    option_by_id,
    option_label,
    score,
    status_badge,
)

OPTIONS_CSS = """
#recommendation{font-size:1.15em;margin:.4em 0 .6em;padding:.45em .7em;border-radius:4px;
background:#eefaf1;border-left:5px solid #3fae5a}
#recommendation.none{background:#fff6e8;border-left-color:#e8a23a}
table.options{table-layout:fixed} table.options th:first-child{width:15em}
table.options td,table.options th{overflow-wrap:anywhere}
table.options th.rec,table.options td.rec{background:#eefaf1}
table.options th.rec{box-shadow:inset 0 4px 0 #3fae5a}
.rec-mark{display:inline-block;font-size:.75em;font-weight:600;color:#11632a;
border:1px solid #3fae5a;border-radius:3px;padding:0 .3em;margin-left:.3em}
td.na{background:#f7f8fb;color:#3b4457}
ul.losses{list-style:none;margin:0;padding:0} ul.losses li{margin:.1em 0}
.over{color:#8a1111;font-weight:600}
"""


def recommendation_sentence(plan: dict[str, Any]) -> str:
    """The plan in one sentence (plain text), e.g. ``Recommended: Simulated VMS — 100 of 125
    cameras work end to end, 15 after a change, 5 need replacement, 5 unknown; disruption
    score 123.8``."""
    option = option_by_id(plan, plan.get("recommended"))
    if option is None or not is_assessable(option):
        judged = [o for o in plan.get("options") or [] if is_assessable(o)]
        if not judged:
            return "No recommendation: no option could be assessed from the evidence given."
        return "No recommendation: no assessable option was recommended by the planner."
    disruption = option.get("disruption") or {}
    text = (
        f"Recommended: {option_label(option)} — {counts_sentence(option['counts'])}; "
        f"disruption score {score(disruption.get('score'))}"
    )
    if option.get("over_budget"):
        text += f" (over the replacement budget of {num(_budget(plan))})"
    return text


def _budget(plan: dict[str, Any]) -> Any:
    return (plan.get("budget") or {}).get("replacements")


def _head(option: dict[str, Any], recommended: bool) -> str:
    rank = f"#{option['rank']} " if option.get("rank") is not None else ""
    mark = "<span class=rec-mark>Recommended</span>" if recommended else ""
    status = "" if is_assessable(option) else "<div class=small>not assessable</div>"
    return (
        f"<th class='opt{' rec' if recommended else ''}'>{e(rank)}{e(option_label(option))}{mark}"
        f"<div class=small><code>{e(option.get('id', ''))}</code></div>{status}</th>"
    )


def _score_cell(disruption: dict[str, Any], weights: dict[str, Any]) -> str:
    terms = " + ".join(
        f"{num(weights.get(w, 0))} x {num(disruption.get(d, 0))}" for w, d in WEIGHT_KEYS
    )
    return (
        f"<b class=score>{e(score(disruption.get('score')))}</b><div class=small>= {e(terms)}</div>"
    )


def _over_budget(option: dict[str, Any], plan: dict[str, Any]) -> str:
    budget = _budget(plan)
    replacements = (option.get("disruption") or {}).get("replacements", 0)
    if option.get("over_budget"):
        return (
            f"<span class=over>over budget</span>: {e(num(replacements))} replacements, "
            f"budget {e(num(budget))}"
        )
    if budget is None:
        return "no budget set"
    return f"within budget ({e(num(replacements))} of {e(num(budget))} replacements)"


def losses_html(losses: list[dict[str, Any]], with_status: bool = True) -> str:
    """What an option (or one authority under it) loses: feature, status, cameras, why."""
    if not losses:
        return "<span class=small>nothing</span>"
    items = []
    for loss in losses:
        badge = loss_badge(str(loss.get("status", ""))) + " " if with_status else ""
        cells = " ".join(link(c.get("href"), e(cell_label(c))) for c in loss.get("cells") or [])
        why = str(loss.get("reason") or "")
        detail = (
            f"<details class=why><summary>why</summary><div class=small>{e(why)}</div>"
            f"<div class=small>{cells}</div></details>"
            if why or cells
            else ""
        )
        items.append(
            f"<li>{badge}{e(loss.get('label') or loss.get('feature', ''))}: "
            f"{e(num(loss.get('cameras', 0)))} cameras{detail}</li>"
        )
    return f"<ul class=losses>{''.join(items)}</ul>"


Row = tuple[str, Callable[[dict[str, Any]], str]]


def _table(
    options: list[dict[str, Any]],
    recommended: str | None,
    rows: list[Row],
    view: Callable[[dict[str, Any]], dict[str, Any] | None],
    table_id: str = "",
) -> str:
    """Rows down, options across; ``view`` picks what a column shows from its option."""
    head = "".join(_head(o, o.get("id") == recommended) for o in options)
    body = []
    for i, (title, cell) in enumerate(rows):
        cells = []
        for option in options:
            rec = " rec" if option.get("id") == recommended else ""
            if not is_assessable(option):
                if i == 0:
                    cells.append(
                        f"<td class='na' rowspan={len(rows)}>not assessable: "
                        f"{e(option.get('not_assessable_reason') or 'no evidence')}"
                        + _test_html(option)
                        + "</td>"
                    )
                continue
            shown = view(option)
            cells.append(
                f"<td class='{rec.strip()}'>{cell(shown)}</td>"
                if shown is not None
                else "<td><span class=small>no cameras here</span></td>"
            )
        body.append(f"<tr><th>{title}</th>{''.join(cells)}</tr>")
    ident = f" id={table_id}" if table_id else ""
    return (
        f"<table class=options{ident}><thead><tr><th>Option</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _test_html(option: dict[str, Any]) -> str:
    test = str(option.get("test") or "")
    if not test:
        return ""
    return f"<div class=small>Test that would assess it:<br><code>{e(test)}</code></div>"


def _count_rows() -> list[Row]:
    return [
        (status_badge(s), lambda v, s=s: e(num((v.get("counts") or {}).get(s, 0))))
        for s in STATUS_ORDER
    ]


def _disruption_rows(weights: dict[str, Any]) -> list[Row]:
    rows: list[Row] = [
        (e(title), lambda v, k=key: e(num((v.get("disruption") or {}).get(k, 0))))
        for key, title in DISRUPTION_ROWS
    ]
    rows.append(("Disruption score", lambda v: _score_cell(v.get("disruption") or {}, weights)))
    rows.append(
        (
            "Worst case (ranks the options)",
            lambda v: (
                e(score((v.get("disruption") or {}).get("worst_case_score")))
                + "<div class=small>every unknown camera costed as a replacement</div>"
            ),
        )
    )
    return rows


def weights_note(plan: dict[str, Any]) -> str:
    weights = plan.get("weights") or {}
    durations = plan.get("durations") or {}
    shown = ", ".join(f"{k} {num(weights.get(k, 0))}" for k, _ in WEIGHT_KEYS)
    hours = ", ".join(f"{k} {num(v)} h" for k, v in durations.items())
    budget = _budget(plan)
    return (
        f"<p class=small id=weights>Weights: {e(shown)}; {e(SCORE_NOTE)}. "
        + (f"Hours dark per camera: {e(hours)}. " if hours else "")
        + (
            f"Replacement budget: {e(num(budget))} cameras."
            if budget is not None
            else "No replacement budget set."
        )
        + " A lower score means less disruption. Options are ranked by the worst case (each"
        " unknown camera costed as a replacement with its own visit), then the score, so an"
        " option is never ranked up for being less tested.</p>"
    )


def render_options(plan: dict[str, Any]) -> str:
    """The options side by side (the plan's first screen, after the recommendation)."""
    options = list(plan.get("options") or [])
    if not options:
        return "<p>No candidate options in the inventory.</p>"
    weights = plan.get("weights") or {}
    rows: list[Row] = [
        ("Rank", lambda v: e(f"#{v.get('rank')}" if v.get("rank") is not None else "—")),
        *_count_rows(),
        ("Assessable", lambda v: e(assessable_share_text(v))),
        *_disruption_rows(weights),
        ("Replacement budget", lambda v: _over_budget(v, plan)),
        ("What it loses", lambda v: losses_html(v.get("losses") or [])),
    ]
    table = _table(options, plan.get("recommended"), rows, lambda o: o, "options")
    return table + weights_note(plan)


def render_per_authority(plan: dict[str, Any], names: dict[str, str]) -> str:
    """For each authority, the options side by side over its cameras only."""
    options = list(plan.get("options") or [])
    if not any(is_assessable(o) for o in options):
        return "<p class=small>No option could be assessed, so nothing to show per authority.</p>"
    weights = plan.get("weights") or {}
    rows: list[Row] = [
        *_count_rows(),
        ("Cameras", lambda v: e(num((v.get("counts") or {}).get("total", 0)))),
        *_disruption_rows(weights),
        ("What it loses", lambda v: losses_html(v.get("losses") or [], with_status=False)),
    ]
    parts = []
    for authority_id, name in names.items():

        def view(option: dict[str, Any], a: str = authority_id) -> dict[str, Any] | None:
            return next((x for x in option.get("authorities") or [] if str(x.get("id")) == a), None)

        parts.append(
            f"<h3 id='authority-{e(authority_id)}'>{e(name)} "
            f"<span class=small>({e(authority_id)})</span></h3>"
            + _table(options, plan.get("recommended"), rows, view)
        )
    return "".join(parts)
