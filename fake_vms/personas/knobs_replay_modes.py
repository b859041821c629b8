"""Quirk knobs: ONVIF replay modes (the PLAY headers beyond Range: Frames).

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
