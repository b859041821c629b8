"""Profile vms-evidential: the evidence package and the measured audit trail are mandatory;
VMS-AUDIT-01's check finds an export in a VMS's own log entries, or says what it read."""

from __future__ import annotations

from conformance.catalogue import load_catalogue
from conformance.checks.vms_ingest import audit_problems


def test_evidence_and_audit_are_mandatory_only_in_vms_evidential() -> None:
    catalogue = load_catalogue()
    levels = {e.id: e.level for e in catalogue.resolve("vms-evidential").requirements}
    assert levels["VMS-EXPORT-EVIDENCE-01"] == "mandatory"
    assert levels["VMS-AUDIT-01"] == "mandatory"
    assert levels["VMS-CONNECT-01"] == "mandatory"
    ingest = {e.id: e.level for e in catalogue.resolve("vms-ingest").requirements}
    assert ingest["VMS-AUDIT-01"] == ingest["VMS-EXPORT-EVIDENCE-01"] == "optional"


def test_audit_entry_of_the_export_is_found_by_whole_token() -> None:
    login = {"time": "t", "user": "admin", "action": "web_php: Login successful", "details": {}}
    other = {"time": "t", "user": "op", "action": "export.create", "details": {"cameras": ["11"]}}
    ours = {"time": "t", "user": "op", "action": "export.create", "details": {"job_id": "j7"}}
    assert audit_problems([login, other, ours], ["j7", "1"], 3, "then") == []
    missing = audit_problems([login, other], ["j7", "1"], 2, "then")
    assert missing and "no entry recording the export (2 entries read" in missing[0]
    anonymous = {**ours, "user": ""}
    assert audit_problems([anonymous], ["j7"], 1, "then") == [
        "the VMS's audit entry of the export names no user"
    ]
