"""PTZ-CONS-01 and PTZ-FAULT-01 judged on recorded replies of the known-good PTZ camera and on
hand-made views: agreeing readings pass, each kind of disagreement fails, legal odd devices
(other list order, vendor spaces beside the defaults, no continuous movement) pass."""

from __future__ import annotations

import copy
from datetime import timedelta
from types import SimpleNamespace

from zeep_replay import replay

from conformance.checks.device import Refusal
from conformance.checks.ptz_config import (
    check_configuration_against_options,
    check_consistency,
    check_unknown_node_fault,
    configuration_view,
    node_view,
    options_view,
)

TPTZ = "http://www.onvif.org/ver10/tptz/"
ABS_PT = TPTZ + "PanTiltSpaces/PositionGenericSpace"
CONT_PT = TPTZ + "PanTiltSpaces/VelocityGenericSpace"
SPEED_PT = TPTZ + "PanTiltSpaces/GenericSpeedSpace"
ENV = "{http://www.w3.org/2003/05/soap-envelope}"
TER = "{http://www.onvif.org/ver10/error}"


def _configuration(**changes) -> SimpleNamespace:
    """A zeep-like tt:PTZConfiguration as the known-good camera sends it."""
    fields = {
        "token": "ptz_config_1",
        "NodeToken": "ptz_node_1",
        "DefaultAbsolutePantTiltPositionSpace": ABS_PT,
        "DefaultContinuousPanTiltVelocitySpace": CONT_PT,
        "DefaultPTZSpeed": SimpleNamespace(
            PanTilt=SimpleNamespace(x=1.0, y=1.0, space=SPEED_PT), Zoom=None
        ),
        "DefaultPTZTimeout": timedelta(seconds=10),
    }
    fields.update(changes)
    return SimpleNamespace(**fields)


def _good():
    nodes = [node_view(n) for n in replay("ptz-good", "GetNodes")]
    configurations = [configuration_view(_configuration())]
    options = {"ptz_config_1": options_view(replay("ptz-good", "GetConfigurationOptions"))}
    fetched_nodes = {n["token"]: copy.deepcopy(n) for n in nodes}
    fetched_configurations = {c["token"]: copy.deepcopy(c) for c in configurations}
    return nodes, fetched_nodes, configurations, fetched_configurations, options


def test_views_of_the_known_good_camera():
    nodes, _, configurations, _, options = _good()
    assert nodes[0]["token"] == "ptz_node_1"
    assert configurations[0]["default_spaces"]["PanTiltSpeedSpace"] == SPEED_PT
    assert configurations[0]["default_timeout_s"] == 10.0
    assert CONT_PT in options["ptz_config_1"]["spaces"]["ContinuousPanTiltVelocitySpace"]
    assert options["ptz_config_1"]["timeout_range_s"] == [1.0, 60.0]


def test_known_good_camera_passes():
    assert check_consistency(*_good()) == []


def test_nothing_at_all_fails():
    problems = check_consistency([], {}, [], {}, {})
    assert "GetNodes returned no PTZ node" in problems
    assert "GetConfigurations returned no PTZ configuration" in problems


def test_configuration_naming_an_unlisted_node_fails():
    nodes, fetched_nodes, _, _, options = _good()
    orphan = [configuration_view(_configuration(NodeToken="0"))]
    problems = check_consistency(nodes, fetched_nodes, orphan, {"ptz_config_1": orphan[0]}, options)
    assert problems == [
        "configuration ptz_config_1: NodeToken '0' is not a node GetNodes lists (ptz_node_1)"
    ]


def test_single_reads_that_differ_or_fail_fail():
    nodes, fetched_nodes, configurations, fetched_configurations, options = _good()
    fetched_nodes["ptz_node_1"]["max_presets"] = 1
    fetched_configurations["ptz_config_1"] = "SOAP fault env:Sender/ter:InvalidArgVal"
    problems = check_consistency(
        nodes, fetched_nodes, configurations, fetched_configurations, options
    )
    assert any("node ptz_node_1" in p and "max_presets" in p for p in problems)
    assert any("configuration ptz_config_1: the single read failed" in p for p in problems)


