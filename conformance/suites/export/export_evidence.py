"""The evidence files behind every verdict on an export (attached by the plugin to each EXPORT row).

Why these files: a reader re-checking an export verdict needs what the VMS itself said and sent,
not the suite's summary of it:

* ``vms-rest-transcript``: every request the suite made to the VMS's REST API for this export
  (recording search, job creation, status polls, package download, audit query) with the answers,
  credentials removed (conformance/clients/vms_transcript.py, then the run's redactor);
* ``vms-audit-export``: the VMS's audit entries naming the job (``export.create``,
  ``export.download`` on the simulator), as the VMS returned them, redacted;
* ``export-manifest``: the manifest as a readable copy, and ``export-package``: every file of the
  package with its size and SHA-256;
* the package itself: a zip of every file when the package is under :data:`PACKAGE_CAP_BYTES`,
  else the manifest, signature and key with the first and last media file. Written once per
  device (``evidence/<device>/shared/``) and linked from each row. The bytes are the VMS's own
  (a signature must still verify on them), so a file in which a known credential appears is
  withheld, or for a text file replaced by a redacted copy, and the listing says which.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import PurePosixPath
from typing import Any

PACKAGE_CAP_BYTES = 50 * 1024 * 1024
"""A package up to this size is attached whole; above it, its control files and the first and
last media file (a reader can still check hashes and the signature, and see both ends)."""
MEDIA_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
"""Zip entry time: the same package gives the same zip (and evidence digest) on every row."""


def _is_text(name: str, data: bytes) -> bool:
    if name.endswith(MEDIA_SUFFIXES):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _cleared(files: dict[str, bytes], redactor: Any) -> tuple[dict[str, bytes], dict[str, str]]:
    """The package's files fit to publish: as received, except a file a known credential
    appears in (a text file redacted, anything else withheld); and what was changed, why."""
    kept: dict[str, bytes] = {}
    changed: dict[str, str] = {}
    for name, data in sorted(files.items()):
        if not redactor.found_in(data):
            kept[name] = data
        elif _is_text(name, data):
            kept[name] = redactor.bytes(data)
            changed[name] = "redacted copy (a credential appeared in it; signature not valid on it)"
        else:
            changed[name] = "withheld (a credential appeared in it)"
    return kept, changed


def package_zip(files: dict[str, bytes]) -> bytes:
    """The files as one zip, byte-identical for the same files (fixed entry times and order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            stored = name.endswith(MEDIA_SUFFIXES)  # coded video does not compress
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def chosen_files(files: dict[str, bytes]) -> tuple[dict[str, bytes], str]:
    """What of the package to attach, and how that was decided (the size cap)."""
    total = sum(len(d) for d in files.values())
    if total <= PACKAGE_CAP_BYTES:
        return dict(files), f"the whole package ({total} bytes, cap {PACKAGE_CAP_BYTES})"
    media = sorted(n for n in files if n.endswith(MEDIA_SUFFIXES))
    keep = {n for n in files if not n.endswith(MEDIA_SUFFIXES)} | set(media[:1] + media[-1:])
    return {n: files[n] for n in sorted(keep)}, (
        f"control files and the first and last media file of {len(media)} (package {total} "
        f"bytes, above the cap of {PACKAGE_CAP_BYTES})"
    )


def job_audit(entries: list[dict[str, Any]], job_id: str) -> list[dict[str, Any]]:
    """The audit entries that name the job (in their details or anywhere in the entry)."""
    return [e for e in entries if job_id and job_id in json.dumps(e, default=str)]


def attach_export(run: Any, evidence: Any) -> None:
    """Every file above for one export (``run``: conformance.suites.export.exports.ExportRun)."""
    if run.transcript:
        evidence.attach_exchanges("vms-rest-transcript", list(run.transcript))
    else:
        evidence.note("the VMS adapter keeps no REST transcript (no vms-rest-transcript file)")
    naming = job_audit(run.audit or [], run.job_id)
    evidence.attach_json(
        "vms-audit-export",
        {
            "job_id": run.job_id,
            "asked": run.audit_asked,
            "error": run.audit_error,
            "entries_naming_the_job": naming,
            "other_entries_since_the_request": [e for e in run.audit or [] if e not in naming][
                -20:
            ],
        },
    )
    manifest = run.files.get("manifest.json")
    if manifest is not None:
        evidence.attach_text(
            "export-manifest", manifest.decode("utf-8", errors="replace"), ext="json"
        )
    chosen, how = chosen_files(run.files)
    cleared, changed = _cleared(chosen, evidence.redactor)
    evidence.attach_json(
        "export-package",
        {
            "job_id": run.job_id,
            "state": run.state,
            "error": run.error,
            "files": {
                n: {"bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                for n, d in sorted(run.files.items())
            },
            "attached": how,
            "changed_in_attached_copy": changed,
        },
    )
    if not cleared:
        return
    if len(chosen) == len(run.files):
        data = run.cached_zip(cleared, package_zip)
        evidence.attach_shared(
            f"export-package-{run.job_id}", data, ext="zip", media_type="application/zip"
        )
        return
    for name, data in cleared.items():
        stem, _, suffix = PurePosixPath(name).name.rpartition(".")
        kind = "video/mp4" if name.endswith(MEDIA_SUFFIXES) else "application/octet-stream"
        evidence.attach_shared(
            f"export-{run.job_id}-{stem or suffix}", data, ext=suffix or "bin", media_type=kind
        )
