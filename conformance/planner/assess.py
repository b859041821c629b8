"""One camera on one candidate VMS: works end to end, works after a named change, needs
replacement, or unknown, with the requirement IDs and matrix cells it rests on.

Why two halves of evidence: a camera works on a VMS when the VMS ingests a camera like it (the
vms-ingest cell: the same camera, else a stand-in of the same make, model and firmware, else a
stand-in with the same stream configuration) *and* the camera does what that ingest relies on
(its own audit, else lab verdicts for its make, model and firmware). Either half missing makes
the camera **unknown**: a model never tested is never assumed compatible.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from conformance.planner import changes as rules
from conformance.planner.evidence import CameraEvidence, EvidenceIndex, VmsEvidence, identity_key
from conformance.planner.inventory_from_results import picture_size
from reports.compatibility import OPTIONAL_STAGES

WORKS, CHANGE, REPLACE, UNKNOWN = "works", "needs_change", "needs_replacement", "unknown"
SAME_CAMERA = "same camera"
SAME_MODEL = "same make, model and firmware"
SAME_STREAM = "same stream configuration"
OWN_AUDIT = "own audit"
LAB = "lab results (same make, model and firmware)"


@dataclass
class CameraFacts:
    """What the inventory says of a camera, flattened for the assessment."""

    name: str
    authority: str
    make: str
    model: str
    firmware: str
    codec: str = ""
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    transport: str = ""
    features: tuple[str, ...] = ()
    must_not_go_dark: bool = False
    location: str = ""
    role: str = ""
    control_room: str = ""

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.make, self.model, self.firmware)


def camera_evidence(facts: CameraFacts, index: EvidenceIndex) -> tuple[CameraEvidence | None, str]:
    """The camera's own audit wins; lab verdicts for its make, model and firmware stand in."""
    own = index.by_name.get(facts.name)
    if own is not None:
        return own, OWN_AUDIT
    same = index.same_model(facts.identity)
    if same:
        return max(same, key=lambda e: e.finished), LAB
    return None, "none"


def _stream_of(facts: CameraFacts, evidence: CameraEvidence | None) -> CameraFacts:
    """The inventory's stream configuration, completed from the camera's own measurements."""
    if evidence is None or (facts.codec and facts.width):
        return facts
    encoder = (evidence.rows.get("ONVIF-MEDIA-ENC-01") or {}).get("measured") or {}
    encoder = encoder.get("profile_encoder") or {}
    width, height = picture_size(encoder.get("resolution")) or (None, None)
    fps = encoder.get("fps")
    return replace(
        facts,
        codec=(facts.codec or str(encoder.get("encoding") or "")).upper(),
        width=facts.width or width,
        height=facts.height or height,
        fps=facts.fps or (float(fps) if isinstance(fps, int | float) else None),
    )


def find_cell(
    facts: CameraFacts, vms: VmsEvidence, codec: str | None = None, transport: str = ""
) -> tuple[dict[str, Any] | None, str]:
    """The matrix cell that speaks for this camera on this VMS, and how it matched."""
    if codec is None:
        for pair in vms.pairs:
            if pair["camera"] == facts.name:
                return pair, SAME_CAMERA
        if facts.make and facts.model:
            for pair in vms.pairs:
                found = pair.get("camera_identity") or {}
                theirs = (
                    found.get("manufacturer", ""),
                    found.get("model", ""),
                    found.get("firmware", ""),
                )
                if identity_key(theirs) == identity_key(facts.identity):
                    return pair, SAME_MODEL
    wanted = (codec or facts.codec or "H264").upper()
    configs = [
        p
        for p in vms.pairs
        if (p.get("stream") or {}).get("codec", "").upper() == wanted
        and not (p.get("stream") or {}).get("persona")
        and (not transport or (p.get("stream") or {}).get("transport", "tcp") == transport)
    ]
    if not configs:
        return None, ""
    area = (facts.width or 0) * (facts.height or 0)

    def distance(pair: dict[str, Any]) -> tuple:
        s = pair.get("stream") or {}
        return (
            s.get("transport", "tcp") != (facts.transport or "tcp"),
            abs(int(s.get("width", 0)) * int(s.get("height", 0)) - area),
            abs(float(s.get("fps") or 0) - float(facts.fps or 0)),
        )

    return min(configs, key=distance), SAME_STREAM


