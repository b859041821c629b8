"""What a failed camera requirement means for a migration, and the named change that cures it.

Why a table: the plan must say, for every camera, *which* change makes it work on a new VMS
(firmware upgrade, switch the main stream to H.264, enable Digest, add an ONVIF user, set NTP,
give the VMS the stream URL by hand, ingest over UDP) and which requirement IDs that rests on.
Keeping the mapping in one data table makes it reviewable by a lab, and keeps the assessment
code free of requirement-specific branches. Requirements not listed here do not decide whether
a camera can move (the plan lists them as noted, with their IDs).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """A named change to a camera or to how the new VMS adds it."""

    kind: str
    label: str
    remote: bool = True
    """Done over the network (no site visit)."""
    firmware: bool = False
    """Takes the camera dark for a firmware upgrade's duration."""

    def as_dict(self, requirements: list[str], dark_h: float = 0.0) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "requirements": sorted(set(requirements)),
            "remote": self.remote,
            "dark_h": dark_h,
        }


URL_BY_HAND = Change("stream_url_by_hand", "give the VMS the main stream's RTSP URL by hand")
USE_UDP = Change("use_udp", "have the VMS pull the stream over RTP/UDP")
USE_TCP = Change("use_tcp", "have the VMS pull the stream over RTSP-interleaved TCP")
ENABLE_DIGEST = Change("enable_digest", "enable RTSP Digest authentication on the camera")
ADD_ONVIF_USER = Change(
    "add_onvif_user", "add an ONVIF user for the VMS and require authentication"
)
SET_NTP = Change("set_ntp", "set the camera's NTP server")
SWITCH_TO_H264 = Change("switch_to_h264", "switch the main stream to H.264")
FIRMWARE = Change("firmware_upgrade", "upgrade the firmware", firmware=True)

PROBE_DEPENDENCIES = (
    "ONVIF-DEV-TIME-01",
    "ONVIF-DEV-SVC-01",
    "ONVIF-DEV-XADDR-01",
    "ONVIF-MEDIA-PROF-01",
    "ONVIF-MEDIA-URI-01",
)
"""What a VMS's ONVIF probe relies on (GetSystemDateAndTime before authenticating,
GetServices' XAddrs, GetProfiles, GetStreamUri). One failing: the probe cannot find the stream,
so the camera is added by its URL instead."""

CONFIGURABLE = {
    "STREAM-RTSP-AUTH-01": ENABLE_DIGEST,
    "ONVIF-DEV-AUTH-01": ADD_ONVIF_USER,
    "ONVIF-DEV-TIME-02": SET_NTP,
}
"""Failures a setting cures (camera settings a remote engineer can change)."""

PICTURE_QUALITY = (
    "STREAM-FORMAT-01",
    "STREAM-FPS-01",
    "STREAM-TS-01",
    "STREAM-CONT-01",
    "STREAM-SDP-01",
)
"""Failures in what the camera encodes: no setting cures them; a firmware version whose lab
verdicts pass them does, else the camera is replaced (its recordings would not be evidential)."""

TRANSPORTS = {"tcp": "STREAM-RTSP-TCP-01", "udp": "STREAM-RTSP-UDP-01"}
"""The requirement that shows a camera streams over each transport a VMS may pull with."""

STREAMS = ("STREAM-RTSP-TCP-01", "STREAM-RTSP-UDP-01", "STREAM-FORMAT-01")
"""Requirements of which at least one must have been judged for the camera to be assessable:
without any, nothing says the camera streams at all."""

PARALLEL_STREAMING = "STREAM-CLIENTS-01"
"""The requirement showing the main stream plays to two clients at once: a camera that passes it
moves with the old and new VMS recording in parallel (no dark time)."""

FEATURES = {
    "ptz": "PTZ control",
    "events": "events and analytics",
    "h265": "H.265 quality",
    "evidential_export": "evidential export with signatures and audit",
    "recording_search": "recording search",
}
"""Features an option may lose, in the order the plan lists them."""

EVIDENTIAL_STAGES = ("evidence package", "audit")
"""vms-ingest stages that make an export evidential (VMS-EXPORT-EVIDENCE-01, VMS-AUDIT-01)."""
SEARCH_STAGE = "search"
