"""What the PTZ tests share: the PTZ profile, bounded polling of GetStatus, and the restore.

Every wait here is bounded by a deadline, so a camera that never arrives (or never answers the
way it should) turns into a verdict, never a hang. Restores move pan/tilt and zoom in separate
AbsoluteMove calls: some cameras refuse combined axes (Q29), and a restore must not depend on
the very behaviour another requirement judges.
"""

from __future__ import annotations

import time
from typing import Any

from conformance.checks.ptz import Position, check_reached, position_of, status_capabilities
from conformance.outcomes import Blocked, not_applicable, not_claimed

POLL_S = 0.1


PTZ_NAMESPACE = "http://www.onvif.org/ver20/ptz/wsdl"


def require_ptz_service(device: Any, level: str | None) -> None:
    """A device without a PTZ service: ``not_claimed`` where the profile makes PTZ conditional,
    a plain statement of the missing service where it makes PTZ mandatory; never the error of
    calling a service that is not there."""
    if device.offers("ptz"):
        return
    if level == "mandatory":
        raise AssertionError(
            f"the profile requires the PTZ service; GetServices lists none ({PTZ_NAMESPACE})"
        )
    not_claimed(f"the device offers no PTZ service (GetServices omits {PTZ_NAMESPACE})")


def require_ptz(device: Any, conformance_run: Any, request: Any) -> None:
    """What every PTZ test asks first: does the device have a PTZ service at all, judged at the
    level the run's profile gives the test's requirement (in the test body: a verdict raised in
    a fixture would count as a suite error)."""
    marker = request.node.get_closest_marker("requirement")
    entry = conformance_run.profile.get(marker.args[0]) if marker else None
    require_ptz_service(device, entry.level if entry else None)


def capabilities(device: Any) -> dict[str, bool | None]:
    """PTZ GetServiceCapabilities' MoveStatus and StatusPosition (cached per device)."""
    return device.cached(
        "ptz_status_capabilities",
        lambda: status_capabilities(device.call("ptz", "GetServiceCapabilities")),
    )


def ptz_profile_token(device: Any) -> str:
    """The first media profile with a PTZConfiguration (what a VMS would drive)."""

    def pick() -> str:
        for profile in device.profiles():
            if getattr(profile, "PTZConfiguration", None) is not None:
                return str(profile.token)
        raise AssertionError("no media profile carries a PTZConfiguration (ONVIF Media 5.2)")

    return device.cached("ptz_profile", pick)


def status(device: Any, token: str) -> Any:
    return device.call("ptz", "GetStatus", ProfileToken=token)


def position(device: Any, token: str) -> Position:
    return position_of(status(device, token))


def wait_for(
    device: Any, token: str, target: Position, tolerance: float, timeout: float
) -> Position:
    """Poll GetStatus until ``target`` is reached (within tolerance) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        current = position(device, token)
        if not check_reached("", current, target, tolerance) or time.monotonic() >= deadline:
            return current
        time.sleep(POLL_S)


def absolute_move(device: Any, token: str, target: Position) -> None:
    """One AbsoluteMove with every axis the target names."""
    where: dict[str, Any] = {}
    if target[0] is not None and target[1] is not None:
        where["PanTilt"] = {"x": target[0], "y": target[1]}
    if target[2] is not None:
        where["Zoom"] = {"x": target[2]}
    device.call("ptz", "AbsoluteMove", ProfileToken=token, Position=where)


def restore(
    device: Any, token: str, original: Position, tolerance: float, timeout: float
) -> tuple[bool, Position | None, str]:
    """Return the camera to ``original`` (axis groups one at a time); (restored, final, why)."""
    try:
        pan, tilt, zoom = original
        if pan is not None and tilt is not None:
            absolute_move(device, token, (pan, tilt, None))
            wait_for(device, token, (pan, tilt, None), tolerance, timeout)
        if zoom is not None:
            current = position(device, token)
            if current[2] is None or abs(current[2] - zoom) > tolerance:
                absolute_move(device, token, (None, None, zoom))
        final = wait_for(device, token, original, tolerance, timeout)
    except Exception as exc:  # noqa: BLE001 - a failed restore is reported, not raised over
        return False, None, f"restore failed: {type(exc).__name__}: {exc}"
    problems = check_reached("restore", final, original, tolerance)
    return not problems, final, "; ".join(problems)


def require_position(device: Any, current: Position) -> Position:
    """The pan/tilt position a move is measured by. A device that does not signal
    StatusPosition may leave it out (PTZ 5.3.7): the move then cannot be measured here, which
    is not the device's fault (not_applicable); one that signals it and leaves it out is
    PTZ-STATUS-01's failure."""
    if current[0] is None or current[1] is None:
        if not capabilities(device).get("StatusPosition"):
            not_applicable(
                "the device does not signal StatusPosition and GetStatus gives no pan/tilt "
                "position, so the move cannot be measured (PTZ 5.3.7 allows this)"
            )
        raise Blocked(
            "PTZ-STATUS-01",
            "GetStatus gives no pan/tilt position although the capabilities say "
            "StatusPosition=true",
        )
    return current
