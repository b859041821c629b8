"""Pure checks of a VMS as the cameras' client (profile vms-ingest).

The suite extracts values (capture status, recording segments, the recorded file's media facts,
the camera's operation log) and these functions judge them. Each returns a list of problems; an
empty list is a pass. No I/O here, so every check is unit-tested on recorded values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class MediaFacts:
    """What a recorded or exported file holds, read from its container and packets."""

    codec: str
    width: int
    height: int
    frames: int
    duration_s: float
    fps: float
    counters: tuple[int, ...] = ()
    """Frame-counter SEI values in packet order (docs/frame-counter.md); empty if none."""
    first_capture_us: int | None = None
    """Capture time (µs since the Unix epoch, UTC) of the first frame, from its SEI."""
    sha256: str = ""
    pts_s: tuple[float, ...] = ()
    """Container timestamp of each frame, seconds (what any player sees)."""
    vcl_digests: tuple[str, ...] = ()
    """SHA-256 of each access unit's coded picture (VCL NAL units), in packet order."""

    def to_dict(self) -> dict:
        return {
            "codec": self.codec,
            "width": self.width,
            "height": self.height,
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
            "fps": round(self.fps, 3),
            "counters": len(self.counters),
            "first_counter": self.counters[0] if self.counters else None,
            "last_counter": self.counters[-1] if self.counters else None,
            "first_capture_us": self.first_capture_us,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class ExpectedStream:
    """The camera's stream as the simulator sends it on the wire."""

    codec: str
    width: int
    height: int
    fps: float


def _within(measured: float, expected: float, tolerance_pct: float) -> bool:
    return expected > 0 and abs(measured - expected) <= expected * tolerance_pct / 100.0


def capture_problems(
    connected: bool, capture_fps: float | None, expected_fps: float, tolerance_pct: float
) -> list[str]:
    """VMS-CONNECT-01: connected, and capturing at the camera's rate within the tolerance."""
    if not connected:
        return ["the VMS did not connect to the camera's stream"]
    if capture_fps is None:
        return ["the VMS reports no capture frame rate"]
    if not _within(capture_fps, expected_fps, tolerance_pct):
        return [
            f"capture rate {capture_fps:.2f} fps is not within {tolerance_pct:g} % of the "
            f"camera's {expected_fps:g} fps"
        ]
    return []


def coverage_problems(
    segments: Sequence[tuple[datetime, datetime]], max_gap_s: float, min_segments: int = 2
) -> list[str]:
    """VMS-REC-01: consecutive recordings leave no hole longer than ``max_gap_s``.

    Judged between the first closed recording's start and the last one's end: before the
    first, the VMS was still connecting (VMS-CONNECT-01 judges that).
    """
    if len(segments) < min_segments:
        return [f"{len(segments)} closed recording(s); at least {min_segments} expected"]
    problems = []
    ordered = sorted(segments)
    for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
        gap = (start - end).total_seconds()
        if gap > max_gap_s:
            problems.append(
                f"gap of {gap:.1f} s between recordings ({end.isoformat()} -> "
                f"{start.isoformat()}), more than {max_gap_s:g} s"
            )
    for start, end in ordered:
        if end <= start:
            problems.append(f"recording ends before it starts ({start.isoformat()})")
    return problems


def lost_frames(counters: Sequence[int]) -> int:
    """Frames missing between consecutive frame-counter values (repeats count as none)."""
    return sum(max(0, b - a - 1) for a, b in zip(counters, counters[1:], strict=False))


def media_problems(
    facts: MediaFacts,
    expected: ExpectedStream,
    fps_tolerance_pct: float,
    max_lost: int,
    vms_frames: int | None = None,
) -> tuple[list[str], list[str]]:
    """VMS-MEDIA-01: codec, size and rate equal the camera's; no frame lost.

    Returns (problems, findings). Loss is judged from the recording's container timestamps
    (a step of two or more of the camera's frame intervals is a lost frame) and from frames vs
    duration; a simulator's frame counter is never needed.
    """
    from conformance.checks.export_alignment import timeline_holes

    problems: list[str] = []
    findings: list[str] = []
    if facts.codec.upper().replace("HEVC", "H265") != expected.codec.upper():
        problems.append(f"codec {facts.codec} differs from the camera's {expected.codec}")
    if (facts.width, facts.height) != (expected.width, expected.height):
        problems.append(
            f"resolution {facts.width}x{facts.height} differs from the camera's "
            f"{expected.width}x{expected.height}"
        )
    if not _within(facts.fps, expected.fps, fps_tolerance_pct):
        problems.append(
            f"frame rate {facts.fps:.2f} fps is not within {fps_tolerance_pct:g} % of the "
            f"camera's {expected.fps:g} fps"
        )
    holes = timeline_holes(facts.pts_s, expected.fps)
    lost = sum(n for _t, n in holes)
    if lost > max_lost:
        sample = ", ".join(f"{n} at {t:.2f} s" for t, n in holes[:5])
        problems.append(
            f"{lost} frame(s) missing from the recording's timestamps at the camera's "
            f"{expected.fps:g} fps (allowed {max_lost}; {sample})"
        )
    expected_frames = facts.duration_s * expected.fps
    if expected_frames and facts.frames < expected_frames * (1 - fps_tolerance_pct / 100):
        problems.append(
            f"{facts.frames} frames in {facts.duration_s:.2f} s; about "
            f"{expected_frames:.0f} expected at {expected.fps:g} fps"
        )
    if vms_frames is not None and vms_frames != facts.frames:
        findings.append(f"the VMS says {vms_frames} frames; the file holds {facts.frames}")
    if facts.frames == 0:
        problems.append("the recording holds no video frames")
    return problems, findings


def search_problems(
    found_ids: Iterable[str], wanted_ids: Iterable[str], found_before: Iterable[str]
) -> list[str]:
    """VMS-SEARCH-01: every recording in the window is found; none before ingest began."""
    found, wanted, before = set(found_ids), set(wanted_ids), set(found_before)
    problems = []
    if missing := sorted(wanted - found):
        problems.append(f"search by time did not find recording(s) {', '.join(missing)}")
    if before:
        problems.append(
            f"search before the camera was ingested found recording(s) {', '.join(sorted(before))}"
        )
    return problems


def export_problems(
    recorded: MediaFacts,
    exported: MediaFacts | None,
    vms_start: datetime,
    time_tolerance_s: float,
    preroll_s: float = 0.0,
    observed: tuple[datetime | None, datetime, datetime] | None = None,
) -> list[str]:
    """VMS-EXPORT-01: export holds the recorded frames; the VMS's UTC times are true.

    ``observed`` = (when the camera was given to the VMS, when a search first returned the
    recording, the end the VMS gave it then), all on the suite's UTC clock except the last: a
    recording cannot start before its camera was added nor end after it was found, so a VMS
    clock behind or ahead shows without any frame counter. Where a simulator's counter gives
    the first frame's capture time, the start is also compared with it (sharper).
    A passthrough recording must begin on a key frame, so its first frame may precede the
    VMS's stated start by up to one key-frame interval (``preroll_s``): allowed, not an error.
    """
    problems = []
    if observed is not None:
        added, seen, end_then = observed
        if added is not None and (added - vms_start).total_seconds() > time_tolerance_s:
            problems.append(
                f"the VMS's UTC start {vms_start.isoformat()} is "
                f"{(added - vms_start).total_seconds():.1f} s before the camera was given to "
                "it (suite clock): the VMS's clock is behind UTC"
            )
        if (end_then - seen).total_seconds() > time_tolerance_s:
            problems.append(
                f"the VMS said the recording ends at {end_then.isoformat()}, "
                f"{(end_then - seen).total_seconds():.1f} s after the moment it was found "
                "(suite clock): the VMS's clock is ahead of UTC"
            )
    if exported is None:
        problems.append("the export holds no media file of the recording")
    elif recorded.vcl_digests and exported.vcl_digests != recorded.vcl_digests:
        same = len(set(exported.vcl_digests) & set(recorded.vcl_digests))
        problems.append(
            f"exported frames differ from the recording's: {len(exported.vcl_digests)} "
            f"exported, {len(recorded.vcl_digests)} recorded, {same} coded pictures in common"
        )
    elif not recorded.vcl_digests and exported.sha256 != recorded.sha256:
        problems.append("the exported media is not byte-identical to the downloaded recording")
    # The capture time of the first frame is known only from a simulator's frame counter: it
    # sharpens this check where present (no camera sends it; see the README on instrumentation).
    if recorded.first_capture_us is not None:
        capture = recorded.first_capture_us / 1e6
        offset = vms_start.timestamp() - capture
        if not -time_tolerance_s <= offset <= preroll_s + time_tolerance_s:
            problems.append(
                f"the VMS's UTC start {vms_start.isoformat()} is {offset:+.1f} s from the first "
                f"frame's capture time (allowed -{time_tolerance_s:g} s to "
                f"+{preroll_s + time_tolerance_s:g} s, with a key-frame interval of pre-roll)"
            )
    return problems


@dataclass(frozen=True)
class PackageFacts:
    """What an export package holds, for the evidence-package findings."""

    files: tuple[str, ...]
    manifest_hashes: dict[str, str] = field(default_factory=dict)
    """File -> SHA-256 from the package's manifest (empty when it has none)."""
    actual_hashes: dict[str, str] = field(default_factory=dict)
    has_camera_identity: bool = False
    has_utc_times: bool = False
    has_signature: bool = False


def _json_objects(text: str) -> list[dict] | None:
    """Every JSON object anywhere in ``text`` (nested in objects and lists), or ``None`` when
    ``text`` is not a JSON document: manifests put their entries at any depth."""
    import json

    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict | list):
        return None
    objects: list[dict] = []
    stack: list[object] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            objects.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return objects


