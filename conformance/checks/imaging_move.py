"""Checks of the Imaging service's focus move options and status (IMAGING-MOVE-01).

Imaging "GetMoveOptions": every device with the Imaging service "shall support" it, its answer
"shall include all supported Move Operations" and is empty when focus cannot be moved at all;
"GetStatus": a device "with support for remote focus control as signaled via the
GetMoveOptions shall support this command". The extractors turn zeep replies into plain views;
the checks take views and return a list of problems, empty when conformant.
"""

from __future__ import annotations

from typing import Any

MOVES: dict[str, tuple[str, ...]] = {
    "Absolute": ("Position", "Speed"),
    "Relative": ("Distance", "Speed"),
    "Continuous": ("Speed",),
}
"""tt:MoveOptions20's focus moves and the tt:FloatRange elements each may carry."""
MOVE_STATES = ("IDLE", "MOVING", "UNKNOWN")


def _range(value: Any) -> list[float] | None:
    if value is None:
        return None
    try:
        return [float(value.Min), float(value.Max)]
    except (AttributeError, TypeError, ValueError):
        return None


def move_options_view(options: Any) -> dict[str, dict[str, list[float] | None]]:
    """tt:MoveOptions20 -> the moves offered, each with its ranges (None: range absent)."""
    view: dict[str, dict[str, list[float] | None]] = {}
    for move, fields in MOVES.items():
        offered = getattr(options, move, None) if options is not None else None
        if offered is not None:
            view[move] = {name: _range(getattr(offered, name, None)) for name in fields}
    return view


def status_view(status: Any) -> dict[str, Any]:
    """tt:ImagingStatus20 -> the focus status (position, move status, error) or None."""
    focus = getattr(status, "FocusStatus20", None) if status is not None else None
    if focus is None:
        return {"focus": None}
    move_status = getattr(focus, "MoveStatus", None)
    position = getattr(focus, "Position", None)
    return {
        "focus": {
            "position": float(position) if position is not None else None,
            "move_status": None if move_status is None else str(move_status),
            "error": getattr(focus, "Error", None),
        }
    }


def check_move_options(options: dict[str, Any] | str | None) -> list[str]:
    """GetMoveOptions was answered (``options``: its view; a text: how it failed), and every
    range it offers has Min <= Max. An empty answer is legal: no focus move at all."""
    if options is None:
        return ["GetMoveOptions was not answered"]
    if isinstance(options, str):
        return [
            f"GetMoveOptions failed: {options} (a device with the Imaging service shall "
            "support it; without focus control it answers an empty MoveOptions)"
        ]
    problems = []
    for move, ranges in options.items():
        for name, limits in ranges.items():
            required = name != "Speed" or move == "Continuous"  # schema: minOccurs
            if limits is None:
                if required:
                    problems.append(f"{move} focus move offered without a {name} range")
            elif limits[0] > limits[1]:
                problems.append(f"{move} focus {name} range Min {limits[0]:g} > Max {limits[1]:g}")
    return problems


def check_focus_status(offered: dict[str, Any], status: dict[str, Any] | str | None) -> list[str]:
    """Where GetMoveOptions offers a focus move, GetStatus is answered, and the focus status it
    gives (if any) has a known MoveStatus (IDLE, MOVING, UNKNOWN). Without focus control the
    status is not required (``offered`` empty and ``status`` None pass: the options were
    judged by check_move_options)."""
    if not offered:
        return []
    if status is None:
        return ["GetStatus was not asked although GetMoveOptions offers focus moves"]
    if isinstance(status, str):
        return [
            f"GetStatus failed: {status}, although GetMoveOptions offers focus moves "
            f"({', '.join(sorted(offered))}): such a device shall support GetStatus"
        ]
    focus = status.get("focus")
    if focus is None:
        return []
    if focus["move_status"] not in MOVE_STATES:
        return [f"focus MoveStatus is {focus['move_status']!r}"]
    return []
