"""Compatibility matrix: for each camera (configuration or persona) x each VMS, what works.

Why: the question an authority asks before merging platforms is whether *this* VMS ingests,
records, keeps, finds and exports *that* supplier's cameras. The vms-ingest profile judges every
(VMS, camera) pair as its own unit ("<vms> · <camera>" in results.json), so the matrix is read
from those rows: no extra bookkeeping in the suite. :func:`compatibility` builds the
``compatibility`` section of results.json; :func:`render_compatibility` renders it for the
compliance statement and the comparison page.
"""

from __future__ import annotations

from typing import Any

from reports.html import e, outcome_badge

SEPARATOR = " · "
STAGES: tuple[tuple[str, str], ...] = (
    ("connect", "VMS-CONNECT-01"),
    ("record", "VMS-REC-01"),
    ("media equal", "VMS-MEDIA-01"),
    ("search", "VMS-SEARCH-01"),
    ("export", "VMS-EXPORT-01"),
    ("evidence package", "VMS-EXPORT-EVIDENCE-01"),
    ("audit", "VMS-AUDIT-01"),
    ("continuity", "VMS-CONTINUITY-01"),
    ("recovery", "VMS-RECOVERY-01"),
    ("metadata", "VMS-META-01"),
    ("players", "VMS-PLAY-01"),
    ("viewer can't export", "VMS-EXPORT-ROLE-01"),
    ("clock stated", "VMS-CLOCK-01"),
    ("trace", "VMS-TRACE-01"),
)


OPTIONAL_STAGES = (
    "VMS-EXPORT-EVIDENCE-01",
    "VMS-AUDIT-01",
    "VMS-CONTINUITY-01",
    "VMS-RECOVERY-01",
    "VMS-META-01",
    "VMS-PLAY-01",
    "VMS-EXPORT-ROLE-01",
    "VMS-CLOCK-01",
)
"""Stages that do not decide 'end to end' (the ingest chain: connect, record, media, search,
export, trace): the evidence package and audit (findings in vms-ingest, mandatory in
vms-evidential), and frame continuity, recovery, metadata, standard players and export
permission, judged over longer recordings, a stimulus or a second account (mandatory: they
decide the verdict, shown beside the chain)."""


