"""Configurations inside their own options (ONVIF-OPT-*), as ONVIF's "PROFILES AND ... CONFIGURATION
OPTIONS CONSISTENCY" device test cases ask: for each media profile, the options of its
configurations, asked with both the configuration's and the profile's token, must hold the
configuration; and, as the "VIDEO ... CONFIGURATIONS AND VIDEO ... CONFIGURATION OPTIONS
CONSISTENCY" cases ask, so must the options of every configuration GetVideoEncoderConfigurations
and GetVideoSourceConfigurations list, asked with the configuration's token alone. The profiles
come from the run's cached GetProfiles and the options are asked in the test's own thread, so the
verdict's transcript holds every exchange it rests on."""

from __future__ import annotations

import pytest

from conformance.checks.options import (
    check_encoder_within_options,
    check_source_within_options,
    encoder_options_view,
    encoder_view,
    source_options_view,
    source_view,
)
from conformance.outcomes import not_applicable

_KINDS = (
    (
        "video encoder",
        "VideoEncoderConfiguration",
        encoder_view,
        encoder_options_view,
        check_encoder_within_options,
    ),
    (
        "video source",
        "VideoSourceConfiguration",
        source_view,
        source_options_view,
        check_source_within_options,
    ),
)
"""(label, the profile's element, its view, the options' view, the check) per configuration
kind; each kind's options operation is ``Get<element>Options``."""


LISTED = (
    (
        "GetVideoEncoderConfigurations",
        "GetVideoEncoderConfigurationOptions",
        encoder_view,
        encoder_options_view,
        check_encoder_within_options,
    ),
    (
        "GetVideoSourceConfigurations",
        "GetVideoSourceConfigurationOptions",
        source_view,
        source_options_view,
        check_source_within_options,
    ),
)
"""The listings whose every configuration is judged against its options (asked with its token
alone): listing, options operation, configuration view, options view, check."""


@pytest.mark.requirement("ONVIF-OPT-MEDIA-01")
def test_media_configurations_within_options(device, evidence):
    if not device.offers("media"):
        not_applicable("GetServices lists no Media (ver10) service")
    problems: list[str] = []
    measured: dict[str, object] = {}
    offered: dict[str, object] = {}
    judged = 0
    for profile in device.profiles():
        token = str(profile.token)
        for kind, element, view, options_view, check in _KINDS:
            configuration = getattr(profile, element, None)
            if configuration is None:
                continue
            config = view(configuration)
            options = options_view(
                device.media(
                    f"Get{element}Options", ConfigurationToken=config["token"], ProfileToken=token
                )
            )
            label = f"profile {token} {kind} {config['token']}"
            measured[label], offered[label] = config, options
            problems += [f"{label}: {p}" for p in check(config, options)]
            judged += 1
    for operation, options_operation, view, options_view, check in LISTED:
        for listed in device.media(operation) or []:
            config = view(listed)
            options = options_view(
                device.media(options_operation, ConfigurationToken=config["token"])
            )
            label = f"{operation} {config['token']}"
            measured[label], offered[label] = config, options
            problems += [f"{label}: {p}" for p in check(config, options)]
            judged += 1
    evidence.measure("configurations", measured)
    evidence.expect("configurations", {"within options": offered})
    if not judged:
        not_applicable("no Media profile has a video encoder or video source configuration")
    assert not problems, "; ".join(problems)
