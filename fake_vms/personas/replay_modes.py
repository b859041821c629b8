"""Personas: ONVIF replay modes (the PLAY headers beyond Range), family Q30 of the research
notes (Profile G replay gaps). Each is a recording camera, since replay needs recordings."""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

RECORDING_CAMERA = {"record": True}

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "replay-frames-ignored",
        "PLAY with Frames: intra is answered 200 OK but every frame is replayed, predicted "
        "frames included",
        ("REPLAY-FRAMES-01",),
        "Q30: replay headers accepted and ignored (Rate-Control and Range alike, see "
        "replay-rate-control-ignored); 'Frames: intra' is what ONVIF's REPLAY-3-1-11 "
        "PLAYBACK VIDEO STREAMING - I-FRAMES looks for (inference: a server that parses only "
        "Range and Scale sends every frame)",
        knobs=Knobs(replay_frames_ignored=True),
        camera_overrides=RECORDING_CAMERA,
    ),
)
