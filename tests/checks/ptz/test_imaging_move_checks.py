"""IMAGING-MOVE-01 judged on zeep-like replies: the known-good focus passes, a camera without
focus control (empty MoveOptions, no GetStatus asked) passes, a fault or a bad range fails, and
GetStatus refused where focus moves are offered fails."""

from __future__ import annotations

from types import SimpleNamespace

from conformance.checks.imaging_move import (
    check_focus_status,
    check_move_options,
    move_options_view,
    status_view,
)


def _range(low: float, high: float) -> SimpleNamespace:
    return SimpleNamespace(Min=low, Max=high)


GOOD_OPTIONS = SimpleNamespace(
    Absolute=SimpleNamespace(Position=_range(0, 1), Speed=None),
    Relative=None,
    Continuous=SimpleNamespace(Speed=_range(-1, 1)),
)
GOOD_STATUS = SimpleNamespace(
    FocusStatus20=SimpleNamespace(Position=0.5, MoveStatus="IDLE", Error=None)
)


def test_known_good_focus_passes():
    options = move_options_view(GOOD_OPTIONS)
    assert options == {
        "Absolute": {"Position": [0.0, 1.0], "Speed": None},
        "Continuous": {"Speed": [-1.0, 1.0]},
    }
    assert check_move_options(options) == []
    status = status_view(GOOD_STATUS)
    assert status["focus"]["move_status"] == "IDLE"
    assert check_focus_status(options, status) == []


def test_no_focus_control_is_legal():
    options = move_options_view(SimpleNamespace())
    assert options == {}
    assert check_move_options(options) == []
    assert check_focus_status(options, None) == []


def test_move_options_fault_or_no_answer_fails():
    assert check_move_options(None) == ["GetMoveOptions was not answered"]
    problems = check_move_options("SOAP fault env:Receiver/ter:ActionNotSupported")
    assert problems and "shall support it" in problems[0]


def test_bad_or_missing_ranges_fail():
    options = move_options_view(
        SimpleNamespace(
            Absolute=SimpleNamespace(Position=_range(1, 0), Speed=None),
            Relative=SimpleNamespace(Distance=None, Speed=_range(0, 1)),
            Continuous=SimpleNamespace(Speed=None),
        )
    )
    assert check_move_options(options) == [
        "Absolute focus Position range Min 1 > Max 0",
        "Relative focus move offered without a Distance range",
        "Continuous focus move offered without a Speed range",
    ]


def test_status_refused_or_missing_where_focus_is_offered_fails():
    options = move_options_view(GOOD_OPTIONS)
    refused = check_focus_status(options, "SOAP fault env:Receiver/ter:ActionNotSupported")
    assert refused and "shall support GetStatus" in refused[0]
    assert check_focus_status(options, None)


def test_status_without_focus_part_passes_and_unknown_move_status_fails():
    options = move_options_view(GOOD_OPTIONS)
    assert check_focus_status(options, status_view(SimpleNamespace(FocusStatus20=None))) == []
    odd = SimpleNamespace(FocusStatus20=SimpleNamespace(Position=0.1, MoveStatus="STUCK"))
    assert check_focus_status(options, status_view(odd)) == ["focus MoveStatus is 'STUCK'"]


def test_change_probes_of_onvif_fault_imaging_02():
    """SetImagingSettings must fault; focus Move and Stop may be not implemented."""
    from conformance.checks.device import Refusal
    from conformance.checks.faults import IMAGING_CHANGE_PROBES, check_invalid_tokens

    env, ter = "{http://www.w3.org/2003/05/soap-envelope}", "{http://www.onvif.org/ver10/error}"
    not_implemented = Refusal(
        "fault", http_status=500, code=f"{env}Receiver", subcodes=(f"{ter}ActionNotSupported",)
    )
    by_name = {p.operation: p for p in IMAGING_CHANGE_PROBES}
    assert sorted(by_name) == ["Move", "SetImagingSettings", "Stop"]
    problems, _ = check_invalid_tokens(
        [
            (by_name["SetImagingSettings"], Refusal("answered", http_status=200)),
            (by_name["Move"], not_implemented),
            (by_name["Stop"], not_implemented),
        ]
    )
    assert problems == [
        "Imaging SetImagingSettings accepted a token the device never issued (expected "
        "env:Sender/ter:InvalidArgVal/ter:NoSource)"
    ]
