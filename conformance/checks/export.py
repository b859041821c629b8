"""Pure checks of an evidence export package (uk-evidence-export profile).

The suite downloads a package through a VMS adapter, probes its media
(:mod:`conformance.clients.export_media`) and hands plain data to these functions; each returns
the list of problems (empty = pass). Nothing here touches the network or the clock.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from conformance.clients.export_media import MediaFacts

UTC_SUFFIX = re.compile(r"(Z|[+-]00:?00)$")
CONTROL_FILES = ("manifest.json", "manifest.sig")


def _require_any(items: object, why: str) -> None:
    """Nothing to judge is not a pass (issue 14): the export's absence is EXPORT-PLAY-01's."""
    if not items:
        from conformance.outcomes import Blocked

        raise Blocked("EXPORT-PLAY-01", why)


def parse_manifest(data: bytes | None) -> tuple[dict[str, Any] | None, list[str]]:
    """The manifest as a dict, or the reason it is unusable."""
    if data is None:
        return None, ["the package has no manifest"]
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        return None, [f"manifest is not JSON: {exc}"]
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None, ["manifest has no list of files"]
    return manifest, []


def parse_utc(value: Any) -> datetime | None:
    """A manifest time that says it is UTC (Z or +00:00); None for anything else."""
    if not isinstance(value, str) or not UTC_SUFFIX.search(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def media_entries(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [f for f in manifest.get("files", []) if isinstance(f, dict)]


# --- integrity ---------------------------------------------------------------------------


def check_hashes(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> list[str]:
    """Every package file except the manifest and its signature is listed with a SHA-256 that
    matches; every listed file exists."""
    _require_any(files, "the package holds no file to hash")
    problems: list[str] = []
    listed: dict[str, Any] = {}
    for entry in media_entries(manifest):
        listed[str(entry.get("path"))] = entry.get("sha256")
    public_key = manifest.get("public_key")
    if isinstance(public_key, dict) and public_key.get("file"):
        listed[str(public_key["file"])] = public_key.get("sha256")
    for path, digest in sorted(listed.items()):
        if path not in files:
            problems.append(f"{path}: listed in the manifest but not in the package")
        elif not isinstance(digest, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", digest):
            problems.append(f"{path}: no SHA-256 in the manifest")
        elif hashlib.sha256(files[path]).hexdigest() != digest.lower():
            problems.append(f"{path}: SHA-256 does not match the manifest")
    signature = manifest.get("signature") or {}
    extra = set(CONTROL_FILES) | {str(signature.get("file", ""))}
    for path in sorted(set(files) - set(listed) - extra):
        problems.append(f"{path}: in the package but not covered by the manifest")
    return problems


def verify_signature(
    manifest_bytes: bytes, signature: bytes | None, public_key_pem: bytes | None
) -> list[str]:
    """Ed25519, ECDSA (SHA-256) or RSASSA-PSS/PKCS#1 v1.5 (SHA-256) over the manifest bytes."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    if signature is None:
        return ["the package has no signature over the manifest"]
    if not public_key_pem:
        return ["no public key to verify the signature with"]
    try:
        key = serialization.load_pem_public_key(public_key_pem)
    except ValueError:
        try:
            from cryptography import x509

            key = x509.load_pem_x509_certificate(public_key_pem).public_key()
        except ValueError as exc:
            return [f"public key is not PEM: {exc}"]
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, manifest_bytes)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, manifest_bytes, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            try:
                pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO)
                key.verify(signature, manifest_bytes, pss, hashes.SHA256())
            except InvalidSignature:
                key.verify(signature, manifest_bytes, padding.PKCS1v15(), hashes.SHA256())
        else:
            return [f"unsupported key type {type(key).__name__}"]
    except InvalidSignature:
        return ["the signature does not verify over the manifest"]
    return []


def check_key_published(package_key: bytes | None, published: Sequence[bytes]) -> list[str]:
    """The key in the package is one the VMS publishes (else anyone could re-sign)."""
    if not package_key:
        return []
    if not published:
        return ["the VMS publishes no signing key to check the package's key against"]
    norm = package_key.strip()
    if all(k.strip() != norm for k in published):
        return ["the package's public key is not one the VMS publishes"]
    return []


