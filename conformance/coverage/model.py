"""The counting rule: which ONVIF device test cases the suite really implements.

Citing a test case ID on a requirement is not implementing it. An applicable case counts as
implemented only when the requirements that cite it, each shown failing on a persona in the
self-test, together exercised every operation of the case's procedure on the known-good camera
(in their verdicts' evidence, served by the simulator: see
:mod:`conformance.coverage.observed`), an operation that several services declare counting
only from the case's own service (:mod:`conformance.coverage.services`). Everything else is
"not implemented yet", with why, so a reader sees the gap rather than a percentage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from conformance.coverage.catalogue import DeviceTestCase
from conformance.coverage.observed import ObservedRecord
from conformance.coverage.services import needed_name

ONVIF_PROFILES = ("S", "T", "G")


class Status(StrEnum):
    IMPLEMENTED = "implemented"
    NOT_IMPLEMENTED = "not implemented yet"
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class CaseStatus:
    case: DeviceTestCase
    status: Status
    requirements: tuple[str, ...]
    """The requirements that implement it (implemented) or cite it (otherwise)."""
    why: str


@dataclass(frozen=True)
class Coverage:
    statuses: tuple[CaseStatus, ...]
    onvif_profiles: tuple[str, ...]
    """The ONVIF profiles whose applicable cases are counted (S, T and G unless narrowed)."""

    @property
    def applicable(self) -> list[CaseStatus]:
        return [s for s in self.statuses if s.status is not Status.NOT_APPLICABLE]

    @property
    def implemented(self) -> list[CaseStatus]:
        return [s for s in self.statuses if s.status is Status.IMPLEMENTED]

    @property
    def percent(self) -> float:
        total = len(self.applicable)
        return round(100.0 * len(self.implemented) / total, 1) if total else 0.0

    def first_line(self) -> str:
        return (
            f"{len(self.implemented)} of {len(self.applicable)} applicable ONVIF device test "
            f"cases implemented ({self.percent:g} %); {len(self.statuses)} cases in all"
        )


def classify(
    cases: Iterable[DeviceTestCase],
    citations: Mapping[str, tuple[str, ...]],
    record: ObservedRecord,
    onvif_profiles: tuple[str, ...] = ONVIF_PROFILES,
) -> Coverage:
    """Status of every case. ``citations``: requirement ID -> the case IDs it cites (only the
    requirements of the profile being reported). A case applicable only to ONVIF profiles
    outside ``onvif_profiles`` is not applicable here."""
    citing: dict[str, list[str]] = {}
    for rid, case_ids in sorted(citations.items()):
        for case_id in case_ids:
            citing.setdefault(case_id, []).append(rid)
    statuses = [_status(c, citing.get(c.id, []), record, onvif_profiles) for c in cases]
    return Coverage(tuple(statuses), onvif_profiles)


def _status(
    case: DeviceTestCase, cited_by: list[str], record: ObservedRecord, wanted: tuple[str, ...]
) -> CaseStatus:
    if not case.applicable:
        return CaseStatus(case, Status.NOT_APPLICABLE, tuple(cited_by), case.reason)
    if not set(case.profiles) & set(wanted):
        why = f"concerns Profile {'/'.join(case.profiles)} only, not {'/'.join(wanted)}"
        return CaseStatus(case, Status.NOT_APPLICABLE, tuple(cited_by), why)
    if not cited_by:
        return CaseStatus(case, Status.NOT_IMPLEMENTED, (), "no requirement checks it yet")
    if not case.operations:
        why = f"cited by {', '.join(cited_by)}; its procedure's operations are not determined"
        if case.reason:
            why += f" ({case.reason})"
        return CaseStatus(case, Status.NOT_IMPLEMENTED, tuple(cited_by), why)
    broken = [rid for rid in cited_by if record.of(rid).broken_by]
    if not broken:
        why = f"cited by {', '.join(cited_by)}, which no persona has been shown to break"
        return CaseStatus(case, Status.NOT_IMPLEMENTED, tuple(cited_by), why)
    exercised = set().union(*(record.of(rid).operations for rid in broken))
    needed = [needed_name(case.spec, op) for op in case.operations]
    missing = [op for op in needed if op not in exercised]
    if missing:
        why = (
            f"cited by {', '.join(cited_by)}, but the self-test never saw "
            f"{'it' if len(broken) == 1 else 'them'} exercise {', '.join(missing)}"
        )
        return CaseStatus(case, Status.NOT_IMPLEMENTED, tuple(cited_by), why)
    implementing = tuple(rid for rid in broken if record.of(rid).operations & set(needed))
    return CaseStatus(case, Status.IMPLEMENTED, implementing, "")