def manifest_hashes(text: str) -> dict[str, str]:
    """File -> SHA-256 from a manifest a generic reader can understand without the product.

    Two forms: ``sha256sum`` lines (``<64 hex>  name``, ``*name`` for binary mode), and JSON
    with objects naming a file (``path``, ``file`` or ``name``) beside its ``sha256`` anywhere
    in the document (as the simulator's ``manifest.json`` and ONVIF-style manifests do).
    """
    found: dict[str, str] = {}
    objects = _json_objects(text)
    if objects is not None:
        for item in objects:
            digest = item.get("sha256")
            name = next(
                (item[k] for k in ("path", "file", "name") if isinstance(item.get(k), str)), None
            )
            if isinstance(digest, str) and _is_sha256(digest) and name:
                found[name] = digest.lower()
        return found
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and _is_sha256(parts[0]):
            found[parts[-1].lstrip("*")] = parts[0].lower()
    return found


def names_camera(text: str) -> bool:
    """The manifest names a camera by a non-empty serial number (its identity for a court).

    JSON: any object with a non-empty ``serial``/``serial_number``/``SerialNumber``; text:
    a ``serial: X`` or ``serial = X`` line. A key with an empty value does not count.
    """
    import re

    keys = ("serial", "serial_number", "serialnumber")
    objects = _json_objects(text)
    if objects is not None:
        return any(
            str(key).lower() in keys and isinstance(value, str) and value.strip()
            for item in objects
            for key, value in item.items()
        )
    return re.search(r"(?im)^\s*serial(?:[ _]?number)?\s*[:=]\s*\S+", text) is not None


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)


