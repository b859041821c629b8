"""Prefetch: gather the slow evidence of the next devices while the current one is judged.

Most of a device's run time is waiting (seconds of live video per transport), not computing, so
an estate audit is bounded by how many devices are captured at once, not by the checks. The run
orders tests device by device; the prefetcher keeps up to ``window`` devices ahead of the test
loop, running each device's warm-ups on a thread pool. A warm-up is the very computation a test
performs (same cache key in :meth:`DeviceUnderTest.cached`), so a test either finds the answer
ready or waits for the one in flight: the device is never asked twice, and verdicts do not depend
on whether prefetch ran. Even for one device it pays: its live captures run while its other
checks ask their SOAP questions. Each device gets one warm-up at a time, and every live stream
session, the prefetcher's or a test's, holds the device's stream slot
(:attr:`conformance.dut.DeviceUnderTest.stream_slot`), so a camera never serves the suite more
than one stream session at a time (STREAM-CLIENTS-01's two sessions are the one exception).
Memory stays bounded: a device's captures are released once its tests are done. A device that
hangs holds one worker until its timeouts expire; the others go on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from conformance.catalogue import ResolvedProfile

Warmup = Callable[[Any, dict[str, Any]], object]


def _capture(transport: str) -> Warmup:
    return lambda dut, params: dut.capture(transport, params["capture_seconds"])


def _quality(dut: Any, _params: dict[str, Any]) -> object:
    from conformance.dut import QUALITY_CAPTURE_S

    return dut.stream_stats(QUALITY_CAPTURE_S)


def _discovery(dut: Any, _params: dict[str, Any]) -> object:
    from conformance.discovery import discover

    return discover(dut)


def _scratch_evidence(dut: Any) -> Any:
    """Evidence that goes nowhere: helpers shared with tests record into it; tests record
    their own when they run."""
    from conformance.evidence import Evidence

    return Evidence(None, dut.name, "prefetch", dut.redactor)


def _http_tunnel(dut: Any, params: dict[str, Any]) -> object:
    from conformance.suites.streaming.test_transports import tunnel_capture

    return tunnel_capture(dut, _scratch_evidence(dut), params["capture_seconds"])


def _codec_probes(dut: Any, params: dict[str, Any]) -> object:
    """Every profile's stream, as STREAM-CODEC-01 and STREAM-H265-01 probe them."""
    from conformance.dut import STREAM_SETUP_UDP
    from conformance.suites.media2.media2_helpers import probe_stream, stream_uri, usable_url
    from conformance.suites.media2.media2_helpers import video as media2_video

    evidence = _scratch_evidence(dut)
    uris = []
    if dut.offers("media"):
        for profile in dut.profiles():
            if getattr(profile, "VideoEncoderConfiguration", None) is not None:
                reply = dut.media(
                    "GetStreamUri", StreamSetup=STREAM_SETUP_UDP, ProfileToken=str(profile.token)
                )
                uris.append(str(reply.Uri))
    if dut.offers("media2"):
        uris += [stream_uri(dut, p.token) for p in media2_video(dut)]
    for uri in dict.fromkeys(uris):
        with contextlib.suppress(Exception):
            probe_stream(dut, usable_url(dut, uri, evidence), params["capture_seconds"])
    return None


def _live_snapshot(dut: Any, params: dict[str, Any]) -> object:
    """The snapshot taken during a live capture that SNAP-01 and SNAP-02 judge (seconds)."""
    from conformance.suites.media.test_media import live_snapshot

    return live_snapshot(dut, params)


def _replay(name: str, reverse: bool = False) -> Warmup:
    """A Profile G replay window, as the replay suite caches it (profile_g_helpers)."""

    def warm(dut: Any, params: dict[str, Any]) -> object:
        from conformance.suites.recording_search.profile_g_helpers import replay_window

        return replay_window(dut, name, params, reverse=reverse)

    return warm


def _export_single(dut: Any, _params: dict[str, Any]) -> object:
    """The single-camera export every EXPORT-* test judges (seconds of job and download)."""
    from conformance.suites.export.exports import warm_single_export

    return warm_single_export(dut)


# Requirement ID -> the slow computation its test needs, keyed exactly as the test caches it.
WARMUPS: dict[str, Warmup] = {
    "EXPORT-PLAY-01": _export_single,
    "ONVIF-DISC-CLAIMS-01": _discovery,
    "ONVIF-MEDIA-SNAP-01": _live_snapshot,
    "STREAM-RTSP-TCP-01": _capture("tcp"),
    "STREAM-RTSP-UDP-01": _capture("udp"),
    "STREAM-FORMAT-01": _quality,
    "STREAM-RTSP-HTTP-01": _http_tunnel,
    "STREAM-CODEC-01": _codec_probes,
    "REPLAY-RANGE-01": _replay("forward"),
    "REPLAY-REVERSE-01": _replay("reverse", reverse=True),
}


class Prefetcher:
    """Runs warm-ups for devices in order, at most ``window`` devices ahead of the tests."""

    def __init__(self, duts: list[Any], profile: ResolvedProfile, window: int) -> None:
        self._duts = duts
        self._tasks = [
            (WARMUPS[entry.id], dict(entry.parameters))
            for entry in profile.requirements
            if entry.id in WARMUPS
        ]
        self._window = max(1, window)
        self._pool = ThreadPoolExecutor(max_workers=self._window, thread_name_prefix="prefetch")
        self._lock = threading.Lock()
        self._next = 0
        self._done = 0
        self._futures: list[Future] = []

    def start(self) -> None:
        if self._tasks:
            self._fill()

    def device_done(self) -> None:
        """The test loop finished a device: let one more device start."""
        with self._lock:
            self._done += 1
        self._fill()

    def _fill(self) -> None:
        with self._lock:
            while self._next < len(self._duts) and self._next < self._done + self._window:
                dut = self._duts[self._next]
                self._futures.append(self._pool.submit(self._warm, dut))
                self._next += 1

    def _warm(self, dut: Any) -> None:
        for warmup, params in self._tasks:
            # A failure is cached on the device; the test that needs the value reports it.
            with contextlib.suppress(Exception):
                warmup(dut, params)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
