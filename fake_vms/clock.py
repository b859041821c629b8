"""The simulated device's clock: real UTC plus the camera's configured offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fake_vms.site import CameraConfig


def device_now(camera: CameraConfig) -> datetime:
    """What the device believes the time is (timezone-aware UTC)."""
    return datetime.now(UTC) + timedelta(seconds=camera.clock_offset_s)