def flip_byte(data: bytes, offset: int | None = None) -> bytes:
    """A copy of ``data`` with one byte changed (the middle one by default)."""
    if not data:
        return b"\x00"
    pos = len(data) // 2 if offset is None else offset % len(data)
    return data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1 :]


def package_verifies(files: Mapping[str, bytes], published: Sequence[bytes]) -> list[str]:
    """Full verification of a package as a recipient would do it: hashes and signature."""
    manifest, problems = parse_manifest(files.get("manifest.json"))
    if manifest is None:
        return problems
    problems = check_hashes(manifest, files)
    signature = manifest.get("signature") or {}
    key_file = (manifest.get("public_key") or {}).get("file")
    problems += verify_signature(
        files["manifest.json"],
        files.get(str(signature.get("file"))) if signature else None,
        files.get(str(key_file)) if key_file else (published[0] if published else None),
    )
    return problems


def tamper_manifest_time(manifest_bytes: bytes) -> bytes:
    """The manifest with one digit of a time changed (still valid JSON with consistent hashes:
    the change only a signature can reveal)."""
    text = manifest_bytes
    match = re.search(rb'"(?:exported_at|start_utc)"\s*:\s*"[^"]*?(\d)Z?"', text)
    if match is None:
        match = re.search(rb"(\d)", text)
    if match is None:
        return flip_byte(text)
    pos = match.start(1)
    return text[:pos] + bytes([text[pos] ^ 0x01]) + text[pos + 1 :]


def check_tamper_detected(files: Mapping[str, bytes], published: Sequence[bytes]) -> list[str]:
    """Change one byte of each file in turn (a time digit in the manifest, the middle byte of
    any other file): verification must then find a problem the original did not have."""
    _require_any(files, "the package holds no file to tamper with")
    baseline = set(package_verifies(files, published))
    problems: list[str] = []
    for path in sorted(files):
        copy = dict(files)
        if path == "manifest.json":
            copy[path] = tamper_manifest_time(files[path])
        else:
            copy[path] = flip_byte(files[path])
        if not set(package_verifies(copy, published)) - baseline:
            problems.append(f"{path}: a copy with one byte changed is not detected")
    return problems


# --- media --------------------------------------------------------------------------------


def check_plays(facts: Sequence[MediaFacts]) -> list[str]:
    """Every media file opens in FFmpeg, has video, and decodes without errors."""
    if not facts:
        return ["the package holds no media file"]
    problems = []
    for f in facts:
        if not f.opened or f.error:
            problems.append(f"{f.path}: FFmpeg cannot play it ({f.error or 'not opened'})")
        elif f.decoded == 0 or f.decode_errors:
            problems.append(f"{f.path}: {f.decoded} frames decoded, {f.decode_errors} errors")
    return problems


def check_range(
    start: datetime,
    end: datetime,
    tolerance_s: float,
    span: tuple[datetime, datetime],
) -> list[str]:
    """Media covers ``[start, end)`` and no more than ``tolerance_s`` beyond it at either end.

    ``span`` is the media's first frame time and last frame's end, from the reference it was
    aligned on (:mod:`conformance.checks.export_alignment`), not from anything the simulator
    adds.
    """
    first, last = span
    if last <= first:
        return ["the exported media spans no time: no frame could be placed on the reference"]
    problems = []
    tol = timedelta(seconds=tolerance_s)
    if first > start + tol:
        problems.append(f"media starts {(first - start).total_seconds():.2f} s after the start")
    if first < start - tol:
        problems.append(f"media starts {(start - first).total_seconds():.2f} s before the start")
    if last < end - tol:
        problems.append(f"media ends {(end - last).total_seconds():.2f} s before the end")
    if last > end + tol:
        problems.append(f"media ends {(last - end).total_seconds():.2f} s after the end")
    return problems


@dataclass(frozen=True)
class RecordingFormat:
    """The recording as the VMS/device describes it (the reference for native export)."""

    codec: str
    width: int
    height: int
    fps: float
    parameter_sets: tuple[str, ...] = ()
    """Hex SPS/PPS(/VPS) of the recording, when known (e.g. from the RTSP SDP)."""


