"""Quirk knobs: audio configurations (Media ver10 and Media2).

Defaults are the conformant behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioKnobs:
    """Audio sources, outputs and their configurations."""

    audio_list_sample_rate_wrong: bool = False
    """Media GetAudioEncoderConfigurations lists the encoder at 16 kHz, while
    GetAudioEncoderConfiguration, the profile and the options all say 8 kHz."""
    media2_audio_bitrate_wrong: bool = False
    """Media2 audio encoder configurations report 128 kbps, outside their BitrateList (64)."""
    audio_unknown_token_accepted: bool = False
    """Audio configuration operations of Media and Media2 ignore tokens they never issued and
    answer with their one configuration instead of ter:NoConfig / ter:NoProfile."""
