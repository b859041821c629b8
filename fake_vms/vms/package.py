"""Build an export package: native MP4 per camera and span, a manifest with SHA-256 of every
file, camera identity, UTC start/end per file, a detached Ed25519 signature and the public key.

The package is a mapping of relative path -> bytes, so the API can zip it and tests can inspect
it without touching disk. Persona knobs (of the job's primary camera) bend it in known ways.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from fake_vms.vms.mp4 import remux, strip_parameter_sets
from fake_vms.vms.signing import ALGORITHM, Signer

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "vms-public-key.pem"
FORMAT = "fake-vms-export/1"


@dataclass(frozen=True)
class CameraSource:
    """A camera the VMS records: its identity and the store token of its recording."""

    id: str
    name: str
    manufacturer: str
    model: str
    serial: str
    mac: str
    onvif_url: str
    token: str
    knobs: Any
    clips: Callable[[datetime, datetime], list[Any]] | None = None
    """For a camera the VMS ingests: its closed clips overlapping a range (objects with ``id``,
    ``start``, ``end``). Its exports then hold whole clips, one file each, like an event-based
    VMS; ``None`` for the site's own recording cameras (exports cut to the range)."""

    def identity(self) -> dict[str, str]:
        return {
            "id": self.id, "name": self.name, "manufacturer": self.manufacturer,
            "model": self.model, "serial": self.serial, "mac": self.mac,
            "onvif_url": self.onvif_url,
        }  # fmt: skip


@dataclass(frozen=True)
class ExportSpec:
    job_id: str
    cameras: tuple[CameraSource, ...]
    start: datetime
    end: datetime
    operator: str
    reason: str
    case_reference: str
    exported_at: datetime


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, millisecond precision."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def split_spans(units: Sequence[Any], fps: float) -> list[list[Any]]:
    """Split access units where the capture time jumps by more than two frame periods (a gap)."""
    spans: list[list[Any]] = []
    limit = 2.0 / fps
    for unit in units:
        if spans and (unit.time_utc - spans[-1][-1].time_utc).total_seconds() <= limit:
            spans[-1].append(unit)
        else:
            spans.append([unit])
    return spans


def transcode(codec: str, width: int, height: int, fps: float, units: list[Any], divisor: int):
    """Re-encode every ``divisor``-th frame to H.264 (the quirk: a 'lower frame rate' export,
    as VMSs do to save space); returns the new access units and frame rate."""
    import av

    from fake_vms.media.encoder import _codec_params, split_annexb

    rate = Fraction(fps / divisor).limit_denominator(1001)
    decoder = av.CodecContext.create({"H264": "h264", "H265": "hevc"}[codec], "r")
    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
    encoder.time_base, encoder.framerate, encoder.max_b_frames = 1 / rate, rate, 0
    encoder.options = {"preset": "ultrafast", "tune": "zerolatency", **_codec_params("H264", 25)}
    frames = []
    for index, unit in enumerate(units):
        packet = av.Packet(b"".join(b"\x00\x00\x00\x01" + n for n in unit.nals))
        for frame in decoder.decode(packet):
            if index % divisor == 0:
                frames.append((unit, frame))
    packets = []
    for index, (_unit, frame) in enumerate(frames):
        frame.pts = index
        packets.extend(encoder.encode(frame))
    packets.extend(encoder.encode(None))
    out = [
        replace(unit, nals=split_annexb(bytes(packet)), keyframe=packet.is_keyframe)
        for (unit, _frame), packet in zip(frames, packets, strict=False)
    ]
    return out, fps / divisor, "H264"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _clip_files(
    spec: ExportSpec,
    camera: CameraSource,
    recording: Any,
    store: Any,
    files: dict[str, bytes],
    stamp: Callable[[datetime], str],
) -> list[dict[str, Any]]:
    """Whole clips of an ingested camera overlapping the range, one native MP4 each (as
    recorded, unless the VMS persona re-encodes exports)."""
    assert camera.clips is not None
    entries = []
    for clip in camera.clips(spec.start, spec.end):
        units = [u for u in store.access_units(camera.token, clip.start, clip.end)]
        units = [u for u in units if clip.start <= u.time_utc < clip.end]
        if not units:
            continue
        codec, fps = recording.codec, recording.fps
        if camera.knobs.vms_export_strip_parameter_sets:  # the quirk: no SPS/PPS anywhere
            units = [replace(u, nals=strip_parameter_sets(codec, u.nals)) for u in units]
        if camera.knobs.vms_export_transcode:
            units, fps, codec = transcode(
                recording.codec, recording.width, recording.height, fps, units, 1
            )
        data = remux(codec, recording.width, recording.height, fps, units, spec.exported_at)
        first = units[0].time_utc
        name = f"media/{camera.id}/{clip.id}/{camera.id}-{first.strftime('%Y%m%dT%H%M%S.%f')}Z.mp4"
        files[name] = data
        entry = {
            "path": name, "size": len(data), "camera_id": camera.id, "recording_id": clip.id,
            "start_utc": stamp(clip.start), "end_utc": stamp(clip.end), "codec": codec,
            "width": recording.width, "height": recording.height, "fps": fps,
            "frames": len(units), "container": "mp4",
        }  # fmt: skip
        if not camera.knobs.export_omit_hash:
            entry["sha256"] = _sha256(data)
        entries.append(entry)
    return entries


