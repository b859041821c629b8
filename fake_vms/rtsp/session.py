"""One RTSP session: its RTP transport (UDP socket pair or interleaved TCP) and its sender task.

The sender schedules each frame from the source's wall-clock timeline instead of sleeping a
fixed interval, so pacing never drifts; a session that falls far behind drops frames, as a
live camera would, and the frame counter shows the gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from fake_vms.rtsp.packetizer import RtpStream
from fake_vms.rtsp.sdp import PAYLOAD_TYPE
from fake_vms.rtsp.source import LiveSource

TCP_BUFFER_LIMIT = 2 * 1024 * 1024
"""Interleaved bytes queued for a client that does not read before its session is dropped."""
MAX_LAG_S = 1.0
"""How far behind schedule a sender may fall before it skips to the live frame."""


class Sink(Protocol):
    def send(self, rtp: RtpStream, payloads: Sequence[bytes], timestamp: int) -> bool:
        """Send one access unit; False means the client is gone and the session must end."""
        ...

    def close(self) -> None: ...


class UdpSink:
    """RTP to the client's RTP port from our own socket; RTCP socket kept for keep-alives."""

    def __init__(self, rtp: asyncio.DatagramTransport, rtcp: asyncio.DatagramTransport) -> None:
        self._rtp = rtp
        self._rtcp = rtcp

    def send(self, rtp: RtpStream, payloads: Sequence[bytes], timestamp: int) -> bool:
        if self._rtp.is_closing():
            return False
        for datagram in rtp.datagrams(payloads, timestamp):
            self._rtp.sendto(datagram)
        return True

    def close(self) -> None:
        self._rtp.close()
        self._rtcp.close()


class TcpSink:
    """RTP interleaved on the RTSP connection (RFC 2326 section 10.12)."""

    def __init__(self, transport: asyncio.WriteTransport, channel: int) -> None:
        self._transport = transport
        self.channel = channel

    def send(self, rtp: RtpStream, payloads: Sequence[bytes], timestamp: int) -> bool:
        transport = self._transport
        if transport.is_closing():
            return False
        if transport.get_write_buffer_size() > TCP_BUFFER_LIMIT:
            transport.abort()  # the client stopped reading; never let the buffer grow unbounded
            return False
        transport.write(rtp.interleaved(payloads, timestamp, self.channel))
        return True

    def close(self) -> None:
        """The connection belongs to the RTSP exchange, which closes it itself."""


class RtspSession:
    """Playback state of one session; ``on_end`` is called if the sender stops by itself."""

    def __init__(
        self,
        session_id: str,
        source: LiveSource,
        sink: Sink,
        on_end: Callable[[RtspSession], None],
    ) -> None:
        self.id = session_id
        self.source = source
        self.sink = sink
        self.rtp = RtpStream(PAYLOAD_TYPE)
        self.last_seen = time.monotonic()
        self._rtp_origin = random.getrandbits(32)
        self._on_end = on_end
        self._task: asyncio.Task[None] | None = None

    def touch(self) -> None:
        """Record client activity (any request or RTCP packet keeps the session alive)."""
        self.last_seen = time.monotonic()

    def rtp_time(self, frame_number: int) -> int:
        return (self._rtp_origin + self.source.rtp_offset(frame_number)) & 0xFFFFFFFF

    @property
    def playing(self) -> bool:
        return self._task is not None and not self._task.done()

    def play(self) -> tuple[int, int]:
        """Start sending from the next live frame; returns (seq, rtptime) for RTP-Info."""
        first = self.source.current_frame() + 1
        if not self.playing:
            self._task = asyncio.get_running_loop().create_task(self._send_loop(first))
        return self.rtp.seq, self.rtp_time(first)

    def pause(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.sink.close()

    async def _send_loop(self, frame_number: int) -> None:
        source = self.source
        loop_payloads = source.au_payloads
        glitch_every = source.timestamp_glitch_every
        step = source.rtp_offset(2) - source.rtp_offset(0)
        index = 0  # loop position: every (re)start begins at the loop's first IDR
        previous_ts: int | None = None
        flood_start, flood_first = time.monotonic(), frame_number  # rtp_flood_factor > 1 only
        while True:
            delay = source.due_time(frame_number) - time.monotonic()
            if source.flood_factor > 1:  # hostile: far above the declared rate
                late = (frame_number - flood_first) / (source.fps * source.flood_factor)
                delay = flood_start + late - time.monotonic()
            elif delay < -MAX_LAG_S:
                frame_number = source.current_frame()
            await asyncio.sleep(max(delay, 0.0))  # also yields to other sessions when late
            if source.dropped(frame_number):  # lost at capture: nothing sent, loop unmoved
                frame_number += 1
                continue
            timestamp = self.rtp_time(frame_number)
            if glitch_every and previous_ts is not None and frame_number % glitch_every == 0:
                timestamp = (previous_ts - step) & 0xFFFFFFFF
            payloads = [*source.extra_payloads(frame_number), *loop_payloads[index]]
            if not self.sink.send(self.rtp, payloads, timestamp):
                self._task = None
                self._on_end(self)
                return
            previous_ts = timestamp
            frame_number += 1
            index = (index + 1) % len(loop_payloads)
