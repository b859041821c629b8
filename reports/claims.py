"""Claims and declarations against the evidence: what is evidenced, contradicted or only declared.

Procurement readers need to know which of a supplier's statements the suite actually checked.
The mapping is deliberately narrow (see docs/reports.md): a claim is *evidenced* only when a
passing requirement measured exactly that property, *contradicted* when a measurement or the
device's own answers disagree, and otherwise *declared, not verified*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Which requirement measures each claimed feature (its pass is the evidence).
FEATURE_EVIDENCE: dict[str, tuple[str, ...]] = {
    "snapshot": ("ONVIF-MEDIA-SNAP-01",),
    "rtsp_udp": ("STREAM-RTSP-UDP-01",),
    "rtsp_tcp": ("STREAM-RTSP-TCP-01",),
}
# Features measured by a whole domain of requirements (all that ran must pass, at least one).
FEATURE_DOMAINS: dict[str, str] = {"ptz": "ptz", "events": "events", "media2": "media2"}
# Declaration answers that interoperability tests can back in part: the standard interfaces the
# answer relies on were exercised. Everything else in a declaration is a statement of fact about
# the business (customers, maturity, roadmap) that no protocol test can check.
INTEROP_PREFIXES = ("ONVIF-", "STREAM-RTSP-")

EVIDENCED, CONTRADICTED, DECLARED = "evidenced", "contradicted", "declared, not verified"
NOT_DECLARED = "not declared"

DECLARATION_LABELS = {
    "technology": "How the technology works",
    "maturity": "How mature it is",
    "release_status": "Released or in development",
    "customers": "Current customers (police and others)",
    "use_cases": "Use cases",
    "roadmap": "Roadmap",
    "interoperability": "How it combines with other platforms with minimal disruption",
    "efficiency_gains": "Efficiency gains it brings",
}
# Sections of the declaration shown one question per line.
NESTED_LABELS: dict[str, dict[str, str]] = {
    "customers": {
        "police": "Current customers: police",
        "non_police": "Current customers: other (non-police)",
    },
    "security": {
        "secure_boot": "Security: secure boot",
        "signed_firmware": "Security: signed firmware",
        "vulnerability_disclosure": "Security: vulnerability disclosure",
        "support_period": "Security: support period (security updates)",
        "psti_statement": "Security: PSTI statement of compliance",
        "data_residency": "Security: where data is processed and stored",
    },
}


@dataclass
class Finding:
    """One statement with its status and the requirement rows that decide it."""

    subject: str
    statement: str
    status: str
    detail: str = ""
    requirements: list[str] = field(default_factory=list)


def _rows(device: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in device.get("requirements", [])}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{k.replace('_', ' ')}: {_fmt(v) or 'not declared'}" for k, v in value.items()
        )
    return str(value)


def measured_firmware(device: dict[str, Any]) -> str | None:
    """The firmware the device reports (GetDeviceInformation), if the identity check ran."""
    row = _rows(device).get("ONVIF-DEV-INFO-01")
    identity = (row or {}).get("measured", {}).get("identity") or {}
    value = identity.get("FirmwareVersion") if isinstance(identity, dict) else None
    return None if value is None else str(value)


def _by_requirement(
    subject: str, statement: str, rows: dict[str, dict[str, Any]], ids: tuple[str, ...]
) -> Finding:
    present = [rows[i] for i in ids if i in rows]
    if not present:
        return Finding(subject, statement, DECLARED, "no requirement of this profile measures it")
    failed = [r for r in present if r["outcome"] == "fail"]
    if failed:
        return Finding(
            subject, statement, CONTRADICTED, failed[0].get("reason", ""), [r["id"] for r in failed]
        )
    if all(r["outcome"] == "pass" for r in present):
        return Finding(subject, statement, EVIDENCED, "", [r["id"] for r in present])
    return Finding(
        subject,
        statement,
        DECLARED,
        "the check that would back it did not reach a verdict: "
        + ", ".join(f"{r['id']} {r['outcome']}" for r in present),
        [r["id"] for r in present],
    )


def claim_findings(claims: dict[str, Any], device: dict[str, Any]) -> list[Finding]:
    """Each claimed feature, codec, resolution and frame rate against what was measured."""
    rows = _rows(device)
    findings: list[Finding] = []
    for feature in claims.get("features", []) or []:
        if feature in FEATURE_EVIDENCE:
            findings.append(_by_requirement("feature", feature, rows, FEATURE_EVIDENCE[feature]))
        elif feature in FEATURE_DOMAINS:
            ids = tuple(r for r, row in rows.items() if row["domain"] == FEATURE_DOMAINS[feature])
            findings.append(_by_requirement("feature", feature, rows, ids))
        else:
            findings.append(Finding("feature", feature, DECLARED, "not measured by this suite"))
    fmt = rows.get("STREAM-FORMAT-01")
    measured = (fmt or {}).get("measured", {})
    if fmt is None and "VMS-MEDIA-01" in rows:  # a (VMS, camera) pair: judged per camera
        findings += [
            _vms_codec_finding(str(c), rows["VMS-MEDIA-01"]) for c in claims.get("codecs") or []
        ]
        claims = {**claims, "codecs": []}
    for subject, key, claimed_list in (
        ("codec", "codec", claims.get("codecs") or []),
        ("resolution", "resolution", claims.get("resolutions") or []),
    ):
        for value in claimed_list:
            findings.append(_value_finding(subject, str(value), measured.get(key), fmt))
    fps_row = rows.get("STREAM-FPS-01")
    fps = (fps_row or {}).get("measured", {}).get("fps_rtp")
    tol = float((fps_row or {}).get("parameters", {}).get("fps_tolerance_pct", 10.0))
    for rate in claims.get("frame_rates") or []:
        if fps_row is None or fps is None:
            findings.append(
                _by_requirement("frame rate", f"{rate:g} fps", rows, ("STREAM-FPS-01",))
            )
            continue
        ok = abs(float(fps) - float(rate)) <= float(rate) * tol / 100
        status = EVIDENCED if ok and fps_row["outcome"] == "pass" else CONTRADICTED
        if ok and fps_row["outcome"] != "pass":
            status = DECLARED
        findings.append(
            Finding(
                "frame rate",
                f"{float(rate):g} fps",
                status,
                f"measured {float(fps):g} fps (tolerance ±{tol:g}%)",
                ["STREAM-FPS-01"],
            )
        )
    for profile in claims.get("profiles") or []:
        findings.append(_profile_finding(str(profile), rows))
    return findings


def _vms_codec_finding(claimed: str, row: dict[str, Any]) -> Finding:
    """A VMS's codec claim on one (VMS, camera) pair: tried when the pair's camera sends that
    codec (VMS-MEDIA-01 compares the recording with it), else not this pair's question."""
    sent = str(((row.get("expected") or {}).get("stream") or {}).get("codec") or "")
    if sent.upper() != claimed.upper():
        return Finding(
            "codec",
            claimed,
            DECLARED,
            f"not judged on this pair: its camera sends {sent or 'another codec'}; see the pair "
            "whose camera sends it",
        )
    recorded = ((row.get("measured") or {}).get("recording") or {}).get("codec")
    detail = f"tried: the camera sends {sent}; the VMS recorded {recorded or 'nothing'}"
    status = {"pass": EVIDENCED, "fail": CONTRADICTED}.get(row["outcome"], DECLARED)
    if status == CONTRADICTED:
        detail += f" ({str(row.get('reason', '')).splitlines()[0][:200]})"
    return Finding("codec", claimed, status, detail, [row["id"]])


