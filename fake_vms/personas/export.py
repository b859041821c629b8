"""Personas: VMS export quirks (uk-evidence-export).

The simulated VMS fronts every camera; an export job follows the knobs of its primary (first)
camera, so each persona camera breaks the exports made of it and no one else's.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

_RESEARCH = "uk-evidence-and-security-requirements.md"

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "export-transcoded-half-rate",
        "Exports are re-encoded (H.264) at half the recorded frame rate instead of copied",
        ("EXPORT-NATIVE-01", "EXPORT-FRAMES-01", "EXPORT-IDENTICAL-01"),
        f"{_RESEARCH} EXP-NATIVE-01/EXP-QUAL-04: exports 'at original quality, no degradation' "
        "(PSDB 09/05 leaflet item 4; Home Office Retrieval v2 bit-for-bit) exist because "
        "export-time transcoding to a lower rate is a common VMS default",
        camera_overrides={"record": True},
        knobs=Knobs(export_transcode_fps_divisor=2),
    ),
    Persona(
        "export-range-off",
        "Exports start and end five seconds later than requested",
        ("EXPORT-RANGE-01",),
        f"{_RESEARCH} EXP-RANGE-05: ONVIF ExportRecordedData StartPoint/EndPoint and leaflet "
        "item 9 (specified time range complete and correctly bounded)",
        camera_overrides={"record": True},
        knobs=Knobs(export_range_offset_s=5.0),
    ),
    Persona(
        "export-bst-as-utc",
        "Manifest times are UK local summer time (BST) written as UTC",
        ("EXPORT-UTC-01",),
        f"{_RESEARCH} TIME-TZ-03 (exported time must be unambiguous UTC across GMT/BST) and "
        "NIST IR 8161r1 Level 0 (UTC timestamps, clock offset metadata)",
        camera_overrides={"record": True},
        knobs=Knobs(export_local_time_offset_s=3600.0),
    ),
    Persona(
        "export-missing-hash",
        "The manifest lists media files without their SHA-256",
        ("EXPORT-HASH-01", "EXPORT-TAMPER-01"),
        f"{_RESEARCH} INT-HASH-01/INT-TAMPER-03: a hash manifest that does not cover every "
        "file leaves changes to that file undetected",
        camera_overrides={"record": True},
        knobs=Knobs(export_omit_hash=True),
    ),
    Persona(
        "export-unsigned",
        "The package has no signature over its manifest",
        ("EXPORT-SIG-01", "EXPORT-TAMPER-01"),
        f"{_RESEARCH} INT-SIG-02/INT-TAMPER-03: without a signature a changed manifest (and "
        "its hashes) cannot be detected; ONVIF Export File Format requires RSASSA-PSS",
        camera_overrides={"record": True},
        knobs=Knobs(export_unsigned=True),
    ),
    Persona(
        "export-no-audit",
        "Exports leave no entry in the VMS audit log",
        ("EXPORT-AUDIT-01",),
        f"{_RESEARCH} AUD-EXPORT-01 (every export logged with user, time, cameras, range); "
        "Surveillance Camera Code of Practice principle 10",
        camera_overrides={"record": True},
        knobs=Knobs(export_no_audit=True),
    ),
    Persona(
        "export-multi-misaligned",
        "In multi-camera exports the other cameras' media is taken three seconds later",
        ("EXPORT-MULTI-01",),
        f"{_RESEARCH} EXP-MULTI-06 and ONVIF Export File Format use case 2 (the suspect in "
        "all three clips with exact time information)",
        camera_overrides={"record": True},
        knobs=Knobs(export_multi_offset_s=3.0),
    ),
    Persona(
        "export-gaps-papered",
        "Recording gaps are left out of the package and the media re-timed across them",
        ("EXPORT-GAPS-01",),
        f"{_RESEARCH} EXP-GAPS-07 and ONVIF Export File Format use case 1 (the operator wants "
        "to see the gaps; the clip must not be silently concatenated)",
        camera_overrides={"record": True},
        knobs=Knobs(export_paper_over_gaps=True),
    ),
    Persona(
        "export-slow",
        "Exports run at half real time",
        ("EXPORT-SPEED-01",),
        f"{_RESEARCH} EXP-SPEED-11 (export time declared and measured; PSDB 09/05 items 12-13: "
        "'quickly export')",
        camera_overrides={"record": True},
        knobs=Knobs(export_speed_x=0.5),
    ),
)
