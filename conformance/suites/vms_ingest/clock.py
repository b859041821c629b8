"""The clock stimulus of VMS-CLOCK-01: one extra simulated camera whose clock is ``offset_s``
ahead of UTC (a copy of the site's first camera), ingested by the VMS beside the pairs.

Why an extra camera and not a pair: every other requirement judges a pair against a camera
keeping good time, and the camera's clock must not decide them. The extra camera is added when
the pairs are (it records while they do), its recording exported once, and the facts the check
needs gathered: the clock the export states, the start it states for the file, when the file's
first picture reached the suite (its own reference capture, UTC) and the camera's offset as the
camera reports it (its session list, by its own clock, against the suite's clock).
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from conformance.clients.vms import ExportRequest, IngestCamera, VmsError

NAME = "clock-10min"


class ClockStimulus:
    """The extra camera's lifetime in the ingest session, and the facts for the check."""

    def __init__(self, session: Any, offset_s: float) -> None:
        from fake_vms.host import SimulatorThread
        from fake_vms.site import Site

        base = session.site.cameras[0]
        self.camera = replace(base, name=NAME, clock_offset_s=offset_s, persona=None)
        self.session = session
        self.offset_s = offset_s
        self.simulator = SimulatorThread(Site("clock", (self.camera,)))
        self.vms_id: str | None = None
        self.reference: Any = None
        self.added_at: datetime | None = None
        self.ready: dict[str, Any] = {}
        self.facts: dict[str, Any] | None = None
        self.error = ""

    def start(self) -> None:
        """Serve the camera, start the suite's reference capture, give the camera to the VMS."""
        from conformance.suites.vms_ingest.continuity import ReferenceCapture
        from conformance.suites.vms_ingest.ingest import NAME_PREFIX, _with_credentials

        self.ready = self.simulator.start()["devices"][0]
        url = f"rtsp://127.0.0.1:{self.ready['rtsp_port']}/stream1"
        user, password = self.ready["username"], self.ready["password"]
        self.reference = ReferenceCapture(_with_credentials(url, user, password))
        self.reference.start()
        try:
            self.vms_id = self.session.adapter.add_camera(
                IngestCamera(NAME_PREFIX + NAME, url, user, password, self.ready["onvif_url"],
                             self.camera.width, self.camera.height, float(self.camera.fps))
            )  # fmt: skip
            self.added_at = datetime.now(UTC)
        except VmsError as exc:
            self.error = f"the VMS could not ingest the clock camera: {exc}"

    def close(self) -> None:
        if self.vms_id is not None:
            with contextlib.suppress(VmsError):
                self.session.adapter.remove_camera(self.vms_id)
        if self.reference is not None:
            self.reference.stop()
        self.simulator.stop()

    def result(self, wait_s: float) -> dict[str, Any]:
        """Once: wait (bounded) for a closed recording, export it, gather the facts."""
        if self.facts is None:
            self.facts = self._gather(wait_s) if not self.error else {"error": self.error}
        return self.facts

    def _gather(self, wait_s: float) -> dict[str, Any]:
        from conformance.checks.vms_clock import file_start, stated_clock
        from conformance.suites.vms_ingest.recovery import MEDIA

        adapter, deadline = self.session.adapter, time.monotonic() + wait_s
        assert self.added_at is not None and self.vms_id is not None
        segments: tuple = ()
        while not segments and time.monotonic() < deadline:
            segments = adapter.search_recordings(
                self.vms_id, self.added_at - timedelta(seconds=5), datetime.now(UTC)
            ).segments
            if not segments:
                time.sleep(1.0)
        if not segments:
            return {
                "error": f"the VMS made no closed recording of the clock camera in {wait_s:g} s"
            }
        seg = segments[0]
        inner = (seg.start + timedelta(seconds=1), seg.end - timedelta(seconds=1))
        job = adapter.create_export(ExportRequest((self.vms_id,), *inner, "cctv-conformance"))
        status = adapter.wait_for_export(job, timeout_s=60)
        if status.state != "done":
            return {"error": f"export of the clock camera {status.state}: {status.error}"}
        folder = self.session.work / NAME / "export"
        package = adapter.download_export(job, folder)
        media = [f for f in package.files if f.lower().endswith(MEDIA)]
        own = [f for f in media if seg.recording_id and seg.recording_id in f.split("/")]
        if not (own or media):
            return {"error": "the clock camera's export holds no media file"}
        name = (own or media)[0]
        text = (folder / package.manifest).read_text(errors="replace") if package.manifest else ""
        offset, vms_play = self._camera_times()
        return {
            "file": name,
            "manifest": package.manifest,
            "clock": stated_clock(text) if text else None,
            "stated_start": file_start(text, name) if text else None,
            "recording_start_vms": seg.start,
            "vms_play_utc": vms_play,
            "camera_offset_s": offset,
            "pair_latency_s": self._pair_latency(),
        }

    def _camera_times(self) -> tuple[float | None, datetime | None]:
        """From the clock camera's own session list (its clock): its offset from the suite's
        clock (the suite's reference session's PLAY against when the suite opened it) and
        when the VMS's session began playing, in UTC (the camera's time minus the offset)."""
        from conformance.clients.camera_sessions import SessionsUnavailable, fetch_sessions

        try:
            sessions = fetch_sessions(
                str(self.ready.get("rtsp_sessions_url") or ""),
                self.ready["username"],
                self.ready["password"],
            )
        except SessionsUnavailable:
            return None, None
        played = [s for s in sessions if s.start]
        started = self.reference.started_at
        if len(played) < 2 or started is None:
            return None, None
        offset = played[0].start.timestamp() - started  # the first is the suite's own
        vms = played[1].start - timedelta(seconds=offset)
        return round(offset, 3), vms

    def _pair_latency(self) -> float | None:
        """How long after its PLAY a good-clock camera's first recording starts, by the VMS's
        statement (the first pair; the camera's clock is UTC): the VMS's own delay and clock
        skew (VMS-EXPORT-01 judges the skew), which the clock camera's export must share."""
        for ingest in self.session.cameras.values():
            sessions = [s for s in ingest.camera_sessions or [] if s.get("start")]
            if ingest.reference is not None:
                sessions = sessions[1:]  # the suite's own reference session comes first
            if ingest.segments and sessions:
                play = datetime.fromisoformat(str(sessions[0]["start"]).replace("Z", "+00:00"))
                return round((ingest.segments[0].start - play).total_seconds(), 3)
        return None


def describe(facts: dict[str, Any]) -> str:
    """The facts as JSON text for the evidence (datetimes as ISO strings)."""
    return json.dumps(facts, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))
