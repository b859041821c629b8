"""The comparison's honest pieces: what each device reported, why a cell is not a pass, and the
suppliers' declarations and contradictions side by side.

A procurement reader compares suppliers cell by cell, so every value must say where it came
from: a firmware the device *reported* is never filled in from what the supplier *declared*
(``not reported`` says the device gave none), a fail carries its reason, a blocked check names
the requirement that blocked it, and a declaration answer carries its status (evidenced,
contradicted, declared but not verified, not declared) next to the other suppliers' answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from reports.claims import claim_findings, contradictions, declaration_findings
from reports.html import e, plain_reason

NOT_REPORTED = "not reported"
NOT_MEASURED = "not measured"
IDENTITY_REQUIREMENT = "ONVIF-DEV-INFO-01"
# GetDeviceInformation fields, in the order a reader checks them, with their plain names.
IDENTITY_FIELDS = {
    "Manufacturer": "manufacturer",
    "Model": "model",
    "FirmwareVersion": "firmware",
    "SerialNumber": "serial number",
    "HardwareId": "hardware ID",
}
SHORT_REASON = 90  # characters of a reason shown in a cell; the full text is one click away


def rid(requirement: str) -> str:
    """A requirement ID as the reports mark it: code, never wrapped (also on paper)."""
    return f"<code class=rid>{e(requirement)}</code>"


def reported_identity(device: dict[str, Any]) -> dict[str, str]:
    """What the device itself answered to GetDeviceInformation, field by field.

    Empty and missing fields read ``not reported``; when the identity check did not get an answer
    at all every field reads ``not measured``. Nothing is ever taken from the declaration.
    """
    row = next(
        (r for r in device.get("requirements", []) if r.get("id") == IDENTITY_REQUIREMENT), None
    )
    identity = ((row or {}).get("measured") or {}).get("identity")
    if not isinstance(identity, dict):
        return dict.fromkeys(IDENTITY_FIELDS.values(), NOT_MEASURED)
    out = {}
    for key, name in IDENTITY_FIELDS.items():
        value = identity.get(key)
        out[name] = NOT_REPORTED if value is None or not str(value).strip() else str(value)
    return out


def identity_html(value: str) -> str:
    """A reported value, with the two absences styled so they never pass for a value."""
    if value in (NOT_REPORTED, NOT_MEASURED):
        return f"<span class=absent>{e(value)}</span>"
    return e(value)


def _redact(address: str) -> str:
    """An address without user name, password, query or fragment (where tokens travel). e1
    redacts it when writing results.json; a report must not depend on that."""
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        return "(address not shown)"
    if not parts.scheme or not parts.hostname:
        return address.split("@")[-1].split("?")[0]
    host = parts.hostname + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def vms_text(results: dict[str, Any]) -> str:
    """The VMS that made the exports and recordings judged in this run, or '' when none did."""
    vms = results.get("vms")
    if not isinstance(vms, dict):
        return ""
    name = str(vms.get("name") or "")
    product = " ".join(str(vms.get(k) or "") for k in ("product", "version")).strip()
    text = f"{name} ({product})" if name and product else name or product
    address = str(vms.get("address") or "")
    return f"{text} at {_redact(address)}" if address else text


def _shorten(text: str, limit: int = SHORT_REASON) -> str:
    """The first line, cut at a clause (``;``) or word boundary before ``limit`` characters."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    if len(first) <= limit:
        return first
    cut = first.rfind("; ", 0, limit)
    if cut < limit // 2:
        cut = first.rfind(" ", 0, limit)
    return first[: cut if cut > 0 else limit].rstrip(" ;,") + " …"


def reason_html(row: dict[str, Any]) -> str:
    """Why a cell is not a pass: short text in the cell, the full reason on hover and in
    ``<details>`` (printed closed: the short text stays on paper)."""
    if row.get("outcome") == "pass":
        return ""
    reason = plain_reason(str(row.get("reason") or ""))
    blocked = str(row.get("blocked_by") or "")
    prefix = ""
    if blocked:
        prefix = f"blocked by {rid(blocked)}"
        head = f"blocked by {blocked}"
        if reason.lower().startswith(head.lower()):
            reason = reason[len(head) :].lstrip(" :—-")
        prefix += ": " if reason else ""
    if not reason and not prefix:
        # A fail or inconclusive cell always says why, even when the run recorded nothing.
        bad = row.get("outcome") in ("fail", "inconclusive")
        return "<div class=why>(no reason recorded)</div>" if bad else ""
    short = _shorten(reason)
    if short == reason.strip():
        return f"<div class=why>{prefix}{e(short)}</div>"
    return (
        f"<details class=why><summary title='{e(reason)}'>{prefix}{e(short)}</summary>"
        f"<div class=full>{e(reason)}</div></details>"
    )