@dataclass
class Assessment:
    """The verdict for one camera on one option, built up as the rules are applied."""

    facts: CameraFacts
    index: EvidenceIndex
    vms: VmsEvidence
    evidence: CameraEvidence | None = None
    source: str = "none"
    pair: dict[str, Any] | None = None
    match: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)
    unknown: str = ""
    notes: list[str] = field(default_factory=list)
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    cells: list[dict[str, Any]] = field(default_factory=list)
    losses: dict[str, str] = field(default_factory=dict)
    parallel: bool = False

    # -- evidence lookups that also record what the verdict rests on --------------------------
    def outcome(self, requirement: str) -> str:
        """The camera's outcome for a requirement ('' when its evidence has no such row);
        every row consulted is cited."""
        if self.evidence is None:
            return ""
        row = self.evidence.rows.get(requirement)
        if row is None:
            return ""
        self.verdicts[requirement] = {
            "requirement": requirement,
            "outcome": row.get("outcome", ""),
            "reason": str(row.get("reason") or "")[:300],
            "device": self.evidence.name,
            "href": self.index.row_href(self.evidence.folder, row),
        }
        return str(row.get("outcome", ""))

    def cite_cell(self, pair: dict[str, Any], stage: str, match: str | None = None) -> dict:
        cell = (pair.get("stages") or {}).get(stage) or {}
        row = self.vms.rows.get(pair["camera"], {}).get(cell.get("requirement", ""), {})
        cited = {
            "vms": self.vms.name,
            "camera": pair["camera"],
            "match": match or self.match,
            "stage": stage,
            "requirement": cell.get("requirement", ""),
            "outcome": cell.get("outcome", "not_tested"),
            "reason": cell.get("reason", ""),
            "href": self.index.row_href(self.vms.folder, row)
            if row
            else self.index.href(self.vms.folder),
        }
        if cited not in self.cells:
            self.cells.append(cited)
        return cited

    def change(self, change: rules.Change, requirements: list[str], label: str = "") -> None:
        entry = change.as_dict(requirements)
        if label:
            entry["label"] = label
        if all(c["kind"] != entry["kind"] for c in self.changes):
            self.changes.append(entry)

    @property
    def status(self) -> str:
        if self.unknown:
            return UNKNOWN
        if self.replace:
            return REPLACE
        return CHANGE if self.changes else WORKS


def assess(facts: CameraFacts, vms: VmsEvidence, index: EvidenceIndex) -> Assessment:
    """Apply the rules in order: evidence present, the VMS's cell, then the camera's own
    failures that the ingest relies on."""
    a = Assessment(facts, index, vms)
    a.evidence, a.source = camera_evidence(facts, index)
    facts = a.facts = _stream_of(facts, a.evidence)
    if a.evidence is None:
        a.unknown = (
            f"no camera evidence: {facts.name} was not audited and no lab results exist for "
            f"{_identity_text(facts)}"
        )
        return a
    a.pair, a.match = find_cell(facts, vms)
    if a.pair is None:
        a.unknown = (
            f"no vms-ingest evidence on {vms.name} for a camera like it "
            f"({facts.codec or 'unknown codec'}; not this camera, not its model)"
        )
        return a
    if not any(a.outcome(r) in ("pass", "fail") for r in rules.STREAMS):
        a.unknown = "its evidence does not say whether it streams: " + ", ".join(
            f"{r} {a.outcome(r) or 'absent'}" for r in rules.STREAMS
        )
        return a
    _judge_cell(a)
    if a.status == REPLACE and a.match != SAME_STREAM:
        return a
    _judge_camera(a)
    _judge_losses(a)
    a.parallel = a.outcome(rules.PARALLEL_STREAMING) == "pass"
    return a


def _essential(pair: dict[str, Any]) -> list[str]:
    return [
        stage
        for stage, cell in (pair.get("stages") or {}).items()
        if cell.get("requirement") not in OPTIONAL_STAGES
    ]


def _judge_cell(a: Assessment) -> None:
    """The VMS half: does the VMS ingest this camera (or one like it) end to end, and how."""
    pair = a.pair
    assert pair is not None
    for stage in _essential(pair):
        a.cite_cell(pair, stage)
    if pair.get("works_end_to_end"):
        if a.vms.has_probe and pair.get("ingested_by") == "url":
            trace = pair["stages"].get("trace", {}).get("requirement", "VMS-TRACE-01")
            label = f"{rules.URL_BY_HAND.label} ({pair.get('summary', '')})"
            a.change(rules.URL_BY_HAND, [trace], label=label)
        return
    failed = [
        f"{stage} ({cell.get('requirement')}): {cell.get('outcome')}"
        for stage, cell in pair["stages"].items()
        if stage in _essential(pair) and cell.get("outcome") != "pass"
    ]
    if a.match == SAME_STREAM and a.facts.codec == "H265":
        other, _ = find_cell(a.facts, a.vms, codec="H264")
        codecs = (
            ((a.evidence.device.get("discovery") or {}).get("codecs") or []) if a.evidence else []
        )
        if other is not None and other.get("works_end_to_end") and "H264" in codecs:
            a.cite_cell(other, "connect", SAME_STREAM)
            a.change(
                rules.SWITCH_TO_H264, [c["requirement"] for c in a.cells if c["outcome"] != "pass"]
            )
            a.losses["h265"] = "lost"
            return
    a.replace.append(
        f"{a.vms.name} does not ingest it end to end ({a.match}): " + "; ".join(failed)
    )


