"""Checks of RTSP transports beyond plain UDP/TCP: the HTTP tunnel and keep-alive."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class StepLike(Protocol):
    method: str
    status: int | None
    error: str | None
    packets_after: int


def check_tunnel_describe(status: int | None, sdp: str) -> list[str]:
    """STREAM-RTSP-HTTP-02: a request in line-broken, split base64 is answered like any other."""
    problems = []
    if status != 200:
        problems.append(f"DESCRIBE through the tunnel answered {status}, expected 200")
    elif "m=video" not in sdp:
        problems.append("DESCRIBE through the tunnel returned no SDP video media section")
    return problems


def check_keepalive(
    session_timeout_s: int | None, packets_before: int, steps: Sequence[StepLike], methods: int
) -> list[str]:
    """STREAM-KEEPALIVE-01: a client that keeps a session alive must not lose its stream.

    ONVIF Streaming: any request other than TEARDOWN is a keep-alive, so each must be answered
    200 within the session and the RTP must keep flowing after it. The SETUP Session timeout
    is a "should" (Streaming 5.2.2.2); without it RFC 2326 12.37's default of 60 s applies, so
    ``session_timeout_s`` None is recorded, never a fault (GStreamer's server omits it when it
    is 60 s, as the RFC allows: tests/gstreamer).
    """
    problems = []
    if packets_before == 0:
        problems.append("no RTP arrived after PLAY, before any keep-alive")
        return problems
    for step in steps:
        if step.status is None:
            problems.append(f"{step.method} keep-alive got no answer: {step.error}")
        elif step.status != 200:
            problems.append(f"{step.method} keep-alive answered {step.status}, expected 200")
        if step.status is not None and step.error:
            problems.append(f"the stream ended after the {step.method} keep-alive: {step.error}")
        elif step.status is not None and step.packets_after == 0:
            problems.append(f"no RTP arrived after the {step.method} keep-alive")
    if len(steps) < methods and not problems:
        problems.append("the keep-alive sequence stopped early")
    return problems


def check_multicast_sdp(addresses: list[str]) -> list[str]:
    """STREAM-MCAST-01, the description (Streaming 5.2.2.5): the multicast stream's DESCRIBE
    "shall contain" a valid multicast address in c= (0.0.0.0 is not one)."""
    from conformance.clients.multicast import is_multicast

    if not addresses:
        return ["the multicast stream's SDP has no c= connection line"]
    wrong = [a for a in addresses if not is_multicast(a)]
    if wrong:
        return [
            f"the multicast stream's SDP gives c= {', '.join(wrong)}, not a multicast group "
            "(Streaming 5.2.2.5: a valid multicast address; 0.0.0.0 is not allowed)"
        ]
    return []


def check_multicast_received(rtp_packets: int, decoded_frames: int, group: str) -> list[str]:
    """STREAM-MCAST-01, the media: RTP reached the group and decodes to video."""
    if rtp_packets == 0:
        return [f"no RTP packet reached the multicast group ({group}) after PLAY"]
    if decoded_frames == 0:
        return [f"{rtp_packets} RTP packets reached {group}, but no video frame decoded"]
    return []
