"""What the Media2 and codec tests share: cached Media2 answers and short stream probes.

Answers are cached on the device (``device.cached``), so a run asks each question once and a
device that cannot answer GetProfiles gives every dependent requirement the same failure.
Stream probes are bounded (capture seconds and the run's timeout) and try RTP/RTSP/TCP first,
then RTP/UDP, so one broken transport is reported by its own requirement, not here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from conformance.checks.media2 import Media2Profile, media2_profiles, video_profiles
from conformance.dut import with_host

RTSP_UNICAST = "RtspUnicast"


def require_media2(device: Any) -> None:
    """Media2 requirements are mandatory in Profile T: a device without Media2 fails them."""
    assert device.offers("media2"), (
        "GetServices lists no Media2 service (http://www.onvif.org/ver20/media/wsdl); "
        "Profile T requires it"
    )


def profiles(device: Any) -> list[Media2Profile]:
    """Media2 GetProfiles with every configuration (Type All), as plain views."""
    return device.cached(
        "media2:profiles",
        lambda: media2_profiles(device.call("media2", "GetProfiles", Type=["All"])),
    )


def video(device: Any) -> list[Media2Profile]:
    return video_profiles(profiles(device))


def stream_uri(device: Any, token: str) -> str:
    """GetStreamUri (RtspUnicast) exactly as the device returned it."""
    return device.cached(
        f"media2:stream_uri:{token}",
        lambda: str(
            device.call("media2", "GetStreamUri", Protocol=RTSP_UNICAST, ProfileToken=token)
        ),
    )


def usable_url(device: Any, uri: str, evidence: Any) -> str:
    """The URI on the device's own host: a wrong host is MEDIA2-URI-01's finding, not ours."""
    host = urlsplit(uri).hostname
    if host != device.device.host:
        evidence.note(f"URI host {host} replaced by the device host {device.device.host}")
        return with_host(uri, device.device.host)
    return uri


def probe_stream(device: Any, url: str, seconds: float) -> tuple[Any, Any]:
    """(capture, stats) of a short capture of ``url``, TCP first, then UDP (cached per URL)."""
    from conformance.clients.rtsp import RtspError, capture
    from conformance.clients.stream import analyse

    def run() -> tuple[Any, Any]:
        errors: list[RtspError] = []
        for transport in ("tcp", "udp"):
            try:
                cap = device.live_session(capture, url, transport=transport, duration=seconds)
            except RtspError as exc:
                errors.append(exc)
                continue
            return cap, analyse(cap)
        raise errors[-1]

    return device.cached(f"media2:probe:{url}:{seconds}", run)
