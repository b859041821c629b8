"""Media2 (ver20) configurations within their options (ONVIF-OPT-MEDIA2-01) and Media2 profiles
agreeing with the configuration listings, source modes and encoder instances
(ONVIF-CONS-MEDIA2-01), as ONVIF's Media2 Configuration device test cases walk them. Every
request is made in the test's own thread (no cached answers), so the verdict's transcript holds
every exchange it rests on."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.media2 import Media2Encoder, Media2Options, check_encoder_within_options
from conformance.checks.media2_config import (
    check_encoder_instances,
    check_encoder_options,
    check_profiles_agree_with_listing,
    check_source_configurations,
    check_source_modes,
    check_source_options,
    configuration_view,
    encoder_instances_view,
    encoder_options_ranges,
    source_mode_view,
    source_options_full_view,
)
from conformance.checks.options import check_source_within_options
from conformance.suites.media2.media2_helpers import require_media2


def _configurations(profile: Any, kind: str) -> Any:
    configurations = getattr(profile, "Configurations", None)
    return getattr(configurations, kind, None) if configurations is not None else None


def _source_options(device: Any, **tokens: str) -> dict[str, Any]:
    return source_options_full_view(
        device.call("media2", "GetVideoSourceConfigurationOptions", **tokens)
    )


@pytest.mark.requirement("ONVIF-OPT-MEDIA2-01")
def test_media2_configurations_within_options(device, evidence):
    require_media2(device)
    problems: list[str] = []
    measured: dict[str, Any] = {}
    # Video source configurations, their generic and their own options (MEDIA2-2-2-1..3)
    listed = [configuration_view(c) for c in device.call("media2", "GetVideoSourceConfigurations")]
    measured["video source configurations"] = listed
    problems += check_source_configurations(listed)
    generic = _source_options(device)
    measured["video source options (no token)"] = generic
    problems += [f"generic video source options: {p}" for p in check_source_options(generic)]
    for source in listed:
        options = _source_options(device, ConfigurationToken=source["token"])
        label = f"video source configuration {source['token']}"
        measured[f"{label} options"] = options
        problems += [f"{label} options: {p}" for p in check_source_options(options)]
        problems += [f"{label}: {p}" for p in check_source_within_options(source, options)]
    # Each profile's video source configuration within the options for that profile (2-2-7)
    for profile in device.call("media2", "GetProfiles", Type=["All"]):
        source = _configurations(profile, "VideoSource")
        if source is None:
            continue
        view = configuration_view(source)
        options = _source_options(
            device, ConfigurationToken=view["token"], ProfileToken=profile.token
        )
        label = f"profile {profile.token} video source {view['token']}"
        measured[label] = {"configuration": view, "options": options}
        problems += [f"{label}: {p}" for p in check_source_within_options(view, options)]
    # Video encoder configurations within their options (MEDIA2-2-3-2, MEDIA2-2-3-5)
    encoders = list(device.call("media2", "GetVideoEncoderConfigurations"))
    if not encoders:
        problems.append("GetVideoEncoderConfigurations listed no video encoder configuration")
    for vec in encoders:
        encoder = Media2Encoder.of(vec)
        reply = list(
            device.call(
                "media2", "GetVideoEncoderConfigurationOptions", ConfigurationToken=encoder.token
            )
        )
        ranges = [encoder_options_ranges(o) for o in reply]
        measured[f"video encoder {encoder.token}"] = {
            "configuration": encoder.to_dict(),
            "options": ranges,
        }
        label = f"video encoder configuration {encoder.token} options"
        problems += [f"{label}: {p}" for p in check_encoder_options(ranges, encoder.encoding)]
        problems += check_encoder_within_options(encoder, [Media2Options.of(o) for o in reply])
    evidence.measure("configurations and options", measured)
    evidence.expect("configurations", "within the options the device gives for them")
    assert not problems, "; ".join(problems)


def _source_modes_offered(device: Any, evidence: Any) -> bool:
    """Media2 capability VideoSourceMode (absent means false): only then are modes asked."""
    offered = getattr(device.call("media2", "GetServiceCapabilities"), "VideoSourceMode", None)
    evidence.measure("VideoSourceMode capability", offered)
    return bool(offered)


def _metadata_listing(device: Any, evidence: Any) -> list[dict[str, Any]] | None:
    """GetMetadataConfigurations as views; None where the device answers
    env:Receiver/ter:ActionNotSupported (ONVIF Core 5.1.2: an operation it does not implement)."""
    from conformance.checks.device import Refusal
    from conformance.checks.faults import is_not_implemented
    from conformance.clients.onvif import OnvifFault

    try:
        reply = device.call("media2", "GetMetadataConfigurations")
    except OnvifFault as fault:
        refusal = Refusal("fault", code=fault.code, subcodes=tuple(fault.subcodes))
        if not is_not_implemented(refusal):
            raise
        evidence.note("GetMetadataConfigurations is not implemented (ter:ActionNotSupported)")
        return None
    return [configuration_view(c) for c in reply]


@pytest.mark.requirement("ONVIF-CONS-MEDIA2-01")
def test_media2_profiles_agree_with_listings(device, evidence):
    require_media2(device)
    problems: list[str] = []
    profiles = list(device.call("media2", "GetProfiles", Type=["All"]))
    sources = [configuration_view(c) for c in device.call("media2", "GetVideoSourceConfigurations")]
    metadata = _metadata_listing(device, evidence)
    evidence.measure("video source configurations", sources)
    evidence.measure("metadata configurations", metadata)
    for kind, listed, element in (
        ("video source", sources, "VideoSource"),
        ("metadata", metadata, "Metadata"),
    ):
        held = {
            str(p.token): configuration_view(c)
            for p in profiles
            if (c := _configurations(p, element)) is not None
        }
        evidence.measure(f"profiles' {kind} configurations", held)
        if listed is None:  # GetMetadataConfigurations not implemented
            problems += [
                f"profile {p} holds metadata configuration {v['token']}, but "
                "GetMetadataConfigurations is not implemented"
                for p, v in held.items()
            ]
        elif kind == "video source" or held or listed:  # a device may have no metadata at all
            problems += check_profiles_agree_with_listing(kind, held, listed)
    for source in sources:  # encoder instances per video source configuration (MEDIA2-5-1-2)
        info = encoder_instances_view(
            device.call("media2", "GetVideoEncoderInstances", ConfigurationToken=source["token"])
        )
        evidence.measure(f"encoder instances {source['token']}", info)
        problems += check_encoder_instances(source["token"], info)
    if _source_modes_offered(device, evidence):  # video source modes (MEDIA2-2-4-1)
        for token in dict.fromkeys(s["SourceToken"] for s in sources if s.get("SourceToken")):
            modes = [
                source_mode_view(m)
                for m in device.call("media2", "GetVideoSourceModes", VideoSourceToken=token)
            ]
            evidence.measure(f"video source modes {token}", modes)
            problems += check_source_modes(token, modes)
    else:
        evidence.note("VideoSourceMode capability absent or false: GetVideoSourceModes not asked")
    evidence.expect("profiles and listings", "the same configurations, alike in every field")
    assert not problems, "; ".join(problems)
