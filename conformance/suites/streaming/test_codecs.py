"""Codec honesty and H.265 streaming: the bitstream judged against what Media and Media2 say.

A VMS picks a decoder from what the device reports; if a Media (ver10) profile says H264 but
streams H.265 (quirk Q16) the VMS shows nothing. So every profile's stream is probed briefly and
its codec (SDP rtpmap, proven by FFmpeg decoding frames) compared with the report.
"""

from __future__ import annotations

import pytest

from conformance.checks.codecs import StreamedCodec, check_codec_honesty, check_h265_stream
from conformance.dut import STREAM_SETUP_UDP
from conformance.outcomes import not_claimed
from conformance.suites.media2.media2_helpers import probe_stream, stream_uri, usable_url, video


def _row(device, evidence, service, token, reported, uri, seconds) -> StreamedCodec:
    from conformance.clients.rtsp import RtspError

    url = usable_url(device, uri, evidence)
    try:
        capture, stats = probe_stream(device, url, seconds)
    except RtspError as exc:
        return StreamedCodec(service, token, reported, uri, None, 0, error=str(exc))
    evidence.attach_text(
        f"sdp-{service}-{token}", capture.sdp, ext="sdp", media_type="application/sdp"
    )
    return StreamedCodec(service, token, reported, uri, capture.codec, stats.decoded_frames)


@pytest.mark.requirement("STREAM-CODEC-01")
def test_streamed_codec_is_reported_codec(device, evidence, params):
    seconds = params["capture_seconds"]
    rows: list[StreamedCodec] = []
    if device.offers("media"):
        for profile in device.profiles():
            vec = getattr(profile, "VideoEncoderConfiguration", None)
            if vec is None:
                continue
            token = str(profile.token)
            uri = str(
                device.media("GetStreamUri", StreamSetup=STREAM_SETUP_UDP, ProfileToken=token).Uri
            )
            rows.append(_row(device, evidence, "media", token, str(vec.Encoding), uri, seconds))
    if device.offers("media2"):
        for profile in video(device):
            assert profile.encoder is not None
            uri = stream_uri(device, profile.token)
            rows.append(
                _row(device, evidence, "media2", profile.token, profile.encoder.encoding, uri,
                     seconds)
            )  # fmt: skip
    evidence.measure("profiles", [row.to_dict() for row in rows])
    problems = check_codec_honesty(rows)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("STREAM-H265-01")
def test_h265_stream_decodes_at_configured_size(device, evidence, params):
    claimed = "h265" in device.device.claims.features or "H265" in device.device.claims.codecs
    evidence.claim("h265", claimed)
    if not device.offers("media2"):
        assert not claimed, "H.265 is claimed, but the device offers no Media2 service"
        not_claimed("no Media2 service, so no H.265 profile can be described")
    h265 = [p for p in video(device) if p.encoder and p.encoder.encoding == "H265"]
    evidence.measure("h265_profiles", [p.token for p in h265])
    if not h265:
        assert not claimed, "H.265 is claimed, but no Media2 profile has an H265 encoder"
        not_claimed("no Media2 profile has an H265 encoder")
    problems: list[str] = []
    for profile in h265:
        encoder = profile.encoder
        assert encoder is not None
        url = usable_url(device, stream_uri(device, profile.token), evidence)
        capture, stats = probe_stream(device, url, params["capture_seconds"])
        size = (stats.width, stats.height) if stats.width else None
        evidence.attach_text(
            f"sdp-{profile.token}", capture.sdp, ext="sdp", media_type="application/sdp"
        )
        evidence.attach_json(f"stream-stats-{profile.token}", stats.to_dict())
        if stats.first_frame_png:
            evidence.attach_png(f"first-frame-{profile.token}", stats.first_frame_png)
        evidence.measure(
            f"stream:{profile.token}",
            {"codec": capture.codec, "decoded_frames": stats.decoded_frames,
             "keyframes": stats.keyframes, "size": f"{size[0]}x{size[1]}" if size else None},
        )  # fmt: skip
        evidence.expect(f"size:{profile.token}", f"{encoder.width}x{encoder.height}")
        problems += [
            f"{profile.token}: {problem}"
            for problem in check_h265_stream(
                capture.codec,
                stats.decoded_frames,
                stats.keyframes,
                size,
                (encoder.width, encoder.height),
                params["min_frames"],
            )  # fmt: skip
        ]
    assert not problems, "; ".join(problems)
