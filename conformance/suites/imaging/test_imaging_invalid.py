"""ONVIF Imaging (ver20): a setting outside the advertised options is refused and changes
nothing. Intrusive (lab mode): a device that wrongly takes the value is set back, verified."""

from __future__ import annotations

import pytest

from conformance.answers import answer_of
from conformance.checks.imaging import RANGED, options_summary, settings_summary
from conformance.checks.imaging_invalid import (
    EXPECTED,
    check_invalid_setting_refused,
    outside_value,
)
from conformance.outcomes import Inconclusive
from conformance.suites.imaging.test_imaging import video_source_token


def _call(device, operation: str, **params):
    assert device.offers("imaging"), "GetServices lists no Imaging service (mandatory in Profile T)"
    return device.call("imaging", operation, VideoSourceToken=video_source_token(device), **params)


def _read(device, name: str) -> float | None:
    return settings_summary(_call(device, "GetImagingSettings")).get(name)


@pytest.mark.requirement("IMAGING-INVALID-01")
def test_setting_outside_options_is_refused(device, evidence, params):
    settings = evidence.measure("settings", settings_summary(_call(device, "GetImagingSettings")))
    options = evidence.measure("options", options_summary(_call(device, "GetOptions")))
    name = next((n for n in RANGED if n in settings and n in options), None)
    if name is None:
        raise Inconclusive("no setting with an option range to go beyond (see IMAGING-GET-01)")
    original, advertised = settings[name], options[name]
    sent = outside_value(*advertised)
    evidence.expect(f"{name}_sent", sent)
    evidence.expect("answer", EXPECTED)
    tolerance = params["tolerance"]
    after: float | None = None
    answer = None
    try:
        answer = answer_of(
            lambda: _call(device, "SetImagingSettings", ImagingSettings={name: sent})
        )
        after = evidence.measure(f"{name}_after", _read(device, name))
    finally:
        restored = _restore(device, name, original, tolerance)
        evidence.measure("restored", restored)
    problems = check_invalid_setting_refused(
        name, advertised, sent, answer, original, after, tolerance
    )
    assert not problems, "; ".join(problems)
    assert restored, f"{name} was not restored to {original}"


def _restore(device, name: str, original: float, tolerance: float) -> bool:
    """Set ``name`` back only if it moved (a conformant device changed nothing), then verify."""
    try:
        now = _read(device, name)
        if now is None or abs(now - original) > tolerance:
            _call(device, "SetImagingSettings", ImagingSettings={name: original})
            now = _read(device, name)
    except Exception:  # noqa: BLE001 - a failed restore is reported as not restored
        return False
    return now is not None and abs(now - original) <= tolerance
