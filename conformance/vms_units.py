"""Units under test of the vms-ingest profile: one per (VMS, simulated camera) pair.

Why pairs: the question an authority asks before merging platforms is "does *this* VMS work
with *this* camera", so each pair gets its own row of verdicts in results.json, and the
compatibility matrix (reports/compatibility.py) is read straight from those rows. The VMS is the
target's ``vms`` (a ``vms:`` section, or the ``vms`` entry of a ready file such as the one
``cctv-conformance zm up`` writes); the cameras are the simulated site named by the profile's
``site`` parameter on VMS-CONNECT-01 (the camera mix is part of the test definition, like any
other parameter). Pairs exist only when the profile includes VMS-CONNECT-01 and the target has
a VMS, so other profiles are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.targets import Claims

ANCHOR = "VMS-CONNECT-01"


def site_path(value: str) -> Path:
    """A site file from a parameter: absolute, else relative to the checkout, else the cwd."""
    path = Path(value)
    if path.is_absolute():
        return path
    checkout = Path(__file__).resolve().parent.parent / path
    return checkout if checkout.exists() else Path.cwd() / path


@dataclass(frozen=True)
class _Endpoint:
    """What reports show for a pair: the VMS address; the role says 'vms'."""

    name: str
    onvif_url: str
    role: str = "vms"
    claims: Claims = field(default_factory=Claims)


class VmsCameraUnderTest:
    """One (VMS, camera) pair, shaped like DeviceUnderTest where the plugin and reports touch it
    (``name``, ``device``, ``notes``, ``release``, ``_cache``, ``_onvif``). The work is done by
    the suite's shared ingest session (conformance/suites/vms_ingest/ingest.py)."""

    _onvif = None

    def __init__(self, vms: Any, vms_name: str, camera: str, site_file: Path) -> None:
        self.vms = vms
        self.vms_name = vms_name
        self.camera = camera
        self.site_file = site_file
        self.name = f"{vms_name} · {camera}"
        self.device = _Endpoint(self.name, vms.url)
        self.notes: list[str] = []
        self._cache: dict[str, Any] = {}

    def release(self) -> None:
        """Nothing to free per pair: the ingest session is shared and closed at session end."""

    def __repr__(self) -> str:
        return f"VmsCameraUnderTest({self.name!r})"


def vms_camera_pairs(target: Any, profile: Any) -> list[VmsCameraUnderTest]:
    """The pairs to judge, or none when the profile or the target has no VMS ingest."""
    vms = getattr(target, "vms", None)
    entry = profile.get(ANCHOR)
    if vms is None or entry is None:
        return []
    from fake_vms.site import load_site

    site_file = site_path(str(entry.parameters.get("site", "fixtures/sites/vms-ingest.yaml")))
    site = load_site(site_file)
    name = str(vms.options.get("name") or vms.adapter)
    return [VmsCameraUnderTest(vms, name, camera.name, site_file) for camera in site.cameras]
