"""Media checks judged on recorded replies of the known-good camera and the media personas."""

from __future__ import annotations

from zeep_replay import DEVICE_HOST, json_fixture, replay

from conformance.checks.media import (
    MAX_URI_OCTETS,
    EncoderView,
    check_encoder_listed,
    check_live,
    check_profiles,
    check_snapshot,
    check_snapshot_format,
    check_uri,
    encoder_views,
    profile_summary,
)


def _main_encoder(device: str) -> EncoderView:
    """The first profile's encoder that exists (what ``DeviceUnderTest.main_profile`` picks)."""
    for profile in replay(device, "GetProfiles"):
        if getattr(profile, "VideoEncoderConfiguration", None) is not None:
            return EncoderView.of(profile.VideoEncoderConfiguration)
    raise AssertionError(f"{device}: no profile with an encoder")


# -- profiles -----------------------------------------------------------------------------------


def test_profiles_good():
    summary = profile_summary(replay("good", "GetProfiles"))
    assert [(p["has_vsc"], p["encoding"]) for p in summary] == [(True, "H264")]
    assert check_profiles(summary) == []


def test_profiles_without_vsc_persona():
    summary = profile_summary(replay("profiles-without-vsc", "GetProfiles"))
    token = summary[0]["token"]
    assert check_profiles(summary) == [
        "no profile has both a VideoSourceConfiguration and an H.264 encoder "
        f"({token}: video source missing, encoder H264)"
    ]


def test_no_profiles():
    assert check_profiles(profile_summary([])) == ["GetProfiles returned no profile"]


# -- encoder configurations ---------------------------------------------------------------------


def test_encoder_view_of_recorded_configuration():
    view = _main_encoder("good")
    assert view.to_dict() == {
        "token": view.token,
        "encoding": "H264",
        "resolution": "1280x720",
        "fps": 25.0,
    }


def test_encoders_agree_good():
    listed = encoder_views(replay("good", "GetVideoEncoderConfigurations"))
    assert check_encoder_listed(_main_encoder("good"), listed) == []


def test_encoder_list_mismatch_persona():
    device = "encoder-list-mismatch"
    profile_vec = _main_encoder(device)
    listed = encoder_views(replay(device, "GetVideoEncoderConfigurations"))
    assert check_encoder_listed(profile_vec, listed) == [
        f"encoder {profile_vec.token} disagrees: "
        "resolution: profile 1280x720, GetVideoEncoderConfigurations 640x360"
    ]


def test_encoder_not_listed():
    """A profile encoder missing from the list (recorded good profile, empty recorded list)."""
    profile_vec = _main_encoder("good")
    assert check_encoder_listed(profile_vec, []) == [
        f"encoder {profile_vec.token} of the profile is not returned by "
        "GetVideoEncoderConfigurations"
    ]


# -- URIs ---------------------------------------------------------------------------------------


def test_uris_good():
    stream = str(replay("good", "GetStreamUri").Uri)
    snapshot = str(replay("good", "GetSnapshotUri").Uri)
    assert stream.startswith("rtsp://127.0.0.1:8554/")
    assert check_uri("stream", stream, DEVICE_HOST, ("rtsp",)) == []
    assert check_uri("snapshot", snapshot, DEVICE_HOST, ("http", "https")) == []


def test_uris_foreign_host_persona():
    stream = str(replay("foreign-stream-uri", "GetStreamUri").Uri)
    snapshot = str(replay("foreign-stream-uri", "GetSnapshotUri").Uri)
    assert check_uri("stream", stream, DEVICE_HOST, ("rtsp",)) == [
        "stream URI host 127.0.1.1 is not the device's host 127.0.0.1"
    ]
    assert check_uri("snapshot", snapshot, DEVICE_HOST, ("http", "https")) == [
        "snapshot URI host 127.0.1.1 is not the device's host 127.0.0.1"
    ]


def test_uri_wrong_scheme_and_too_long():
    """The recorded stream URI offered as a snapshot URI, and padded past the 128-octet limit."""
    stream = str(replay("good", "GetStreamUri").Uri)
    long_uri = stream + "?" + "x" * MAX_URI_OCTETS
    problems = check_uri("snapshot", long_uri, DEVICE_HOST, ("http", "https"))
    assert problems == [
        "snapshot URI scheme 'rtsp', expected http or https",
        f"snapshot URI is {len(long_uri)} octets; the limit is {MAX_URI_OCTETS}",
    ]


