"""``cctv-conformance merge``: per-site results folders into one estate result.

Each authority can run the suite on its own machine against its own cameras and share the
results folder; merging them gives one results.json (and the reports built from it) for the whole
estate. Runs merge only when they judged against the same profile content (same digest), so an
estate report never mixes different rule sets. Evidence files are copied under a per-run folder
and their paths rewritten, so every link in the merged report still resolves.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from conformance.errors import InputError
from conformance.results import read_results, verdict_of


def _relocate(device: dict[str, Any], prefix: str) -> dict[str, Any]:
    rows = []
    for row in device["requirements"]:
        files = [{**f, "path": f"{prefix}/{f['path']}"} for f in row.get("evidence", [])]
        rows.append({**row, "evidence": files})
    return {**device, "requirements": rows}


def merge_results(folders: list[Path], out: Path) -> dict[str, Any]:
    """Merge results folders into ``out``; returns the merged results (also written)."""
    if not folders:
        raise InputError("merge", None, "give at least one results folder")
    runs = [(folder, read_results(folder, "merge")) for folder in folders]
    first_folder, first = runs[0]
    digest = first["profile"]["digest"]
    for folder, data in runs[1:]:
        if data["profile"]["digest"] != digest:
            raise InputError(
                folder / "results.json",
                "profile.digest",
                f"profile {data['profile']['id']} v{data['profile']['version']} differs from "
                f"{first['profile']['id']} v{first['profile']['version']} in {first_folder}; "
                "only runs of the same profile content can be merged",
            )
    out.mkdir(parents=True, exist_ok=True)
    devices: list[dict[str, Any]] = []
    seen: set[str] = set()
    sources = []
    for index, (folder, data) in enumerate(runs, start=1):
        prefix = f"runs/{index:02d}"
        evidence = folder / "evidence"
        if evidence.is_dir():
            shutil.copytree(evidence, out / prefix / "evidence", dirs_exist_ok=True)
        for device in data["devices"]:
            name = device["name"]
            if name in seen:
                raise InputError(
                    folder / "results.json",
                    "devices",
                    f"device {name!r} appears in more than one run",
                )
            seen.add(name)
            devices.append({**_relocate(device, prefix), "run": index})
        sources.append(
            {
                "run": index,
                "folder": str(folder),
                "target": data["target"],
                "started": data["started"],
                "finished": data["finished"],
            }
        )
    rows = [row for device in devices for row in device["requirements"]]
    verdict, meaning = verdict_of(rows)
    merged = {
        **{k: first[k] for k in ("schema", "suite", "profile")},
        "mode": first["mode"] if len({d["mode"] for _, d in runs}) == 1 else "mixed",
        "target": {
            "supplier": "; ".join(sorted({str(s["target"].get("supplier", "")) for s in sources})),
            "product": f"Estate of {len(devices)} devices from {len(runs)} runs",
            "lab": "; ".join(sorted({str(s["target"].get("lab", "")) for s in sources} - {""})),
            "source": "merged",
        },
        "started": min(s["started"] for s in sources),
        "finished": max(s["finished"] for s in sources),
        "verdict": verdict,
        "verdict_meaning": meaning,
        "counts": dict(Counter(row["outcome"] for row in rows)),
        "devices": devices,
        "merged_from": sources,
    }
    (out / "results.json").write_text(json.dumps(merged, indent=2), encoding="utf-8")
    return merged
