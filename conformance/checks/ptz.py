"""Checks of the ONVIF PTZ service: spaces, status, moves and presets.

The extractors turn zeep replies into small plain views (what the evidence shows is exactly what
was judged); the checks take views and return a list of problems, empty when conformant.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

SPACES = "http://www.onvif.org/ver10/tptz/"
Range = tuple[float, float]
GENERIC: dict[str, tuple[str, Range, Range | None]] = {
    "AbsolutePanTiltPositionSpace": (
        SPACES + "PanTiltSpaces/PositionGenericSpace",
        (-1, 1),
        (-1, 1),
    ),
    "AbsoluteZoomPositionSpace": (SPACES + "ZoomSpaces/PositionGenericSpace", (0, 1), None),
    "RelativePanTiltTranslationSpace": (
        SPACES + "PanTiltSpaces/TranslationGenericSpace",
        (-1, 1),
        (-1, 1),
    ),
    "RelativeZoomTranslationSpace": (SPACES + "ZoomSpaces/TranslationGenericSpace", (-1, 1), None),
    "ContinuousPanTiltVelocitySpace": (
        SPACES + "PanTiltSpaces/VelocityGenericSpace",
        (-1, 1),
        (-1, 1),
    ),
    "ContinuousZoomVelocitySpace": (SPACES + "ZoomSpaces/VelocityGenericSpace", (-1, 1), None),
    "PanTiltSpeedSpace": (SPACES + "PanTiltSpaces/GenericSpeedSpace", (0, 1), None),
    "ZoomSpeedSpace": (SPACES + "ZoomSpaces/ZoomGenericSpeedSpace", (0, 1), None),
}
"""Per tt:PTZSpaces element: its generic space and the normalised X (and Y) range (PTZ 5.7).

