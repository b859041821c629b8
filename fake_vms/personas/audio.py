"""Personas: audio configuration quirks (Media ver10 and Media2).

Each is the known-good camera (one microphone and one speaker, G.711 in its main profiles) with
one audio reply made wrong, so each breaks exactly one ONVIF-AUDIO-* requirement.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "audio-list-mismatch",
        "Media GetAudioEncoderConfigurations lists the audio encoder at 16 kHz while "
        "GetAudioEncoderConfiguration, the profile and the options say 8 kHz",
        ("ONVIF-AUDIO-CONS-01",),
        "Inconsistent configuration views (the audio counterpart of encoder-list-mismatch: "
        "agsh/onvif lib/cam.js, OpenIPC/viewer#67); what ONVIF's MEDIA-3-3-2 'AUDIO ENCODER "
        "CONFIGURATIONS AND AUDIO ENCODER CONFIGURATION CONSISTENCY' looks for",
        knobs=Knobs(audio_list_sample_rate_wrong=True),
    ),
    Persona(
        "media2-audio-outside-options",
        "Media2 audio encoder configurations report 128 kbps, outside their BitrateList (64)",
        ("ONVIF-AUDIO-CONS-02",),
        "Configuration and options disagree after a firmware's options table changes (as "
        "media2-encoder-outside-options for video); what ONVIF's MEDIA2-3-2-4 'AUDIO ENCODER "
        "CONFIGURATIONS AND AUDIO ENCODER CONFIGURATION OPTIONS CONSISTENCY' looks for",
        knobs=Knobs(media2_audio_bitrate_wrong=True),
    ),
    Persona(
        "audio-token-accepted",
        "Media and Media2 audio configuration operations ignore tokens never issued and answer "
        "with their one configuration instead of ter:NoConfig / ter:NoProfile",
        ("ONVIF-AUDIO-FAULT-01",),
        "Unknown tokens silently mapped to the only configuration (the audio counterpart of "
        "invalid-token-accepted for Media GetProfile); what ONVIF's MEDIA-3-1-17 'GET AUDIO SOURCE "
        "CONFIGURATION – INVALID CONFIGURATIONTOKEN' and MEDIA2-3-1-6 look for",
        knobs=Knobs(audio_unknown_token_accepted=True),
    ),
)
