"""Imaging and OSD checks judged on recorded replies of the known-good camera and the personas."""

from __future__ import annotations

import pytest
from zeep_replay import replay

from conformance.checks.imaging import (
    check_osd_created,
    check_osd_deleted,
    check_osds_consistent,
    check_settings_within_options,
    check_value_applied,
    new_value,
    options_summary,
    osd_options_summary,
    osd_summary,
    settings_summary,
)
from conformance.clients.onvif import OnvifFault


def _imaging(device: str) -> tuple[dict, dict]:
    return (
        settings_summary(replay(device, "GetImagingSettings")),
        options_summary(replay(device, "GetOptions")),
    )


def test_settings_good():
    settings, options = _imaging("ptz-good")
    assert settings == {
        "Brightness": 50.0,
        "ColorSaturation": 50.0,
        "Contrast": 50.0,
        "Sharpness": 50.0,
        "IrCutFilter": "AUTO",
    }
    assert options["IrCutFilterModes"] == ["ON", "OFF", "AUTO"]
    assert check_settings_within_options(settings, options) == []


def test_settings_outside_options_persona():
    settings, options = _imaging("imaging-values-outside-options")
    assert check_settings_within_options(settings, options) == [
        "Brightness is 50.0, outside the options [0.0, 40.0]"
    ]


def test_nothing_to_compare_is_not_a_pass():
    assert check_settings_within_options({"Brightness": 1.0}, {}) == [
        "no current setting has a range or list in GetOptions to compare with"
    ]
    assert check_settings_within_options({"IrCutFilter": "ON"}, {"IrCutFilterModes": ["AUTO"]}) == [
        "IrCutFilter is ON, not one of AUTO"
    ]


def test_new_value_and_applied():
    assert new_value(50.0, 0.0, 100.0) == 75.0
    assert new_value(75.0, 0.0, 100.0) == 25.0
    assert new_value(50.0, 0.0, 40.0) == 10.0
    assert check_value_applied("Brightness", 75.0, 75.0, 0.5) == []
    assert check_value_applied("Brightness", 75.0, 50.0, 0.5) == [
        "Brightness set to 75.0 but reads back 50.0 (the change was not applied)"
    ]
    assert check_value_applied("Brightness", 75.0, None, 0.5) == [
        "GetImagingSettings no longer reports Brightness after SetImagingSettings"
    ]


def test_osds_good():
    osds = osd_summary(replay("ptz-good", "GetOSDs"))
    options = osd_options_summary(replay("ptz-good", "GetOSDOptions"))
    assert osds == [
        {
            "token": "osd_1",
            "type": "Text",
            "position": "UpperLeft",
            "text_type": "DateAndTime",
            "plain_text": None,
        }
    ]
    assert options["types"] == ["Text"] and options["max_total"] == 4
    assert check_osds_consistent(osds, options) == []


def test_osd_options_unsupported_persona():
    with pytest.raises(OnvifFault) as fault:
        replay("osd-options-unsupported", "GetOSDOptions")
    assert fault.value.matches("ter:ActionNotSupported")


def test_osds_inconsistent():
    osds = osd_summary(replay("ptz-good", "GetOSDs"))
    options = {"max_total": 0, "types": ["Image"], "positions": ["Custom"], "text_types": []}
    assert check_osds_consistent(osds, options) == [
        "GetOSDOptions offers no Text OSD (types: ['Image'])",
        "1 OSDs exist; MaximumNumberOfOSDs Total is 0",
        "OSD osd_1: type Text is not offered",
        "OSD osd_1: position UpperLeft is not offered",
        "OSD osd_1: text type DateAndTime is not offered",
    ]


def test_osd_created_and_deleted():
    listed = [{"token": "osd_2", "plain_text": "hi"}]
    assert check_osd_created("osd_2", "hi", listed) == []
    assert check_osd_created("osd_2", "ho", listed) == ["OSD osd_2 shows 'hi', created with 'ho'"]
    assert check_osd_created("osd_3", "hi", listed) == [
        "CreateOSD returned 'osd_3' but GetOSDs does not list it"
    ]
    assert check_osd_deleted("osd_2", listed) == ["OSD 'osd_2' is still listed after DeleteOSD"]
    assert check_osd_deleted("osd_3", listed) == []
