"""The SDP session description (RFC 4566, RFC 6184 fmtp) a camera returns for DESCRIBE."""

from __future__ import annotations

import base64
import zlib

from fake_vms.media.encoder import EncodedLoop

TRACK_CONTROL = "trackID=0"
PAYLOAD_TYPE = 96


def build_sdp(loop: EncodedLoop, host: str, session_name: str, bitrate_kbps: int) -> bytes:
    """Describe the single H.264 video track, with SPS/PPS so receivers can decode at once."""
    sprop = b",".join(base64.b64encode(nal) for nal in (loop.sps, loop.pps)).decode()
    fps = f"{loop.fps:g}"
    lines = [
        "v=0",
        f"o=- {zlib.crc32(session_name.encode())} 1 IN IP4 {host}",
        f"s={session_name}",
        f"c=IN IP4 {host}",
        "t=0 0",
        "a=control:*",
        f"m=video 0 RTP/AVP {PAYLOAD_TYPE}",
        f"b=AS:{bitrate_kbps}",
        f"a=rtpmap:{PAYLOAD_TYPE} H264/90000",
        f"a=fmtp:{PAYLOAD_TYPE} packetization-mode=1;profile-level-id={loop.profile_level_id}"
        f";sprop-parameter-sets={sprop}",
        f"a=framerate:{fps}",
        f"a=x-dimensions:{loop.width},{loop.height}",
        f"a=control:{TRACK_CONTROL}",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()