def _value_finding(
    subject: str, claimed: str, measured: Any, row: dict[str, Any] | None
) -> Finding:
    if row is None or measured in (None, ""):
        return Finding(subject, claimed, DECLARED, "not measured in this run")
    same = str(measured).lower() == claimed.lower()
    if same and row["outcome"] == "pass":
        return Finding(subject, claimed, EVIDENCED, f"measured {measured}", [row["id"]])
    if same:
        return Finding(subject, claimed, DECLARED, f"measured {measured}", [row["id"]])
    return Finding(
        subject,
        claimed,
        CONTRADICTED,
        f"the stream measured is {measured}; other configurations were not probed",
        [row["id"]],
    )


def _profile_finding(profile: str, rows: dict[str, dict[str, Any]]) -> Finding:
    scopes = rows.get("ONVIF-DEV-SCOPES-01")
    detail = (
        "the device's scopes were checked; only ONVIF's own Declaration of Conformance "
        "proves official conformance"
    )
    if scopes is None:
        return Finding("ONVIF profile", profile, DECLARED, detail)
    if scopes["outcome"] == "fail":
        return Finding(
            "ONVIF profile", profile, CONTRADICTED, scopes.get("reason", ""), [scopes["id"]]
        )
    status = EVIDENCED if scopes["outcome"] == "pass" else DECLARED
    return Finding("ONVIF profile", profile, status, detail, [scopes["id"]])


