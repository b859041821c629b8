"""Quirk knobs: ONVIF replay modes (the PLAY headers beyond Range: Frames) and transports.

Defaults are the conformant behaviour; the replay server (:mod:`fake_vms.rtsp.replay`) reads
them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReplayModesKnobs:
    """What the replay server does with the ONVIF replay mode headers."""

    replay_frames_ignored: bool = False
    """``Frames: intra`` is answered 200 OK but ignored: every frame is replayed, predicted
    frames included."""
    replay_tunnel_refused: bool = False
    """Replay through the RTSP over HTTP tunnel is refused (404 to every replay request inside
    the tunnel) although GetReplayUri hands out a tunnel URI for Protocol HTTP: the tunnel
    serves live streams only."""
    replay_udp_refused: bool = False
    """Replay over RTP/UDP unicast is refused: a SETUP offering only client_port UDP transport
    is answered 461 Unsupported Transport (replay over TCP works)."""
