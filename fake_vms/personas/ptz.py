"""Personas: PTZ quirks (family Q29 of the research notes: PTZ implementation gaps).

Every PTZ persona turns the camera's PTZ on, since a PTZ quirk needs a PTZ camera to show.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PTZ_CAMERA = {"ptz": True}

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "ptz-stop-ignored",
        "Stop answers OK but a continuous move carries on until its timeout",
        ("PTZ-CONT-01",),
        "Q29: Stop unsupported, clients send ContinuousMove with zero velocity instead "
        "(home-assistant/core components/onvif/device.py)",
        knobs=Knobs(ptz_stop_ignored=True),
        camera_overrides=PTZ_CAMERA,
    ),
    Persona(
        "ptz-no-movestatus",
        "GetStatus has no MoveStatus although the capabilities say MoveStatus=true",
        ("PTZ-STATUS-01",),
        "Q29: frigate ptz/onvif.py disables autotracking without MoveStatus "
        "(roleoroleo/sonoff-hack#174, themactep/thingino-firmware#1655)",
        knobs=Knobs(ptz_no_movestatus=True),
        camera_overrides=PTZ_CAMERA,
    ),
    Persona(
        "ptz-reject-combined-axes",
        "AbsoluteMove with Pan/Tilt and Zoom together is refused (one axis group at a time works)",
        ("PTZ-ABS-01",),
        "Q29: agsh/onvif lib/ptz.js ('one Sony camera that does not work when Pan and Tilt and "
        "Zoom all are sent at the same time')",
        knobs=Knobs(ptz_reject_combined_axes=True),
        camera_overrides=PTZ_CAMERA,
    ),
    Persona(
        "ptz-presets-not-saved",
        "SetPreset answers with a token but stores nothing: GetPresets and GotoPreset know nothing",
        ("PTZ-PRESET-01",),
        "Q29: presets round-trip gaps (detection design of Q29; DTT PTZ-4-1-4..6)",
        knobs=Knobs(ptz_presets_not_saved=True),
        camera_overrides=PTZ_CAMERA,
    ),
    Persona(
        "ptz-vendor-spaces-only",
        "The PTZ node lists only vendor-specific continuous velocity spaces, not the generic ones",
        ("PTZ-NODES-01",),
        "Q29: coordinate spaces advertised vs accepted; frigate ptz/onvif.py requires the "
        "spaces it uses to be advertised; OpenIPC/viewer#67 (PTZ not detected)",
        knobs=Knobs(ptz_vendor_spaces_only=True),
        camera_overrides=PTZ_CAMERA,
    ),
)
