"""The planner's evidence: result folders read once and indexed the way the plan asks them.

Why an index: every camera of an estate asks the same two questions of the evidence, once per
option: what do we know about *this* camera (its own audit, else lab verdicts for its make, model
and firmware), and what do we know about a VMS ingesting a camera like it (the vms-ingest matrix
cell of the same camera, the same model, else the same stream configuration). Reading the folders
once and answering those lookups from dictionaries keeps a 125-camera x 3-option plan instant.

Only what conformant devices send is read (results.json rows, their measured values and evidence
paths); a folder that is not a results folder is an input error naming it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import InputError, input_error, raise_all
from conformance.results import read_results

PAIR_SEPARATOR = " · "
"""How vms-ingest names a (VMS, camera) pair's device row (reports.compatibility.SEPARATOR)."""


def identity_of(device: dict[str, Any]) -> tuple[str, str, str]:
    """(make, model, firmware) as the device itself answered GetDeviceInformation."""
    for row in device.get("requirements", []):
        if row.get("id") == "ONVIF-DEV-INFO-01":
            found = (row.get("measured") or {}).get("identity") or {}
            return (
                str(found.get("Manufacturer") or ""),
                str(found.get("Model") or ""),
                str(found.get("FirmwareVersion") or ""),
            )
    return ("", "", "")


@dataclass
class CameraEvidence:
    """One device's verdicts in one camera run (an estate audit or a lab run)."""

    folder: Path
    run: dict[str, Any]
    device: dict[str, Any]
    identity: tuple[str, str, str]
    rows: dict[str, dict[str, Any]]

    @property
    def name(self) -> str:
        return str(self.device.get("name", ""))

    @property
    def finished(self) -> str:
        return str(self.run.get("finished") or "")


@dataclass
class VmsEvidence:
    """One candidate VMS's vms-ingest matrix: its cells and the rows behind them."""

    name: str
    folder: Path
    run: dict[str, Any]
    pairs: list[dict[str, Any]]
    rows: dict[str, dict[str, dict[str, Any]]]
    """camera name -> requirement id -> the pair's results row (for evidence links)."""

    @property
    def has_probe(self) -> bool:
        """Whether this VMS finds streams by ONVIF at all: its probe picked a stream for some
        camera. A probe that found nothing for one camera only is then that camera's problem."""
        return any((p.get("probe") or {}).get("picks") for p in self.pairs)


@dataclass
class EvidenceIndex:
    """Every results folder given to ``plan``, indexed for the per-camera questions."""

    out: Path
    folders: list[dict[str, Any]] = field(default_factory=list)
    by_name: dict[str, CameraEvidence] = field(default_factory=dict)
    by_identity: dict[tuple[str, str, str], list[CameraEvidence]] = field(default_factory=dict)
    vms: dict[str, VmsEvidence] = field(default_factory=dict)

    def href(self, folder: Path, relative: str = "compliance.html") -> str:
        """A link from the plan's folder to a file of a results folder (kept beside it)."""
        return os.path.relpath(folder / relative, self.out).replace(os.sep, "/")

    def row_href(self, folder: Path, row: dict[str, Any]) -> str:
        """The first evidence file of a row (what a lab opens to re-check the verdict), else
        the folder's compliance statement."""
        files = row.get("evidence") or []
        if files and files[0].get("path"):
            return self.href(folder, str(files[0]["path"]))
        return self.href(folder)

    def same_model(self, identity: tuple[str, str, str]) -> list[CameraEvidence]:
        """Lab verdicts that stand in for an unaudited camera: same make, model and firmware
        (an empty make or model never matches: an anonymous device says nothing of others)."""
        if not identity[0] or not identity[1]:
            return []
        return self.by_identity.get(identity_key(identity), [])

    def other_firmware(self, identity: tuple[str, str, str]) -> list[CameraEvidence]:
        """Verdicts for the same make and model on another firmware (firmware-upgrade advice)."""
        make, model, firmware = identity_key(identity)
        if not make or not model:
            return []
        return [
            ev
            for (m, mo, fw), found in self.by_identity.items()
            if (m, mo) == (make, model) and fw != firmware
            for ev in found
        ]


def identity_key(identity: tuple[str, str, str]) -> tuple[str, str, str]:
    """(make, model, firmware) compared as a lab compares them: trimmed, case-insensitive."""
    return tuple(part.strip().casefold() for part in identity)  # type: ignore[return-value]


def _is_pair(device: dict[str, Any]) -> bool:
    return PAIR_SEPARATOR in str(device.get("name", ""))


def index_results(folders: list[Path], out: Path) -> EvidenceIndex:
    """Read every folder (all problems at once) and index cameras and VMS matrices. Later
    folders win where two runs judged the same camera (the newer evidence)."""
    index = EvidenceIndex(out=out)
    errors: list[InputError] = []
    loaded: list[tuple[Path, dict[str, Any]]] = []
    for folder in folders:
        try:
            loaded.append((folder, read_results(folder)))
        except InputError as exc:
            errors.append(exc)
    raise_all(errors)
    for folder, run in sorted(loaded, key=lambda item: str(item[1].get("finished") or "")):
        pairs = [d for d in run["devices"] if _is_pair(d)]
        cameras = [d for d in run["devices"] if not _is_pair(d)]
        summary = {
            "folder": index.href(folder, "").rstrip("/") or ".",
            "href": index.href(folder),
            "profile": (run.get("profile") or {}).get("id", ""),
            "supplier": (run.get("target") or {}).get("supplier", ""),
            "product": (run.get("target") or {}).get("product", ""),
            "finished": run.get("finished", ""),
            "verdict": run.get("verdict", ""),
        }
        if pairs:
            _index_vms(index, folder, run, pairs, summary)
        if cameras:
            index.folders.append({**summary, "kind": "camera", "devices": len(cameras)})
            for device in cameras:
                _index_camera(index, folder, run, device)
        if not pairs and not cameras:
            errors.append(input_error(folder / "results.json", [("devices", "lists no device")]))
    raise_all(errors)
    return index


def _index_camera(index: EvidenceIndex, folder: Path, run: dict, device: dict) -> None:
    rows = {str(r.get("id")): r for r in device.get("requirements", [])}
    evidence = CameraEvidence(folder, run, device, identity_of(device), rows)
    index.by_name[evidence.name] = evidence
    if evidence.identity[0] and evidence.identity[1]:
        found = index.by_identity.setdefault(identity_key(evidence.identity), [])
        found[:] = [e for e in found if e.name != evidence.name] + [evidence]


def _index_vms(index: EvidenceIndex, folder: Path, run: dict, pairs: list, summary: dict) -> None:
    from reports.compatibility import compatibility

    section = run.get("compatibility") or compatibility(pairs) or {"pairs": []}
    for name in sorted({str(p["vms"]) for p in section["pairs"]}):
        mine = [p for p in section["pairs"] if p["vms"] == name]
        rows = {
            str(d["name"]).partition(PAIR_SEPARATOR)[2]: {
                str(r.get("id")): r for r in d.get("requirements", [])
            }
            for d in pairs
            if str(d["name"]).partition(PAIR_SEPARATOR)[0] == name
        }
        index.vms[name] = VmsEvidence(name, folder, run, mine, rows)
        index.folders.append({**summary, "kind": "vms-ingest", "vms": name, "devices": len(mine)})