def evidence_package_problems(package: PackageFacts) -> list[str]:
    """VMS-EXPORT-EVIDENCE-01: what the export lacks as an evidence package (findings)."""
    problems = []
    media = [f for f in package.files if f.lower().endswith((".mp4", ".mkv", ".ts", ".mov"))]
    if not package.manifest_hashes:
        problems.append("no manifest with a SHA-256 of every file")
    else:
        for name in media:
            if package.manifest_hashes.get(name) != package.actual_hashes.get(name):
                problems.append(f"manifest hash of {name} is missing or does not verify")
    if not package.has_signature:
        problems.append("no signature over the manifest")
    if not package.has_camera_identity:
        problems.append("no camera identity (make, model, serial) in the package")
    if not package.has_utc_times:
        problems.append("no UTC start and end time per file in the package")
    return problems


RTSP_PLAY_SEQUENCE = ("DESCRIBE", "SETUP", "PLAY")


def trace_problems(operations: Sequence[dict]) -> list[str]:
    """VMS-TRACE-01: the VMS opened the stream with DESCRIBE, SETUP, PLAY (200, authenticated);
    and when it asked the camera for a stream URI over ONVIF (its ONVIF probe), it took the
    profile token from an authenticated, successful GetProfiles before its first GetStreamUri
    and had a GetStreamUri answered the same way (profile tokens are device-assigned: ONVIF
    Media 5.2.1 / Media2 5.2.2, so a client that hard-codes one fails on other devices).

    ``operations`` are the camera's operation-log entries (fake_vms.oplog) in order.
    """
    rtsp = [op for op in operations if op.get("protocol") == "rtsp"]
    problems = []
    for method in RTSP_PLAY_SEQUENCE:
        ok = [
            op for op in rtsp if op.get("operation") == method and str(op.get("outcome")) == "200"
        ]
        if not ok:
            problems.append(f"no successful RTSP {method} from the VMS")
        elif not all(op.get("authenticated") for op in ok):
            problems.append(f"RTSP {method} succeeded without authentication")
    problems += _onvif_probe_problems([op for op in operations if op.get("protocol") == "onvif"])
    return problems


