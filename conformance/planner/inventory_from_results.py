"""``cctv-conformance inventory``: draft an estate inventory from camera runs' results.

Typing 125 cameras' makes, models, firmware and streams by hand is slow and error-prone, and an
audit of the estate has already measured them: each camera run's results.json says what each
device reported about itself (``ONVIF-DEV-INFO-01``) and what it streams (``ONVIF-MEDIA-ENC-01``,
``STREAM-FORMAT-01``). The draft groups cameras by the authority their results name (the device's
``site``) and leaves what results cannot know (authority names, control rooms, locations, roles,
the cameras that must not go dark, the candidate platforms) for the estate's people to fill in.

Only camera runs hold cameras: a vms-ingest run's devices are (VMS, camera) pairs named
``"<vms> · <camera>"``, so such a folder is refused rather than read as an empty estate.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.errors import InputError, raise_all
from conformance.planner.evidence import PAIR_SEPARATOR
from conformance.planner.inventory import CODECS, UNASSIGNED, Estate, dump_inventory
from conformance.results import read_results

_CODEC_ALIASES = {"H.264": "H264", "AVC": "H264", "H.265": "H265", "HEVC": "H265"}
_CODEC_ALIASES |= {"MJPEG": "JPEG", "MJPG": "JPEG", "MPEG-4": "MPEG4", "MP4V-ES": "MPEG4"}


def _load_run(folder: Path) -> tuple[dict[str, Any] | None, list[InputError]]:
    """A camera run's results, or every reason the folder cannot give one."""
    try:
        data = read_results(folder)
    except InputError as exc:
        return None, [exc]
    devices = data["devices"]
    if not any(PAIR_SEPARATOR not in d["name"] for d in devices):
        problem = (
            "a vms-ingest run (its devices are VMS · camera pairs): it holds no cameras; "
            "give the folders of camera runs"
            if devices
            else "no devices: it holds no cameras"
        )
        return None, [InputError(folder / "results.json", "devices", problem)]
    return data, []


def _row(device: dict[str, Any], requirement: str) -> dict[str, Any]:
    for row in device.get("requirements") or []:
        if isinstance(row, dict) and row.get("id") == requirement:
            return row
    return {}


def _measured(row: dict[str, Any]) -> dict[str, Any]:
    measured = row.get("measured")
    return measured if isinstance(measured, dict) else {}


def _identity(device: dict[str, Any]) -> dict[str, str]:
    """What the camera says it is; empty when it did not say or its answer failed the check."""
    row = _row(device, "ONVIF-DEV-INFO-01")
    identity = _measured(row).get("identity")
    if row.get("outcome") == "fail" or not isinstance(identity, dict):
        identity = {}
    return {
        key: str(identity.get(field) or "")
        for key, field in (
            ("manufacturer", "Manufacturer"),
            ("model", "Model"),
            ("firmware", "FirmwareVersion"),
        )
    }


def _codec(value: Any) -> str | None:
    text = str(value or "").strip().upper()
    text = _CODEC_ALIASES.get(text, text)
    return text if text in CODECS else None


def picture_size(value: Any) -> tuple[int, int] | None:
    """ "1920x1080" as (1920, 1080); None for anything else (a device's answer may be odd)."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", str(value or ""))
    if not match or not int(match[1]) or not int(match[2]):
        return None
    return int(match[1]), int(match[2])


def _stream(device: dict[str, Any]) -> dict[str, Any]:
    """The main stream as the camera's profile encoder configures it, else as it was measured;
    the transport from the stream check (only a stream session shows it)."""
    encoder = _measured(_row(device, "ONVIF-MEDIA-ENC-01")).get("profile_encoder")
    measured = _measured(_row(device, "STREAM-FORMAT-01"))
    stream: dict[str, Any] = {}
    if isinstance(encoder, dict) and encoder:
        codec, size, fps = encoder.get("encoding"), encoder.get("resolution"), encoder.get("fps")
    else:
        codec, size, fps = measured.get("codec"), measured.get("resolution"), None
    if _codec(codec):
        stream["codec"] = _codec(codec)
    if picture_size(size):
        stream["width"], stream["height"] = picture_size(size)  # type: ignore[misc]
    if isinstance(fps, int | float) and not isinstance(fps, bool) and fps > 0:
        stream["fps"] = int(fps) if float(fps).is_integer() else float(fps)
    transport = str(measured.get("transport") or "").lower()
    if transport in ("tcp", "udp"):
        stream["transport"] = transport
    return stream


def authority_id(site: str) -> str:
    """An authority id from a device's site: lower case, digits and '-'."""
    return re.sub(r"[^a-z0-9]+", "-", site.lower()).strip("-") or UNASSIGNED