def declaration_answers(declaration: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Each question with its answer, nested sections (customers, security) one per question."""
    out = []
    for key, answer in declaration.items():
        if isinstance(answer, dict) and key in NESTED_LABELS:
            for sub, value in answer.items():
                label = NESTED_LABELS[key].get(sub, f"{key}: {sub.replace('_', ' ')}")
                out.append((f"{key}.{sub}", label, value))
        else:
            out.append((key, DECLARATION_LABELS.get(key, key.replace("_", " ")), answer))
    return out


def _interoperability(label: str, text: str, rows: dict[str, dict[str, Any]]) -> Finding:
    """The one answer tests can back in part: the standard interfaces it relies on worked."""
    interop = [r for r in rows.values() if r["id"].startswith(INTEROP_PREFIXES)]
    mandatory = [r for r in interop if r["level"] == "mandatory"]
    failed = [r["id"] for r in mandatory if r["outcome"] == "fail"]
    if failed:
        return Finding(
            label,
            text,
            CONTRADICTED,
            "standard interface checks failed: " + ", ".join(failed),
            failed,
        )
    if mandatory and all(r["outcome"] == "pass" for r in mandatory):
        return Finding(
            label,
            text,
            f"{EVIDENCED} (in part)",
            f"all {len(mandatory)} mandatory ONVIF and RTSP interface checks passed; "
            "the effort of combining it with a given platform is not measured",
            [r["id"] for r in mandatory],
        )
    detail = (
        "the interface checks that would back it did not all reach a verdict"
        if mandatory
        else "no ONVIF or RTSP interface check ran"
    )
    return Finding(label, text, DECLARED, detail, [r["id"] for r in mandatory])


def declaration_findings(declaration: dict[str, Any], device: dict[str, Any]) -> list[Finding]:
    """Supplier answers: not declared when empty; only interoperability can be evidenced."""
    rows = _rows(device)
    findings = []
    for key, label, answer in declaration_answers(declaration):
        if answer in (None, "", [], {}):
            findings.append(Finding(label, "", NOT_DECLARED, "the supplier gave no answer"))
            continue
        text = _fmt(answer)
        if key == "interoperability":
            findings.append(_interoperability(label, text, rows))
        elif key.startswith("security."):
            findings.append(Finding(label, text, DECLARED, "cannot be checked over the network"))
        else:
            findings.append(Finding(label, text, DECLARED))
    return findings


def contradictions(target: dict[str, Any], device: dict[str, Any]) -> list[Finding]:
    """Where claims, the device's own answers (discovery) and measurements disagree."""
    rows = _rows(device)
    found: list[Finding] = []
    disc = rows.get("ONVIF-DISC-CLAIMS-01")
    for text in (disc or {}).get("measured", {}).get("contradictions", []) or []:
        found.append(
            Finding("claimed vs discovered", str(text), CONTRADICTED, "", ["ONVIF-DISC-CLAIMS-01"])
        )
    declared = str(target.get("firmware") or "")
    reported = measured_firmware(device)
    info = rows.get("ONVIF-DEV-INFO-01", {})
    if declared and info.get("outcome") not in (None, "not_tested") and reported != declared:
        found.append(
            Finding(
                "firmware declared vs reported",
                f"declared {declared}",
                CONTRADICTED,
                f"the device reports {reported or '(nothing)'}",
                ["ONVIF-DEV-INFO-01"],
            )
        )
    for finding in claim_findings(target.get("claims") or {}, device):
        if finding.status == CONTRADICTED and finding.subject in (
            "codec",
            "resolution",
            "frame rate",
        ):
            found.append(
                Finding(
                    f"claimed vs measured {finding.subject}",
                    f"claimed {finding.statement}",
                    CONTRADICTED,
                    finding.detail,
                    finding.requirements,
                )
            )
    return found