def _raw_node(zoom_uris: list[str]) -> SimpleNamespace:
    spaces = SimpleNamespace(
        AbsoluteZoomPositionSpace=[
            SimpleNamespace(URI=uri, XRange=SimpleNamespace(Min=0.0, Max=1.0)) for uri in zoom_uris
        ]
    )
    return SimpleNamespace(
        token="n", SupportedPTZSpaces=spaces, MaximumNumberOfPresets=8, HomeSupported=True
    )


def test_space_order_does_not_matter():
    generic, vendor = TPTZ + "ZoomSpaces/PositionGenericSpace", "http://vendor.example/Zoom"
    listed = node_view(_raw_node([generic, vendor]))
    single = node_view(_raw_node([vendor, generic]))
    configuration = {"token": "c", "node_token": "n", "default_spaces": {}}
    configuration["default_timeout_s"] = None
    options = {"c": {"spaces": {}, "timeout_range_s": [1.0, 60.0]}}
    problems = check_consistency(
        [listed], {"n": single}, [configuration], {"c": dict(configuration)}, options
    )
    assert problems == []


def test_default_space_missing_from_options_fails():
    configuration = configuration_view(_configuration())
    options = {"spaces": {"AbsolutePanTiltPositionSpace": [ABS_PT]}, "timeout_range_s": [1, 60]}
    problems = check_configuration_against_options(configuration, options)
    assert any("ContinuousPanTiltVelocitySpace" in p for p in problems)
    assert any("PanTiltSpeedSpace" in p for p in problems)


def test_default_timeout_outside_range_fails_and_missing_range_with_continuous_fails():
    configuration = configuration_view(_configuration(DefaultPTZTimeout=timedelta(seconds=90)))
    spaces = {
        "AbsolutePanTiltPositionSpace": [ABS_PT],
        "ContinuousPanTiltVelocitySpace": [CONT_PT, "http://vendor.example/Velocity"],
        "PanTiltSpeedSpace": [SPEED_PT],
    }
    problems = check_configuration_against_options(
        configuration, {"spaces": spaces, "timeout_range_s": [1.0, 60.0]}
    )
    assert problems == [
        "configuration ptz_config_1: DefaultPTZTimeout 90 s is outside the PTZTimeout range "
        "[1, 60] s"
    ]
    problems = check_configuration_against_options(
        configuration, {"spaces": spaces, "timeout_range_s": None}
    )
    assert problems == [
        "configuration ptz_config_1: continuous movement but GetConfigurationOptions gives no "
        "PTZTimeout range"
    ]


def test_absolute_only_node_without_timeout_passes():
    """Without continuous movement no timeout range is required (GetConfigurationOptions)."""
    configuration = configuration_view(
        _configuration(DefaultContinuousPanTiltVelocitySpace=None, DefaultPTZTimeout=None)
    )
    spaces = {"AbsolutePanTiltPositionSpace": [ABS_PT], "PanTiltSpeedSpace": [SPEED_PT]}
    options = {"spaces": spaces, "timeout_range_s": None}
    assert check_configuration_against_options(configuration, options) == []


def test_get_node_unknown_token_fault():
    good = Refusal(
        "fault",
        http_status=400,
        code=f"{ENV}Sender",
        subcodes=(f"{TER}InvalidArgVal", f"{TER}NoEntity"),
    )
    assert check_unknown_node_fault(good) == []
    assert check_unknown_node_fault(Refusal("answered", http_status=200)) == [
        "PTZ GetNode accepted a token the device never issued (expected "
        "env:Sender/ter:InvalidArgVal/ter:NoEntity)"
    ]
    wrong = Refusal(
        "fault", http_status=500, code=f"{ENV}Receiver", subcodes=(f"{TER}ActionNotSupported",)
    )
    assert check_unknown_node_fault(wrong)
