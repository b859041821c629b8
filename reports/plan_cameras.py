"""The plan camera by camera: one table per option, each statement linked to what it rests on.

A reader who doubts a line ("nb-dome-07 works after setting NTP") must reach the verdicts behind
it in one click: every row links each verdict it rests on (labelled with the requirement ID) and
each compatibility-matrix cell (labelled "vms · camera stage"), relative to the plan's folder,
where the results folders stay beside it. The recommended option's table is open; the others are
one click away in a ``<details>``.
"""

from __future__ import annotations

from typing import Any

from reports.html import e, outcome_badge
from reports.plan_parts import (
    cell_label,
    is_assessable,
    link,
    num,
    option_label,
    rid,
    status_badge,
)

CAMERAS_CSS = """
table.cameras{table-layout:fixed}
table.cameras td{overflow-wrap:anywhere}
.cameras th:nth-child(1){width:10%} .cameras th:nth-child(2){width:8%}
.cameras th:nth-child(3){width:7%} .cameras th:nth-child(4){width:9%}
.cameras th:nth-child(5){width:9%} .cameras th:nth-child(6){width:14%}
.cameras th:nth-child(7){width:12%} .cameras th:nth-child(8){width:8%}
.cameras th:nth-child(9){width:7%} .cameras th:nth-child(10){width:16%}
.cameras .s,.cameras .flag{white-space:normal;display:inline-block}
.rests{font-size:.8em} .rests div{margin:.1em 0}
details.option>summary{cursor:pointer;font-weight:600;margin:.6em 0}
"""

CAMERA_HEADINGS = (
    "Camera",
    "Authority",
    "Role",
    "Make, model, firmware",
    "Status",
    "Summary",
    "Changes",
    "Camera evidence",
    "Dark time",
    "Rests on",
)


def _changes(camera: dict[str, Any]) -> str:
    items = []
    for change in camera.get("changes") or []:
        ids = " ".join(rid(r) for r in change.get("requirements") or [])
        how = "remote" if change.get("remote") else "on site"
        dark = f", {num(change.get('dark_h', 0))} h dark" if change.get("dark_h") else ""
        items.append(
            f"<div>{e(change.get('label') or change.get('kind', ''))}"
            f"{' ' + ids if ids else ''} <span class=small>({e(how)}{e(dark)})</span></div>"
        )
    return "".join(items) or "<span class=small>none</span>"


def _camera_evidence(camera: dict[str, Any], statements: dict[str, str]) -> str:
    ev = camera.get("camera_evidence") or {}
    source = str(ev.get("source") or "none")
    if source == "none":
        return "<span class=small>none</span>"
    device = str(ev.get("device") or "")
    verdict = str(ev.get("verdict") or "")
    where = link(statements.get(str(ev.get("folder") or ""), ""), e(device or "statement"))
    return (
        f"{e(source)}<div class=small>{where}"
        + (f": {e(verdict.replace('_', ' '))}" if verdict else "")
        + "</div>"
    )


def _dark(camera: dict[str, Any]) -> str:
    flags = []
    if camera.get("must_not_go_dark"):
        flags.append("<span class=flag>must not go dark</span>")
    if camera.get("maintenance_window"):
        flags.append("<span class='flag flag-mw'>maintenance window</span>")
    return f"{e(num(camera.get('dark_h', 0)))} h" + "".join(f"<div>{f}</div>" for f in flags)


def rests_on(camera: dict[str, Any]) -> str:
    """Links to every verdict and matrix cell the camera's statement rests on."""
    links = []
    for v in camera.get("verdicts") or []:
        other = v.get("device") and v.get("device") != camera.get("camera")
        device = f" <span class=small>on {e(v['device'])}</span>" if other else ""
        links.append(
            f"<div class=verdict-link>{link(v.get('href'), rid(v.get('requirement', '')))} "
            f"{outcome_badge(str(v.get('outcome', '')))}{device}</div>"
        )
    for c in camera.get("cells") or []:
        match = f"<div class=small>{e(c['match'])}</div>" if c.get("match") else ""
        links.append(
            f"<div class=cell-link>{link(c.get('href'), e(cell_label(c)))} "
            f"{outcome_badge(str(c.get('outcome', '')))}{match}</div>"
        )
    return "".join(links) or "<span class=small>no evidence</span>"


def _row(camera: dict[str, Any], names: dict[str, str], statements: dict[str, str]) -> str:
    where = [str(camera.get(k) or "") for k in ("control_room", "location")]
    place = " · ".join(w for w in where if w)
    authority = str(camera.get("authority") or "")
    ident = " ".join(str(camera.get(k) or "") for k in ("make", "model")).strip()
    firmware = str(camera.get("firmware") or "")
    return (
        f"<tr class=camera data-status='{e(camera.get('status', ''))}'>"
        f"<td><b>{e(camera.get('camera', ''))}</b>"
        + (f"<div class=small>{e(place)}</div>" if place else "")
        + f"</td><td>{e(names.get(authority, authority))}</td>"
        f"<td>{e(camera.get('role') or '—')}</td>"
        f"<td>{e(ident or 'make and model not given')}"
        f"<div class=small>firmware {e(firmware or 'not given')}</div></td>"
        f"<td>{status_badge(str(camera.get('status', '')))}</td>"
        f"<td>{e(camera.get('summary', ''))}</td><td>{_changes(camera)}</td>"
        f"<td>{_camera_evidence(camera, statements)}</td><td>{_dark(camera)}</td>"
        f"<td class=rests>{rests_on(camera)}</td></tr>"
    )


def cameras_table(option: dict[str, Any], names: dict[str, str], statements: dict[str, str]) -> str:
    heads = "".join(f"<th>{h}</th>" for h in CAMERA_HEADINGS)
    rows = "".join(_row(c, names, statements) for c in option.get("cameras") or [])
    return (
        f"<table class=cameras id='cameras-{e(option.get('id', ''))}'><thead><tr>{heads}</tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def render_cameras(plan: dict[str, Any], names: dict[str, str]) -> str:
    """One table per option: the recommended first and open, the others in ``<details>``."""
    statements = {
        str(ev.get("folder") or ""): str(ev.get("href") or "") for ev in plan.get("evidence") or []
    }
    recommended = plan.get("recommended")
    options = sorted(plan.get("options") or [], key=lambda o: o.get("id") != recommended)
    parts = []
    for option in options:
        label = option_label(option)
        if not is_assessable(option):
            parts.append(
                f"<details class=option><summary>{e(label)}: not assessable</summary>"
                f"<p>not assessable: {e(option.get('not_assessable_reason') or 'no evidence')}</p>"
                "</details>"
            )
            continue
        count = len(option.get("cameras") or [])
        table = cameras_table(option, names, statements)
        if option.get("id") == recommended:
            parts.append(f"<h3>{e(label)} (recommended): {count} cameras</h3>{table}")
        else:
            parts.append(
                f"<details class=option><summary>{e(label)}: {count} cameras</summary>"
                f"{table}</details>"
            )
    return "".join(parts)
