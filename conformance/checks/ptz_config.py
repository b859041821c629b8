"""Checks that the PTZ service's nodes, configurations and configuration options agree
(PTZ-CONS-01), and that GetNode answers a token it never issued with its fault (PTZ-FAULT-01).

A client reads a node or a configuration from the list (GetNodes, GetConfigurations) or one at
a time (GetNode, GetConfiguration) and moves in the spaces the configuration names by default:
when the two readings differ, or a default space is missing from the options, or the
configuration's node does not exist, the client drives the camera from a wrong picture. The
extractors turn zeep replies into plain views; the checks take views and return problems.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conformance.checks.faults import Probe, check_invalid_token
from conformance.checks.ptz import GENERIC, node_summary, timeout_range

DEFAULT_SPACES: dict[str, str] = {
    "DefaultAbsolutePantTiltPositionSpace": "AbsolutePanTiltPositionSpace",
    "DefaultAbsoluteZoomPositionSpace": "AbsoluteZoomPositionSpace",
    "DefaultRelativePanTiltTranslationSpace": "RelativePanTiltTranslationSpace",
    "DefaultRelativeZoomTranslationSpace": "RelativeZoomTranslationSpace",
    "DefaultContinuousPanTiltVelocitySpace": "ContinuousPanTiltVelocitySpace",
    "DefaultContinuousZoomVelocitySpace": "ContinuousZoomVelocitySpace",
}
"""tt:PTZConfiguration's default space elements (the schema spells "Pant") -> the tt:PTZSpaces
element listing spaces of that kind."""
SPEED_SPACES = {"PanTilt": "PanTiltSpeedSpace", "Zoom": "ZoomSpeedSpace"}
"""tt:PTZSpeed's axes in DefaultPTZSpeed -> the tt:PTZSpaces element of their speed space."""

GET_NODE_PROBE = Probe("PTZ", "ptz", "GetNode", ("NoEntity",))
"""PTZ GetNode's fault table: env:Sender/ter:InvalidArgVal/ter:NoEntity."""


def node_view(node: Any) -> dict[str, Any]:
    """tt:PTZNode -> what both readings must agree on, independent of list order: token,
    each kind's spaces (URI and ranges, sorted by URI), MaximumNumberOfPresets, HomeSupported."""
    summary = node_summary(node)
    summary["spaces"] = {
        kind: sorted(entries, key=lambda e: e["uri"])
        for kind, entries in summary["spaces"].items()
        if entries
    }
    return summary


def configuration_view(configuration: Any) -> dict[str, Any]:
    """tt:PTZConfiguration -> token, NodeToken, the default spaces it names (by tt:PTZSpaces
    kind, speed spaces included) and DefaultPTZTimeout in seconds (None where absent)."""
    defaults: dict[str, str] = {}
    for element, kind in DEFAULT_SPACES.items():
        uri = getattr(configuration, element, None)
        if uri:
            defaults[kind] = str(uri)
    speed = getattr(configuration, "DefaultPTZSpeed", None)
    for axis, kind in SPEED_SPACES.items():
        vector = getattr(speed, axis, None) if speed is not None else None
        space = getattr(vector, "space", None) if vector is not None else None
        if space:
            defaults[kind] = str(space)
    timeout = getattr(configuration, "DefaultPTZTimeout", None)
    return {
        "token": str(getattr(configuration, "token", "")),
        "node_token": str(getattr(configuration, "NodeToken", "") or ""),
        "default_spaces": defaults,
        "default_timeout_s": _duration_s(timeout),
    }


