"""Records one camera continuously from its live source into the recordings store.

The recorder is an asyncio task beside the RTSP server: every tick it writes the frames the live
source has captured since the last tick (the same access units the RTSP server sends, with the
frame-counter SEI), so recorded time is real time on the device clock. Configured gaps pause the
recording (no data at all, and recording-state events at both ends); motion is recorded on a
fixed schedule so searches have something known to find.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime, timedelta

from fake_vms.clock import device_now
from fake_vms.media.encoder import EncodedLoop
from fake_vms.media.sei import frame_counter_sei
from fake_vms.recording.store import RecordedEvent, RecordingStore, StoredAccessUnit
from fake_vms.rtsp.source import LiveSource
from fake_vms.site import CameraConfig

TICK_S = 0.1
MOTION_PERIOD_S = 4.0
"""Motion starts every period (1 s into it) and lasts MOTION_DURATION_S."""
MOTION_DURATION_S = 1.0
RECORDING_TOPIC = "tns1:RecordingHistory/Recording/State"
TRACK_TOPIC = "tns1:RecordingHistory/Track/State"
MOTION_TOPIC = "tns1:RuleEngine/CellMotionDetector/Motion"
VIDEO_TRACK = "VIDEO001"


def _gap(raw: tuple[float, ...]) -> tuple[float, float, float]:
    """(offset, duration[, every]) in seconds; ``every`` repeats the gap (0: once)."""
    offset, length, *rest = (float(v) for v in raw)
    return offset, length, rest[0] if rest else 0.0


def recording_token(camera: CameraConfig) -> str:
    """The token of a camera's (single) recording."""
    return f"rec-{camera.name}"


class CameraRecorder:
    """Writes one camera's live frames into ``store`` until stopped."""

    def __init__(
        self, camera: CameraConfig, store: RecordingStore, loop: EncodedLoop, source: LiveSource
    ) -> None:
        self.camera = camera
        self.store = store
        self.loop = loop
        self.source = source
        self.token = recording_token(camera)
        self.gaps = tuple(_gap(g) for g in camera.recording_gaps)
        self._task: asyncio.Task[None] | None = None
        self._first = 0
        self._index = 0
        self._next = 0
        self._recording = False
        self._motion_next = 0
        # The device time of frame 0 of the live source (its epoch on the device clock).
        elapsed = time.monotonic() - source.epoch
        self._epoch = device_now(camera) - timedelta(seconds=elapsed)

    def frame_time(self, frame_number: int) -> datetime:
        """Capture time of a live frame on the device clock."""
        return self._epoch + timedelta(seconds=frame_number / self.source.fps)

    def start(self) -> None:
        """Begin recording from the frame being captured now."""
        self.store.create(
            self.token,
            self.camera.name,
            self.loop.codec,
            self.loop.width,
            self.loop.height,
            self.source.fps,
            self.camera.recording_retention_s,
        )
        self._first = self._next = self.source.current_frame()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _in_gap(self, offset_s: float) -> bool:
        return any(
            offset_s >= start and (offset_s - start) % (every or float("inf")) < length
            for start, length, every in self.gaps
        )

    async def _run(self) -> None:
        while True:
            self.record_due()
            await asyncio.sleep(TICK_S)

    def record_due(self) -> None:
        """Write every frame captured since the last call (and the events due with them)."""
        now = self.source.current_frame()
        units = [u for u in map(self._record_frame, range(self._next, now + 1)) if u]
        if units:
            self.store.append_many(self.token, units)
        self._next = now + 1

    def _record_frame(self, frame: int) -> StoredAccessUnit | None:
        offset = (frame - self._first) / self.source.fps
        moment = self.frame_time(frame)
        if self._in_gap(offset):
            if self._recording:
                self._state_events(moment, False)
                self._recording = False
            return None
        if not self._recording:
            self._index = 0  # (re)start on the loop's first IDR, parameter sets included
            self._state_events(moment, True)
            self._recording = True
        if self.source.instrumentation:  # spontaneous motion: instrumentation, off with it
            self._motion_events(offset)
        if self.source.dropped(frame):  # lost at capture: the recording lacks it too
            return None
        unit = self.loop.access_units[self._index]
        extra = []
        if self.source.instrumentation:
            capture_us = round(moment.timestamp() * 1_000_000)
            extra = [frame_counter_sei(self.source.counter(frame), capture_us, self.loop.codec)]
        self._index = (self._index + 1) % len(self.loop.access_units)
        return StoredAccessUnit(moment, frame, unit.keyframe, [*extra, *unit.nals])

    def _state_events(self, moment: datetime, state: bool) -> None:
        value = "true" if state else "false"
        self.store.add_event(
            self.token,
            RecordedEvent(
                moment, RECORDING_TOPIC, {"RecordingToken": self.token}, {"State": value}
            ),
        )
        self.store.add_event(
            self.token,
            RecordedEvent(
                moment,
                TRACK_TOPIC,
                {"RecordingToken": self.token, "Track": VIDEO_TRACK},
                {"State": value},
            ),
        )

    def _motion_events(self, offset_s: float) -> None:
        """Motion on/off edges due by ``offset_s`` (2 per period), recorded at their own times."""
        while True:
            period, edge = divmod(self._motion_next, 2)
            at = period * MOTION_PERIOD_S + 1.0 + edge * MOTION_DURATION_S
            if at > offset_s:
                return
            self._motion_next += 1
            if self._in_gap(at):
                continue  # nothing is recorded in a gap, motion included
            moment = self.frame_time(self._first) + timedelta(seconds=at)
            self.store.add_event(
                self.token,
                RecordedEvent(
                    moment,
                    MOTION_TOPIC,
                    {"VideoSourceConfigurationToken": "vsc_1", "Rule": "MyMotionDetectorRule"},
                    {"IsMotion": "false" if edge else "true"},
                ),
            )