def _probe(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Probe level (what the VMS's ONVIF discovery picked), from VMS-TRACE-01's measurement."""
    measured = (rows.get("VMS-TRACE-01") or {}).get("measured") or {}
    return dict(measured.get("onvif_probe") or {})


def _summary(probe: dict[str, Any], works: bool) -> str:
    """One line a buyer reads: what discovery picks, and whether ingest works (and how)."""
    ingest = "works" if works else "does not work"
    if not probe.get("picks"):
        return f"probe: none; ingest by URL: {ingest}"
    stream = f"{probe.get('codec') or '?'} {probe.get('size') or ''}".strip()
    if probe.get("main_stream"):
        return f"probe: picks the main stream ({stream}); ingest by probe: {ingest}"
    return (
        f"probe: picks the {stream} second stream ({probe['picks']}), not the "
        f"{probe.get('main_codec') or ''} main stream; ingest by URL: {ingest}"
    )


def _reason(row: dict[str, Any]) -> str:
    return str(row.get("reason") or "")[:300]


def compatibility(devices: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The matrix from per-pair device rows; None when the run judged no (VMS, camera) pair."""
    cells = []
    for device in devices:
        vms, sep, camera = device["name"].partition(SEPARATOR)
        if not sep:
            continue
        rows = {r["id"]: r for r in device.get("requirements", [])}
        stages = {
            stage: {
                "requirement": req,
                "outcome": rows[req]["outcome"],
                "reason": _reason(rows[req]),
            }
            for stage, req in STAGES
            if req in rows
        }
        essential = [s for s in stages.values() if s["requirement"] not in OPTIONAL_STAGES]
        works = bool(essential) and all(s["outcome"] == "pass" for s in essential)
        probe = _probe(rows)
        camera_facts = dict(
            ((rows.get("VMS-CONNECT-01") or {}).get("measured") or {}).get("camera") or {}
        )
        cells.append(
            {
                "vms": vms,
                "camera": camera,
                "works_end_to_end": works,
                "probe": probe,
                "ingested_by": probe.pop("ingested_by", None),
                "summary": _summary(probe, works),
                "stages": stages,
                "camera_identity": {
                    k: camera_facts.get(k, "") for k in ("manufacturer", "model", "firmware")
                },
                "stream": {
                    k: camera_facts[k]
                    for k in ("codec", "width", "height", "fps", "transport", "persona")
                    if k in camera_facts
                },
            }
        )
    if not cells:
        return None
    return {
        "stages": [stage for stage, _ in STAGES],
        "vms": sorted({c["vms"] for c in cells}),
        "cameras": list(dict.fromkeys(c["camera"] for c in cells)),
        "pairs": cells,
    }


def merge_compatibility(sections: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """Several runs' matrices (one per VMS, e.g. in ``compare``) as one."""
    pairs = [p for s in sections if s for p in s["pairs"]]
    if not pairs:
        return None
    return {
        "stages": [stage for stage, _ in STAGES],
        "vms": sorted({p["vms"] for p in pairs}),
        "cameras": list(dict.fromkeys(p["camera"] for p in pairs)),
        "pairs": pairs,
    }


def _probe_cell(pair: dict[str, Any]) -> str:
    probe = pair.get("probe") or {}
    if not probe.get("picks"):
        return "—"
    stream = e(f"{probe.get('codec') or '?'} {probe.get('size') or ''}".strip())
    if probe.get("main_stream"):
        return f"main stream ({stream})"
    return f"<b>second stream</b> {e(probe['picks'])} ({stream})"


def render_compatibility(section: dict[str, Any] | None) -> str:
    """HTML: cameras down, one column group per VMS, one badge per stage (reason on hover)."""
    if not section:
        return ""
    by_pair = {(p["vms"], p["camera"]): p for p in section["pairs"]}
    stages = section["stages"]
    head = "<tr><th rowspan=2>Camera</th>" + "".join(
        f"<th colspan={len(stages) + 2}>{e(vms)}</th>" for vms in section["vms"]
    )
    head += "</tr><tr>" + "".join(
        "<th>ONVIF probe picks</th><th>end to end</th>"
        + "".join(f"<th>{e(s)}</th>" for s in stages)
        for _ in section["vms"]
    )
    body = []
    for camera in section["cameras"]:
        cells = []
        for vms in section["vms"]:
            pair = by_pair.get((vms, camera))
            if pair is None:
                cells.append(f"<td colspan={len(stages) + 2}>—</td>")
                continue
            cells.append(f"<td title='{e(pair.get('summary', ''))}'>{_probe_cell(pair)}</td>")
            how = {"url": " (by URL)", "onvif probe": " (by probe)"}.get(
                str(pair.get("ingested_by")), ""
            )
            works = "yes" if pair["works_end_to_end"] else "<b>no</b>"
            cells.append(f"<td>{works}{e(how)}</td>")
            for stage in stages:
                cell = pair["stages"].get(stage)
                cells.append(
                    f"<td title='{e(cell['reason'])}'>{outcome_badge(cell['outcome'])}</td>"
                    if cell
                    else "<td>—</td>"
                )
        body.append(f"<tr><td>{e(camera)}</td>{''.join(cells)}</tr>")
    return (
        "<h2>Compatibility matrix</h2><p class=small>Each simulated camera (configuration or "
        "persona) against each VMS under test. Two levels: what the VMS's ONVIF discovery "
        "picks (probe), and whether it ingests, records, finds and exports the camera's main "
        "stream end to end (by its probe's pick when that is the main stream, else by the URL "
        "given by hand). The evidence-package and audit columns (findings in vms-ingest, "
        "mandatory in vms-evidential) and the continuity, recovery, metadata, players and "
        "viewer columns (judged over longer recordings, a dropout, the files themselves and a "
        "second account) are shown beside that chain and do not decide "
        "'end to end'; the verdict above counts every mandatory one.</p>"
        f"<table class=matrix id=compatibility>{head}</tr>{''.join(body)}</table>"
    )
