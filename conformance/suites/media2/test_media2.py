"""ONVIF Media2 (ver20): ready-to-use profiles, stream and snapshot URIs, encoder options."""

from __future__ import annotations

import pytest

from conformance.checks.media2 import (
    Media2Options,
    check_encoder_within_options,
    check_media2_profiles,
    check_media2_uris,
    check_ready_profile_streams,
    check_snapshot_served,
    ready_profile,
)
from conformance.dut import with_host
from conformance.suites.media2.media2_helpers import (
    probe_stream,
    profiles,
    require_media2,
    stream_uri,
    usable_url,
    video,
)


@pytest.mark.requirement("MEDIA2-PROF-01")
def test_ready_to_use_media2_profile(device, evidence, params):
    from conformance.clients.rtsp import RtspError

    require_media2(device)
    found = profiles(device)
    evidence.measure("profiles", [p.to_dict() for p in found])
    evidence.expect("ready_profile", "VideoSource + VideoEncoder (H264 or H265) that streams")
    problems = check_media2_profiles(found)
    assert not problems, "; ".join(problems)
    ready = ready_profile(found)
    assert ready is not None
    sources = [str(c.token) for c in device.call("media2", "GetVideoSourceConfigurations")]
    encoders = [str(c.token) for c in device.call("media2", "GetVideoEncoderConfigurations")]
    url = usable_url(device, stream_uri(device, ready.token), evidence)
    frames, error = 0, None
    try:
        capture, stats = probe_stream(device, url, params["capture_seconds"])
    except RtspError as exc:
        error = str(exc)
        evidence.attach_exchanges("rtsp-transcript", getattr(exc, "exchanges", []))
    else:
        frames = stats.decoded_frames
        evidence.attach_exchanges("rtsp-transcript", capture.exchanges)
    evidence.measure(
        "ready_profile",
        {"token": ready.token, "listed_sources": sources, "listed_encoders": encoders,
         "decoded_frames": frames, "error": error},
    )  # fmt: skip
    problems = check_ready_profile_streams(ready, sources, encoders, frames, error)
    assert not problems, "; ".join(problems)


def _snapshot_offered(device) -> bool:
    """Media2 GetServiceCapabilities SnapshotUri; an undefined answer counts as offered."""
    try:
        caps = device.call("media2", "GetServiceCapabilities")
    except Exception:  # noqa: BLE001 - undefined counts as supported (feature discovery policy)
        return True
    return getattr(caps, "SnapshotUri", None) is not False


@pytest.mark.requirement("MEDIA2-URI-01")
def test_media2_uris_point_at_device(device, evidence):
    from conformance.clients.snapshot import fetch_snapshot, jpeg_size

    require_media2(device)
    host = device.device.host
    tokens = [p.token for p in video(device)]
    streams = {token: stream_uri(device, token) for token in tokens}
    snapshots: dict[str, str] = {}
    offered = _snapshot_offered(device)
    evidence.measure("snapshot_capability", offered)
    if offered:
        for token in tokens:
            snapshots[token] = str(device.call("media2", "GetSnapshotUri", ProfileToken=token))
    evidence.measure("stream_uris", streams)
    evidence.measure("snapshot_uris", snapshots)
    evidence.expect("host", host)
    problems = check_media2_uris(streams, snapshots, host)
    for token, uri in list(snapshots.items())[:1]:  # one GET: every profile shares the sensor
        snap = fetch_snapshot(
            with_host(uri, host), device.device.username, device.device.password,
            timeout=device.timeout,
        )  # fmt: skip
        evidence.exercised("HTTP GET")  # of the snapshot URI
        size = jpeg_size(snap.body) if snap.status == 200 else None
        evidence.measure(
            "snapshot",
            {"profile": token, "status": snap.status, "type": snap.content_type,
             "bytes": len(snap.body)},
        )  # fmt: skip
        if size:
            evidence.attach_jpeg("snapshot", snap.body)
        problems += check_snapshot_served(token, snap.status, snap.content_type, bool(size))
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("MEDIA2-ENC-01")
def test_encoders_within_their_options(device, evidence):
    require_media2(device)
    problems: list[str] = []
    found = video(device)
    assert found, "no Media2 profile has a VideoEncoder configuration"
    for profile in found:
        encoder = profile.encoder
        assert encoder is not None
        reply = device.call(
            "media2",
            "GetVideoEncoderConfigurationOptions",
            ConfigurationToken=encoder.token,
            ProfileToken=profile.token,
        )
        options = [Media2Options.of(o) for o in reply]
        evidence.measure(f"encoder:{profile.token}", encoder.to_dict())
        evidence.measure(f"options:{profile.token}", [o.to_dict() for o in options])
        problems += check_encoder_within_options(encoder, options)
    assert not problems, "; ".join(problems)
