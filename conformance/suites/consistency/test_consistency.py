"""Media (ver10) views of one state agree (ONVIF-CONS-MEDIA-*), as ONVIF's Media Configuration
"... CONSISTENCY" and "USE COUNT (CURRENT STATE)" device test cases ask. The profiles come from
the run's cached GetProfiles; everything else is asked in the test's own thread, so the
verdict's transcript holds every exchange it rests on."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.consistency import (
    ConfigurationViews,
    check_configuration_views,
    check_guaranteed_instances,
    check_profile_copies,
    check_profile_gets,
    check_source_tokens,
    guaranteed_view,
    plain,
)
from conformance.checks.options import ENCODINGS, encoder_options_view
from conformance.outcomes import not_applicable

KINDS = (
    ("video source", "VideoSourceConfiguration"),
    ("video encoder", "VideoEncoderConfiguration"),
)
"""Each configuration kind judged, with its element name in a profile."""


def _require_media(device) -> None:
    if not device.offers("media"):
        not_applicable("GetServices lists no Media (ver10) service")


def _views(device, kind: str, element: str, profiles: list[Any]) -> ConfigurationViews:
    """Every view of one configuration kind: in the profiles, listed, and got one by one."""
    in_profiles = {
        str(p.token): plain(getattr(p, element))
        for p in profiles
        if getattr(p, element, None) is not None
    }
    listed = {str(c.token): plain(c) for c in device.media(f"Get{element}s") or []}
    single = {
        token: plain(device.media(f"Get{element}", ConfigurationToken=token)) for token in listed
    }
    return ConfigurationViews(kind, in_profiles, listed, single)


def _ptz_copies(device, profiles: list[Any], measured: dict[str, object]) -> list[str]:
    """The profiles' PTZ configurations against the PTZ service's GetConfigurations, where the
    device offers PTZ and a profile holds one (PTZ is optional: nothing to judge otherwise)."""
    in_profiles = {
        str(p.token): plain(p.PTZConfiguration)
        for p in profiles
        if getattr(p, "PTZConfiguration", None) is not None
    }
    if not in_profiles or not device.offers("ptz"):
        return []
    listed = {str(c.token): plain(c) for c in device.call("ptz", "GetConfigurations") or []}
    measured["PTZ configurations"] = {"profiles": sorted(in_profiles), "listed": sorted(listed)}
    return check_profile_copies("PTZ", "PTZ GetConfigurations", in_profiles, listed)


@pytest.mark.requirement("ONVIF-CONS-MEDIA-01")
def test_media_configuration_views_agree(device, evidence):
    _require_media(device)
    profiles = device.profiles()
    listed = {str(p.token): plain(p) for p in profiles}
    single = {token: plain(device.media("GetProfile", ProfileToken=token)) for token in listed}
    problems = check_profile_gets(listed, single)
    measured: dict[str, object] = {"profiles": sorted(listed)}
    sources: dict[str, str] = {}
    for kind, element in KINDS:
        views = _views(device, kind, element, profiles)
        problems += check_configuration_views(views)
        measured[kind] = {
            token: {"UseCount": view.get("UseCount"), "profiles using": sorted(
                p for p, c in views.in_profiles.items() if c.get("token") == token
            )}
            for token, view in views.listed.items()
        }  # fmt: skip
        if kind == "video source":
            sources = {t: str(v.get("SourceToken", "")) for t, v in views.listed.items()}
    video_sources = [str(s.token) for s in device.media("GetVideoSources") or []]
    problems += check_source_tokens(sources, video_sources)
    measured["video sources"] = video_sources
    problems += _ptz_copies(device, profiles, measured)
    evidence.measure("views", measured)
    evidence.expect(
        "views",
        "GetProfile = GetProfiles entry; listings hold the profiles' configurations; single "
        "gets = listing; SourceToken among GetVideoSources; UseCount = profiles using it",
    )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("ONVIF-CONS-MEDIA-02")
def test_guaranteed_encoder_instances(device, evidence):
    _require_media(device)
    guaranteed = {
        str(c.token): guaranteed_view(
            device.media("GetGuaranteedNumberOfVideoEncoderInstances", ConfigurationToken=c.token)
        )
        for c in device.media("GetVideoSourceConfigurations") or []
    }
    offered: set[str] = set()
    for configuration in device.media("GetVideoEncoderConfigurations") or []:
        options = encoder_options_view(
            device.media(
                "GetVideoEncoderConfigurationOptions", ConfigurationToken=configuration.token
            )
        )
        offered |= {encoding for encoding in ENCODINGS if encoding in options}
    evidence.measure("guaranteed", guaranteed)
    evidence.expect(
        "guaranteed",
        {"TotalNumber": ">= 1", "encodings with instances within": sorted(offered)},
    )
    if not guaranteed:
        not_applicable("GetVideoSourceConfigurations lists no video source configuration")
    problems = check_guaranteed_instances(guaranteed, offered)
    assert not problems, "; ".join(problems)
