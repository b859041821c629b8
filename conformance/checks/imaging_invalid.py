"""Check that SetImagingSettings refuses a value outside the range GetOptions gives
(IMAGING-INVALID-01).

Imaging GetOptions "shall return all supported parameters and their ranges such that these can
be applied to the SetImagingSettings command", and SetImagingSettings' fault table gives
env:Sender/ter:InvalidArgVal/ter:SettingsInvalid for "the requested settings are incorrect":
a value beyond the advertised range must be refused with that fault and leave the setting as it
was. A device that takes it (or clamps it silently) tells the client its options are wrong.
"""

from __future__ import annotations

from conformance.checks.device import ONVIF_ERROR_NS, SOAP_ENV_NS, Refusal
from conformance.checks.faults import describe

EXPECTED = "env:Sender/ter:InvalidArgVal/ter:SettingsInvalid"


def outside_value(low: float, high: float) -> float:
    """A value clearly above the advertised range (by the range's own width, at least 1)."""
    return round(high + max(high - low, 1.0), 1)


def check_invalid_setting_refused(
    name: str,
    advertised: list[float],
    sent: float,
    answer: Refusal,
    before: float | None,
    after: float | None,
    tolerance: float,
) -> list[str]:
    """The out-of-range ``sent`` value was refused with ter:SettingsInvalid and the setting
    reads as it did before the request."""
    problems = []
    where = f"{name} {sent:g}, outside the GetOptions range [{advertised[0]:g}, {advertised[1]:g}]"
    if answer.kind == "answered":
        problems.append(f"SetImagingSettings accepted {where} (expected {EXPECTED})")
    else:
        refused = (
            answer.kind == "fault"
            and answer.code == f"{{{SOAP_ENV_NS}}}Sender"
            and f"{{{ONVIF_ERROR_NS}}}InvalidArgVal" in answer.subcodes
            and f"{{{ONVIF_ERROR_NS}}}SettingsInvalid" in answer.subcodes
        )
        if not refused:
            problems.append(
                f"SetImagingSettings with {where} answered {describe(answer)} (expected {EXPECTED})"
            )
    if after is None:
        problems.append(f"GetImagingSettings no longer reports {name} after the refused request")
    elif before is not None and abs(after - before) > tolerance:
        problems.append(f"{name} changed from {before:g} to {after:g} after the invalid request")
    return problems
