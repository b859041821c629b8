"""Quirk knobs: the VMS export API. Defaults are the conformant behaviour.

The simulated VMS fronts every camera, so an export job reads the knobs of its *primary* camera
(the first one requested): a persona camera breaks the exports it leads and no others.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportKnobs:
    """VMS export jobs, packages and audit log."""

    export_transcode_fps_divisor: int = 1
    """Exports are re-encoded at fps / divisor instead of copying the recorded bitstream."""
    export_range_offset_s: float = 0.0
    """Exports start and end this many seconds after the requested range."""
    export_local_time_offset_s: float = 0.0
    """Manifest times are local wall-clock time (UTC + offset) but still written as UTC."""
    export_omit_hash: bool = False
    """The manifest lists media files without their SHA-256."""
    export_unsigned: bool = False
    """No detached signature over the manifest."""
    export_no_audit: bool = False
    """Exports leave no entry in the audit log."""
    export_multi_offset_s: float = 0.0
    """In multi-camera exports the other cameras' media is taken this much later."""
    export_paper_over_gaps: bool = False
    """Gaps are not reported and media timestamps run on across them."""
    export_speed_x: float | None = None
    """Exports are throttled to this multiple of real time."""