A node that lists any space of a movement type "shall" provide that type's generic space; the
normalised range of a generic space is a "should" (judged by PTZ-NODES-02, not PTZ-NODES-01)."""
GENERIC_SPACES = {kind: uri for kind, (uri, _x, _y) in GENERIC.items()}
MOVE_STATES = ("IDLE", "MOVING", "UNKNOWN")
STILL = 0.005
"""Position change (generic units) below which a camera counts as not moving."""

Position = tuple[float | None, float | None, float | None]


def _seconds(value: Any) -> float | None:
    if isinstance(value, timedelta):
        return value.total_seconds()
    total = getattr(value, "total_seconds", None)  # isodate.Duration without months/years
    return float(total()) if callable(total) else None


def _range_of(value: Any) -> list[float] | None:
    """tt:FloatRange -> [Min, Max]; None when absent or not numeric."""
    if value is None:
        return None
    try:
        return [float(value.Min), float(value.Max)]
    except (AttributeError, TypeError, ValueError):
        return None


def node_summary(node: Any) -> dict[str, Any]:
    """tt:PTZNode -> token, every listed space (URI, X and Y range), presets, HomeSupported."""
    spaces = getattr(node, "SupportedPTZSpaces", None)
    kinds = {}
    for kind in GENERIC:
        entries = (getattr(spaces, kind, None) or []) if spaces is not None else []
        kinds[kind] = [
            {
                "uri": str(e.URI),
                "has_range": getattr(e, "XRange", None) is not None,
                "x": _range_of(getattr(e, "XRange", None)),
                "y": _range_of(getattr(e, "YRange", None)),
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
    """PTZ-NODES-01: each node lists spaces, the generic space of every movement type it lists
    (with a range), presets, and each configuration a PTZTimeout range.

    A node that lists no space at all offers no movement: the schema allows the empty list, but
    PTZ 5.3.3 makes continuous movement mandatory for a PTZ node, so it fails rather than
    passing on nothing. A node that lists a movement type only through vendor spaces is what
    Q29 clients (frigate, HA) trip over. The generic ranges are PTZ-NODES-02's (a "should").
    """
    if not nodes:
        return ["GetNodes returned no PTZ node"]
    problems = []
    for node in nodes:
        token = node["token"]
        spaces = node["spaces"]
        if not any(spaces.values()):
            problems.append(
                f"node {token}: SupportedPTZSpaces lists no space, so the node offers no movement "
                "(PTZ 5.3.3: continuous movement is mandatory; PTZ 4: a move type with no space "
                "is not available)"
            )
        for kind, uri in GENERIC_SPACES.items():
            listed = spaces.get(kind, [])
            if not listed:
                continue
            uris = [s["uri"] for s in listed]
            if uri not in uris:
                problems.append(f"node {token}: {kind} lacks {uri} (lists {', '.join(uris)})")
            elif not all(s["has_range"] for s in listed if s["uri"] == uri):
                problems.append(f"node {token}: {kind} {uri} has no XRange")
        has_pan_tilt = any(spaces[k] for k in spaces if "PanTilt" in k)
        if has_pan_tilt and not spaces.get("ContinuousPanTiltVelocitySpace"):
            problems.append(
                f"node {token}: has pan/tilt spaces but no ContinuousPanTiltVelocitySpace "
                "(PTZ 5.7.3.1: every PTZ node shall provide the generic velocity space)"
            )
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


def _outside(got: list[float] | None, want: Range) -> bool:
    return got is None or not (want[0] <= got[0] < got[1] <= want[1])


def check_generic_ranges(nodes: list[dict[str, Any]]) -> tuple[list[str], int]:
    """PTZ-NODES-02 (a "should", PTZ 5.7): each generic space's range lies within its
    normalised range (position and translation [-1, 1], zoom position and speed [0, 1]).

    Returns (problems, number of generic spaces judged); zero judged is not a pass.
    A range narrower than the normalised one is accepted (a camera may not reach every
    normalised value); a range outside it (e.g. 0..360 degrees) is not normalised.
    """
    problems: list[str] = []
    judged = 0
    for node in nodes:
        for kind, (uri, x_norm, y_norm) in GENERIC.items():
            for space in node["spaces"].get(kind, []):
                if space["uri"] != uri or space["x"] is None:
                    continue
                judged += 1
                if _outside(space["x"], x_norm):
                    problems.append(
                        f"node {node['token']}: {uri} XRange {space['x']} is not within the "
                        f"normalised range {list(x_norm)}"
                    )
                if y_norm is not None and space["y"] is not None and _outside(space["y"], y_norm):
                    problems.append(
                        f"node {node['token']}: {uri} YRange {space['y']} is not within the "
                        f"normalised range {list(y_norm)}"
                    )
    return problems, judged


def position_ranges(node: dict[str, Any] | None) -> dict[str, list[float] | None]:
    """The ranges a node declares for its absolute position spaces (the generic one if listed,
    else the first): what GetStatus positions are judged against, so that PTZ-STATUS-01 and
    PTZ-NODES-01 judge a position by the same declaration."""
    ranges: dict[str, list[float] | None] = {"pan": None, "tilt": None, "zoom": None}
    if node is None:
        return ranges
    for kind, axes in (
        ("AbsolutePanTiltPositionSpace", ("pan", "tilt")),
        ("AbsoluteZoomPositionSpace", ("zoom",)),
    ):
        listed = node["spaces"].get(kind, [])
        chosen = next((s for s in listed if s["uri"] == GENERIC_SPACES[kind]), None)
        chosen = chosen or (listed[0] if listed else None)
        if chosen is not None:
            ranges[axes[0]] = chosen["x"]
            if len(axes) > 1:
                ranges[axes[1]] = chosen["y"]
    return ranges


def status_capabilities(caps: Any) -> dict[str, bool | None]:
    """PTZ GetServiceCapabilities -> MoveStatus and StatusPosition (None: not signalled).

    The attributes have no schema default, so an absent one is "not signalled" and the field it
    governs is not required (PTZ 5.3.7)."""

    def flag(name: str) -> bool | None:
        value = getattr(caps, name, None) if caps is not None else None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
            return value.lower() in ("true", "1")
        return None

    return {"MoveStatus": flag("MoveStatus"), "StatusPosition": flag("StatusPosition")}


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
        "error": _text(getattr(status, "Error", None)),
        "utc_time": utc.isoformat() if isinstance(utc, datetime) else _text(utc),
        "utc_offset_s": offset.total_seconds() if offset is not None else None,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def check_status(
    summary: dict[str, Any],
    capabilities: dict[str, bool | None],
    ranges: dict[str, list[float] | None],
) -> list[str]:
    """PTZ-STATUS-01 (PTZ 5.3.7): Position "shall be present" when StatusPosition is signalled
    and MoveStatus when MoveStatus is; either may be left out otherwise. What is present must
    be valid: positions within the ranges the node declares for its position spaces (so this
    requirement and PTZ-NODES-01 judge by the same declaration), known move states, UNKNOWN
    only with an Error, and UtcTime (schema-required) in UTC."""
    problems = []
    pan, tilt, zoom = summary["position"]
    if capabilities.get("StatusPosition") and pan is None and tilt is None and zoom is None:
        problems.append("Position is missing although the capabilities say StatusPosition=true")
    for axis, value in (("pan", pan), ("tilt", tilt), ("zoom", zoom)):
        limits = ranges.get(axis)
        if value is not None and limits is not None and not limits[0] <= value <= limits[1]:
            problems.append(f"{axis} {value} is outside the node's declared range {limits}")
    moves = summary["move_status"]
    if moves is None or (moves["PanTilt"] is None and moves["Zoom"] is None):
        if capabilities.get("MoveStatus"):
            problems.append(
                "MoveStatus is missing although the capabilities say MoveStatus=true: clients "
                "cannot tell when a move has finished"
            )
    else:
        for axis in ("PanTilt", "Zoom"):
            if moves[axis] is not None and moves[axis] not in MOVE_STATES:
                problems.append(f"MoveStatus {axis} is {moves[axis]!r}")
        if "UNKNOWN" in (moves["PanTilt"], moves["Zoom"]) and not summary.get("error"):
            problems.append("MoveStatus is UNKNOWN without an Error (PTZ 5.3.7)")
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
