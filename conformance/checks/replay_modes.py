"""Replay modes: what a PLAY's ONVIF replay headers (``Frames``) ask of the replayed stream,
judged from the access units any conformant device sends (their NAL unit types and the 0xABAC
header extension), over the per-unit views of :func:`conformance.checks.recording.
replay_units_view`."""

from __future__ import annotations

from typing import Any

SHOWN = 5
"""How many offending access units a problem names (the evidence holds the rest)."""


def is_intra(unit: dict[str, Any]) -> bool:
    """Whether an access unit is a clean decoding point: its NAL unit types say so (IDR or IRAP
    picture, parameter sets) or its 0xABAC extension sets the C flag. Either suffices, so a
    device whose intra pictures are non-IDR but flagged clean points passes."""
    return bool(unit.get("keyframe")) or unit.get("c") is True


def check_intra_only(units: list[dict[str, Any]]) -> list[str]:
    """``Frames: intra``: every delivered access unit is intra-coded, and at least one came."""
    if not units:
        return ["the replay with Frames: intra delivered no access unit"]
    predicted = [u for u in units if not is_intra(u)]
    if not predicted:
        return []
    named = ", ".join(str(u.get("seq")) for u in predicted[:SHOWN])
    more = f" and {len(predicted) - SHOWN} more" if len(predicted) > SHOWN else ""
    return [
        f"{len(predicted)} of {len(units)} access units replayed with Frames: intra are not "
        f"intra-coded (no IDR/IRAP NAL unit, no C flag): first RTP sequence numbers {named}{more}"
    ]
