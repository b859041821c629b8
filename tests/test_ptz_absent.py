"""A device with no PTZ service (issue 14): PTZ requirements are not_claimed where the profile
makes PTZ conditional, and fail with a plain statement where it makes PTZ mandatory; never the
error of calling a service GetServices does not list."""

from __future__ import annotations

from pathlib import Path

from simulated_target import run_profile_on_camera

from fake_vms.site import CameraConfig


def test_no_ptz_service_is_not_claimed_or_a_plain_fail(tmp_path: Path) -> None:
    camera = CameraConfig(name="no-ptz", ptz=False)
    levels = {"PTZ-NODES-01": "mandatory", "PTZ-STATUS-01": "conditional"}
    rows = run_profile_on_camera(tmp_path, camera, "ptz-levels", levels)
    nodes, status = rows["PTZ-NODES-01"], rows["PTZ-STATUS-01"]
    assert status["outcome"] == "not_claimed", status
    assert nodes["outcome"] == "fail", (nodes["cause"], nodes["reason"])
    assert "the profile requires the PTZ service; GetServices lists none" in nodes["reason"]
