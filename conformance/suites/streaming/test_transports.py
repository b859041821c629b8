"""RTSP transports beyond plain UDP/TCP: RTSP over HTTP tunnelling, keep-alive, multicast.

The tunnel is reached at the URI Media GetStreamUri returns for Transport HTTP (as advertised,
or on the device's own host when the advertised one cannot be reached, as for the other stream
URIs). Multicast is set up and joined only on the interface the lab names
(``--multicast-interface``); without one, STREAM-MCAST-01 judges the multicast stream's SDP and
reports the media not_tested with the environmental reason.
"""

from __future__ import annotations

import pytest

from conformance.checks.streaming import check_playable
from conformance.checks.transports import (
    check_keepalive,
    check_multicast_received,
    check_multicast_sdp,
    check_tunnel_describe,
)
from conformance.outcomes import not_testable_here

STREAM_SETUP_HTTP = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "HTTP"}}
KEEPALIVE_METHODS = ("GET_PARAMETER", "OPTIONS")
MIME_LINE = 76
ODD_WRITE = 50
"""Write size that is not a multiple of 4, so base64 groups span writes (RTSS-1-1-45)."""


def _tunnel_url(device, evidence) -> str:
    """GetStreamUri for Transport HTTP, as advertised unless its host cannot be reached (then on
    the device's own host, with a note: ONVIF-MEDIA-URI-01 judges stream URIs)."""
    token = device.main_profile().token
    uri = device.cached(
        "stream_uri:http",
        lambda: device.media("GetStreamUri", StreamSetup=STREAM_SETUP_HTTP, ProfileToken=token).Uri,
    )
    evidence.measure("stream_uri_http", uri)
    return device.usable_url(uri, "ONVIF-MEDIA-URI-01", default_port=80)


def tunnel_capture(device, evidence, seconds: float):
    """The live capture over the HTTP tunnel (cached; the run's prefetcher calls this too)."""
    from conformance.clients.rtsp import capture

    url = _tunnel_url(device, evidence)

    def run():
        return device.live_session(capture, url, transport="http", duration=seconds)

    return device.cached("capture:http", run)


@pytest.mark.requirement("STREAM-RTSP-HTTP-01")
def test_live_video_over_http_tunnel(device, evidence, params):
    from conformance.clients.stream import analyse

    result = tunnel_capture(device, evidence, params["capture_seconds"])
    stats = device.cached("stats:http", lambda: analyse(result))
    evidence.attach_exchanges("rtsp-http-transcript", result.exchanges)
    evidence.attach_text("sdp-http", result.sdp, ext="sdp", media_type="application/sdp")
    evidence.attach_json("stream-stats-http", stats.to_dict())
    if stats.first_frame_png:
        evidence.attach_png("first-frame-http", stats.first_frame_png)
    evidence.measure("transport", "http")
    evidence.measure("decoded_frames", stats.decoded_frames)
    evidence.measure("keyframes", stats.keyframes)
    evidence.measure("codec", stats.codec)
    problems = check_playable(stats.decoded_frames, stats.keyframes, stats.codec)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("STREAM-RTSP-HTTP-02")
def test_http_tunnel_accepts_base64_line_breaks(device, evidence):
    from conformance.clients.rtsp import RtspError, _Session
    from conformance.clients.rtsp_tunnel import open_tunnel

    url = _tunnel_url(device, evidence)
    evidence.expect(
        "base64", f"lines of {MIME_LINE} characters, written {ODD_WRITE} bytes at a time"
    )
    target, tunnel = open_tunnel(
        url,
        device.device.username,
        device.device.password,
        device.timeout,
        line_length=MIME_LINE,
        write_size=ODD_WRITE,
    )
    session = _Session(target, device.timeout, tunnel)
    try:
        try:
            reply = session.request("DESCRIBE", target.url, {"Accept": "application/sdp"})
            status, sdp = reply.status, reply.body.decode("utf-8", errors="replace")
        except RtspError as exc:
            evidence.attach_exchanges("rtsp-http-linebreaks", session.exchanges)
            evidence.measure("error", str(exc))
            raise AssertionError(
                f"DESCRIBE in line-broken base64 through the tunnel failed: {exc}"
            ) from exc
    finally:
        session.close()
    evidence.attach_exchanges("rtsp-http-linebreaks", session.exchanges)
    evidence.measure("describe_status", status)
    problems = check_tunnel_describe(status, sdp)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("STREAM-KEEPALIVE-01")
