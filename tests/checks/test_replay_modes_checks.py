"""REPLAY-FRAMES-01's judging function on good, broken and legal-but-unusual replays."""

from __future__ import annotations

from conformance.checks.replay_modes import (
    check_immediate,
    check_intra_only,
    check_pause_resume,
    is_intra,
)


def _unit(seq: int, keyframe: bool, c: bool | None) -> dict:
    return {"seq": seq, "keyframe": keyframe, "c": c, "time": 1.0 + seq, "e": False, "d": False}


def test_intra_frames_only_pass() -> None:
    assert check_intra_only([_unit(1, True, True), _unit(2, True, True)]) == []


def test_predicted_frames_fail_and_are_named() -> None:
    units = [_unit(1, True, True), _unit(2, False, False), _unit(3, False, False)]
    problems = check_intra_only(units)
    assert len(problems) == 1
    assert "2 of 3" in problems[0] and "2, 3" in problems[0]


def test_many_predicted_frames_are_summarised() -> None:
    units = [_unit(1, True, True)] + [_unit(n, False, None) for n in range(2, 12)]
    (problem,) = check_intra_only(units)
    assert "10 of 11" in problem and "and 5 more" in problem


def test_nothing_delivered_fails() -> None:
    assert check_intra_only([]) == ["the replay with Frames: intra delivered no access unit"]


def test_clean_point_flag_alone_counts_as_intra() -> None:
    """A non-IDR intra picture (NAL type 1) flagged a clean point by the 0xABAC C flag is
    legal: the device says it is a decoding start."""
    assert is_intra(_unit(1, False, True))
    assert check_intra_only([_unit(1, False, True), _unit(2, True, None)]) == []


def test_idr_without_extension_counts_as_intra() -> None:
    """No 0xABAC extension (REPLAY-EXT-01's concern): the NAL types still say IDR."""
    assert check_intra_only([_unit(1, True, None)]) == []


def test_units_that_lost_their_first_packet_are_found_by_the_sequence_gap() -> None:
    """Over UDP, a unit whose first packet (the 0xABAC one) was lost is the network's doing;
    a unit without the extension and no gap before it is the device's."""
    from conformance.clients.replay import ReplayUnit, lost_heads

    stamp = object()  # any extension: only its presence matters here
    units = [
        ReplayUnit(100, 0, 0.0, 3, True, stamp),  # seq 100-102
        ReplayUnit(104, 3600, 0.0, 1, False, None),  # 103 lost: its head
        ReplayUnit(105, 7200, 0.0, 1, False, None),  # no gap: sent without the extension
        ReplayUnit(65535, 10800, 0.0, 2, False, stamp),  # wraps to 0
        ReplayUnit(1, 14400, 0.0, 1, False, None),  # 1 follows 65535 + 2 packets: no gap
    ]
    assert lost_heads(units) == [1]


def _timed(seq: int, cseq: int | None, time: float, d: bool = False) -> dict:
    return {"seq": seq, "keyframe": d, "time": time, "c": d, "e": False, "d": d, "cseq": cseq}


def test_immediate_cut_over_passes() -> None:
    """Old PLAY (CSeq 4) units at ~100 s, then the Immediate PLAY (CSeq 5) from 10 s."""
    units = [_timed(i, 4, 100.0 + i * 0.04) for i in range(8)]
    units += [_timed(20, 5, 9.5, d=True)] + [
        _timed(20 + i, 5, 9.5 + i * 0.04) for i in range(1, 50)
    ]
    assert check_immediate(units, 5, 10.0, 12.0, 2.0, 1.5, 0.1) == []


def test_immediate_queued_after_the_old_replay_fails() -> None:
    units = [_timed(1, 5, 9.5, d=True), _timed(2, 4, 100.0), _timed(3, 5, 9.6)]
    (problem,) = check_immediate(units, 5, 10.0, 12.0, 2.0, 1.5, 0.1)
    assert "earlier PLAY still arrived" in problem


def test_immediate_range_ignored_fails() -> None:
    units = [_timed(1, 4, 100.0), _timed(2, 5, 100.04, d=True), _timed(3, 5, 100.08)]
    problems = check_immediate(units, 5, 10.0, 12.0, 2.0, 1.5, 0.1)
    assert any("after the requested start" in p for p in problems)


def test_immediate_without_d_flag_fails() -> None:
    units = [_timed(1, 5, 9.5), _timed(2, 5, 9.54)]
    (problem,) = check_immediate(units, 5, 10.0, 12.0, 2.0, 1.5, 0.1)
    assert "D (discontinuity)" in problem


def test_immediate_cseq_echo_is_the_low_byte() -> None:
    """CSeq 261 is echoed as 5 (the extension's CSeq field is one byte)."""
    assert check_immediate([_timed(1, 5, 10.0, d=True)], 261, 10.0, 12.0, 2.0, 1.5, 0.1) == []


def test_immediate_nothing_new_or_never_sent_fails() -> None:
    assert (
        "no access unit carries the CSeq 5"
        in check_immediate([_timed(1, 4, 1.0)], 5, 10.0, 12.0, 2.0, 1.5, 0.1)[0]
    )
    assert "never sent" in check_immediate([], None, 10.0, 12.0, 2.0, 1.5, 0.1)[0]


def test_pause_resumed_at_the_pause_point_passes() -> None:
    """Paused after 10.3 s; resumed from the keyframe at 10.0 s (before it: legal)."""
    units = [_timed(i, 4, 10.0 + i * 0.04) for i in range(8)]
    units += [_timed(30, 5, 10.0, d=True), _timed(31, 5, 10.04)]
    assert check_pause_resume(units, 5, 0, 2.0, 1.0) == []


def test_pause_resumed_at_the_live_edge_fails() -> None:
    units = [_timed(1, 4, 10.0), _timed(2, 4, 10.3), _timed(3, 5, 14.0, d=True)]
    (problem,) = check_pause_resume(units, 5, 0, 2.0, 1.0)
    assert "did not resume there" in problem


def test_pause_resumed_from_the_start_fails() -> None:
    units = [_timed(1, 4, 10.0), _timed(2, 4, 10.3), _timed(3, 5, 1.0, d=True)]
    (problem,) = check_pause_resume(units, 5, 0, 2.0, 1.0)
    assert "before the pause point" in problem


def test_packets_while_paused_fail() -> None:
    units = [_timed(1, 4, 10.0), _timed(2, 5, 10.0, d=True)]
    (problem,) = check_pause_resume(units, 5, 12, 2.0, 1.0)
    assert "12 RTP packet(s) arrived while the replay was paused" in problem


def test_pause_never_done_or_nothing_resumed_fails() -> None:
    assert "never paused" in check_pause_resume([], None, None, 2.0, 1.0)[0]
    (problem,) = check_pause_resume([_timed(1, 4, 10.0)], 5, 0, 2.0, 1.0)
    assert "no access unit carries the CSeq" in problem
