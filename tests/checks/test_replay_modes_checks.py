"""REPLAY-FRAMES-01's judging function on good, broken and legal-but-unusual replays."""

from __future__ import annotations

from conformance.checks.replay_modes import check_intra_only, is_intra


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
