"""ONVIF Media (ver10): profiles, encoder configurations, URIs and snapshots."""

from __future__ import annotations

import pytest

from conformance.checks.media import (
    EncoderView,
    check_encoder_listed,
    check_profiles,
    check_snapshot,
    check_uri,
    encoder_views,
    profile_summary,
)
from conformance.discovery import discover
from conformance.dut import with_host


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


@pytest.mark.requirement("ONVIF-MEDIA-SNAP-01")
def test_snapshot_is_jpeg_of_configured_size(device, evidence):
    from conformance.clients.snapshot import decode_jpeg, fetch_snapshot

    profile = device.main_profile()
    vec = EncoderView.of(profile.VideoEncoderConfiguration)
    uri = str(device.media("GetSnapshotUri", ProfileToken=profile.token).Uri)
    url = with_host(uri, device.device.host)
    snap = fetch_snapshot(
        url, device.device.username, device.device.password, timeout=device.timeout
    )
    decoded = decode_jpeg(snap.body) if snap.status == 200 else None
    size = decoded[0] if decoded else None
    evidence.measure("http_status", snap.status)
    evidence.measure("content_type", snap.content_type)
    evidence.measure("bytes", len(snap.body))
    evidence.measure("size", f"{size[0]}x{size[1]}" if size else None)
    evidence.expect("size", f"{vec.width}x{vec.height}")
    if decoded:
        evidence.attach_png("snapshot", decoded[1])
    problems = check_snapshot(snap.status, snap.content_type, size, (vec.width, vec.height))
    assert not problems, "; ".join(problems)
