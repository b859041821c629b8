"""Frame identities for VMS-CONTINUITY-01: a digest per coded picture, from the camera's live
stream (a reference capture the suite runs beside the VMS) and from the VMS's files.

Why a reference capture: only the camera's own sequence says which frame should follow which;
the VMS's files are then walked along it (conformance/checks/vms_continuity.py). The capture is
a second RTSP client of the camera (RTP interleaved over TCP, demux only), started before the
VMS is given the camera, so its session and operations precede the VMS's (VMS-CONNECT-01 and
VMS-TRACE-01 judge only what happened after the VMS was given the camera).
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any

VCL_H264 = range(1, 6)
VCL_H265 = range(0, 32)


def _nal_units(data: bytes) -> list[bytes]:
    """NAL units of one packet: 4-byte length-prefixed (MP4) when the lengths consume the
    packet exactly, else Annex B (RTSP)."""
    units, i = [], 0
    while i + 4 <= len(data):
        size = int.from_bytes(data[i : i + 4], "big")
        if size == 0 or i + 4 + size > len(data):
            break
        units.append(data[i + 4 : i + 4 + size])
        i += 4 + size
    if units and i == len(data):
        return units
    return [n.rstrip(b"\x00") for n in data.split(b"\x00\x00\x01") if n.rstrip(b"\x00")]


def picture_digest(data: bytes, codec: str) -> str:
    """Digest of the coded picture: VCL NAL units only (no SEI, no parameter sets)."""
    hevc = codec.lower() in ("hevc", "h265")
    digest = hashlib.sha1()
    for nal in _nal_units(data):
        if not nal:
            continue
        kind = (nal[0] >> 1) & 0x3F if hevc else nal[0] & 0x1F
        if kind in (VCL_H265 if hevc else VCL_H264):
            # A NAL unit never ends in a zero byte; a muxer may keep the next start code's
            # leading zero (trailing_zero_8bits) on it, as FFmpeg's MP4 muxer does for HEVC.
            digest.update(nal.rstrip(b"\x00"))
    return digest.hexdigest()


def file_digests(path: Path) -> list[str]:
    """The picture digests of a media file's video frames, in decode order."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        return [picture_digest(bytes(p), codec) for p in container.demux(stream) if p.size]


class ReferenceCapture:
    """The camera's stream as the camera sends it, recorded as picture digests (bounded)."""

    def __init__(self, url: str, max_frames: int = 60_000) -> None:
        self.url = url  # carries the camera's test credentials: never logged
        self.digests: list[str] = []
        self.arrivals: list[float] = []
        """Arrival time (the suite's clock, Unix seconds UTC) of each picture in ``digests``."""
        self.error = ""
        self.started_at: float | None = None
        """When the suite opened the stream (its clock): its session's PLAY, within the
        handshake's milliseconds."""
        self._max = max_frames
        self._stop = threading.Event()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reference-capture", daemon=True)

    def start(self, timeout_s: float = 10.0) -> None:
        self._thread.start()
        self._started.wait(timeout_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10.0)

    def _run(self) -> None:
        import av

        try:
            options = {"rtsp_transport": "tcp", "timeout": "5000000"}
            # DESCRIBE/SETUP/PLAY happen within milliseconds of opening; stream probing after
            # them takes about a second, so the opening time stands for the PLAY.
            opening = time.time()
            with av.open(self.url, options=options, timeout=(10, 5)) as container:
                stream = container.streams.video[0]
                codec = stream.codec_context.name
                self.started_at = opening
                self._started.set()
                for packet in container.demux(stream):
                    if self._stop.is_set() or len(self.digests) >= self._max:
                        return
                    if packet.size:
                        self.digests.append(picture_digest(bytes(packet), codec))
                        self.arrivals.append(time.time())
        except Exception as exc:  # noqa: BLE001 - reported as the reason, never raised
            self.error = f"reference capture failed: {type(exc).__name__}"
        finally:
            self._started.set()


def recording_window(segments: list[Any], span_s: float) -> list[Any]:
    """The first recordings (in time order) that together span ``span_s`` from the first
    one's start, holes included; empty when there is none yet."""
    ordered = sorted(segments, key=lambda s: s.start)
    for index, seg in enumerate(ordered):
        if (seg.end - ordered[0].start).total_seconds() >= span_s:
            return ordered[: index + 1]
    return []


def touching_runs(window: list[Any], slack_s: float = 1.0) -> list[list[Any]]:
    """``window`` split where the VMS reports a hole longer than ``slack_s`` between
    consecutive recordings (holes are VMS-REC-01's; boundaries inside a run are judged)."""
    runs: list[list[Any]] = []
    for seg in window:
        if runs and (seg.start - runs[-1][-1].end).total_seconds() <= slack_s:
            runs[-1].append(seg)
        else:
            runs.append([seg])
    return runs


def collect_window(session: Any, span_s: float, timeout_s: float) -> None:
    """Wait (at most ``timeout_s`` beyond the span) until every camera has its window of
    consecutive closed recordings, then stop the reference captures."""
    from datetime import UTC, datetime, timedelta

    from conformance.clients.vms import VmsError

    cameras = {n: c for n, c in session.cameras.items() if c.vms_id and c.reference}
    deadline = time.monotonic() + span_s + timeout_s
    pending = set(cameras)
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            ingest = cameras[name]
            try:
                found = session.adapter.search_recordings(
                    ingest.vms_id, ingest.added_at - timedelta(seconds=5), datetime.now(UTC)
                )
            except VmsError:
                pending.discard(name)
                continue
            ingest.continuity = recording_window(list(found.segments), span_s)
            if ingest.continuity:
                pending.discard(name)
        if pending:
            time.sleep(1.0)
    time.sleep(1.0)  # the reference outlasts the last recording's end
    for ingest in cameras.values():
        ingest.reference.stop()


def export_over_boundary(ingest: Any, session: Any, first: Any, second: Any) -> Any:
    """Export from 2 s before the boundary between two touching recordings to 2 s after it."""
    from datetime import timedelta

    from conformance.clients.vms import ExportRequest

    start, end = first.end - timedelta(seconds=2), second.start + timedelta(seconds=2)
    adapter = session.adapter
    job = adapter.create_export(ExportRequest((ingest.vms_id,), start, end, "cctv-conformance"))
    status = adapter.wait_for_export(job, timeout_s=60)
    if status.state != "done":
        raise AssertionError(f"export over a recording boundary {status.state}: {status.error}")
    return adapter.download_export(job, session.work / ingest.camera.name / "export-boundary")