def build_package(
    spec: ExportSpec,
    store: Any,
    signer: Signer,
    progress: Callable[[float], None] = lambda _p: None,
) -> dict[str, bytes]:
    """Export ``spec`` from ``store``; every camera's knobs come from the primary camera."""
    knobs = spec.cameras[0].knobs
    shift = timedelta(seconds=knobs.export_local_time_offset_s)

    def stamp(moment: datetime) -> str:
        return iso(moment + shift)

    files: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    gaps: list[dict[str, str]] = []
    for index, camera in enumerate(spec.cameras):
        recording = store.recording(camera.token)
        if camera.clips is not None:
            entries += _clip_files(spec, camera, recording, store, files, stamp)
            progress((index + 1) / len(spec.cameras))
            continue
        offset = knobs.export_range_offset_s + (knobs.export_multi_offset_s if index else 0.0)
        start = spec.start + timedelta(seconds=offset)
        end = spec.end + timedelta(seconds=offset)
        units = [u for u in store.access_units(camera.token, start, end) if u.time_utc < end]
        fps = recording.fps
        spans = split_spans(units, fps)
        if knobs.export_paper_over_gaps and len(spans) > 1:
            merged = [u for span in spans for u in span]
            first = merged[0].time_utc
            period = timedelta(seconds=1.0 / fps)
            spans = [[replace(u, time_utc=first + i * period) for i, u in enumerate(merged)]]
        else:
            for a, b in zip(spans, spans[1:], strict=False):
                gaps.append(
                    {
                        "camera_id": camera.id,
                        "start": stamp(a[-1].time_utc + timedelta(seconds=1.0 / fps)),
                        "end": stamp(b[0].time_utc),
                    }
                )
        for span in spans:
            span_fps, codec = fps, recording.codec
            if knobs.export_transcode_fps_divisor > 1:
                span, span_fps, codec = transcode(
                    recording.codec, recording.width, recording.height, fps, span,
                    knobs.export_transcode_fps_divisor,
                )  # fmt: skip
            data = remux(codec, recording.width, recording.height, span_fps, span, spec.exported_at)
            first, last = span[0].time_utc, span[-1].time_utc
            name = f"media/{camera.id}/{camera.id}-{first.strftime('%Y%m%dT%H%M%S.%f')}Z.mp4"
            files[name] = data
            entry = {
                "path": name, "size": len(data), "camera_id": camera.id,
                "start_utc": stamp(first),
                "end_utc": stamp(last + timedelta(seconds=1.0 / span_fps)),
                "codec": codec, "width": recording.width,
                "height": recording.height, "fps": span_fps, "frames": len(span),
                "container": "mp4",
            }  # fmt: skip
            if not knobs.export_omit_hash:
                entry["sha256"] = _sha256(data)
            entries.append(entry)
        progress((index + 1) / len(spec.cameras))
    if knobs.vms_export_plain:
        # The quirk: media and a plain list of names, nothing a court could verify.
        files["filelist.txt"] = "\n".join(sorted(files)).encode() + b"\n"
        return files
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "job_id": spec.job_id,
        "exported_at": stamp(spec.exported_at),
        "operator": spec.operator,
        "reason": spec.reason,
        "case_reference": spec.case_reference,
        "requested": {"start": stamp(spec.start), "end": stamp(spec.end)},
        # Which clock every time in this manifest follows: the VMS's own (UTC), whatever
        # clock a camera keeps (a VMS persona leaves the statement out).
        **({} if knobs.vms_export_clock_unstated else {"clock": "vms"}),
        "cameras": [c.identity() for c in spec.cameras],
        "files": entries,
        "gaps": gaps,
        "signature": None,
    }
    files[PUBLIC_KEY] = signer.public_pem()
    manifest["public_key"] = {"file": PUBLIC_KEY, "sha256": _sha256(files[PUBLIC_KEY])}
    if not knobs.export_unsigned:
        manifest["signature"] = {"algorithm": ALGORITHM, "file": SIGNATURE, "over": MANIFEST}
    files[MANIFEST] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    if not knobs.export_unsigned:
        files[SIGNATURE] = signer.sign(files[MANIFEST])
    return files