# -- snapshots ----------------------------------------------------------------------------------


def _snapshot_problems(device: str) -> list[str]:
    """SNAP-01's body check and SNAP-02's format check on a recorded snapshot."""
    snap = json_fixture("onvif", device, "snapshot.json")
    vec = _main_encoder(device)
    size = tuple(snap["size"]) if snap["size"] else None
    return check_snapshot(snap["http_status"], size is not None) + check_snapshot_format(
        snap["content_type"], size, (vec.width, vec.height)
    )


def test_snapshot_good():
    assert _snapshot_problems("good") == []


def test_snapshot_wrong_size_persona_breaks_only_the_should():
    snap = json_fixture("onvif", "snapshot-wrong-size", "snapshot.json")
    assert check_snapshot(snap["http_status"], True) == []  # SNAP-01 holds
    assert _snapshot_problems("snapshot-wrong-size") == [
        "snapshot is 320x180, the encoder is 1280x720"
    ]


def test_snapshot_placeholder_persona_is_a_valid_jpeg():
    """The placeholder is a well-formed JPEG of the right size: only the live check sees it."""
    assert _snapshot_problems("placeholder-snapshot") == []


def test_snapshot_refused_or_not_jpeg():
    assert check_snapshot(401, False) == ["snapshot GET answered HTTP 401"]
    assert check_snapshot(200, False) == [
        "the body is not a decodable JPEG (no SOI marker, or FFmpeg cannot decode it)"
    ]
    assert check_snapshot_format("text/html", None, (1280, 720)) == [
        "Content-Type is 'text/html', expected image/jpeg"
    ]


# -- the live picture (ONVIF-MEDIA-SNAP-01) ---------------------------------------------------


def _thumb_of_jpeg(data: bytes):
    from conformance.clients.snapshot import decode_jpeg_frame, thumbnail

    frame = decode_jpeg_frame(data)
    assert frame is not None
    return thumbnail(frame)


def _live_thumbs(around: int, width: int = 640, height: int = 360) -> list:
    """Thumbnails of the simulator's picture a few frames either side of ``around``, through an
    H.264 encode and decode as a live stream carries them."""
    from fractions import Fraction

    import av

    from conformance.clients.snapshot import thumbnail
    from fake_vms.media.synth import render_frame

    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
    encoder.time_base = Fraction(1, 25)
    encoder.options = {"preset": "ultrafast", "tune": "zerolatency"}
    decoder = av.CodecContext.create("h264", "r")
    thumbs = []
    for index, number in enumerate(range(around - 5, around + 6)):
        frame = render_frame(number, width, height)
        frame.pts = index
        for packet in encoder.encode(frame):
            thumbs += [thumbnail(f) for f in decoder.decode(packet)]
    for packet in encoder.encode(None):
        thumbs += [thumbnail(f) for f in decoder.decode(packet)]
    return thumbs


def test_live_snapshot_matches_and_placeholder_does_not():
    """The threshold separates the simulator's live snapshot (other size, JPEG vs H.264) from
    its placeholder file by a wide margin, both ways."""
    from conformance.clients.snapshot import mean_abs_diff
    from fake_vms.media.snapshot import placeholder_jpeg, render_jpeg

    limit = 24.0
    live = _live_thumbs(1000)
    assert len(live) == 11
    snapshot = _thumb_of_jpeg(render_jpeg(1000, 1280, 720))
    good = [mean_abs_diff(snapshot, t) for t in live]
    assert check_live(good, limit) == []
    assert min(good) < limit / 4
    placeholder = _thumb_of_jpeg(placeholder_jpeg(1280, 720))
    bad = [mean_abs_diff(placeholder, t) for t in live]
    assert min(bad) > 2 * limit
    problems = check_live(bad, limit)
    assert len(problems) == 1 and "is not the live picture" in problems[0]


def test_live_check_never_passes_on_nothing():
    assert check_live([], 24.0) == ["no live frame was decoded to compare the snapshot with"]


# -- what discovery reads (the hidden-snapshot persona breaks ONVIF-DISC-CLAIMS-01) --------------


def test_snapshot_capability_recorded():
    assert replay("good", "GetServiceCapabilities").SnapshotUri is True
    assert replay("hidden-snapshot", "GetServiceCapabilities").SnapshotUri is False
