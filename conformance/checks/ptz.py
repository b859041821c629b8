"""Checks of the ONVIF PTZ service: spaces, status, moves and presets.

The extractors turn zeep replies into small plain views (what the evidence shows is exactly what
was judged); the checks take views and return a list of problems, empty when conformant.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

SPACES = "http://www.onvif.org/ver10/tptz/"
GENERIC_SPACES = {
    "AbsolutePanTiltPositionSpace": SPACES + "PanTiltSpaces/PositionGenericSpace",
    "AbsoluteZoomPositionSpace": SPACES + "ZoomSpaces/PositionGenericSpace",
    "ContinuousPanTiltVelocitySpace": SPACES + "PanTiltSpaces/VelocityGenericSpace",
    "ContinuousZoomVelocitySpace": SPACES + "ZoomSpaces/VelocityGenericSpace",
}
"""The generic spaces Profile S/T clients rely on, by PTZSpaces element (PTZ spec 5.7)."""
MOVE_STATES = ("IDLE", "MOVING", "UNKNOWN")
STILL = 0.005
"""Position change (generic units) below which a camera counts as not moving."""

Position = tuple[float | None, float | None, float | None]


def _seconds(value: Any) -> float | None:
    if isinstance(value, timedelta):
        return value.total_seconds()
    total = getattr(value, "total_seconds", None)  # isodate.Duration without months/years
    return float(total()) if callable(total) else None


def node_summary(node: Any) -> dict[str, Any]:
    """tt:PTZNode -> token, the URIs of every space kind, MaximumNumberOfPresets, HomeSupported."""
    spaces = getattr(node, "SupportedPTZSpaces", None)
    kinds = {}
    for kind in (
        "AbsolutePanTiltPositionSpace",
        "AbsoluteZoomPositionSpace",
        "RelativePanTiltTranslationSpace",
        "RelativeZoomTranslationSpace",
        "ContinuousPanTiltVelocitySpace",
        "ContinuousZoomVelocitySpace",
        "PanTiltSpeedSpace",
        "ZoomSpeedSpace",
    ):
        entries = getattr(spaces, kind, None) or [] if spaces is not None else []
        kinds[kind] = [
            {
                "uri": str(e.URI),
                "has_range": getattr(e, "XRange", None) is not None,
            }
            for e in entries
        ]
    return {
        "token": str(getattr(node, "token", "")),
        "spaces": kinds,
        "max_presets": int(getattr(node, "MaximumNumberOfPresets", 0) or 0),
        "home_supported": bool(getattr(node, "HomeSupported", False)),
    }


def timeout_range(options: Any) -> tuple[float | None, float | None] | None:
    """GetConfigurationOptions -> PTZTimeout (Min, Max) in seconds, or None if absent."""
    timeout = getattr(options, "PTZTimeout", None)
    if timeout is None:
        return None
    return _seconds(getattr(timeout, "Min", None)), _seconds(getattr(timeout, "Max", None))


def check_nodes(
    nodes: list[dict[str, Any]], timeouts: dict[str, tuple[float | None, float | None] | None]
) -> list[str]:
    """PTZ-NODES-01: each node offers the generic spaces of its axes; presets; PTZTimeout range.

    An axis counts as present when the node lists any space for it; a node that has the axis
    but lists only vendor spaces for it is what Q29 clients (frigate, HA) trip over.
    """
    if not nodes:
        return ["GetNodes returned no PTZ node"]
    problems = []
    for node in nodes:
        token = node["token"]
        spaces = node["spaces"]
        for kind, uri in GENERIC_SPACES.items():
            axis = "PanTilt" if "PanTilt" in kind else "Zoom"
            has_axis = any(spaces[k] for k in spaces if axis in k)
            uris = [s["uri"] for s in spaces.get(kind, [])]
            if not has_axis:
                continue
            if uri not in uris:
                listed = ", ".join(uris) or "none"
                problems.append(f"node {token}: {kind} lacks {uri} (lists {listed})")
            elif not all(s["has_range"] for s in spaces[kind] if s["uri"] == uri):
                problems.append(f"node {token}: {kind} {uri} has no XRange")
        if node["max_presets"] < 1:
            problems.append(f"node {token}: MaximumNumberOfPresets is {node['max_presets']}")
    if not timeouts:
        problems.append("GetConfigurations returned no PTZ configuration")
    for token, limits in timeouts.items():
        if limits is None or None in limits:
            problems.append(f"configuration {token}: GetConfigurationOptions has no PTZTimeout")
        elif limits[0] > limits[1]:
            problems.append(f"configuration {token}: PTZTimeout Min {limits[0]} > Max {limits[1]}")
    return problems


def position_of(status: Any) -> Position:
    """GetStatus -> (pan, tilt, zoom); None for what the reply leaves out."""
    position = getattr(status, "Position", None)
    pan_tilt = getattr(position, "PanTilt", None) if position is not None else None
    zoom = getattr(position, "Zoom", None) if position is not None else None
    return (
        float(pan_tilt.x) if pan_tilt is not None else None,
        float(pan_tilt.y) if pan_tilt is not None else None,
        float(zoom.x) if zoom is not None else None,
    )


def status_summary(status: Any) -> dict[str, Any]:
    """GetStatus -> position, MoveStatus per axis and UtcTime (ISO text, UTC offset seconds)."""
    moves = getattr(status, "MoveStatus", None)
    utc = getattr(status, "UtcTime", None)
    offset = utc.utcoffset() if isinstance(utc, datetime) else None
    return {
        "position": list(position_of(status)),
        "move_status": None
        if moves is None
        else {
            "PanTilt": _text(getattr(moves, "PanTilt", None)),
            "Zoom": _text(getattr(moves, "Zoom", None)),
        },
        "utc_time": utc.isoformat() if isinstance(utc, datetime) else _text(utc),
        "utc_offset_s": offset.total_seconds() if offset is not None else None,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def check_status(summary: dict[str, Any]) -> list[str]:
    """PTZ-STATUS-01: position in range, MoveStatus of each axis, UtcTime in UTC."""
    problems = []
    pan, tilt, zoom = summary["position"]
    if pan is None or tilt is None:
        problems.append("Position has no PanTilt")
    elif not (-1.0 <= pan <= 1.0 and -1.0 <= tilt <= 1.0):
        problems.append(f"PanTilt ({pan}, {tilt}) is outside the generic range [-1, 1]")
    if zoom is not None and not 0.0 <= zoom <= 1.0:
        problems.append(f"Zoom {zoom} is outside the generic range [0, 1]")
    moves = summary["move_status"]
    if moves is None:
        problems.append("MoveStatus is missing: clients cannot tell when a move has finished")
    else:
        for axis in ("PanTilt", "Zoom"):
            if moves[axis] is not None and moves[axis] not in MOVE_STATES:
                problems.append(f"MoveStatus {axis} is {moves[axis]!r}")
        if moves["PanTilt"] is None:
            problems.append("MoveStatus has no PanTilt state")
    if summary["utc_time"] is None:
        problems.append("UtcTime is missing")
    elif summary["utc_offset_s"] != 0.0:
        problems.append(f"UtcTime {summary['utc_time']} is not UTC (no Z)")
    return problems


def distance(a: Position, b: Position) -> float:
    """Largest per-axis difference of the axes both positions report."""
    diffs = [abs(x - y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    return max(diffs) if diffs else float("inf")


def check_continuous(
    before: Position, stopped: Position, later: Position, min_travel: float
) -> list[str]:
    """PTZ-CONT-01: pan rose by min_travel during the move, and held still after Stop."""
    if None in (before[0], stopped[0], later[0]):
        return ["GetStatus gave no pan position to judge the move by"]
    problems = []
    travel = stopped[0] - before[0]
    if travel < min_travel:
        problems.append(
            f"pan moved {travel:+.3f} during ContinuousMove with positive pan velocity "
            f"(expected at least +{min_travel})"
        )
    drift = distance(stopped, later)
    if drift > STILL:
        problems.append(f"the camera kept moving after Stop ({drift:.3f} more)")
    return problems


def check_reached(name: str, position: Position, target: Position, tolerance: float) -> list[str]:
    """Each commanded axis is within tolerance (axes the target leaves as None are free)."""
    problems = []
    for axis, got, want in zip(("pan", "tilt", "zoom"), position, target, strict=True):
        if want is None:
            continue
        if got is None:
            problems.append(f"{name}: GetStatus gave no {axis} position")
        elif abs(got - want) > tolerance:
            problems.append(f"{name}: {axis} is {got:.3f}, expected {want:.3f} ± {tolerance}")
    return problems


def check_preset_round_trip(
    token: str,
    after_set: list[str],
    goto_problems: list[str],
    after_remove: list[str],
) -> list[str]:
    """PTZ-PRESET-01: listed after SetPreset, reached by GotoPreset, gone after RemovePreset."""
    problems = []
    if token not in after_set:
        problems.append(f"SetPreset returned {token!r} but GetPresets does not list it")
    problems += goto_problems
    if token in after_remove:
        problems.append(f"preset {token!r} is still listed after RemovePreset")
    return problems