def _status_class(status: str) -> str:
    if status.startswith("evidenced"):
        return "tag-evidenced"
    if status.startswith("contradicted"):
        return "tag-contradicted"
    return "tag-none" if status.startswith("not declared") else "tag-declared"


def _ids_html(ids: list[str], status: str) -> str:
    if not ids:
        return ""
    word = "by" if status.startswith(("evidenced", "contradicted")) else "see"
    if len(ids) <= 3:
        return f"<div class=small>{word} {', '.join(rid(i) for i in ids)}</div>"
    return (
        f"<details class=small><summary>{word} {len(ids)} requirements</summary>"
        f"{', '.join(rid(i) for i in ids)}</details>"
    )


def _text_html(text: str, limit: int = 140) -> str:
    if len(text) <= limit:
        return f"<div>{e(text)}</div>"
    return (
        f"<details><summary>{e(_shorten(text, limit))}</summary>"
        f"<div class=full>{e(text)}</div></details>"
    )


def finding_html(finding: Any) -> str:
    """One finding: status tag, the statement, its detail and the requirements that decide it.

    Read through ``getattr`` so new fields or states added to ``Finding`` never break it.
    """
    status = str(getattr(finding, "status", "") or "")
    statement = str(getattr(finding, "statement", "") or "")
    if statement in ("", "(no answer given)") and status.startswith("declared"):
        status = "not declared"
    detail = str(getattr(finding, "detail", "") or "")
    ids = [str(i) for i in getattr(finding, "requirements", []) or []]
    parts = [f"<span class='tag {_status_class(status)}'>{e(status)}</span>"]
    if status != "not declared":
        parts.append(_text_html(statement))
    if detail:
        parts.append(f"<div class=small>{e(_shorten(detail, 160))}</div>")
    parts.append(_ids_html(ids, status))
    return f"<div class=finding>{''.join(parts)}</div>"


def side_by_side(
    title: str,
    heads: list[str],
    per_column: Iterable[list[Any]],
    empty: str,
    intro: str,
) -> str:
    """Findings grouped by subject, one row per subject, one column per device.

    A subject a column has nothing for reads ``empty`` (e.g. "not declared", "none found").
    """
    columns = list(per_column)
    subjects: dict[str, None] = {}
    for findings in columns:
        for f in findings:
            subjects.setdefault(str(getattr(f, "subject", "")), None)
    if not subjects:
        return f"<h2>{e(title)}</h2><p>{e(intro)} None, for any device.</p>"
    rows = []
    for subject in subjects:
        cells = []
        for findings in columns:
            mine = [f for f in findings if str(getattr(f, "subject", "")) == subject]
            inner = "".join(finding_html(f) for f in mine) or f"<span class=small>{e(empty)}</span>"
            cells.append(f"<td>{inner}</td>")
        rows.append(f"<tr><th class=subj>{e(subject)}</th>{''.join(cells)}</tr>")
    head = "".join(f"<th class=col>{h}</th>" for h in heads)
    return (
        f"<h2>{e(title)}</h2><p>{e(intro)}</p>"
        f"<table class=sides><tr><th>Subject</th>{head}</tr>{''.join(rows)}</table>"
    )


def findings_sections(columns: list[Any], heads: list[str]) -> str:
    """Declarations, claims and contradictions of every column, side by side."""

    def each(fn: Callable[[dict[str, Any], dict[str, Any]], list[Any]]) -> list[list[Any]]:
        return [fn(c.results.get("target") or {}, c.device) for c in columns]

    return "".join(
        [
            side_by_side(
                "Suppliers' declarations",
                heads,
                each(lambda t, d: declaration_findings(t.get("declaration") or {}, d)),
                "not declared",
                "Each supplier's answers to the procurement questions, with what this run could "
                "check of them: only the interoperability answer can be backed (in part) by "
                "tests; the rest are the supplier's word.",
            ),
            side_by_side(
                "Claims against measurements",
                heads,
                each(lambda t, d: claim_findings(t.get("claims") or {}, d)),
                "no such claim",
                "Claimed features, codecs, resolutions, frame rates and profiles: evidenced only "
                "when a passing requirement measured exactly that.",
            ),
            side_by_side(
                "Contradictions",
                heads,
                each(contradictions),
                "none found",
                "Where a supplier's claims, the device's own answers and the measurements "
                "disagree.",
            ),
        ]
    )
