"""Media2 checks judged on recorded replies of the known-good H.265 camera, the Media2 personas
and hand-written real-world replies (fixtures/onvif/real-world/PROVENANCE.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from media2_replay import replay  # noqa: E402

from conformance.checks.media2 import (  # noqa: E402
    Media2Encoder,
    Media2Options,
    Media2Profile,
    check_encoder_within_options,
    check_media2_profiles,
    check_media2_uris,
    check_snapshot_served,
    media2_profiles,
    video_profiles,
)
from conformance.clients.onvif import OnvifFault  # noqa: E402
from conformance.outcomes import Outcome  # noqa: E402
from conformance.verdicts import classify  # noqa: E402

HOST = "127.0.0.1"


def _profiles(device: str) -> list[Media2Profile]:
    return media2_profiles(replay(device, "GetProfiles"))


def _uris(device: str, kind: str) -> dict[str, str]:
    tokens = [p.token for p in video_profiles(_profiles("good"))]
    if kind == "snapshot":
        tokens = tokens[:1]
    operation = "GetStreamUri" if kind == "stream" else "GetSnapshotUri"
    return {t: str(replay(device, f"{operation}.{t}")) for t in tokens}


def _options(device: str, vec: str) -> list[Media2Options]:
    return [
        Media2Options.of(o) for o in replay(device, f"GetVideoEncoderConfigurationOptions.{vec}")
    ]


# -- profiles -----------------------------------------------------------------------------------


def test_good_profiles_are_ready_h265_then_h264():
    profiles = _profiles("good")
    assert [(p.token, p.has_vsc, p.encoder.encoding) for p in profiles] == [
        ("m2_profile_1", True, "H265"),
        ("m2_profile_2", True, "H264"),
    ]
    assert profiles[0].encoder.to_dict() == {
        "token": "vec2_1", "encoding": "H265", "width": 1280, "height": 720, "fps": 25.0,
        "gov_length": 25, "profile": "Main", "quality": 4.0,
    }  # fmt: skip
    assert check_media2_profiles(profiles) == []


def test_media2_broken_persona_faults():
    with pytest.raises(OnvifFault) as caught:
        replay("media2-broken", "GetProfiles")
    assert classify(caught.value)[0] is Outcome.FAIL


def test_hikvision_invalid_operation_is_a_device_fault():
    with pytest.raises(OnvifFault) as caught:
        replay("real-world", "GetProfiles.hikvision-invalid-operation")
    assert "ActionNotSupported" in str(caught.value)
    assert classify(caught.value) == (Outcome.FAIL, "device_fault")


def test_profiles_without_a_usable_encoder():
    jpeg = Media2Encoder("v", "JPEG", 1280, 720, 25.0, None, None, 4.0)
    profiles = [Media2Profile("p1", "a", True, jpeg), Media2Profile("p2", "b", False, None)]
    assert check_media2_profiles(profiles) == [
        "no Media2 profile has both a VideoSource and an H.264 or H.265 VideoEncoder "
        "configuration (p1: video source yes, encoder JPEG; p2: video source missing, "
        "encoder missing)"
    ]
    assert check_media2_profiles([]) == ["Media2 GetProfiles returned no profile"]


# -- URIs ---------------------------------------------------------------------------------------


def test_good_uris():
    streams, snapshots = _uris("good", "stream"), _uris("good", "snapshot")
    assert streams == {
        "m2_profile_1": "rtsp://127.0.0.1:8554/stream1",
        "m2_profile_2": "rtsp://127.0.0.1:8554/stream2",
    }
    assert check_media2_uris(streams, snapshots, HOST) == []


def test_private_stream_uri_persona():
    streams = _uris("media2-private-stream-uri", "stream")
    snapshots = _uris("media2-private-stream-uri", "snapshot")
    problems = check_media2_uris(streams, snapshots, HOST)
    assert problems == [
        "m2_profile_1 stream URI host 192.168.1.64 is not the device's host 127.0.0.1",
        "m2_profile_2 stream URI host 192.168.1.64 is not the device's host 127.0.0.1",
        "m2_profile_1 snapshot URI host 192.168.1.64 is not the device's host 127.0.0.1",
    ]


def test_uri_scheme_length_and_absence():
    long_uri = "rtsp://127.0.0.1/" + "x" * 120
    assert check_media2_uris({"p": "http://127.0.0.1/s"}, {}, HOST) == [
        "p stream URI scheme 'http', expected rtsp"
    ]
    assert check_media2_uris({"p": long_uri}, {}, HOST) == [
        f"p stream URI is {len(long_uri)} octets; the limit is 128"
    ]
    assert check_media2_uris({}, {}, HOST) == ["no Media2 video profile to ask GetStreamUri for"]


def test_snapshot_served():
    assert check_snapshot_served("p", 200, "image/jpeg", True) == []
    assert check_snapshot_served("p", 401, "text/html", False) == [
        "p snapshot GET answered HTTP 401"
    ]
    assert check_snapshot_served("p", 200, "text/html; charset=utf-8", False) == [
        "p snapshot Content-Type is 'text/html; charset=utf-8', not image/jpeg",
        "p snapshot body is not a decodable JPEG",
    ]


# -- encoder configurations within options ------------------------------------------------------


@pytest.mark.parametrize("index", [1, 2])
def test_good_encoders_within_options(index: int):
    encoder = _profiles("good")[index - 1].encoder
    options = _options("good", f"vec2_{index}")
    assert [o.encoding for o in options] == [encoder.encoding]
    assert options[0].gov_range == (25, 25) and options[0].frame_rates == [25.0]
    assert check_encoder_within_options(encoder, options) == []


def test_encoder_outside_options_persona():
    device = "media2-encoder-outside-options"
    encoder = _profiles(device)[0].encoder
    assert check_encoder_within_options(encoder, _options(device, "vec2_1")) == [
        "encoder vec2_1 (H265): GovLength 50 outside GovLengthRange 25-25"
    ]


def test_every_dimension_is_checked():
    options = _options("good", "vec2_1")
    encoder = Media2Encoder("v", "H265", 1920, 1080, 30.0, 100, "Main10", 9.0)
    assert check_encoder_within_options(encoder, options) == [
        "encoder v (H265): resolution 1920x1080 not in ResolutionsAvailable [1280x720]",
        "encoder v (H265): frame rate limit 30 not in FrameRatesSupported [25]",
        "encoder v (H265): GovLength 100 outside GovLengthRange 25-25",
        "encoder v (H265): Profile Main10 not in ProfilesSupported ['Main']",
        "encoder v (H265): Quality 9 outside QualityRange 1-5",
    ]
    h264_only = _options("good", "vec2_2")
    assert check_encoder_within_options(encoder, h264_only) == [
        "encoder v (H265): GetVideoEncoderConfigurationOptions offers no H265 options "
        "(offered: H264)"
    ]
