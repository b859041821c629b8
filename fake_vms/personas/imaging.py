"""Personas: imaging and OSD quirks."""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "imaging-settings-not-applied",
        "SetImagingSettings answers OK but nothing changes",
        ("IMAGING-SET-01",),
        "Q16: Set operations that return no error but change nothing (agsh/onvif#283); "
        "roleoroleo/onvif_simple_server adv_fault_if_set (Set* accepted and ignored by default)",
        knobs=Knobs(imaging_settings_not_applied=True),
    ),
    Persona(
        "imaging-values-outside-options",
        "GetOptions advertises a Brightness range of 0-40 while the brightness is 50 (and "
        "takes 80, beyond the advertised range)",
        ("IMAGING-GET-01", "IMAGING-INVALID-01"),
        "Q18: capability answers that contradict behaviour (home-assistant/core#91089, "
        "OpenIPC/viewer#67); DTT IMAGING-1-1-16 checks exactly this consistency",
        knobs=Knobs(imaging_options_brightness=(0.0, 40.0)),
    ),
    Persona(
        "osd-create-ignored",
        "CreateOSD answers with a token but the OSD never appears",
        ("OSD-TEXT-01",),
        "Q16: changes answered without error but not made (agsh/onvif#283); "
        "roleoroleo/onvif_simple_server adv_fault_if_set (Set* accepted and ignored by default)",
        knobs=Knobs(osd_create_ignored=True),
    ),
    Persona(
        "osd-options-unsupported",
        "GetOSDOptions answers ter:ActionNotSupported although OSDs are offered",
        ("OSD-GET-01",),
        "Hikvision NVRs call GetOSDOptions and treat 'unsupported' as offline: AlexxIT/go2rtc#1299",
        knobs=Knobs(osd_options_unsupported=True),
    ),
    Persona(
        "imaging-wrong-fault",
        "Imaging answers a VideoSourceToken the device never issued with env:Receiver/"
        "ter:ActionNotSupported instead of env:Sender/ter:InvalidArgVal/ter:NoSource",
        ("ONVIF-FAULT-IMAGING-01", "ONVIF-FAULT-IMAGING-02"),
        "A generic 'not supported' fault for every failed lookup, so a client cannot tell a "
        "wrong token from a missing feature: what ONVIF's IMAGING-1-1-10 and the other "
        "'INVALID VIDEOSOURCETOKEN' test cases look for",
        knobs=Knobs(imaging_wrong_fault=True),
    ),
    Persona(
        "imaging-focus-status-missing",
        "GetMoveOptions offers absolute and continuous focus moves, but GetStatus answers "
        "env:Receiver/ter:ActionNotSupported",
        ("IMAGING-MOVE-01",),
        "DTT IMAGING COMMAND GETSTATUS (IMAGING-2-1-11): focus control offered through "
        "GetMoveOptions without the focus status a client polls while moving the lens",
        knobs=Knobs(imaging_focus_status_unsupported=True),
    ),
)
