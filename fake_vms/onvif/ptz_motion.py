"""Simulated PTZ mechanics: each axis moves at a velocity for a while, then holds.

Position is computed from the clock when asked, never by a background task, so a camera that
nobody talks to costs nothing and a state read is always exact. Absolute, relative, preset and
home moves are moves at a finite speed toward a target, so a client sees MoveStatus MOVING for a
short while and IDLE on arrival, as with real mechanics.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

CONTINUOUS_SPEED = 1.0
"""Generic units per second at velocity 1.0 (pan/tilt span 2 units, zoom 1)."""
TARGET_SPEED = 4.0
"""Generic units per second of absolute/relative/preset moves at full speed."""


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


@dataclass
class Axis:
    """One axis: ``value`` at ``t0``, moving at ``velocity`` until ``until`` (clamped to limits)."""

    low: float
    high: float
    value: float = 0.0
    t0: float = 0.0
    velocity: float = 0.0
    until: float = 0.0

    def at(self, now: float) -> float:
        elapsed = max(0.0, min(now, self.until) - self.t0)
        return clamp(self.value + self.velocity * elapsed, self.low, self.high)

    def moving(self, now: float) -> bool:
        """Moving while the motion lasts and the axis is not pinned against a limit."""
        if now >= self.until or self.velocity == 0.0:
            return False
        limit = self.high if self.velocity > 0 else self.low
        return self.at(now) != limit

    def drive(self, now: float, velocity: float, duration: float) -> None:
        self.value, self.t0 = self.at(now), now
        self.velocity, self.until = velocity * CONTINUOUS_SPEED, now + duration

    def seek(self, now: float, target: float, speed: float) -> None:
        """Travel to ``target`` at ``speed`` units per second (arrives exactly on it)."""
        self.value, self.t0 = self.at(now), now
        target = clamp(target, self.low, self.high)
        distance = target - self.value
        if distance == 0.0 or speed <= 0.0:
            self.velocity, self.until = 0.0, now
            return
        self.velocity = speed if distance > 0 else -speed
        self.until = now + abs(distance) / speed

    def stop(self, now: float) -> None:
        self.value, self.t0, self.velocity, self.until = self.at(now), now, 0.0, now


@dataclass
class PtzMechanics:
    """Pan and tilt in [-1, 1], zoom in [0, 1] (the ONVIF generic spaces)."""

    pan: Axis = field(default_factory=lambda: Axis(-1.0, 1.0))
    tilt: Axis = field(default_factory=lambda: Axis(-1.0, 1.0))
    zoom: Axis = field(default_factory=lambda: Axis(0.0, 1.0))

    @staticmethod
    def now() -> float:
        return time.monotonic()

    def position(self) -> tuple[float, float, float]:
        now = self.now()
        return self.pan.at(now), self.tilt.at(now), self.zoom.at(now)

    def moving(self) -> tuple[bool, bool]:
        """(pan/tilt moving, zoom moving)."""
        now = self.now()
        return self.pan.moving(now) or self.tilt.moving(now), self.zoom.moving(now)

    def continuous(
        self,
        pan_tilt: tuple[float, float] | None,
        zoom: float | None,
        duration: float,
    ) -> None:
        now = self.now()
        if pan_tilt is not None:
            self.pan.drive(now, pan_tilt[0], duration)
            self.tilt.drive(now, pan_tilt[1], duration)
        if zoom is not None:
            self.zoom.drive(now, zoom, duration)

    def seek(
        self,
        pan_tilt: tuple[float, float] | None,
        zoom: float | None,
        speed: float = 1.0,
    ) -> None:
        now = self.now()
        if pan_tilt is not None:
            self.pan.seek(now, pan_tilt[0], TARGET_SPEED * speed)
            self.tilt.seek(now, pan_tilt[1], TARGET_SPEED * speed)
        if zoom is not None:
            self.zoom.seek(now, zoom, TARGET_SPEED * speed)

    def stop(self, pan_tilt: bool, zoom: bool) -> None:
        now = self.now()
        if pan_tilt:
            self.pan.stop(now)
            self.tilt.stop(now)
        if zoom:
            self.zoom.stop(now)
