"""Audio configurations of Media (ver10) and Media2 (ONVIF-AUDIO-*), as ONVIF's audio "...
CONSISTENCY" device test cases ask: every way the device reports an audio configuration (its
listing, alone, inside the profiles that use it, against its options) must be one configuration.
Audio is a conditional feature (Profiles S and T): a device that reports no audio source, output
or configuration is not applicable. Every request is made in the test's own thread, so the
verdict's transcript holds every exchange it rests on."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.answers import answer_of
from conformance.checks.audio import (
    check_decoder_options,
    check_physical_tokens,
    check_use_counts,
    check_views_agree,
    check_within_options,
    configuration_view,
    options_view,
)
from conformance.checks.faults import Probe, check_invalid_tokens, invalid_token
from conformance.outcomes import not_applicable
from conformance.suites.audio.audio_views import OPERATION_KIND, as_list, listing_or_none

MEDIA1_IN_PROFILE = {
    "source": ("AudioSourceConfiguration", False),
    "encoder": ("AudioEncoderConfiguration", False),
    "output": ("AudioOutputConfiguration", True),
    "decoder": ("AudioDecoderConfiguration", True),
}
"""Where a Media (ver10) profile holds each kind: its element and whether in tt:Extension."""
MEDIA1_OPTIONS = ("source", "encoder", "output")
"""Kinds whose Media (ver10) options the cited test cases compare with the configurations."""


def _media1_copy(profile: Any, kind: str) -> Any:
    name, in_extension = MEDIA1_IN_PROFILE[kind]
    holder = getattr(profile, "Extension", None) if in_extension else profile
    return getattr(holder, name, None) if holder is not None else None


def _holders(copies: list[tuple[str, dict[str, Any] | None]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _label, view in copies:
        if view is not None:
            counts[view["token"]] = counts.get(view["token"], 0) + 1
    return counts


@pytest.mark.requirement("ONVIF-AUDIO-CONS-01")
def test_media1_audio_configurations_agree(device, evidence):
    if not device.offers("media"):
        not_applicable("GetServices lists no Media (ver10) service")
    profiles = as_list(device.media("GetProfiles"))
    inputs = listing_or_none(lambda: device.media("GetAudioSources"))
    outputs = listing_or_none(lambda: device.media("GetAudioOutputs"))
    physical = {
        "source": None if inputs is None else [str(s.token) for s in inputs],
        "output": None if outputs is None else [str(o.token) for o in outputs],
    }
    problems: list[str] = []
    measured: dict[str, Any] = {
        "audio sources": physical["source"],
        "audio outputs": physical["output"],
    }
    judged = []
    for kind in ("source", "encoder", "output", "decoder"):
        name = OPERATION_KIND[kind]
        listed = listing_or_none(lambda n=name: device.media(f"Get{n}Configurations"))
        if not listed:
            continue
        judged.append(kind)
        views = [configuration_view(kind, c) for c in listed]
        singles: list[tuple[str, dict[str, Any] | None]] = [
            (
                f"Get{name}Configuration({v['token']})",
                configuration_view(
                    kind,
                    device.media(f"Get{name}Configuration", ConfigurationToken=v["token"]),
                ),
            )
            for v in views
        ]
        held = [
            (str(p.token), configuration_view(kind, c))
            for p in profiles
            if (c := _media1_copy(p, kind)) is not None
        ]
        copies: list[tuple[str, dict[str, Any] | None]] = [
            (f"profile {token} {kind}", view) for token, view in held
        ]
        measured[f"audio {kind} configurations"] = views
        problems += check_views_agree(kind, views, singles + copies)
        problems += [f"audio {kind} {p}" for p in check_use_counts(views, _holders(copies))]
        if kind in physical:
            problems += check_physical_tokens(kind, views, physical[kind])
        if kind not in MEDIA1_OPTIONS:
            continue
        asked = [(v, {"ConfigurationToken": v["token"]}) for v in views]
        asked += [(view, {"ProfileToken": token}) for token, view in held]
        for view, params in asked:
            options = options_view(kind, device.media(f"Get{name}ConfigurationOptions", **params))
            where = ", ".join(f"{k}={v}" for k, v in params.items())
            measured[f"Get{name}ConfigurationOptions({where})"] = options
            problems += [
                f"Get{name}ConfigurationOptions({where}): {p}"
                for p in check_within_options(kind, view, options)
            ]
    evidence.measure("audio", measured)
    evidence.expect("audio", "every view of each audio configuration is the listed one")
    if not judged:
        not_applicable("the device reports no audio configuration (audio is conditional)")
    assert not problems, "; ".join(problems)


def _media2_copy(profile: Any, kind: str) -> Any:
    """tr2:ConfigurationSet names each kind as the operations do (AudioSource ...)."""
    configurations = getattr(profile, "Configurations", None)
    if configurations is None:
        return None
    return getattr(configurations, OPERATION_KIND[kind], None)


@pytest.mark.requirement("ONVIF-AUDIO-CONS-02")
def test_media2_audio_configurations_agree(device, evidence):
    if not device.offers("media2"):
        not_applicable("GetServices lists no Media2 service")
    profiles = listing_or_none(lambda: device.call("media2", "GetProfiles", Type=["All"]))
    if profiles is None:  # MEDIA2-PROF-01's finding; the configurations are still judged
        evidence.note("Media2 GetProfiles is not implemented: no profile's copies compared")
    problems: list[str] = []
    measured: dict[str, Any] = {}
    judged = []
    for kind in ("source", "encoder", "output", "decoder"):
        name = OPERATION_KIND[kind]
        listed = listing_or_none(lambda n=name: device.call("media2", f"Get{n}Configurations"))
        if not listed:
            continue
        judged.append(kind)
        views = [configuration_view(kind, c, use_count=False) for c in listed]
        filtered: list[tuple[str, dict[str, Any] | None]] = []
        for view in views:
            reply = as_list(
                device.call("media2", f"Get{name}Configurations", ConfigurationToken=view["token"])
            )
            label = f"Get{name}Configurations(ConfigurationToken={view['token']})"
            tokens = [str(c.token) for c in reply]
            if tokens != [view["token"]]:
                problems.append(f"{label}: returned {tokens or 'nothing'}, not that one")
            chosen = [
                configuration_view(kind, c, use_count=False)
                for c in reply
                if str(c.token) == view["token"]
            ]
            filtered.append((label, chosen[0] if chosen else None))
        copies = [
            (f"profile {p.token} {kind}", configuration_view(kind, c, use_count=False))
            for p in profiles or []
            if (c := _media2_copy(p, kind)) is not None
        ]
        measured[f"audio {kind} configurations"] = views
        problems += check_views_agree(kind, views, filtered + copies)
        for view in views:
            options = options_view(
                kind,
                device.call(
                    "media2", f"Get{name}ConfigurationOptions", ConfigurationToken=view["token"]
                ),
            )
            label = f"Get{name}ConfigurationOptions({view['token']})"
            measured[label] = options
            found = (
                check_decoder_options(view["token"], options)
                if kind == "decoder"
                else check_within_options(kind, view, options)
            )
            problems += [f"{label}: {p}" for p in found]
    evidence.measure("audio", measured)
    evidence.expect("audio", "every view of each audio configuration is the listed one")
    if not judged:
        not_applicable("the device reports no Media2 audio configuration (audio is conditional)")
    assert not problems, "; ".join(problems)


def _unknown(known: set[str]) -> str:
    """A token the device never issued, checked against every token it did report."""
    token = invalid_token()
    while token in known:  # pragma: no cover - a random 64-bit suffix does not collide
        token = invalid_token()
    return token


def _tokens(items: list[Any] | None) -> set[str]:
    return {str(getattr(item, "token", "")) for item in items or []}


@pytest.mark.requirement("ONVIF-AUDIO-FAULT-01")
def test_audio_unknown_tokens_fault(device, evidence):
    asked: list[tuple[Probe, Any]] = []
    absent = []
    if device.offers("media"):
        profiles = _tokens(as_list(device.media("GetProfiles")))
        listings = {
            kind: listing_or_none(
                lambda n=OPERATION_KIND[kind]: device.media(f"Get{n}Configurations")
            )
            for kind in ("source", "encoder", "output", "decoder")
        }
        known = profiles.union(*(_tokens(v) for v in listings.values()))
        token = evidence.measure("unknown token", _unknown(known))
        for kind, listed in listings.items():
            if not listed:
                continue
            name = OPERATION_KIND[kind]
            single = Probe("Media", "media", f"Get{name}Configuration", ("NoConfig",))
            asked.append((single, {"ConfigurationToken": token}))
            if kind == "source":
                options = f"Get{name}ConfigurationOptions"
                valid = str(listed[0].token)
                asked.append(
                    (Probe("Media", "media", options, ("NoConfig",)), {"ConfigurationToken": token})
                )
                asked.append(
                    (
                        Probe("Media (unknown ProfileToken)", "media", options, ("NoProfile",)),
                        {"ConfigurationToken": valid, "ProfileToken": token},
                    )
                )
        if not any(listings.values()):
            absent.append("Media reports no audio configuration")
    else:
        absent.append("GetServices lists no Media service")
    if device.offers("media2"):
        listings2 = {
            kind: listing_or_none(
                lambda n=OPERATION_KIND[kind]: device.call("media2", f"Get{n}Configurations")
            )
            for kind in ("source", "encoder", "output", "decoder")
        }
        token2 = evidence.measure(
            "unknown Media2 token", _unknown(set().union(*map(_tokens, listings2.values())))
        )
        for kind, listed in listings2.items():
            if listed:
                operation = f"Get{OPERATION_KIND[kind]}Configurations"
                probe = Probe("Media2", "media2", operation, ("NoConfig",))
                asked.append((probe, {"ConfigurationToken": token2}))
        if not any(listings2.values()):
            absent.append("Media2 reports no audio configuration")
    else:
        absent.append("GetServices lists no Media2 service")
    if absent:
        evidence.note("not asked: " + "; ".join(absent))
    if not asked:
        not_applicable("no audio configuration to ask about: " + "; ".join(absent))
    answers = [
        (probe, answer_of(lambda p=probe, q=params: device.call(p.key, p.operation, **q)))
        for probe, params in asked
    ]
    problems, measured = check_invalid_tokens(answers)
    evidence.measure("answers", measured)
    evidence.expect("answers", {probe.label: probe.expected() for probe, _ in answers})
    assert not problems, "; ".join(problems)
