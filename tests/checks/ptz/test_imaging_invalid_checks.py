"""IMAGING-INVALID-01 judged on answers: ter:SettingsInvalid with the setting unchanged passes;
a value taken, clamped, or refused with another fault fails."""

from __future__ import annotations

from conformance.checks.device import Refusal
from conformance.checks.imaging_invalid import check_invalid_setting_refused, outside_value

ENV = "{http://www.w3.org/2003/05/soap-envelope}"
TER = "{http://www.onvif.org/ver10/error}"
REFUSED = Refusal(
    "fault",
    http_status=400,
    code=f"{ENV}Sender",
    subcodes=(f"{TER}InvalidArgVal", f"{TER}SettingsInvalid"),
)


def _judge(answer: Refusal, after: float | None) -> list[str]:
    return check_invalid_setting_refused(
        "Brightness", [0.0, 100.0], 200.0, answer, 50.0, after, 0.5
    )


def test_outside_value_is_beyond_the_range():
    assert outside_value(0.0, 100.0) == 200.0
    assert outside_value(1.0, 1.0) == 2.0  # a read-only setting (Min == Max)


def test_refused_and_unchanged_passes():
    assert _judge(REFUSED, 50.0) == []


def test_taken_value_fails():
    problems = _judge(Refusal("answered", http_status=200), 200.0)
    assert problems == [
        "SetImagingSettings accepted Brightness 200, outside the GetOptions range [0, 100] "
        "(expected env:Sender/ter:InvalidArgVal/ter:SettingsInvalid)",
        "Brightness changed from 50 to 200 after the invalid request",
    ]


def test_clamped_silently_fails():
    assert len(_judge(Refusal("answered", http_status=200), 100.0)) == 2


def test_other_fault_fails():
    other = Refusal(
        "fault", http_status=500, code=f"{ENV}Receiver", subcodes=(f"{TER}ActionNotSupported",)
    )
    problems = _judge(other, 50.0)
    assert problems == [
        "SetImagingSettings with Brightness 200, outside the GetOptions range [0, 100] answered "
        "SOAP fault env:Receiver/ter:ActionNotSupported "
        "(expected env:Sender/ter:InvalidArgVal/ter:SettingsInvalid)"
    ]


def test_setting_gone_after_the_request_fails():
    assert _judge(REFUSED, None) == [
        "GetImagingSettings no longer reports Brightness after the refused request"
    ]