def check_native(
    facts: Sequence[MediaFacts], recording: RecordingFormat, fps_tolerance: float = 0.01
) -> list[str]:
    """Codec, resolution and frame rate equal the recording's; parameter sets are the
    recording's own where known (re-encoding writes new ones)."""
    problems = []
    for f in facts:
        if f.codec != recording.codec:
            problems.append(f"{f.path}: codec {f.codec}, recording {recording.codec}")
        if (f.width, f.height) != (recording.width, recording.height):
            problems.append(
                f"{f.path}: {f.width}x{f.height}, recording {recording.width}x{recording.height}"
            )
        if recording.fps and abs(f.fps - recording.fps) > recording.fps * fps_tolerance:
            problems.append(f"{f.path}: {f.fps:g} fps, recording {recording.fps:g} fps")
        same = set(f.parameter_sets) == set(recording.parameter_sets)
        if recording.parameter_sets and f.parameter_sets and not same:
            problems.append(f"{f.path}: parameter sets differ from the recording's")
    return problems


def check_frames(facts: Sequence[MediaFacts], fps: float, slack_frames: int = 1) -> list[str]:
    """Per file: frame count matches duration x recorded frame rate, and the container's
    timestamps run on without holes (a step of two or more frame intervals is a lost frame).

    Judged on the file alone, as any player sees it; completeness against the recording is
    :func:`conformance.checks.export_alignment.check_complete`.
    """
    from conformance.checks.export_alignment import timeline_holes

    _require_any(facts, "no media file in the export to count frames in")

    problems = []
    for f in facts:
        expected = f.duration_s * fps
        if abs(f.packets - expected) > slack_frames + 0.02 * expected:
            problems.append(
                f"{f.path}: {f.packets} frames in {f.duration_s:.2f} s, expected about "
                f"{expected:.0f} at {fps:g} fps"
            )
        holes = timeline_holes(f.pts_s, fps)
        if holes:
            lost = sum(n for _t, n in holes)
            sample = ", ".join(f"{n} at {t:.2f} s" for t, n in holes[:5])
            problems.append(
                f"{f.path}: {lost} frames missing from the container timestamps at {fps:g} fps "
                f"({len(holes)} holes: {sample})"
            )
    return problems


# --- time, identity, audit ----------------------------------------------------------------


def check_utc(
    manifest: Mapping[str, Any],
    first_frames: Mapping[str, datetime | None],
    max_offset_s: float,
    exported_between: tuple[datetime, datetime] | None = None,
) -> list[str]:
    """Manifest times are UTC and true: each file's start agrees with the capture time of its
    first frame (``first_frames``: from the reference the file was aligned on; None where it
    could not be), and the export time with the suite's clock around the job."""
    problems = []
    limit = timedelta(seconds=max_offset_s)
    for entry in media_entries(manifest):
        path = str(entry.get("path"))
        start, end = parse_utc(entry.get("start_utc")), parse_utc(entry.get("end_utc"))
        if start is None or end is None:
            problems.append(f"{path}: start/end not given as UTC ({entry.get('start_utc')!r})")
            continue
        first = first_frames.get(path)
        if first is not None and abs(start - first) > limit:
            problems.append(
                f"{path}: manifest start {entry.get('start_utc')} is "
                f"{(start - first).total_seconds():+.1f} s from the media's first frame (UTC)"
            )
    exported = manifest.get("exported_at")
    moment = parse_utc(exported)
    if moment is None:
        problems.append(f"export time {exported!r} is not given as UTC")
    elif exported_between is not None:
        low, high = exported_between
        if not low - limit <= moment <= high + limit:
            problems.append(f"export time {exported} is outside the job's time (UTC)")
    return problems


def normalise_mac(mac: str) -> str:
    return re.sub(r"[^0-9a-f]", "", mac.lower())


def check_identity(
    manifest: Mapping[str, Any], camera_id: str, device: Mapping[str, str]
) -> list[str]:
    """The manifest identifies the camera, and the identity matches what the device says."""
    cameras = [c for c in manifest.get("cameras", []) if isinstance(c, dict)]
    entry = next((c for c in cameras if c.get("id") == camera_id), None)
    if entry is None:
        return [f"the manifest carries no identity for camera {camera_id!r}"]
    problems = []
    for key in ("name", "manufacturer", "model", "serial", "mac", "onvif_url"):
        if not entry.get(key):
            problems.append(f"camera identity lacks {key}")
    for key in ("manufacturer", "model", "serial"):
        if device.get(key) and entry.get(key) and entry[key] != device[key]:
            problems.append(f"{key} {entry[key]!r} but the device says {device[key]!r}")
    mac = entry.get("mac")
    if device.get("mac") and mac and normalise_mac(mac) != normalise_mac(device["mac"]):
        problems.append(f"MAC {entry['mac']} but the device says {device['mac']}")
    files = [f for f in media_entries(manifest) if f.get("camera_id") == camera_id]
    if not files:
        problems.append(f"no file of the manifest is attributed to camera {camera_id!r}")
    return problems


