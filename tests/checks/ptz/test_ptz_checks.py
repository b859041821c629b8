"""PTZ checks judged on recorded replies of the known-good PTZ camera, the PTZ personas and a
hand-written real-world reply; the move checks on position sequences a camera really shows."""

from __future__ import annotations

import pytest
from zeep_replay import replay

from conformance.checks.ptz import (
    check_continuous,
    check_nodes,
    check_preset_round_trip,
    check_reached,
    check_status,
    distance,
    node_summary,
    status_summary,
    timeout_range,
)


def _nodes(device: str) -> tuple[list[dict], dict]:
    nodes = [node_summary(n) for n in replay(device, "GetNodes")]
    timeouts = {"ptz_config_1": timeout_range(replay(device, "GetConfigurationOptions"))}
    return nodes, timeouts


def test_nodes_good():
    nodes, timeouts = _nodes("ptz-good")
    assert nodes[0]["max_presets"] >= 1
    assert timeouts == {"ptz_config_1": (1.0, 60.0)}
    assert check_nodes(nodes, timeouts) == []


def test_nodes_vendor_spaces_persona():
    nodes, timeouts = _nodes("ptz-vendor-spaces-only")
    problems = check_nodes(nodes, timeouts)
    assert len(problems) == 2
    assert problems[0].startswith(
        "node ptz_node_1: ContinuousPanTiltVelocitySpace lacks "
        "http://www.onvif.org/ver10/tptz/PanTiltSpaces/VelocityGenericSpace"
    )
    assert "ContinuousZoomVelocitySpace lacks" in problems[1]


def test_nodes_without_presets_or_timeout_range():
    nodes, _ = _nodes("ptz-good")
    nodes[0]["max_presets"] = 0
    assert check_nodes(nodes, {"c": None}) == [
        "node ptz_node_1: MaximumNumberOfPresets is 0",
        "configuration c: GetConfigurationOptions has no PTZTimeout",
    ]
    assert check_nodes([], {}) == ["GetNodes returned no PTZ node"]


def test_status_good():
    summary = status_summary(replay("ptz-good", "GetStatus"))
    assert summary["move_status"] == {"PanTilt": "IDLE", "Zoom": "IDLE"}
    assert summary["utc_offset_s"] == 0.0
    assert check_status(summary) == []


def test_status_no_movestatus_persona():
    summary = status_summary(replay("ptz-no-movestatus", "GetStatus"))
    assert check_status(summary) == [
        "MoveStatus is missing: clients cannot tell when a move has finished"
    ]


def test_status_real_world_local_time():
    summary = status_summary(replay("real-world", "GetStatus.no-movestatus-local-time"))
    assert summary["position"] == [0.25, -0.1, 0.0]
    assert check_status(summary) == [
        "MoveStatus is missing: clients cannot tell when a move has finished",
        "UtcTime 2023-10-05T13:04:11 is not UTC (no Z)",
    ]


def test_status_out_of_range_position():
    summary = status_summary(replay("ptz-good", "GetStatus"))
    summary["position"] = [1.5, 0.0, 2.0]
    assert check_status(summary) == [
        "PanTilt (1.5, 0.0) is outside the generic range [-1, 1]",
        "Zoom 2.0 is outside the generic range [0, 1]",
    ]


def test_continuous_good_and_stop_ignored():
    # As the good camera and the ptz-stop-ignored persona moved in a self-test run.
    assert check_continuous((0.0, 0.0, 0.0), (0.2, 0.0, 0.0), (0.2, 0.0, 0.0), 0.05) == []
    assert check_continuous((0.0, 0.0, 0.0), (0.325, 0.0, 0.0), (0.453, 0.0, 0.0), 0.05) == [
        "the camera kept moving after Stop (0.128 more)"
    ]


def test_continuous_wrong_direction_or_no_position():
    assert check_continuous((0.3, 0.0, 0.0), (0.1, 0.0, 0.0), (0.1, 0.0, 0.0), 0.05) == [
        "pan moved -0.200 during ContinuousMove with positive pan velocity "
        "(expected at least +0.05)"
    ]
    assert check_continuous((None, None, 0.0), (None, None, 0.0), (None, None, 0.0), 0.05) == [
        "GetStatus gave no pan position to judge the move by"
    ]


def test_reached():
    assert check_reached("AbsoluteMove", (0.5, 0.5, 0.75), (0.5, 0.5, 0.75), 0.02) == []
    assert check_reached("AbsoluteMove", (0.0, 0.0, 0.0), (0.5, None, 0.75), 0.02) == [
        "AbsoluteMove: pan is 0.000, expected 0.500 ± 0.02",
        "AbsoluteMove: zoom is 0.000, expected 0.750 ± 0.02",
    ]
    assert check_reached("x", (0.1, 0.1, None), (0.1, 0.1, 0.5), 0.02) == [
        "x: GetStatus gave no zoom position"
    ]
    assert distance((0.0, 0.1, None), (0.05, 0.1, 0.3)) == pytest.approx(0.05)


def test_preset_round_trip():
    assert replay("ptz-good", "GetPresets") == []
    assert check_preset_round_trip("preset_1", ["preset_1"], [], []) == []
    assert check_preset_round_trip("preset_1", [], ["GotoPreset 'preset_1' refused: x"], []) == [
        "SetPreset returned 'preset_1' but GetPresets does not list it",
        "GotoPreset 'preset_1' refused: x",
    ]
    assert check_preset_round_trip("p", ["p"], [], ["p"]) == [
        "preset 'p' is still listed after RemovePreset"
    ]