def _duration_s(value: Any) -> float | None:
    """xs:duration as zeep parses it (timedelta, or isodate.Duration) -> seconds."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else None


def options_view(options: Any) -> dict[str, Any]:
    """tt:PTZConfigurationOptions -> the space URIs listed per kind and the PTZTimeout range."""
    spaces = getattr(options, "Spaces", None)
    listed = {
        kind: sorted(str(e.URI) for e in (getattr(spaces, kind, None) or [])) for kind in GENERIC
    }
    limits = timeout_range(options)
    return {
        "spaces": {k: v for k, v in listed.items() if v},
        "timeout_range_s": list(limits) if limits is not None else None,
    }


def _differences(listed: dict[str, Any], fetched: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(listed) | set(fetched) if listed.get(k) != fetched.get(k))


def _single_reads(
    what: str, listed: list[dict[str, Any]], fetched: dict[str, dict[str, Any] | str]
) -> list[str]:
    """Each item of the list (``what``: "node" or "configuration") read one at a time is the
    same item: same token, same content. ``fetched`` maps a listed token to the single read's
    view, or to a text saying how the single read failed."""
    problems = []
    for item in listed:
        token = item["token"]
        single = fetched.get(token)
        if single is None:
            problems.append(f"{what} {token}: not read on its own")
        elif isinstance(single, str):
            problems.append(f"{what} {token}: the single read failed: {single}")
        else:
            differ = _differences(item, single)
            if differ:
                problems.append(
                    f"{what} {token}: the single read differs from the list in {', '.join(differ)}"
                )
    return problems


def check_configuration_against_options(
    configuration: dict[str, Any], options: dict[str, Any]
) -> list[str]:
    """PTZ Configuration (General, GetConfigurationOptions): the options list the supported
    coordinate systems, so each default space the configuration names is among the options'
    spaces of its kind; a node that moves continuously has a PTZTimeout range and its
    DefaultPTZTimeout lies within it."""
    token = configuration["token"]
    problems = []
    for kind, uri in configuration["default_spaces"].items():
        offered = options["spaces"].get(kind, [])
        if uri not in offered:
            problems.append(
                f"configuration {token}: default {kind} {uri} is not among the "
                f"GetConfigurationOptions spaces ({', '.join(offered) or 'none'})"
            )
    continuous = any("Continuous" in kind for kind in configuration["default_spaces"])
    limits = options["timeout_range_s"]
    default = configuration["default_timeout_s"]
    if limits is None or None in limits:
        if continuous:
            problems.append(
                f"configuration {token}: continuous movement but GetConfigurationOptions gives "
                "no PTZTimeout range"
            )
    elif default is not None and not limits[0] <= default <= limits[1]:
        problems.append(
            f"configuration {token}: DefaultPTZTimeout {default:g} s is outside the PTZTimeout "
            f"range [{limits[0]:g}, {limits[1]:g}] s"
        )
    return problems


def check_consistency(
    nodes: list[dict[str, Any]],
    fetched_nodes: dict[str, dict[str, Any] | str],
    configurations: list[dict[str, Any]],
    fetched_configurations: dict[str, dict[str, Any] | str],
    options: dict[str, dict[str, Any] | str],
) -> list[str]:
    """PTZ-CONS-01: GetNode agrees with GetNodes, GetConfiguration with GetConfigurations,
    every configuration names a node GetNodes lists, and its defaults lie within its options.
    A PTZ service with no node or no configuration offers nothing to drive: a failure, never
    a pass on nothing."""
    problems = []
    if not nodes:
        problems.append("GetNodes returned no PTZ node")
    if not configurations:
        problems.append("GetConfigurations returned no PTZ configuration")
    problems += _single_reads("node", nodes, fetched_nodes)
    problems += _single_reads("configuration", configurations, fetched_configurations)
    node_tokens = {n["token"] for n in nodes}
    for configuration in configurations:
        token = configuration["token"]
        if configuration["node_token"] not in node_tokens:
            problems.append(
                f"configuration {token}: NodeToken {configuration['node_token']!r} is not a "
                f"node GetNodes lists ({', '.join(sorted(node_tokens)) or 'none'})"
            )
        answer = options.get(token)
        if answer is None:
            problems.append(f"configuration {token}: GetConfigurationOptions not read")
        elif isinstance(answer, str):
            problems.append(f"configuration {token}: GetConfigurationOptions failed: {answer}")
        else:
            problems += check_configuration_against_options(configuration, answer)
    return problems


def check_unknown_node_fault(answer: Any) -> list[str]:
    """PTZ-FAULT-01: GetNode with a token the device never issued answers
    env:Sender/ter:InvalidArgVal/ter:NoEntity (``answer``: a Refusal)."""
    return check_invalid_token(GET_NODE_PROBE, answer)
