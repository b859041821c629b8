"""Checks of live streams, on statistics measured from captured RTP and decoded frames."""

from __future__ import annotations

from dataclasses import dataclass

MIN_DECODED_FRAMES = 10


def check_playable(decoded_frames: int, keyframes: int, codec: str | None) -> list[str]:
    """STREAM-RTSP-UDP/TCP-01: a transport works only if a client can actually decode video."""
    problems = []
    if keyframes < 1:
        problems.append("no key frame arrived, so no client could start decoding")
    if decoded_frames < MIN_DECODED_FRAMES:
        problems.append(
            f"only {decoded_frames} frames decoded (at least {MIN_DECODED_FRAMES} needed)"
        )
    if codec is None:
        problems.append("the SDP names no video codec")
    return problems


def check_format(
    codec: str | None,
    size: tuple[int, int] | None,
    expected_codec: str,
    expected_size: tuple[int, int],
    claimed_codecs: list[str],
    claimed_sizes: list[str],
) -> list[str]:
    """STREAM-FORMAT-01: the bitstream, not the configuration, is what a VMS records."""
    problems = []
    if codec != expected_codec:
        problems.append(f"stream codec {codec}, encoder configuration says {expected_codec}")
    if claimed_codecs and codec not in claimed_codecs:
        problems.append(f"stream codec {codec} is not among the claimed {claimed_codecs}")
    if size is None:
        problems.append("no frame decoded, so the picture size is unknown")
        return problems
    if size != expected_size:
        problems.append(
            f"stream is {size[0]}x{size[1]}, encoder configuration says "
            f"{expected_size[0]}x{expected_size[1]}"
        )
    if claimed_sizes and f"{size[0]}x{size[1]}" not in [s.lower() for s in claimed_sizes]:
        problems.append(f"stream size {size[0]}x{size[1]} is not among the claimed {claimed_sizes}")
    return problems


def within(measured: float, target: float, tolerance_pct: float) -> bool:
    """``measured`` is within ``tolerance_pct`` % of a positive ``target`` (0 never matches)."""
    return target > 0 and abs(measured - target) <= target * tolerance_pct / 100


def check_frame_rate(
    fps_rtp: float | None,
    fps_arrival: float | None,
    configured: float,
    claimed: list[float],
    tolerance_pct: float,
) -> list[str]:
    """STREAM-FPS-01: both clocks are checked, as RTP timestamps alone can lie about the rate."""
    problems = []
    for label, value in (("RTP timestamps", fps_rtp), ("arrival times", fps_arrival)):
        if value is None:
            problems.append(f"frame rate from {label} could not be measured")
        elif not within(value, configured, tolerance_pct):
            problems.append(
                f"frame rate from {label} is {value:.2f} fps; configured "
                f"{configured:g} fps ±{tolerance_pct:g}%"
            )
    if (
        claimed
        and fps_arrival is not None
        and not any(within(fps_arrival, c, tolerance_pct) for c in claimed)
    ):
        problems.append(f"measured {fps_arrival:.2f} fps matches no claimed rate {claimed}")
    return problems


def _require_units(access_units: int) -> None:
    """Zero access units is nothing to judge (whether the stream plays is STREAM-RTSP-*'s)."""
    if access_units <= 0:
        from conformance.outcomes import Blocked

        raise Blocked("STREAM-RTSP-UDP-01", "no access unit was received to judge")


def check_timestamps(regressions: int, access_units: int) -> list[str]:
    """STREAM-TS-01: players and recorders reorder or drop frames whose timestamps go back."""
    _require_units(access_units)
    if regressions:
        return [
            f"{regressions} of {access_units} access units had an RTP timestamp not later "
            "than the previous one"
        ]
    return []


def check_continuity(
    rtp_seq_lost: int,
    timestamp_lost: int | None,
    timestamp_gaps: list[tuple[int, int]] | None = None,
    fps: float | None = None,
    *,
    access_units: int,
) -> list[str]:
    """STREAM-CONT-01: lost frames are lost evidence. Judged from what every camera sends: RTP
    sequence gaps (packets lost on the way) and, where a constant frame rate is declared, RTP
    timestamp steps of two or more frame intervals (frames lost before or after the encoder).

    ``timestamp_lost`` is None when no rate is declared (sequence numbers are then the only
    evidence). A simulator's frame counter is evidence only and never decides here.
    """
    _require_units(access_units)
    problems = []
    if rtp_seq_lost:
        problems.append(f"{rtp_seq_lost} RTP packets lost (sequence number gaps)")
    if timestamp_lost:
        gaps = timestamp_gaps or []
        sample = ", ".join(f"{n} before access unit {i}" for i, n in gaps[:5])
        rate = f" at {fps:g} fps" if fps else ""
        problems.append(
            f"{timestamp_lost} frames missing from the RTP timestamps{rate} "
            f"({len(gaps)} gaps: {sample})"
        )
    return problems


@dataclass
class ParallelSession:
    """What one of STREAM-CLIENTS-01's two sessions showed (None where nothing was measured).

    ``error`` is how the session failed (e.g. ``SETUP answered 453 Not Enough Bandwidth``);
    the rates are measured while both sessions played; ``stopped_after_s`` is set when the
    session stopped delivering while the other still played (seconds after the second PLAY).
    """

    error: str | None = None
    decoded_frames: int = 0
    keyframes: int = 0
    codec: str | None = None
    fps_rtp: float | None = None
    fps_arrival: float | None = None
    stopped_after_s: float | None = None


def check_parallel_sessions(
    first: ParallelSession,
    second: ParallelSession,
    expected_fps: float,
    tolerance_pct: float,
    second_event: str = "the second PLAY",
) -> list[str]:
    """STREAM-CLIENTS-01: the old and the new VMS both stream the camera during a migration, so
    a second session must neither be refused nor cut the first, and both must get decodable
    video at the frame rate one client gets."""
    if first.error:
        return [f"first session: {first.error}"]
    problems = []
    if second.error:
        problems.append(f"second session: {second.error}")
    if first.stopped_after_s is not None:
        problems.append(f"first session stopped {first.stopped_after_s:.1f} s after {second_event}")
    if second.error:
        return problems  # the first was stopped with it: they never both played
    for label, session in (("first", first), ("second", second)):
        problems += [
            f"{label} session: {p}"
            for p in check_playable(session.decoded_frames, session.keyframes, session.codec)
        ]
        if label == "first" and first.stopped_after_s is not None:
            continue  # the first stopped: it has no rate while both played
        for clock, value in (("RTP timestamps", session.fps_rtp), ("arrival", session.fps_arrival)):
            if value is None:
                problems.append(f"{label} session: no frame rate from {clock} while both played")
            elif not within(value, expected_fps, tolerance_pct):
                problems.append(
                    f"{label} session: {value:.2f} fps from {clock} while both played; "
                    f"expected {expected_fps:g} fps ±{tolerance_pct:g}%"
                )
    return problems
