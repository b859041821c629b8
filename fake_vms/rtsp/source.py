"""The live picture source one camera's sessions share: wall-clock frame numbers over a loop.

Frame numbers come from elapsed time since the server started, so every session of a camera
sees the same "live" frame at the same moment, as with a real camera. The frame-counter SEI
depends only on the frame number, so it is built once per frame for all sessions.
"""

from __future__ import annotations

import time

from fake_vms.clock import device_now
from fake_vms.media.encoder import EncodedLoop
from fake_vms.media.sei import frame_counter_sei
from fake_vms.rtsp.packetizer import nal_payloads
from fake_vms.site import CameraConfig

RTP_CLOCK_HZ = 90_000
_SEI_CACHE_SIZE = 64


class LiveSource:
    """Maps wall time to frame numbers, and frame numbers to SEI, counter and RTP payloads."""

    def __init__(self, camera: CameraConfig, loop: EncodedLoop) -> None:
        self.codec = loop.codec  # an H.265 camera's second stream is H.264
        self.fps = camera.stream_fps
        self.counter_skip_every = camera.knobs.counter_skip_every
        self.timestamp_glitch_every = camera.knobs.timestamp_glitch_every
        self.flood_factor = max(1, camera.knobs.rtp_flood_factor)
        self.epoch = time.monotonic()
        self._epoch_device_us = int(device_now(camera).timestamp() * 1_000_000)
        self.au_payloads = [
            [payload for nal in au.nals for payload in nal_payloads(nal, codec=loop.codec)]
            for au in loop.access_units
        ]
        self._sei: dict[int, bytes] = {}

    def current_frame(self) -> int:
        """The frame number being captured right now."""
        return int((time.monotonic() - self.epoch) * self.fps)

    def due_time(self, frame_number: int) -> float:
        """When (``time.monotonic``) ``frame_number`` is captured and should be sent."""
        return self.epoch + frame_number / self.fps

    def rtp_offset(self, frame_number: int) -> int:
        """The frame's RTP time relative to the stream's random origin (90 kHz clock)."""
        return round(frame_number * RTP_CLOCK_HZ / self.fps)

    def counter(self, frame_number: int) -> int:
        """The SEI counter value: the frame number, plus one extra per skip knob period."""
        if self.counter_skip_every:
            return frame_number + frame_number // self.counter_skip_every
        return frame_number

    def sei_payload(self, frame_number: int) -> bytes:
        """The frame-counter SEI NAL (sent as a single-NAL RTP payload) for this frame."""
        sei = self._sei.get(frame_number)
        if sei is None:
            if len(self._sei) >= _SEI_CACHE_SIZE:
                self._sei.clear()
            capture_us = self._epoch_device_us + round(frame_number * 1_000_000 / self.fps)
            sei = frame_counter_sei(self.counter(frame_number), capture_us, self.codec)
            self._sei[frame_number] = sei
        return sei
