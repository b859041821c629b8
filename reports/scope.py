"""What a run's profile covers and what it leaves out, derived from the requirement catalogue.

A "Conforms" means nothing without its scope: a camera that conforms to a streaming baseline has
had its security judged not at all. The statement says so next to the verdict, derived, not typed:
the catalogue's domains (one per ``profiles/requirements/*.yaml``) that no requirement of this
run belongs to are "not assessed", each with the profiles that would assess it. When the catalogue
cannot be read (a results folder opened on another machine), only the covered domains are listed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reports.html import e

# Profiles that bundle everything: never the useful suggestion for one missing domain.
BUNDLES = {"all-requirements"}
SUGGESTIONS = 2  # profiles named per missing domain


@dataclass
class Scope:
    """Domains the run judged (with how many of the catalogue's requirements) and the rest."""

    profile: str
    covered: list[tuple[str, int, int]] = field(default_factory=list)  # domain, in run, in cat.
    missing: list[tuple[str, list[str]]] = field(default_factory=list)  # domain, profiles
    catalogue_read: bool = True


def domain_label(domain: str) -> str:
    """``streaming_transports`` -> "Streaming transports"; ``ptz`` -> "PTZ"."""
    special = {"ptz": "PTZ", "media2": "Media2", "vms_ingest": "VMS ingest", "vms": "VMS"}
    return special.get(domain, domain.replace("_", " ").capitalize())


def _catalogue() -> Any | None:
    """The requirement catalogue of this installation, or None if it cannot be read."""
    try:
        from conformance.catalogue import load_catalogue

        return load_catalogue()
    except Exception:  # noqa: BLE001 - a report must render without the catalogue
        return None


def profile_scope(results: dict[str, Any], catalogue: Any | None = None) -> Scope:
    """The scope of this run: covered domains from its rows, missing ones from the catalogue."""
    profile = results.get("profile") or {}
    run_ids: dict[str, set[str]] = {}
    for device in results.get("devices", []):
        for row in device.get("requirements", []):
            run_ids.setdefault(row["domain"], set()).add(row["id"])
    cat = catalogue if catalogue is not None else _catalogue()
    scope = Scope(profile=str(profile.get("id", "")))
    if cat is None:
        scope.catalogue_read = False
        scope.covered = [(d, len(ids), 0) for d, ids in sorted(run_ids.items())]
        return scope
    in_catalogue = Counter(req.domain for req in cat.requirements.values())
    scope.covered = [(d, len(ids), in_catalogue.get(d, 0)) for d, ids in sorted(run_ids.items())]
    profiles_by_domain: dict[str, list[tuple[float, str]]] = {}
    for pid in cat.profile_ids:
        if pid in BUNDLES or pid == scope.profile:
            continue
        try:
            resolved = cat.resolve(pid)
        except Exception:  # noqa: BLE001 - one broken profile must not hide the others
            continue
        domains = Counter(entry.requirement.domain for entry in resolved.requirements)
        total = sum(domains.values()) or 1
        for domain, n in domains.items():
            # The profile most about that domain first (the share of its requirements).
            profiles_by_domain.setdefault(domain, []).append((-n / total, pid))
    for domain in sorted(in_catalogue):
        if domain in run_ids:
            continue
        ranked = [pid for _, pid in sorted(profiles_by_domain.get(domain, []))]
        scope.missing.append((domain, ranked[:SUGGESTIONS]))
    return scope


def scope_sentences(scope: Scope) -> tuple[str, list[str]]:
    """The covered domains in one line, and one sentence per domain not assessed."""
    parts = []
    for domain, n, total in scope.covered:
        of = f" of {total}" if total and total != n else ""
        parts.append(f"{domain_label(domain)} ({n}{of} requirements)")
    covered = "Assessed: " + ", ".join(parts) + "." if parts else "Nothing was assessed."
    missing = []
    for domain, profiles in scope.missing:
        which = (
            f"the profile does not include {' or '.join(profiles)}"
            if profiles
            else "no requirement of this domain is in the profile"
        )
        missing.append(f"{domain_label(domain)} not assessed: {which}.")
    return covered, missing


def onvif_coverage_sentence(profile_id: str) -> str:
    """How much of ONVIF's own device test cases this profile checks, by the counting rule of
    ``cctv-conformance coverage``: "" for a profile that cites no ONVIF test case, or when the
    catalogue or the case index cannot be read (a results folder opened elsewhere)."""
    try:
        from conformance.coverage.command import coverage_of

        coverage = coverage_of(profile_id)
    except Exception:  # noqa: BLE001 - a report must render without the index
        return ""
    if not any(status.requirements for status in coverage.statuses):
        return ""
    letters = coverage.onvif_profiles
    which = f"Profile {letters[0]}" if len(letters) == 1 else "Profiles S, T and G"
    return (
        f"ONVIF device tests: this profile checks {len(coverage.implemented)} of the "
        f"{len(coverage.applicable)} ONVIF device test cases applicable to {which}; "
        "see docs/onvif-coverage.md."
    )


def render_scope(results: dict[str, Any], catalogue: Any | None = None) -> str:
    """The scope block shown beside the verdict on the first screen."""
    scope = profile_scope(results, catalogue)
    covered, missing = scope_sentences(scope)
    profile = results.get("profile") or {}
    head = (
        f"<p><b>Scope:</b> profile {e(profile.get('title', ''))} "
        f"(<code class=rid>{e(profile.get('id', ''))}</code> {e(profile.get('version', ''))}). "
        f"{e(covered)}</p>"
    )
    if not scope.catalogue_read:
        return (
            f"<div id=scope class=scope>{head}<p class=small>The requirement catalogue could not "
            "be read here, so the domains this profile leaves out are not listed.</p></div>"
        )
    items = "".join(f"<span>{e(m)}</span>" for m in missing)
    body = f"<p class=notassessed>{items}</p>" if items else ""
    onvif = onvif_coverage_sentence(str(profile.get("id", "")))
    if onvif:
        body += f"<p class=small id=onvif-coverage>{e(onvif)}</p>"
    return f"<div id=scope class=scope>{head}{body}</div>"
