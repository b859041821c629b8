"""Site files: which simulated cameras one ``fake-vms serve`` process hosts, and how each behaves.

A site file is YAML::

    site: demo
    defaults: {width: 1280, height: 720, fps: 25}
    cameras:
      - name: cam-01
        persona: half-frame-rate      # optional
        clock_offset_s: 0             # optional

Every field of :class:`CameraConfig` may appear under ``defaults`` or on a camera. A top-level
``instrumentation: false`` (or ``fake-vms serve --no-instrumentation``) turns off, for every
camera, what the simulator adds that no camera sends: the frame-counter SEI
(docs/frame-counter.md) and spontaneous motion/tampering events.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from fake_vms.personas import Persona, get_persona
from fake_vms.personas.knobs import Knobs

CODECS = ("H264", "H265")


class SiteError(ValueError):
    """A site file is unreadable or invalid; the message names the file and field."""


@dataclass(frozen=True)
class CameraConfig:
    """One simulated camera. Defaults describe a conformant 720p25 H.264 Profile S camera."""

    name: str
    site: str = ""
    """The site (authority) the camera belongs to; shown in its location scope."""
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
    ptz: bool = False
    audio: bool = True
    """A microphone and a speaker (fake_vms.onvif.media_audio); off, the audio operations are
    not implemented (env:Receiver/ter:ActionNotSupported) and no profile has audio."""
    record: bool = False
    """Records continuously into the host's recordings store (ONVIF Profile G services)."""
    recording_gaps: tuple[tuple[float, ...], ...] = ()
    """Recording pauses: (offset after recording starts, duration[, repeat every]) in seconds."""
    recording_retention_s: float = 600.0
    """How much recorded video is kept (older segments are deleted)."""
    knobs: Knobs = field(default_factory=Knobs)
    instrumentation: bool = True
    """Simulator extras no camera sends: the frame-counter SEI in live video, recordings and
    exports, and spontaneous motion/tampering events (the event service reads this flag). Off,
    the camera sends only what a real one would; checks must judge it all the same."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "recording_gaps", tuple(map(tuple, self.recording_gaps)))
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
    """Return ``camera`` with the persona's knobs, clock offset and camera overrides applied."""
    if persona is None:
        return camera
    return replace(
        camera,
        persona=persona.name,
        knobs=persona.knobs,
        clock_offset_s=camera.clock_offset_s + persona.clock_offset_s,
        **persona.camera_overrides,
    )


@dataclass(frozen=True)
class VmsSiteConfig:
    """The site's own VMS when it ingests cameras (a site file's ``vms:`` section)::

    vms: {ingest: true, clip_s: 4, persona: vms-search-contained-only}
    """

    ingest: bool = True
    """The VMS offers the ingest API (it becomes the RTSP client of cameras it is given)."""
    clip_s: float = 4.0
    """An ingested camera's clip closes at the first key frame after this many seconds."""
    persona: str | None = None
    """A VMS persona (``applies_to="vms"``) making the VMS misbehave in one known way."""
    knobs: Knobs = field(default_factory=Knobs)


@dataclass(frozen=True)
class Site:
    name: str
    cameras: tuple[CameraConfig, ...]
    vms: VmsSiteConfig | None = None
    """Set when the site hosts a VMS that ingests cameras (it may then have no cameras)."""
    instrumentation: bool = True
    """False when the site (or ``--no-instrumentation``) turned instrumentation off for every
    camera (see :attr:`CameraConfig.instrumentation`)."""


_VMS_FIELDS = {"ingest", "clip_s", "persona"}


def _vms_section(raw: Any, where: str) -> VmsSiteConfig:
    """Validate a site's ``vms:`` section (errors name the file and field)."""
    if not isinstance(raw, dict):
        raise SiteError(f"{where}: field 'vms' must be a mapping")
    unknown = sorted(set(raw) - _VMS_FIELDS)
    if unknown:
        raise SiteError(f"{where}: vms: unknown field(s) {', '.join(unknown)}")
    ingest = raw.get("ingest", True)
    if not isinstance(ingest, bool):
        raise SiteError(f"{where}: vms.ingest: must be true or false, got {ingest!r}")
    clip_s = raw.get("clip_s", 4.0)
    if isinstance(clip_s, bool) or not isinstance(clip_s, int | float) or not 0.5 <= clip_s <= 600:
        raise SiteError(
            f"{where}: vms.clip_s: must be a number of seconds in 0.5..600, got {clip_s!r}"
        )
    name = raw.get("persona")
    try:
        persona = get_persona(name)
    except KeyError as exc:
        raise SiteError(f"{where}: vms.persona: {exc.args[0]}") from None
    if persona is not None and persona.applies_to != "vms":
        raise SiteError(
            f"{where}: vms.persona: {persona.name!r} is a camera persona; put it on a camera"
        )
    knobs = persona.knobs if persona is not None else Knobs()
    return VmsSiteConfig(ingest, float(clip_s), persona.name if persona else None, knobs)


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
    if persona is not None and persona.applies_to == "vms":
        raise SiteError(
            f"{where}.persona: {persona.name!r} is a VMS persona; use the site's vms.persona"
        )
    camera = CameraConfig(**{k: v for k, v in raw.items() if k != "persona"})
    return apply_persona(camera, persona)


