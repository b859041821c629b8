"""Personas: ONVIF replay modes (the PLAY headers beyond Range) and transports, family Q30 of
the research notes (Profile G replay gaps). Each is a recording camera, since replay needs
recordings."""

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
    Persona(
        "replay-tunnel-refused",
        "GetReplayUri hands out an RTSP over HTTP tunnel URI for Protocol HTTP, but the tunnel "
        "answers every replay request 404 Not Found (it serves live streams only)",
        ("REPLAY-HTTP-01", "REPLAY-HTTP-REVERSE-01"),
        "Q30: playback only over plain RTSP on NVRs whose web port tunnels live view (e.g. "
        "Hikvision playback on rtsp://.../Streaming/tracks/101 only, CamioCam/rtsp#181; "
        "inference for the tunnel); what ONVIF's REPLAY-3-1-3 and REPLAY-3-1-6 look for",
        knobs=Knobs(replay_tunnel_refused=True),
        camera_overrides=RECORDING_CAMERA,
    ),
    Persona(
        "replay-udp-refused",
        "Replay SETUP with RTP/UDP unicast (client_port) is answered 461 Unsupported Transport: "
        "recordings replay over RTP/RTSP/TCP only",
        ("REPLAY-UDP-01", "REPLAY-UDP-REVERSE-01"),
        "Q30: replay servers that interleave only (the simulator's own replay did until this "
        "persona; NVR playback over TCP only is common advice for Hikvision/Dahua playback, "
        "CamioCam/rtsp#181, inference for UDP); what ONVIF's REPLAY-3-1-2 and REPLAY-3-1-5 "
        "look for",
        knobs=Knobs(replay_udp_refused=True),
        camera_overrides=RECORDING_CAMERA,
    ),
)
