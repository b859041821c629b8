"""Checks that the codec on the wire is the codec the device reports (codec honesty, H.265).

Field quirk Q16: cameras set to H.265 keep telling Media (ver10) clients "H264" (its enum has no
H265), so VMSs that trust the report fail to decode. The only reliable evidence is the stream
itself: the SDP rtpmap names the payload format, and FFmpeg decoding frames with that codec's
decoder proves the bitstream really is that codec.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class StreamedCodec:
    """What one profile reports and what its stream URI actually delivered."""

    service: str
    """"media" (ver10) or "media2" (ver20)."""
    profile: str
    reported: str
    uri: str
    sdp_codec: str | None
    decoded_frames: int
    error: str | None = None
    """Why the stream could not be examined (RTSP error), if so."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def streamed_codec(row: StreamedCodec) -> str | None:
    """The codec proven on the wire: the SDP's, if FFmpeg decoded frames with it."""
    return row.sdp_codec if row.sdp_codec and row.decoded_frames > 0 else None


def check_codec_honesty(rows: list[StreamedCodec]) -> list[str]:
    """STREAM-CODEC-01: for every profile of Media and Media2, streamed codec == reported."""
    if not rows:
        return ["no profile with a video encoder to compare"]
    problems = []
    for row in rows:
        where = f"{row.service} profile {row.profile} ({row.uri})"
        if row.error:
            problems.append(f"{where}: stream could not be examined: {row.error}")
            continue
        actual = streamed_codec(row)
        if actual is None:
            problems.append(
                f"{where}: reports {row.reported}, but the stream "
                + (
                    f"(SDP {row.sdp_codec}) decoded no frame"
                    if row.sdp_codec
                    else "has no video codec in its SDP"
                )
            )
        elif actual != row.reported:
            problems.append(f"{where}: reports {row.reported}, but streams {actual}")
    return problems


def check_h265_stream(
    sdp_codec: str | None,
    decoded_frames: int,
    keyframes: int,
    size: tuple[int, int] | None,
    expected_size: tuple[int, int],
    min_frames: int,
) -> list[str]:
    """STREAM-H265-01: an H.265 profile must stream RTP/H265 (RFC 7798) that FFmpeg's hevc
    decoder plays from a key frame, at the encoder configuration's resolution."""
    problems = []
    if sdp_codec != "H265":
        problems.append(f"the SDP announces {sdp_codec or 'no codec'}, not H265")
    if keyframes < 1:
        problems.append("no IDR picture arrived, so no client could start decoding")
    if decoded_frames < min_frames:
        problems.append(f"only {decoded_frames} frames decoded (at least {min_frames} needed)")
    if size is None:
        if decoded_frames:
            problems.append("decoded frames have no size")
    elif size != expected_size:
        problems.append(
            f"stream is {size[0]}x{size[1]}, the encoder configuration says "
            f"{expected_size[0]}x{expected_size[1]}"
        )
    return problems
