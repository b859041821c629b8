"""Personas: Media2 (ver20) configuration listings and options.

Each runs as an H.265 camera like the other Media2 personas; the known-good self-test camera is
the same camera without the quirk.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

H265_CAMERA = {"codec": "H265"}

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "media2-source-outside-options",
        "Media2 GetVideoSourceConfigurationOptions offers a WidthRange up to 640 only, while the "
        "video source configuration's Bounds span the full sensor width",
        ("ONVIF-OPT-MEDIA2-01",),
        "Configuration and options disagree after a sensor-mode or firmware change: the options "
        "describe one mode while the stored configuration keeps the other's size; what ONVIF's "
        "MEDIA2-2-2-3 'VIDEO SOURCE CONFIGURATIONS AND VIDEO SOURCE CONFIGURATION OPTIONS "
        "CONSISTENCY' looks for",
        knobs=Knobs(media2_source_options_width_max=640),
        camera_overrides=H265_CAMERA,
    ),
    Persona(
        "media2-source-list-use-count",
        "Media2 GetVideoSourceConfigurations reports UseCount 0 for the video source "
        "configuration every profile holds (GetProfiles gives the true count)",
        ("ONVIF-CONS-MEDIA2-01",),
        "Inconsistent configuration views (a stale use counter in the configuration list while "
        "the profiles are right): agsh/onvif lib/cam.js reads configurations from both views; "
        "what ONVIF's MEDIA2-2-2-4 'PROFILES AND VIDEO SOURCE CONFIGURATIONS CONSISTENCY' "
        "compares",
        knobs=Knobs(media2_source_list_use_count=0),
        camera_overrides=H265_CAMERA,
    ),
)
