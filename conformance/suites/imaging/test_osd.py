"""Media2 on-screen display (OSD): options and OSDs agree; a text OSD can be created and deleted.

OSD-TEXT-01 is intrusive: it records the OSD list first, deletes what it created in a
``finally`` and records ``restored`` (the list is as before) as evidence.
"""

from __future__ import annotations

import time

import pytest

from conformance.checks.imaging import (
    check_osd_created,
    check_osd_deleted,
    check_osds_consistent,
    osd_options_summary,
    osd_summary,
)
from conformance.clients.onvif import OnvifFault


def _vsc_token(device) -> str:
    """The first Media2 video source configuration (OSDs belong to one)."""
    assert device.offers("media2"), "GetServices lists no Media2 service (OSD lives in Media2)"
    return device.cached(
        "media2_vsc_token",
        lambda: str(device.call("media2", "GetVideoSourceConfigurations")[0].token),
    )


def _osds(device, vsc: str) -> list[dict]:
    return osd_summary(device.call("media2", "GetOSDs", ConfigurationToken=vsc))


@pytest.mark.requirement("OSD-GET-01")
def test_osds_match_options(device, evidence):
    vsc = _vsc_token(device)
    options = evidence.measure(
        "options",
        osd_options_summary(device.call("media2", "GetOSDOptions", ConfigurationToken=vsc)),
    )
    osds = evidence.measure("osds", _osds(device, vsc))
    problems = check_osds_consistent(osds, options)
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("OSD-TEXT-01")
def test_text_osd_create_and_delete(device, evidence):
    vsc = _vsc_token(device)
    before = evidence.measure("osds_before", _osds(device, vsc))
    text = f"cctv-conformance {int(time.time())}"
    created: str | None = None
    problems: list[str] = []
    try:
        created = str(
            device.call(
                "media2",
                "CreateOSD",
                OSD={
                    "token": "",
                    "VideoSourceConfigurationToken": {"_value_1": vsc},
                    "Type": "Text",
                    "Position": {"Type": "UpperRight"},
                    "TextString": {"Type": "Plain", "PlainText": text},
                },
            )
        )
        evidence.measure("created_token", created)
        listed = evidence.measure("osds_after_create", _osds(device, vsc))
        problems = check_osd_created(created, text, listed)
        try:
            device.call("media2", "DeleteOSD", OSDToken=created)
        except OnvifFault as fault:
            evidence.note(f"DeleteOSD {created!r} refused: {fault}")
        after = evidence.measure("osds_after_delete", _osds(device, vsc))
        problems += check_osd_deleted(created, after)
    finally:
        restored = _cleanup(device, vsc, created, before, evidence)
        evidence.measure("restored", restored)
    assert not problems, "; ".join(problems)
    assert restored, "the OSD list is not as it was before the test"


def _cleanup(device, vsc: str, created: str | None, before: list[dict], evidence) -> bool:
    """Delete the test's OSD if it is still there; True when the OSD tokens are as before."""
    tokens_before = sorted(o["token"] for o in before)
    try:
        now = _osds(device, vsc)
        if created not in (None, *tokens_before) and any(o["token"] == created for o in now):
            device.call("media2", "DeleteOSD", OSDToken=created)
            now = _osds(device, vsc)
    except Exception as exc:  # noqa: BLE001 - reported as a failed restore
        evidence.note(f"OSD clean-up failed: {type(exc).__name__}: {exc}")
        return False
    return sorted(o["token"] for o in now) == tokens_before
