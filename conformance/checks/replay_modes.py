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


def check_immediate(
    units: list[dict[str, Any]],
    immediate_cseq: int | None,
    start: float,
    end: float,
    gop_tolerance_s: float,
    start_tolerance_s: float,
    end_tolerance_s: float,
) -> list[str]:
    """``Immediate: yes``: the units of the second PLAY (those whose 0xABAC CSeq field echoes
    its CSeq's low byte) replay its range, the first of them with the D flag, and no unit of
    the first PLAY follows them."""
    from conformance.checks.recording import check_range

    if immediate_cseq is None:
        return ["the PLAY with Immediate: yes was never sent (the first PLAY delivered too little)"]
    echo = immediate_cseq & 0xFF
    first = next((i for i, u in enumerate(units) if u.get("cseq") == echo), None)
    if first is None:
        return [
            f"no access unit carries the CSeq {immediate_cseq} of the PLAY with Immediate: yes "
            f"in its 0xABAC extension ({len(units)} units received)"
        ]
    problems = []
    stale = [u for u in units[first:] if u.get("cseq") not in (echo, None)]
    if stale:
        problems.append(
            f"{len(stale)} access unit(s) of the earlier PLAY still arrived after the first unit "
            "of the PLAY with Immediate: yes: the earlier replay was not stopped"
        )
    new = [u for u in units[first:] if u.get("cseq") == echo]
    if new[0].get("d") is not True:
        problems.append(
            "the first access unit of the PLAY with Immediate: yes lacks the D (discontinuity) flag"
        )
    problems += check_range(new, start, end, gop_tolerance_s, start_tolerance_s, end_tolerance_s)
    return problems


def check_pause_resume(
    units: list[dict[str, Any]],
    resume_cseq: int | None,
    packets_while_paused: int | None,
    gop_tolerance_s: float,
    resume_tolerance_s: float,
) -> list[str]:
    """PAUSE halts delivery, and PLAY without Range resumes at the pause point: the resumed
    units (0xABAC CSeq echoing the resuming PLAY's) start no earlier than the keyframe before
    the last unit received before the pause, and at most ``resume_tolerance_s`` after it."""
    from conformance.checks.recording import utc_text

    if resume_cseq is None or packets_while_paused is None:
        return ["the replay was never paused and resumed (the first PLAY delivered too little)"]
    problems = []
    if packets_while_paused:
        problems.append(f"{packets_while_paused} RTP packet(s) arrived while the replay was paused")
    echo = resume_cseq & 0xFF
    first = next((i for i, u in enumerate(units) if u.get("cseq") == echo), None)
    before = [u["time"] for u in units[:first] if u.get("time") is not None]
    if first is None or not before:
        return problems + [
            "no access unit carries the CSeq of the resuming PLAY in its 0xABAC extension"
            if first is None
            else "no timed access unit arrived before the PAUSE"
        ]
    paused_at, resumed = max(before), units[first].get("time")
    if resumed is None:
        return problems + ["the first resumed access unit carries no 0xABAC time"]
    if resumed < paused_at - gop_tolerance_s:
        problems.append(
            f"the replay resumed at {utc_text(resumed)}, {paused_at - resumed:.2f} s before "
            f"the pause point {utc_text(paused_at)} (more than a GOP)"
        )
    if resumed > paused_at + resume_tolerance_s:
        problems.append(
            f"the replay resumed at {utc_text(resumed)}, {resumed - paused_at:.2f} s after "
            f"the pause point {utc_text(paused_at)}: PLAY without Range did not resume there"
        )
    return problems
