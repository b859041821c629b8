"""Quirk knobs: spec-exact cases (issue 14). Defaults are the conformant behaviour.

Some of these make a device unusual but legal (the suite must pass it); the others break one
requirement's exact text, so that a check that reads the spec loosely is found out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecKnobs:
    """Spec-exact cases of PTZ, faults and snapshots."""

    ptz_status_optional_off: bool = False
    """PTZ capabilities say MoveStatus="false" StatusPosition="false", and GetStatus leaves out
    Position and MoveStatus (legal: PTZ 5.3.7 requires them only when signalled)."""
    ptz_node_no_spaces: bool = False
    """GetNodes/GetNode list a node whose SupportedPTZSpaces is empty (schema-valid, but the
    node then offers no movement although continuous movement is mandatory)."""
    ptz_generic_pan_range: tuple[float, float] | None = None
    """The node declares this XRange for PanTiltSpaces/PositionGenericSpace (e.g. 0..360)
    instead of the normalised [-1, 1] (a "should" of PTZ 5.7.1.1)."""
    faults_http_200: bool = False
    """SOAP faults are carried by HTTP 200 instead of 400 (Sender) or 500 (Receiver)."""
    snapshot_placeholder: bool = False
    """The snapshot URI serves one static JPEG file, whatever the camera sees."""
    multicast_off: bool = False
    """Media capabilities say RTPMulticast="false" and no multicast stream is offered."""
    multicast_sdp_unspecified: bool = False
    """The multicast stream's DESCRIBE gives c=IN IP4 0.0.0.0 (Streaming 5.2.2.5 forbids it)."""
    multicast_silent: bool = False
    """Multicast SETUP and PLAY succeed, but no RTP is ever sent to the group."""
