"""Personas: Media (ver10) views of one state that disagree (ONVIF-CONS-MEDIA-*)."""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "stale-use-count",
        "Media video source and video encoder configurations report a UseCount one higher than "
        "the number of profiles using them",
        ("ONVIF-CONS-MEDIA-01",),
        "Reference counts not decremented when a profile is deleted, so the configuration "
        "still looks in use; what ONVIF's MEDIA-2-2-6 and MEDIA-2-3-5 'USE COUNT (CURRENT "
        "STATE)' look for (onvif_simple_server and embedded servers keep UseCount as a fixed "
        "field of their configuration files)",
        knobs=Knobs(use_count_stale=True),
    ),
    Persona(
        "guaranteed-jpeg-unoffered",
        "GetGuaranteedNumberOfVideoEncoderInstances guarantees a JPEG instance although no "
        "video encoder configuration's options offer JPEG",
        ("ONVIF-CONS-MEDIA-02",),
        "Capability replies copied from another model of the same firmware family, promising "
        "an encoder the device does not offer; what ONVIF's MEDIA-2-1-7 'GET GUARANTEED NUMBER "
        "OF VIDEO ENCODER INSTANCES AND GET VIDEO ENCODER CONFIGURATION OPTIONS CONSISTENCY' "
        "looks for",
        knobs=Knobs(guaranteed_jpeg_unoffered=True),
    ),
)
