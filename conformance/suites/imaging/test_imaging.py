"""ONVIF Imaging (ver20): settings and options agree; a setting can be changed and restored."""

from __future__ import annotations

import pytest

from conformance.checks.imaging import (
    RANGED,
    check_settings_within_options,
    check_value_applied,
    new_value,
    options_summary,
    settings_summary,
)
from conformance.outcomes import Inconclusive


def video_source_token(device) -> str:
    """The first video source: from Media (ver10) where offered, else from Media2."""

    def find() -> str:
        if device.offers("media"):
            return str(device.media("GetVideoSources")[0].token)
        return str(device.call("media2", "GetVideoSourceConfigurations")[0].SourceToken)

    return device.cached("video_source_token", find)


def _imaging(device, operation: str, **params):
    assert device.offers("imaging"), "GetServices lists no Imaging service (mandatory in Profile T)"
    return device.call("imaging", operation, VideoSourceToken=video_source_token(device), **params)


@pytest.mark.requirement("IMAGING-GET-01")
def test_settings_within_options(device, evidence):
    settings = evidence.measure(
        "settings", settings_summary(_imaging(device, "GetImagingSettings"))
    )
    options = evidence.measure("options", options_summary(_imaging(device, "GetOptions")))
    problems = check_settings_within_options(settings, options)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("IMAGING-SET-01")
def test_set_imaging_settings_applies(device, evidence, params):
    settings = evidence.measure(
        "settings", settings_summary(_imaging(device, "GetImagingSettings"))
    )
    options = evidence.measure("options", options_summary(_imaging(device, "GetOptions")))
    name = next((n for n in RANGED if n in settings and n in options), None)
    if name is None:
        raise Inconclusive("no setting with an option range to change (see IMAGING-GET-01)")
    original = settings[name]
    requested = new_value(original, *options[name])
    evidence.expect(name, requested)
    problems: list[str] = []
    try:
        _imaging(device, "SetImagingSettings", ImagingSettings={name: requested})
        read_back = settings_summary(_imaging(device, "GetImagingSettings")).get(name)
        evidence.measure(f"{name}_after_set", read_back)
        problems = check_value_applied(name, requested, read_back, params["tolerance"])
    finally:
        restored, why = _restore(device, name, original, params["tolerance"])
        evidence.measure("restored", restored)
        if why:
            evidence.note(why)
    assert not problems, "; ".join(problems)
    assert restored, f"{name} was not restored to {original}: {why}"


def _restore(device, name: str, original: float, tolerance: float) -> tuple[bool, str]:
    try:
        _imaging(device, "SetImagingSettings", ImagingSettings={name: original})
        now = settings_summary(_imaging(device, "GetImagingSettings")).get(name)
    except Exception as exc:  # noqa: BLE001 - a failed restore is reported, not raised over
        return False, f"restore failed: {type(exc).__name__}: {exc}"
    if now is None or abs(now - original) > tolerance:
        return False, f"{name} reads {now} after restoring {original}"
    return True, ""
