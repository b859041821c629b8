"""ONVIF Media (ver10): profiles, encoder configurations, URIs and snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.media import (
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
from conformance.discovery import discover
from conformance.dut import with_host
from conformance.outcomes import Blocked, not_claimed


@pytest.mark.requirement("ONVIF-MEDIA-PROF-01")
def test_ready_to_use_profile(device, evidence):
    summary = profile_summary(device.profiles())
    evidence.measure("profiles", summary)
    problems = check_profiles(summary)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-MEDIA-ENC-01")
def test_encoder_configurations_agree(device, evidence):
    profile_vec = EncoderView.of(device.main_profile().VideoEncoderConfiguration)
    listed = encoder_views(device.media("GetVideoEncoderConfigurations"))
    evidence.measure("profile_encoder", profile_vec)
    evidence.measure("listed_encoders", listed)
    problems = check_encoder_listed(profile_vec, listed)
    assert not problems, "; ".join(problems)


def _snapshot_offered(device) -> bool:
    try:
        return discover(device).features["snapshot"].available
    except Exception:  # noqa: BLE001 - undefined counts as supported
        return True


@pytest.mark.requirement("ONVIF-MEDIA-URI-01")
def test_uris_point_at_device(device, evidence):
    host = device.device.host
    stream_uri = device.stream_uri()
    evidence.measure("stream_uri", stream_uri)
    problems = check_uri("stream", stream_uri, host, ("rtsp",))
    if _snapshot_offered(device):
        snap = device.media("GetSnapshotUri", ProfileToken=device.main_profile().token).Uri
        evidence.measure("snapshot_uri", str(snap))
        problems += check_uri("snapshot", str(snap), host, ("http", "https"))
    evidence.expect("host", host)
    assert not problems, "; ".join(problems)


def live_snapshot(device, params):
    """One snapshot taken during a live capture, shared by SNAP-01 and SNAP-02 (cached)."""
    from conformance.clients.snapshot import snapshot_during_capture

    def take():
        profile = device.main_profile()
        uri = str(device.media("GetSnapshotUri", ProfileToken=profile.token).Uri)
        stream_url = device.stream_url()
        with device.stream_slot:  # one session at a time (DeviceUnderTest.stream_slot)
            return snapshot_during_capture(
                with_host(uri, device.device.host),
                stream_url,
                device.device.username,
                device.device.password,
                window_s=float(params.get("live_window_s", 3.0)),
                snapshot_at_s=float(params.get("snapshot_at_s", 1.0)),
                timeout=device.timeout,
            )

    return device.cached("snapshot:live", take)


def _record_snapshot(evidence, live) -> Any:
    """Evidence of the snapshot itself; returns the decoded picture (None if not a JPEG)."""
    snap = live.snapshot
    picture = live.picture()  # decoded once for both checks
    evidence.exercised("HTTP GET")  # of the snapshot URI
    evidence.measure("http_status", snap.status)
    evidence.measure("content_type", snap.content_type)
    evidence.measure("bytes", len(snap.body))
    evidence.measure("size", f"{picture.width}x{picture.height}" if picture is not None else None)
    if picture is not None:
        evidence.attach_jpeg("snapshot", snap.body)
    return picture


@pytest.mark.requirement("ONVIF-MEDIA-SNAP-01")
def test_snapshot_is_live_jpeg(device, evidence, params):
    from conformance.clients.snapshot import live_thumbnails, mean_abs_diff

    live = live_snapshot(device, params)
    picture = _record_snapshot(evidence, live)
    problems = check_snapshot(live.snapshot.status, picture is not None)
    assert not problems, "; ".join(problems)
    if live.capture is not None:
        evidence.attach_exchanges("rtsp-live-transcript", live.capture.exchanges)
    thumbs = live_thumbnails(live.capture) if live.capture is not None else []
    evidence.measure("live_transport", live.transport or None)
    evidence.measure("snapshot_taken_after_s", live.taken_after_s)
    evidence.measure("live_frames_compared", len(thumbs))
    if not thumbs:
        why = "; ".join(live.errors) or "the capture decoded to no frame"
        raise Blocked("STREAM-RTSP-UDP-01", f"no live frame to compare the snapshot with ({why})")
    distances = [mean_abs_diff(picture.thumbnail, t) for t in thumbs]
    evidence.measure("closest_live_mad", round(min(distances), 2))
    evidence.expect("max_live_mad", params["max_live_mad"])
    problems = check_live(distances, params["max_live_mad"])
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-MEDIA-SNAP-02")
def test_snapshot_has_profile_resolution(device, evidence, params):
    if not _snapshot_offered(device):
        not_claimed("Media capabilities do not offer snapshots (SnapshotUri is not true)")
    vec = EncoderView.of(device.main_profile().VideoEncoderConfiguration)
    live = live_snapshot(device, params)
    picture = _record_snapshot(evidence, live)
    if picture is None:
        raise Blocked(
            "ONVIF-MEDIA-SNAP-01",
            f"the snapshot is not a decodable JPEG (HTTP {live.snapshot.status})",
        )
    evidence.expect("size", f"{vec.width}x{vec.height}")
    evidence.expect("content_type", "image/jpeg")
    problems = check_snapshot_format(
        live.snapshot.content_type, (picture.width, picture.height), (vec.width, vec.height)
    )
    assert not problems, "; ".join(problems)
