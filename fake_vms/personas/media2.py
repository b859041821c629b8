"""Personas: Media2 (ver20), H.265 and codec-honesty quirks.

Each runs as an H.265 camera (main stream H.265, H.264 second stream), the kind of camera
these quirks are seen on; the known-good self-test camera is the same camera without the quirk.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

H265_CAMERA = {"codec": "H265"}

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "h265-reported-as-h264",
        "Media (ver10) also lists the H.265 main stream as a profile whose encoding says H264",
        ("STREAM-CODEC-01",),
        "Q16 H.265 hidden behind Media1 'H264': quatanium/python-onvif#96, "
        "Apra-Labs/ONVIF-Device-Manager#12, roleoroleo/onvif_simple_server#66",
        knobs=Knobs(media1_h265_profile_as_h264=True),
        camera_overrides=H265_CAMERA,
    ),
    Persona(
        "media2-broken",
        "Media2 is advertised in GetServices, but its GetProfiles answers ter:ActionNotSupported",
        (
            "MEDIA2-PROF-01",
            "MEDIA2-URI-01",
            "MEDIA2-ENC-01",
            "STREAM-H265-01",
            "STREAM-CODEC-01",
        ),
        "Q17 Media2 advertised but broken: rvi/ONVIFCamera#4 (Hikvision ActionNotSupported on "
        "ver20 GetProfiles); agsh/onvif lib/cam.js (D-Link DCS-8635LH Media2 workaround)",
        knobs=Knobs(media2_get_profiles_fault=True),
        camera_overrides=H265_CAMERA,
    ),
    Persona(
        "media2-encoder-outside-options",
        "Media2 encoder configurations report GovLength 50, outside their own GovLengthRange 25-25",
        ("MEDIA2-ENC-01",),
        "Encoder configuration and options disagree: ONVIF DTT MEDIA2-2-3-2/MEDIA2-2-3-3 "
        "consistency tests; Q16 encoder settings that differ from what the camera does "
        "(agsh/onvif#283)",
        knobs=Knobs(media2_encoder_gov_length=50),
        camera_overrides=H265_CAMERA,
    ),
    Persona(
        "media2-private-stream-uri",
        "Media2 GetStreamUri/GetSnapshotUri return the camera's private LAN address",
        ("MEDIA2-URI-01",),
        "Q10 unreachable stream URIs: agsh/onvif#170 (internal 192.168.x.x in GetStreamUri), "
        "BigTonyTones/Tonys-Onvf-RTSP-Server#12",
        knobs=Knobs(media2_uri_host="192.168.1.64"),
        camera_overrides=H265_CAMERA,
    ),
)