def _judge_camera(a: Assessment) -> None:
    """The camera half: what the ingest relies on, from the camera's own verdicts."""
    pair = a.pair or {}
    by_probe = pair.get("ingested_by") == "onvif probe"
    probe_failures = [r for r in rules.PROBE_DEPENDENCIES if a.outcome(r) == "fail"]
    if probe_failures and by_probe:
        label = f"{rules.URL_BY_HAND.label} (its ONVIF answers break the VMS's probe)"
        a.change(rules.URL_BY_HAND, probe_failures, label=label)
    transport = (pair.get("stream") or {}).get("transport") or "tcp"
    if a.outcome(rules.TRANSPORTS[transport]) == "fail":
        other = "udp" if transport == "tcp" else "tcp"
        cell, _ = find_cell(a.facts, a.vms, codec=a.facts.codec or "H264", transport=other)
        if a.outcome(rules.TRANSPORTS[other]) == "pass" and cell and cell.get("works_end_to_end"):
            a.cite_cell(cell, "connect", SAME_STREAM)
            a.change(rules.USE_UDP if other == "udp" else rules.USE_TCP,
                     [rules.TRANSPORTS[transport], rules.TRANSPORTS[other]])  # fmt: skip
        else:
            a.replace.append(
                f"it does not stream over {transport.upper()} ({rules.TRANSPORTS[transport]} "
                f"failed) and {a.vms.name} has no working {other.upper()} ingest evidence for it"
            )
    for requirement, change in rules.CONFIGURABLE.items():
        if a.outcome(requirement) == "fail":
            a.change(change, [requirement])
    quality = [r for r in rules.PICTURE_QUALITY if a.outcome(r) == "fail"]
    if quality:
        _firmware_or_replacement(a, quality)
    consulted = set(a.verdicts)
    others = sorted(
        rid
        for rid, row in (a.evidence.rows if a.evidence else {}).items()
        if row.get("outcome") == "fail" and rid not in consulted
    )
    if others:
        a.notes.append("also failed, no effect on this move: " + ", ".join(others))


def _transport(row: dict[str, Any] | None) -> str:
    return str(((row or {}).get("measured") or {}).get("transport") or "")


def _cures(a: Assessment, other: CameraEvidence, failed: list[str]) -> bool:
    """Another firmware's verdicts pass every failed requirement, measured over the same
    transport (a stream that loses packets over UDP is not cured by a pass over TCP)."""
    for requirement in failed:
        row = other.rows.get(requirement) or {}
        mine = _transport(a.evidence.rows.get(requirement) if a.evidence else None)
        theirs = _transport(row)
        if row.get("outcome") != "pass" or (mine and theirs and mine != theirs):
            return False
    return True


def _firmware_or_replacement(a: Assessment, failed: list[str]) -> None:
    """Video faults: a firmware whose lab verdicts pass them cures them, else replacement."""
    for other in sorted(
        a.index.other_firmware(a.facts.identity), key=lambda e: e.identity[2], reverse=True
    ):
        if _cures(a, other, failed):
            for r in failed:
                row = other.rows[r]
                a.verdicts[f"{r}@{other.identity[2]}"] = {
                    "requirement": r, "outcome": "pass", "reason": "", "device": other.name,
                    "href": a.index.row_href(other.folder, row),
                }  # fmt: skip
            a.change(rules.FIRMWARE, failed, label=f"upgrade the firmware to {other.identity[2]}")
            return
    a.replace.append(
        "its video fails " + ", ".join(failed) + ": no setting cures it and no firmware of "
        f"{a.facts.make} {a.facts.model} is known to"
    )


def _judge_losses(a: Assessment) -> None:
    """Features the camera has that this VMS keeps, loses, or for which there is no evidence."""
    if a.status in (REPLACE, UNKNOWN) or a.pair is None:
        return
    stages = a.pair.get("stages") or {}
    evidential = [stages.get(s, {}).get("outcome") for s in rules.EVIDENTIAL_STAGES]
    for stage in rules.EVIDENTIAL_STAGES:
        if stage in stages:
            a.cite_cell(a.pair, stage)
    a.losses["evidential_export"] = (
        "kept" if evidential and all(o == "pass" for o in evidential)
        else "unknown" if any(o in (None, "not_tested", "not_applicable") for o in evidential)
        else "lost"
    )  # fmt: skip
    beside = [
        f"{stage} ({cell.get('requirement')})"
        for stage, cell in stages.items()
        if stage not in rules.EVIDENTIAL_STAGES
        and cell.get("requirement") in OPTIONAL_STAGES
        and cell.get("outcome") == "fail"
    ]
    if beside:
        a.notes.append(f"{a.vms.name} also fails, beside the ingest chain: " + ", ".join(beside))
    search = stages.get(rules.SEARCH_STAGE, {}).get("outcome")
    a.losses["recording_search"] = "kept" if search == "pass" else "lost" if search else "unknown"
    if a.facts.codec == "H265":
        a.losses.setdefault("h265", "kept")
    discovered = (
        ((a.evidence.device.get("discovery") or {}).get("features") or {}) if a.evidence else {}
    )
    for feature in ("ptz", "events"):
        has = (
            feature in a.facts.features
            or (discovered.get(feature) or {}).get("discovered") == "supported"
        )
        if has:
            a.losses[feature] = (
                "unknown"  # vms-ingest does not exercise PTZ or events through a VMS
            )


def _identity_text(facts: CameraFacts) -> str:
    return " ".join(p for p in facts.identity if p) or "an unidentified camera"
