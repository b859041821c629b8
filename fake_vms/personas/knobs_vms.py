"""Quirk knobs: the simulated VMS as the cameras' client (ingest). Defaults are conformant.

These knobs belong to a VMS persona (``applies_to="vms"``, selected by a site's
``vms: {persona: ...}``) and are read by fake_vms/vms/ingest*.py, never by a camera's services.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VmsKnobs:
    """How the VMS captures, stores, finds, exports and probes ingested cameras."""

    vms_status_fps: float | None = None
    """Capture status reports this value as the capture frame rate instead of the measured one."""
    vms_drop_every: int = 0
    """Every Nth received non-key access unit is lost before it is recorded."""
    vms_clip_gap_s: float = 0.0
    """After a clip closes, this many seconds are not recorded (the next clip starts at the next
    key frame after them): gaps at clip boundaries."""
    vms_search_contained_only: bool = False
    """Search returns only clips lying wholly inside the range, not those overlapping it."""
    vms_clock_offset_s: float = 0.0
    """The VMS stamps what it records with its own clock, this far from UTC."""
    vms_export_transcode: bool = False
    """Exports are re-encoded (H.264) instead of copying the recorded bitstream."""
    vms_export_plain: bool = False
    """Exports hold the media and a plain file list: no hashes, identity, times or signature."""
    vms_onvif_fixed_token: str | None = None
    """The ONVIF probe skips GetProfiles and asks GetStreamUri for this hard-coded token."""
    vms_force_tcp: bool = False
    """Capture always takes RTP interleaved over the RTSP TCP connection, whatever transport
    the camera was added with (its status still says the transport it was asked for)."""
    vms_reconnect_wait_s: float = 0.0
    """After the camera's stream ends, wait at least this long before each reconnect attempt."""
    vms_clip_overlap_frames: int = 0
    """A closing clip's end is this many frames past the key frame that starts the next clip,
    so those frames are in both (duplicated across consecutive recordings and exports)."""
    vms_viewer_can_export: bool = False
    """A viewer account's export is carried out instead of refused (roles not enforced)."""
    vms_stated_fps: float = 0.0
    """When set, search states this frame rate for a camera's recordings (a nominal value)
    instead of the one the VMS measured and recorded."""
    vms_export_strip_parameter_sets: bool = False
    """Exported media of ingested cameras carries no SPS/PPS (VPS): demuxable, undecodable."""
    vms_export_clock_unstated: bool = False
    """The export manifest does not say which clock its times follow (no ``clock`` field)."""
