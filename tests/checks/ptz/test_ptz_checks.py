"""PTZ checks judged on recorded replies of the known-good PTZ camera, the PTZ personas and a
hand-written real-world reply; the move checks on position sequences a camera really shows."""

from __future__ import annotations

import pytest
from zeep_replay import replay

from conformance.checks.ptz import (
    check_continuous,
    check_generic_ranges,
    check_nodes,
    check_preset_round_trip,
    check_reached,
    check_status,
    distance,
    node_summary,
    position_ranges,
    status_capabilities,
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


def test_nodes_without_spaces_persona_fails_not_passes_on_nothing():
    nodes, timeouts = _nodes("ptz-node-no-spaces")
    assert not any(nodes[0]["spaces"].values())
    problems = check_nodes(nodes, timeouts)
    assert len(problems) == 1 and "SupportedPTZSpaces lists no space" in problems[0]
    assert check_generic_ranges(nodes) == ([], 0)  # nothing judged: the test says not_applicable


def test_generic_ranges_good_and_0_360_persona():
    good, _ = _nodes("ptz-good")
    assert check_generic_ranges(good) == ([], 8)
    odd, timeouts = _nodes("ptz-generic-0-360")
    assert check_nodes(odd, timeouts) == []  # the MUST part holds: only the SHOULD breaks
    problems, judged = check_generic_ranges(odd)
    assert judged == 8
    assert problems == [
        "node ptz_node_1: http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace "
        "XRange [0.0, 360.0] is not within the normalised range [-1, 1]"
    ]


def test_generic_ranges_accept_a_narrower_range():
    nodes, _ = _nodes("ptz-good")
    nodes[0]["spaces"]["AbsolutePanTiltPositionSpace"][0]["y"] = [-0.5, 1.0]
    assert check_generic_ranges(nodes)[0] == []


def _good_status() -> tuple[dict, dict, dict]:
    summary = status_summary(replay("ptz-good", "GetStatus"))
    caps = status_capabilities(replay("ptz-good", "GetServiceCapabilities"))
    ranges = position_ranges(_nodes("ptz-good")[0][0])
    return summary, caps, ranges


def test_status_good():
    summary, caps, ranges = _good_status()
    assert caps == {"MoveStatus": True, "StatusPosition": True}
    assert ranges == {"pan": [-1.0, 1.0], "tilt": [-1.0, 1.0], "zoom": [0.0, 1.0]}
    assert summary["move_status"] == {"PanTilt": "IDLE", "Zoom": "IDLE"}
    assert summary["utc_offset_s"] == 0.0
    assert check_status(summary, caps, ranges) == []


def test_status_no_movestatus_persona():
    _, caps, ranges = _good_status()
    summary = status_summary(replay("ptz-no-movestatus", "GetStatus"))
    assert check_status(summary, caps, ranges) == [
        "MoveStatus is missing although the capabilities say MoveStatus=true: clients cannot "
        "tell when a move has finished"
    ]


def test_status_optional_fields_off_persona_passes():
    """MoveStatus="false" StatusPosition="false": both fields may be left out (PTZ 5.3.7)."""
    caps = status_capabilities(replay("ptz-status-optional-off", "GetServiceCapabilities"))
    assert caps == {"MoveStatus": False, "StatusPosition": False}
    summary = status_summary(replay("ptz-status-optional-off", "GetStatus"))
    assert summary["position"] == [None, None, None] and summary["move_status"] is None
    ranges = position_ranges(node_summary(replay("ptz-status-optional-off", "GetNodes")[0]))
    assert check_status(summary, caps, ranges) == []
    # Not signalled at all (no attribute, no schema default) is the same as false.
    assert check_status(summary, status_capabilities(None), ranges) == []
    # Signalled true and left out is the failure.
    assert len(check_status(summary, {"MoveStatus": True, "StatusPosition": True}, ranges)) == 2


def test_status_real_world_local_time():
    _, caps, ranges = _good_status()
    summary = status_summary(replay("real-world", "GetStatus.no-movestatus-local-time"))
    assert summary["position"] == [0.25, -0.1, 0.0]
    assert check_status(summary, caps, ranges) == [
        "MoveStatus is missing although the capabilities say MoveStatus=true: clients cannot "
        "tell when a move has finished",
        "UtcTime 2023-10-05T13:04:11 is not UTC (no Z)",
    ]


def test_status_position_outside_declared_range():
    summary, caps, ranges = _good_status()
    summary["position"] = [1.5, 0.0, 2.0]
    assert check_status(summary, caps, ranges) == [
        "pan 1.5 is outside the node's declared range [-1.0, 1.0]",
        "zoom 2.0 is outside the node's declared range [0.0, 1.0]",
    ]
    # A node declaring 0..360 for pan is judged by that declaration (agreeing with NODES-01).
    assert check_status(summary, caps, {**ranges, "pan": [0.0, 360.0]}) == [
        "zoom 2.0 is outside the node's declared range [0.0, 1.0]"
    ]


def test_status_unknown_needs_error():
    summary, caps, ranges = _good_status()
    summary["move_status"] = {"PanTilt": "UNKNOWN", "Zoom": "IDLE"}
    assert check_status(summary, caps, ranges) == [
        "MoveStatus is UNKNOWN without an Error (PTZ 5.3.7)"
    ]
    summary["error"] = "motor stalled"
    assert check_status(summary, caps, ranges) == []


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
