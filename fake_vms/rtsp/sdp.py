"""The SDP a camera returns for DESCRIBE (RFC 4566; fmtp per RFC 6184 or RFC 7798)."""

from __future__ import annotations

import base64
import zlib

from fake_vms.media.encoder import EncodedLoop
from fake_vms.personas.knobs_field import FieldKnobs

TRACK_CONTROL = "trackID=0"
PAYLOAD_TYPE = 96


def build_sdp(
    loop: EncodedLoop,
    host: str,
    session_name: str,
    bitrate_kbps: int,
    knobs: FieldKnobs | None = None,
    multicast: tuple[str, int, int] | None = None,
) -> bytes:
    """Describe the single video track, with its parameter sets so receivers decode at once.

    ``knobs`` (a camera's quirk knobs) may break the SDP the ways field cameras do;
    ``multicast`` (group, port, TTL) describes the stream's multicast session instead
    (Streaming 5.2.2.5: the connection address is the multicast group, RFC 4566 c=addr/ttl)."""
    knobs = knobs or FieldKnobs()
    fps = knobs.sdp_framerate or f"{loop.fps:g}"
    origin = f"o=- {zlib.crc32(session_name.encode())} 1 IN IP4 {host}"
    if knobs.sdp_origin_truncated:
        origin = f"o=- {zlib.crc32(session_name.encode())} 1 IN "
    connection = f"c=IN {host}" if knobs.sdp_connection_no_addrtype else f"c=IN IP4 {host}"
    if knobs.sdp_connection_empty:
        connection = "c="
    media_port = 0
    if multicast is not None:
        group, media_port, ttl = multicast
        connection = f"c=IN IP4 {group}/{ttl}"
    lines = [
        "v=0",
        origin,
        f"s={session_name}",
        connection,
        "t=0 0",
        "a=control:*",
        f"m=video {media_port} RTP/AVP {PAYLOAD_TYPE}",
        f"b=AS:{bitrate_kbps}",
        f"a=rtpmap:{PAYLOAD_TYPE} {loop.codec}/90000{knobs.sdp_rtpmap_suffix}",
        f"a=fmtp:{PAYLOAD_TYPE} {fmtp(loop)}",
        f"a=framerate:{fps}",
        f"a=x-dimensions:{loop.width},{loop.height}",
        f"a=control:{TRACK_CONTROL}",
    ]
    lines = [line for line in lines if line[0] not in knobs.sdp_omit_lines]
    return ("\r\n".join(lines) + "\r\n").encode()


def fmtp(loop: EncodedLoop) -> str:
    """H.264 (RFC 6184 8.1): mode, profile-level-id and sprop-parameter-sets; H.265 (RFC 7798
    7.1): sprop-vps, sprop-sps and sprop-pps, one base64 NAL each."""
    if loop.codec == "H265":
        return ";".join(
            f"sprop-{name}={_b64(nal)}"
            for name, nal in (("vps", loop.vps), ("sps", loop.sps), ("pps", loop.pps))
        )
    sprop = ",".join(_b64(nal) for nal in (loop.sps, loop.pps))
    return (
        f"packetization-mode=1;profile-level-id={loop.profile_level_id}"
        f";sprop-parameter-sets={sprop}"
    )


def _b64(nal: bytes) -> str:
    return base64.b64encode(nal).decode()
