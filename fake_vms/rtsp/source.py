"""The live picture source one camera's sessions share: wall-clock frame numbers over a loop.

Frame numbers come from elapsed time since the server started, so every session of a camera
sees the same "live" frame at the same moment, as with a real camera. The frame-counter SEI
(instrumentation: no camera sends it, docs/frame-counter.md) depends only on the frame number, so
it is built once per frame for all sessions; with instrumentation off it is not sent at all.

A frame lost at capture (``drop_frame_every``) never reaches the encoder: the next captured frame
is encoded as the next access unit, so the bitstream stays decodable and only the RTP timestamps
(and recording times) show the hole, as on a camera whose sensor pipeline drops frames.
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
        self.drop_every = camera.knobs.drop_frame_every
        self.instrumentation = camera.instrumentation
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

    def dropped(self, frame_number: int) -> bool:
        """The frame is lost at capture (never encoded, sent or recorded)."""
        return bool(self.drop_every) and frame_number % self.drop_every == self.drop_every - 1

    def counter(self, frame_number: int) -> int:
        """The SEI counter value: the capture frame number (lost frames leave holes in it)."""
        return frame_number

    def extra_payloads(self, frame_number: int) -> list[bytes]:
        """What the simulator adds before the frame's own NAL units: the frame-counter SEI when
        instrumentation is on, nothing otherwise (what a camera sends)."""
        return [self.sei_payload(frame_number)] if self.instrumentation else []

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