def _load_yaml_mapping(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SiteError(f"{path}: cannot read site file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SiteError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SiteError(f"{path}: a site file must be a mapping with 'site' and 'cameras'")
    return data


def _expand(raw: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """``count: N`` repeats a camera entry, its name formatted with ``{n}`` (1..N)."""
    count = raw.get("count", 1)
    if not isinstance(count, int) or count < 1:
        raise SiteError(f"{where}.count: must be a positive integer, got {count!r}")
    entry = {k: v for k, v in raw.items() if k != "count"}
    if count == 1:
        return [entry]
    name = str(entry.get("name", ""))
    if "{n" not in name:
        raise SiteError(f"{where}.name: with count, the name needs a {{n}} placeholder")
    return [{**entry, "name": name.format(n=n)} for n in range(1, count + 1)]


def _site_cameras(data: dict[str, Any], where: str, site_name: str) -> list[CameraConfig]:
    cameras_raw = data.get("cameras")
    if "vms" in data and cameras_raw in (None, []):
        return []  # a VMS-only site
    if not isinstance(cameras_raw, list) or not cameras_raw:
        raise SiteError(f"{where}: field 'cameras' must be a non-empty list")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise SiteError(f"{where}: field 'defaults' must be a mapping")
    cameras = []
    for index, raw in enumerate(cameras_raw):
        at = f"{where}: cameras[{index}]"
        if not isinstance(raw, dict):
            raise SiteError(f"{at}: each camera must be a mapping")
        for entry in _expand(raw, at):
            cameras.append(_camera_from_mapping({"site": site_name, **defaults, **entry}, at))
    return cameras


def load_site(
    path: str | Path, persona: str | None = None, instrumentation: bool | None = None
) -> Site:
    """Load a site file or an estate file; ``persona`` applies to every camera without one.

    ``instrumentation`` (the ``--no-instrumentation`` flag) overrides the file's top-level
    ``instrumentation:``; off, it is off for every camera whatever the camera entries say.

    An estate file (``estate: NAME``, ``sites: [...]``) lists sites inline or as paths to site
    files relative to itself, so each authority can keep its own file.
    """
    path = Path(path)
    data = _load_yaml_mapping(path)
    try:
        forced = get_persona(persona)
    except KeyError as exc:
        raise SiteError(f"--persona: {exc.args[0]}") from None
    if forced is not None and forced.applies_to == "vms":
        raise SiteError(f"--persona: {forced.name!r} is a VMS persona; use vms: {{persona: ...}}")
    vms = _vms_section(data["vms"], str(path)) if "vms" in data else None
    if "sites" in data:
        sites = data["sites"]
        if not isinstance(sites, list) or not sites:
            raise SiteError(f"{path}: field 'sites' must be a non-empty list")
        cameras: list[CameraConfig] = []
        for index, item in enumerate(sites):
            where = f"{path}: sites[{index}]"
            if isinstance(item, str):
                sub_path = path.parent / item
                sub_data = _load_yaml_mapping(sub_path)
                where = str(sub_path)
            elif isinstance(item, dict):
                sub_data = item
            else:
                raise SiteError(f"{where}: a site is a mapping or a path to a site file")
            name = str(sub_data.get("site") or f"site-{index + 1}")
            cameras += _site_cameras(sub_data, where, name)
        name = str(data.get("estate") or path.stem)
    else:
        name = str(data.get("site") or path.stem)
        cameras = _site_cameras(data, str(path), name)
    seen: set[str] = set()
    for camera in cameras:
        if camera.name in seen:
            raise SiteError(f"{path}: duplicate camera name {camera.name!r}")
        seen.add(camera.name)
    if forced is not None:
        cameras = [apply_persona(c, forced) if c.persona is None else c for c in cameras]
    declared = data.get("instrumentation", True)
    if not isinstance(declared, bool):
        raise SiteError(f"{path}: field 'instrumentation' must be true or false")
    enabled = declared if instrumentation is None else instrumentation
    if not enabled:
        cameras = [replace(c, instrumentation=False) for c in cameras]
    return Site(name=name, cameras=tuple(cameras), vms=vms, instrumentation=enabled)
