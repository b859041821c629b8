"""Two RTSP clients playing the same stream at once (STREAM-CLIENTS-01).

Each session is an ordinary :func:`conformance.clients.rtsp.capture` on its own connection
(DESCRIBE, SETUP, PLAY), run on its own thread: the first plays, and once it has played for a
moment the second starts; the first goes on until the second has finished, so both are
captured over the same stretch of time. Nothing here judges: the result keeps each session's
capture or error and the monotonic times a verdict needs (when the second PLAY succeeded, when
the second session ended), and :func:`overlap_rates` measures the first session over the time
both were playing.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from conformance.clients.rtsp import Capture, RtspError, capture
from conformance.clients.stream import ts_delta

SETTLE_S = 0.5
"""How long the first session plays alone before the second one starts."""


@dataclass
class SessionRun:
    """One of the two sessions: its capture, or the error that ended it, and when it played."""

    label: str
    capture: Capture | None = None
    error: RtspError | None = None
    started_at: float | None = None
    """Monotonic time the session's first request was about to be sent."""
    played_at: float | None = None
    """Monotonic time the PLAY succeeded (None if it never did)."""
    ended_at: float | None = None
    exchanges: list[Any] = field(default_factory=list)

    def run(
        self,
        url: str,
        username: str | None,
        password: str | None,
        started: threading.Event | None = None,
        **options: Any,
    ) -> None:
        """Capture (``options`` as :func:`capture` takes them); ``started`` is set on PLAY."""

        def played() -> None:
            self.played_at = time.monotonic()
            if started is not None:
                started.set()

        self.started_at = time.monotonic()
        try:
            self.capture = capture(url, username, password, on_play=played, **options)
            self.exchanges = list(self.capture.exchanges)
        except RtspError as exc:
            self.error = exc
            self.exchanges = list(getattr(exc, "exchanges", []))
        finally:
            self.ended_at = time.monotonic()


@dataclass
class ParallelResult:
    """What the two sessions did; times are monotonic seconds."""

    transport: str
    first: SessionRun
    second: SessionRun
    second_started: bool
    """Whether the second session was started at all (not if the first never played)."""


def play_side_by_side(
    url: str,
    username: str | None,
    password: str | None,
    *,
    transport: str,
    seconds: float,
    timeout: float,
    settle_s: float = SETTLE_S,
) -> ParallelResult:
    """Play ``url`` in two sessions at once: the second for ``seconds`` once the first has played
    ``settle_s`` alone; the first until the second is done (bounded by the timeouts)."""
    first, second = SessionRun("first"), SessionRun("second")
    started, stop = threading.Event(), threading.Event()
    # The first session's own bound: its settle, the second's set-up and capture, and margin.
    first_duration = settle_s + seconds + 4 * timeout
    thread = threading.Thread(
        target=first.run,
        args=(url, username, password),
        kwargs=dict(
            transport=transport,
            duration=first_duration,
            timeout=timeout,
            stop=stop,
            started=started,
        ),
        name="stream-clients-first",
        daemon=True,
    )
    thread.start()
    try:
        # The first session's set-up (OPTIONS, DESCRIBE, SETUP, PLAY) has a timeout per step: it
        # either plays or its thread ends with the error.
        while not started.wait(0.05) and thread.is_alive():
            pass
        second_started = first.played_at is not None and thread.is_alive()
        if second_started:
            time.sleep(settle_s)
            second.run(
                url, username, password, transport=transport, duration=seconds, timeout=timeout
            )
    finally:
        stop.set()
        thread.join(first_duration + 2 * timeout)
    return ParallelResult(transport, first, second, second_started)


@dataclass
class OverlapRates:
    """The first session over the time both played: access units, frame rates, last frame."""

    window_s: float
    access_units: int
    fps_rtp: float | None
    fps_arrival: float | None
    last_frame_after_s: float | None
    """Seconds from the second PLAY to the first session's last access unit (None: none came
    after the second PLAY)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_s": round(self.window_s, 3),
            "access_units": self.access_units,
            "fps_rtp": self.fps_rtp,
            "fps_arrival": self.fps_arrival,
            "last_frame_after_s": (
                round(self.last_frame_after_s, 3) if self.last_frame_after_s is not None else None
            ),
        }


def overlap_rates(cap: Capture, start: float, end: float) -> OverlapRates:
    """The first session's access units that arrived between ``start`` (the second PLAY) and
    ``end`` (the second session's end), with the rates measured from them alone."""
    units = [au for au in cap.access_units if start <= au.arrival <= end]
    later = [au.arrival for au in cap.access_units if au.arrival >= start]
    last = (max(later) - start) if later else None
    pairs = zip(units, units[1:], strict=False)
    deltas = [ts_delta(a.rtp_timestamp, b.rtp_timestamp) for a, b in pairs]
    positive = [d for d in deltas if d > 0]
    fps_rtp = cap.clock_rate / statistics.median(positive) if positive else None
    fps_arrival = None
    if len(units) >= 2 and units[-1].arrival > units[0].arrival:
        fps_arrival = (len(units) - 1) / (units[-1].arrival - units[0].arrival)
    return OverlapRates(end - start, len(units), fps_rtp, fps_arrival, last)