def check_audit(
    entries: Sequence[Mapping[str, Any]], job_id: str, user: str, camera_id: str
) -> list[str]:
    """An audit entry records the export: who (user), what (job and camera), when, from where."""
    for entry in entries:
        text = json.dumps(entry.get("details", {}), default=str)
        if job_id in text or (camera_id in text and "export" in str(entry.get("action"))):
            problems = []
            if entry.get("user") != user:
                problems.append(f"audit entry names user {entry.get('user')!r}, not {user!r}")
            if camera_id not in text:
                problems.append("audit entry does not say which camera was exported")
            if not entry.get("time"):
                problems.append("audit entry has no time")
            if not entry.get("source"):
                problems.append("audit entry does not say where the request came from")
            return problems
    return [f"no audit entry records export {job_id} of camera {camera_id}"]


def check_aligned(
    spans: Mapping[str, tuple[datetime, datetime]], start: datetime, tolerance_s: float
) -> list[str]:
    """Multi-camera export: every camera's media starts within ``tolerance_s`` of the others."""
    if len(spans) < 2:
        return [f"{len(spans)} camera(s) with capture times in a multi-camera export"]
    firsts = {camera: span[0] for camera, span in spans.items()}
    earliest, latest = min(firsts.values()), max(firsts.values())
    if (latest - earliest).total_seconds() > tolerance_s:
        detail = ", ".join(
            f"{c} {(t - start).total_seconds():+.2f} s" for c, t in sorted(firsts.items())
        )
        return [f"cameras start {(latest - earliest).total_seconds():.2f} s apart ({detail})"]
    return []


def check_gaps(
    recorded_gaps: Sequence[tuple[datetime, datetime]],
    reported_gaps: Sequence[tuple[datetime, datetime]],
    media_holes: Sequence[tuple[datetime, datetime]],
    tolerance_s: float,
) -> list[str]:
    """Every gap in the recording (as searched) within the exported media is reported in the
    package with its length, and the media does not bridge it with continuous timestamps.

    ``media_holes`` are where the exported media has no frames (true UTC, from the frames'
    capture times); reported gaps are matched by length, so a package whose clock is wrong is
    judged on that by EXPORT-UTC-01, not twice.
    """
    problems = []
    tol = timedelta(seconds=tolerance_s)

    def length(span: tuple[datetime, datetime]) -> timedelta:
        return span[1] - span[0]

    for gap in recorded_gaps:
        label = f"{gap[0].isoformat()}..{gap[1].isoformat()}"
        if not any(abs(length(r) - length(gap)) <= tol for r in reported_gaps):
            problems.append(f"recording gap {label} is not reported in the package")
        if not any(a <= gap[0] + tol and b >= gap[1] - tol for a, b in media_holes):
            problems.append(f"recording gap {label} is bridged by continuous media timestamps")
    return problems


def timestamp_jumps(
    facts: MediaFacts, start: datetime, fps: float
) -> list[tuple[datetime, datetime]]:
    """Holes in one file's container timeline (more than two frame periods), as UTC spans."""
    out = []
    for a, b in zip(facts.pts_s, facts.pts_s[1:], strict=False):
        if b - a > 2.0 / fps:
            out.append((start + timedelta(seconds=a), start + timedelta(seconds=b)))
    return out


def check_speed(media_s: float, elapsed_s: float, minimum_x: float) -> list[str]:
    """Export speed (media seconds per wall-clock second) reaches the required multiple."""
    _require_any(media_s > 0, "no exported media to time")
    if elapsed_s <= 0:
        return []
    speed = media_s / elapsed_s
    if speed < minimum_x:
        return [f"export ran at {speed:.2f}x real time, below the required {minimum_x:g}x"]
    return []