def test_keepalive_keeps_session_playing(device, evidence, params):
    from conformance.clients.rtsp import RtspStatusError
    from conformance.clients.rtsp_keepalive import keepalive_probe

    def run(transport: str):
        url = device.stream_url()
        return device.live_session(
            keepalive_probe,
            url,
            methods=KEEPALIVE_METHODS,
            after_s=params["keepalive_after_s"],
            transport=transport,
        )

    try:
        result = run("tcp")
    except RtspStatusError as exc:
        if exc.status != 461:  # RTP/RTSP/TCP is optional: judged by STREAM-RTSP-TCP-01
            raise
        evidence.note("SETUP over RTP/RTSP/TCP answered 461; keep-alive checked over RTP/UDP")
        result = run("udp")
    evidence.measure("transport", result.transport)
    evidence.attach_exchanges("rtsp-keepalive-transcript", result.exchanges)
    evidence.attach_json("keepalive", result.to_dict())
    evidence.measure("session_timeout_s", result.session_timeout_s)
    evidence.measure(
        "steps", [f"{s.method}: {s.status}, {s.packets_after} RTP after" for s in result.steps]
    )
    problems = check_keepalive(
        result.session_timeout_s, result.packets_before, result.steps, len(KEEPALIVE_METHODS)
    )
    assert not problems, "; ".join(problems)


STREAM_SETUP_MULTICAST = {"Stream": "RTP-Multicast", "Transport": {"Protocol": "UDP"}}


@pytest.mark.requirement("STREAM-MCAST-01")
def test_multicast_streaming(device, evidence, params, request):
    """Judged in two steps. What the multicast stream's DESCRIBE promises (a multicast group in
    c=) is judged everywhere: DESCRIBE sends no media. Whether video reaches the group is
    judged only where the lab names an interface the device may send multicast on
    (``--multicast-interface``); elsewhere it is not_tested for that environmental reason. The
    plugin reports the requirement not_claimed on a device whose capabilities say
    RTPMulticast is not supported."""
    from conformance.clients.multicast import (
        capture_multicast,
        describe_multicast,
        sdp_connection_addresses,
    )
    from conformance.clients.stream import analyse

    caps = device.media("GetServiceCapabilities")
    streaming = getattr(caps, "StreamingCapabilities", None)
    evidence.measure("rtp_multicast", getattr(streaming, "RTPMulticast", None))
    token = device.main_profile().token
    uri = device.media("GetStreamUri", StreamSetup=STREAM_SETUP_MULTICAST, ProfileToken=token).Uri
    evidence.measure("stream_uri_multicast", str(uri))
    url = device.usable_url(str(uri), "ONVIF-MEDIA-URI-01")
    described = describe_multicast(
        url, device.device.username, device.device.password, timeout=device.timeout
    )
    evidence.attach_exchanges("rtsp-multicast-describe", described.exchanges)
    evidence.attach_text("sdp-multicast", described.sdp, ext="sdp", media_type="application/sdp")
    addresses = sdp_connection_addresses(described.sdp)
    evidence.measure("sdp_connection_addresses", addresses)
    problems = check_multicast_sdp(addresses)
    assert not problems, "; ".join(problems)
    interface = request.config.getoption("multicast_interface", default=None)
    if not interface:
        not_testable_here(
            "no multicast interface named for this run (--multicast-interface NAME): the suite "
            "never makes a device send multicast, or joins a group, on a network it was not "
            "given; the SDP's multicast group was checked"
        )
    evidence.measure("multicast_interface", interface)
    result = device.live_session(
        capture_multicast, url, interface=interface, duration=params["capture_seconds"]
    )
    evidence.attach_exchanges("rtsp-multicast-transcript", result.exchanges)
    stats = analyse(result)
    evidence.attach_json("stream-stats-multicast", stats.to_dict())
    if stats.first_frame_png:
        evidence.attach_png("first-frame-multicast", stats.first_frame_png)
    evidence.measure("rtp_packets", result.rtp_packets)
    evidence.measure("decoded_frames", stats.decoded_frames)
    group = ", ".join(n for n in result.notes if n.startswith("joined")) or addresses[0]
    problems = check_multicast_received(result.rtp_packets, stats.decoded_frames, group)
    assert not problems, "; ".join(problems)