def _camera(device: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": device["name"],
        **_identity(device),
        "address": urlsplit(str(device.get("onvif") or "")).hostname or "",
        "control_room": "",
        "location": "",
        "role": "",
        "stream": _stream(device),
        "features": [],
        "must_not_go_dark": False,
    }


def _estate_name(folder: Path, data: dict[str, Any]) -> str:
    """The target file's name (``five-authorities`` for five-authorities.yaml), else the
    folder's."""
    source = str((data.get("target") or {}).get("source") or "")
    if source.endswith((".yaml", ".yml")):
        return Path(source).stem
    return folder.resolve().name or "estate"


def inventory_from_results(
    folders: list[Path],
    estate_name: str | None = None,
    note: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> dict[str, Any]:
    """The draft inventory (a plain document, as written) of the camera runs in ``folders``.

    A device in several folders is taken from the last one (a re-run replaces an older result);
    ``note`` is told each time. Raises :class:`InputError` naming every bad folder.
    """
    runs: list[tuple[Path, dict[str, Any]]] = []
    found: list[InputError] = []
    if not folders:
        found.append(InputError("--results", None, "give at least one results folder"))
    for folder in folders:
        data, problems = _load_run(folder)
        found += problems
        if data is not None:
            runs.append((folder, data))
    if estate_name is not None and not estate_name.strip():
        found.append(InputError("--estate-name", None, "must not be empty"))
    raise_all(found)
    cameras: dict[str, tuple[str, dict[str, Any]]] = {}
    sites: dict[str, str] = {}
    for folder, data in runs:
        for device in data["devices"]:
            name = device["name"]
            if PAIR_SEPARATOR in name:
                continue
            if name in cameras:
                note(f"inventory: {name}: taken from {folder} (replaces an earlier folder's)")
                del cameras[name]  # re-inserted: the file lists it where its latest run has it
            site = str(device.get("site") or "")
            authority = authority_id(site) if site else UNASSIGNED
            sites.setdefault(authority, site or "Unassigned")
            cameras[name] = (authority, _camera(device))
    authorities: dict[str, list[dict[str, Any]]] = {}
    for authority, camera in cameras.values():
        authorities.setdefault(authority, []).append(camera)
    estate = {
        "estate": (estate_name or "").strip() or _estate_name(*runs[0]),
        "candidates": [],
        "authorities": [
            {"id": authority, "name": sites[authority], "control_rooms": [], "cameras": group}
            for authority, group in authorities.items()
        ],
    }
    Estate.model_validate(estate)  # a draft that would not load is this module's bug
    return estate


def write_inventory(
    folders: list[Path], out: Path, estate_name: str | None = None
) -> tuple[dict[str, Any], Path]:
    """Draft the inventory of ``folders`` into ``out``; returns it and where it went."""
    problems = []
    if out.is_dir():
        problems.append(InputError("--out", None, f"{out} is a folder: give a file name"))
    elif not out.parent.is_dir() and out.parent.exists():
        problems.append(InputError("--out", None, f"{out.parent} is not a folder"))
    try:
        estate = inventory_from_results(folders, estate_name)
    except InputError as exc:
        raise_all([exc, *problems])
        raise
    raise_all(problems)
    sources = ", ".join(str(f) for f in folders)
    header = (
        f"Estate inventory drafted by `cctv-conformance inventory` from {sources}.\n"
        "Identity (manufacturer, model, firmware) and stream are what the cameras reported and\n"
        "streamed; check the rest and complete what results cannot tell: authority names,\n"
        "control rooms, locations, roles, features the estate relies on, must_not_go_dark and\n"
        "the candidate platforms. Field reference: docs/planner.md."
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_inventory(estate, header=header), encoding="utf-8")
    return estate, out