def _answered(op: dict) -> bool:
    return str(op.get("outcome")) == "200" and bool(op.get("authenticated"))


def _onvif_probe_problems(onvif: Sequence[dict]) -> list[str]:
    asked = [i for i, op in enumerate(onvif) if op.get("operation") == "GetStreamUri"]
    if not asked:
        return []  # no ONVIF probe: the stream URI was given to the VMS directly
    problems = []
    profiles = [i for i, op in enumerate(onvif) if op.get("operation") == "GetProfiles"]
    if not any(_answered(onvif[i]) for i in profiles if i < asked[0]):
        problems.append(
            "GetStreamUri was asked before any authenticated, successful GetProfiles: the "
            "profile token did not come from the device (hard-coded)"
        )
    if not any(_answered(onvif[i]) for i in asked):
        outcomes = sorted({str(onvif[i].get("outcome")) for i in asked})
        problems.append(
            f"no GetStreamUri answered 200 with authentication (outcomes: {', '.join(outcomes)})"
        )
    return problems


def trace_summary(operations: Sequence[dict]) -> dict[str, int]:
    """Count of each ``protocol operation outcome`` in the trace (for the evidence)."""
    counts: dict[str, int] = {}
    for op in operations:
        key = f"{op.get('protocol')} {op.get('operation')} {op.get('outcome')}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def transport_problems(requested: str, sessions: Sequence[dict]) -> tuple[list[str], list[str]]:
    """VMS-CONNECT-01, from the camera's side: the session the VMS plays uses the transport it
    was asked for. ``sessions`` are the camera's own session records (``transport``,
    ``stream``, ``start``, ``end``; clients/camera_sessions.py). Judged on the latest session
    that reached PLAY (the one streaming); earlier ones on another transport are findings (a
    client that tried one transport and fell back). Returns (problems, findings)."""
    played = [s for s in sessions if s.get("start")]
    if not played:
        return ["the camera reports no RTSP session that reached PLAY"], []
    ordered = sorted(played, key=lambda s: str(s["start"]))
    latest = ordered[-1]
    used = str(latest.get("transport", "")).lower()
    problems, findings = [], []
    if used != requested.lower():
        problems.append(
            f"asked to receive over {requested.upper()}, the VMS plays the camera's stream "
            f"{latest.get('stream', '')} over {used.upper() or 'an unknown transport'} (the "
            f"camera's session list: session {latest.get('id', '?')} since {latest['start']})"
        )
    others = sorted({str(s.get("transport", "")).upper() for s in ordered[:-1]} - {used.upper()})
    if others:
        findings.append(
            f"earlier sessions used {', '.join(others)} before the VMS settled on {used.upper()}"
        )
    return problems, findings


def audit_problems(
    entries: Sequence[dict], references: Sequence[str], read: int, since: str
) -> list[str]:
    """VMS-AUDIT-01: the VMS's own log (read through its API) holds an entry recording the
    export: an action or details naming an export (or a download of one) and one of
    ``references`` (the job id, the camera's or the recordings' ids), with a user and a time.
    ``read`` entries were read back to ``since`` (for the message)."""
    for entry in entries:
        text = f"{entry.get('action', '')} {entry.get('details', '')}".lower()
        if "export" not in text or not any(_names(text, str(r).lower()) for r in references if r):
            continue
        problems = []
        if not entry.get("user"):
            problems.append("the VMS's audit entry of the export names no user")
        if not entry.get("time"):
            problems.append("the VMS's audit entry of the export has no time")
        return problems
    return [
        f"the VMS's own log holds no entry recording the export ({read} entries read since "
        f"{since}, none naming an export of {', '.join(str(r) for r in references if r)})"
    ]


def _names(text: str, reference: str) -> bool:
    """``reference`` appears in ``text`` as a whole token (camera "1" is not in "cam 11")."""
    import re

    return re.search(rf"(?<![\w-]){re.escape(reference)}(?![\w-])", text) is not None
