"""Personas: spec-exact cases (issue 14). Each either breaks exactly the clause whose text it
breaks, or does something unusual that the spec allows and must pass.

Provenance: two independent open-source ONVIF camera servers tried as a new user would (issue
14 of this project); the spec clauses are those of the research note on ONVIF spec conditions.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PTZ_CAMERA = {"ptz": True}
NO_POSITION = (
    "not_applicable"  # the moves are measured by GetStatus Position, which the device omits
)

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "ptz-status-optional-off",
        "PTZ capabilities say MoveStatus=false StatusPosition=false and GetStatus omits both "
        "(legal: PTZ 5.3.7 requires each only when its capability is signalled)",
        (),
        "issue 14: an open-source ONVIF server failed PTZ-STATUS-01 'MoveStatus is missing' "
        "although its capabilities declared MoveStatus=false",
        knobs=Knobs(ptz_status_optional_off=True),
        camera_overrides=PTZ_CAMERA,
        expects={
            "PTZ-STATUS-01": "pass",
            "PTZ-NODES-01": "pass",
            "PTZ-CONT-01": NO_POSITION,
            "PTZ-ABS-01": NO_POSITION,
            "PTZ-PRESET-01": NO_POSITION,
        },
    ),
    Persona(
        "ptz-node-no-spaces",
        "The PTZ node's SupportedPTZSpaces is empty: schema-valid, but it offers no movement",
        ("PTZ-NODES-01",),
        "issue 14: a node with no supported spaces passed PTZ-NODES-01 ('for each axis it has')",
        knobs=Knobs(ptz_node_no_spaces=True),
        camera_overrides=PTZ_CAMERA,
        expects={"PTZ-NODES-02": "not_applicable"},  # no generic space: no range to judge
    ),
    Persona(
        "ptz-generic-0-360",
        "The node declares its generic pan/tilt position space's XRange as 0..360 (degrees), "
        "not the normalised [-1, 1] (a 'should' of PTZ 5.7.1.1)",
        ("PTZ-NODES-02",),
        "issue 14: a node declaring its generic position space as 0..360 passed PTZ-NODES-01",
        knobs=Knobs(ptz_generic_pan_range=(0.0, 360.0)),
        camera_overrides=PTZ_CAMERA,
    ),
    Persona(
        "faults-http-200",
        "SOAP faults (ter:NotAuthorized included) are carried by HTTP 200 instead of 400/500",
        ("ONVIF-DEV-AUTH-02",),
        "issue 14: wrong credentials answered with a ter:NotAuthorized fault over HTTP 200 "
        "passed ONVIF-DEV-AUTH-02 (SOAP 1.2 Part 2 7.5.2 Table 20: env:Sender is 400)",
        knobs=Knobs(faults_http_200=True),
    ),
    Persona(
        "placeholder-snapshot",
        "The snapshot URI serves one static JPEG file, whatever the camera sees (the live "
        "stream is fine)",
        ("ONVIF-MEDIA-SNAP-01",),
        "issue 14: a snapshot whose digest equals a file shipped with the server passed",
        knobs=Knobs(snapshot_placeholder=True),
    ),
    Persona(
        "snapshot-size-differs",
        "The snapshot is live but its size differs from the profile's encoder (legal except "
        "for a 'should': Media 5.16.1 takes the size from the profile 'if suitable')",
        ("ONVIF-MEDIA-SNAP-02",),
        "issue 14: ONVIF-MEDIA-SNAP-01 failed a snapshot whose size differs from the profile's",
        knobs=Knobs(snapshot_size=(480, 270)),
    ),
    Persona(
        "no-multicast",
        "Media capabilities say RTPMulticast=false and no multicast stream is offered "
        "(legal: multicast is conditional)",
        (),
        "issue 14: STREAM-MCAST-01 came out fail on a device that advertises no multicast",
        knobs=Knobs(multicast_off=True),
        expects={"STREAM-MCAST-01": "not_claimed"},
    ),
    Persona(
        "multicast-sdp-unspecified",
        "RTPMulticast=true, but the multicast stream's DESCRIBE gives c=IN IP4 0.0.0.0",
        ("STREAM-MCAST-01",),
        "Streaming 5.2.2.5 ('shall contain valid multicast address ... 0.0.0.0 is not "
        "allowed'); issue 14: STREAM-MCAST-01 could never fail",
        knobs=Knobs(multicast_sdp_unspecified=True),
    ),
    Persona(
        "multicast-silent",
        "RTPMulticast=true and multicast SETUP/PLAY succeed, but no RTP reaches the group",
        (),
        "issue 14: STREAM-MCAST-01 could never fail. Seen only where multicast may be joined "
        "(tests/test_multicast_netns.py fails it there); elsewhere not_tested (environment)",
        knobs=Knobs(multicast_silent=True),
        expects={"STREAM-MCAST-01": "not_tested"},
    ),
)
