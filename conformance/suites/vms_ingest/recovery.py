"""The dropout stimulus of VMS-RECOVERY-01: every ingested camera's stream vanishes for
``dropout_s`` at once (a pulled cable), then returns; the VMS's recordings around it are
collected (bounded) for the check in conformance/checks/vms_recovery.py.

Why a second phase after the ingest wait: the other requirements are judged on what the VMS
recorded before (VMS-REC-01's "no gaps" must not fail for a gap the suite made). It runs once,
on the first VMS-RECOVERY-01 test, for all cameras together (one wait, not one per pair). The
test itself is in test_vms_ingest.py, beside the session fixture it shares.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from conformance.checks.vms_recovery import ExportedTimeline
from conformance.clients.vms import RecordingSegment, VmsError


@dataclass
class RecoveryRun:
    """One camera's dropout: when (suite's UTC clock), and the VMS's recordings around it."""

    dropped_at: datetime
    back_at: datetime
    segments: list[RecordingSegment] = field(default_factory=list)
    error: str = ""

    skew_s: float = 0.0
    """The VMS's own clock skew, beyond a connect delay (its times are compared shifted)."""

    def resumed(self, tolerance_s: float = 1.0) -> bool:
        edge = self.back_at + timedelta(seconds=self.skew_s - tolerance_s)
        return any(s.start >= edge for s in self.segments)


def vms_clock_skew(ingest: Any) -> float:
    """How far after its session's PLAY (the camera's own session list; a good-clock camera)
    the VMS states the pair's first recording starts: its connect delay plus its clock's
    skew (VMS-EXPORT-01 judges the skew; the recovery compares in the VMS's times)."""
    sessions = [s for s in ingest.camera_sessions or [] if s.get("start")]
    if ingest.reference is not None:
        sessions = sessions[1:]  # the suite's own reference session comes first
    if not (sessions and ingest.segments):
        return 0.0
    play = datetime.fromisoformat(str(sessions[0]["start"]).replace("Z", "+00:00"))
    return (ingest.segments[0].start - play).total_seconds()


def significant_skew(ingest: Any) -> float:
    """The VMS's skew when it is beyond a connect delay (2 s plus the wait for the camera's
    next key frame, one key-frame interval), else 0."""
    skew = vms_clock_skew(ingest)
    camera = ingest.camera
    gop_s = camera.gop / camera.stream_fps if camera.stream_fps else 1.0
    return skew if abs(skew) > 2.0 + gop_s else 0.0


def drop_out_all(session: Any, dropout_s: float, wait_s: float) -> None:
    """Take every ingested camera's stream away for ``dropout_s``, then wait (at most
    ``wait_s`` after the return) until the VMS has a closed recording after it."""
    servers = {d.camera.name: d.rtsp for d in session.simulator.host.devices}
    runs: dict[str, RecoveryRun] = {}
    for name, ingest in session.cameras.items():
        if ingest.vms_id is None or not ingest.segments:
            continue
        dropped = datetime.now(UTC)
        session.simulator.run(servers[name].drop_out(dropout_s))
        runs[name] = ingest.recovery = RecoveryRun(
            dropped, dropped + timedelta(seconds=dropout_s), skew_s=significant_skew(ingest)
        )
    if not runs:
        return
    time.sleep(dropout_s)
    deadline = time.monotonic() + wait_s
    pending = set(runs)
    while pending and time.monotonic() < deadline:
        time.sleep(1.0)
        for name in sorted(pending):
            ingest, run = session.cameras[name], runs[name]
            try:
                found = session.adapter.search_recordings(
                    ingest.vms_id, run.dropped_at - timedelta(seconds=60), datetime.now(UTC)
                )
            except VmsError as exc:
                run.error = str(exc)
                pending.discard(name)
                continue
            run.segments = sorted(found.segments, key=lambda s: s.start)
            if run.resumed():
                pending.discard(name)


def timeline(path: Path) -> ExportedTimeline:
    """A media file's video timeline by container timestamps (PyAV): duration and largest
    step between consecutive frames."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        base = float(stream.time_base or 0) or 1 / 90000
        stamps = sorted(
            p.pts * base for p in container.demux(stream) if p.pts is not None and p.size
        )
    if len(stamps) < 2:
        return ExportedTimeline(path.name, 0.0, 0.0)
    steps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    return ExportedTimeline(path.name, stamps[-1] - stamps[0], max(steps))


MEDIA = (".mp4", ".mkv", ".mov", ".ts")


def export_around(
    ingest: Any, session: Any, first_after: RecordingSegment, shift: timedelta = timedelta(0)
) -> list[Any]:
    """Export from just before the drop into the first recording after the return; per media
    file its timeline and the recording it belongs to (or one reason string when the export
    failed)."""
    from conformance.clients.vms import ExportRequest

    run = ingest.recovery
    adapter = session.adapter
    start = run.dropped_at + shift - timedelta(seconds=2)  # in the VMS's own times
    end = first_after.start + timedelta(seconds=2)
    job = adapter.create_export(ExportRequest((ingest.vms_id,), start, end, "cctv-conformance"))
    status = adapter.wait_for_export(job, timeout_s=60)
    if status.state != "done":
        return [f"export around the outage {status.state}: {status.error}"]
    folder = session.work / ingest.camera.name / "export-recovery"
    package = adapter.download_export(job, folder)
    return [
        (timeline(folder / f), _recording_of(f, run)) for f in package.files
        if f.lower().endswith(MEDIA)
    ]  # fmt: skip


def _recording_of(path: str, run: RecoveryRun) -> RecordingSegment | None:
    """The recording a package file belongs to, when its path names the recording's id."""
    parts = path.replace("\\", "/").split("/")
    for seg in run.segments:
        rid = seg.recording_id
        if rid and (rid in parts or any(p.startswith(f"{rid}-") for p in parts)):
            return seg
    return None
