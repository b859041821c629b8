"""Site files: which simulated cameras one ``fake-vms serve`` process hosts, and how each behaves.

A site file is YAML::

    site: demo
    defaults: {width: 1280, height: 720, fps: 25}
    cameras:
      - name: cam-01
        persona: half-frame-rate      # optional
        clock_offset_s: 0             # optional

Every field of :class:`CameraConfig` may appear under ``defaults`` or on a camera.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from fake_vms.personas import Persona, get_persona
from fake_vms.personas.knobs import Knobs

CODECS = ("H264",)


class SiteError(ValueError):
    """A site file is unreadable or invalid; the message names the file and field."""


@dataclass(frozen=True)
class CameraConfig:
    """One simulated camera. Defaults describe a conformant 720p25 H.264 Profile S camera."""

    name: str
    manufacturer: str = "FakeVMS"
    model: str = "SimCam 1000"
    firmware: str = "1.0.0"
    serial: str = ""
    hardware_id: str = "SIM-HW-1"
    mac: str = ""
    width: int = 1280
    height: int = 720
    fps: int = 25
    codec: str = "H264"
    gop: int = 25
    bitrate_kbps: int = 1500
    username: str = "admin"
    password: str = "sim-password"
    clock_offset_s: float = 0.0
    persona: str | None = None
    knobs: Knobs = field(default_factory=Knobs)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(self.name.encode()).hexdigest()
        if not self.serial:
            object.__setattr__(self, "serial", f"SIM{digest[:10].upper()}")
        if not self.mac:
            octets = ["02"] + [digest[i : i + 2] for i in range(0, 10, 2)]
            object.__setattr__(self, "mac", ":".join(octets))

    @property
    def stream_size(self) -> tuple[int, int]:
        """The size actually encoded on the wire (a persona may make it differ)."""
        return self.knobs.stream_size or (self.width, self.height)

    @property
    def stream_fps(self) -> float:
        """The frame rate actually sent on the wire."""
        return self.fps / self.knobs.fps_divisor


def apply_persona(camera: CameraConfig, persona: Persona | None) -> CameraConfig:
    """Return ``camera`` with the persona's knobs and clock offset applied."""
    if persona is None:
        return camera
    return replace(
        camera,
        persona=persona.name,
        knobs=persona.knobs,
        clock_offset_s=camera.clock_offset_s + persona.clock_offset_s,
    )


@dataclass(frozen=True)
class Site:
    name: str
    cameras: tuple[CameraConfig, ...]


_CAMERA_FIELDS = {f.name for f in fields(CameraConfig)} - {"knobs"}


def _camera_from_mapping(raw: dict[str, Any], where: str) -> CameraConfig:
    unknown = sorted(set(raw) - _CAMERA_FIELDS)
    if unknown:
        raise SiteError(f"{where}: unknown field(s) {', '.join(unknown)}")
    if not isinstance(raw.get("name"), str) or not raw["name"]:
        raise SiteError(f"{where}.name: a non-empty camera name is required")
    for key in ("width", "height", "fps", "gop", "bitrate_kbps"):
        if key in raw and (not isinstance(raw[key], int) or raw[key] <= 0):
            raise SiteError(f"{where}.{key}: must be a positive integer, got {raw[key]!r}")
    if raw.get("codec", "H264") not in CODECS:
        raise SiteError(f"{where}.codec: must be one of {', '.join(CODECS)}, got {raw['codec']!r}")
    persona_name = raw.get("persona")
    try:
        persona = get_persona(persona_name)
    except KeyError as exc:
        raise SiteError(f"{where}.persona: {exc.args[0]}") from None
    camera = CameraConfig(**{k: v for k, v in raw.items() if k != "persona"})
    return apply_persona(camera, persona)


def load_site(path: str | Path, persona: str | None = None) -> Site:
    """Load a site file; ``persona`` (if given) is applied to every camera without one."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SiteError(f"{path}: cannot read site file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SiteError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SiteError(f"{path}: a site file must be a mapping with 'site' and 'cameras'")
    cameras_raw = data.get("cameras")
    if not isinstance(cameras_raw, list) or not cameras_raw:
        raise SiteError(f"{path}: field 'cameras' must be a non-empty list")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise SiteError(f"{path}: field 'defaults' must be a mapping")
    try:
        forced = get_persona(persona)
    except KeyError as exc:
        raise SiteError(f"--persona: {exc.args[0]}") from None
    cameras = []
    names: set[str] = set()
    for index, raw in enumerate(cameras_raw):
        where = f"{path}: cameras[{index}]"
        if not isinstance(raw, dict):
            raise SiteError(f"{where}: each camera must be a mapping")
        camera = _camera_from_mapping({**defaults, **raw}, where)
        if camera.name in names:
            raise SiteError(f"{where}.name: duplicate camera name {camera.name!r}")
        names.add(camera.name)
        if forced is not None and camera.persona is None:
            camera = apply_persona(camera, forced)
        cameras.append(camera)
    return Site(name=str(data.get("site") or path.stem), cameras=tuple(cameras))
