"""ONVIF Imaging (ver20): the focus move options, and the focus status where focus moves are
offered. Read-only: the lens is never moved."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.imaging_move import (
    check_focus_status,
    check_move_options,
    move_options_view,
    status_view,
)
from conformance.clients.onvif import OnvifFault
from conformance.suites.imaging.test_imaging import video_source_token


def _ask(device, operation: str, token: str, view) -> Any:
    """The view of one Imaging read, or the fault's text (judged as a failure to answer)."""
    try:
        return view(device.call("imaging", operation, VideoSourceToken=token))
    except OnvifFault as fault:
        return f"SOAP fault {fault}"


@pytest.mark.requirement("IMAGING-MOVE-01")
def test_move_options_and_focus_status(device, evidence):
    assert device.offers("imaging"), "GetServices lists no Imaging service (mandatory in Profile T)"
    token = evidence.measure("video_source", video_source_token(device))
    options = evidence.measure(
        "move_options", _ask(device, "GetMoveOptions", token, move_options_view)
    )
    problems = check_move_options(options)
    offered = options if isinstance(options, dict) else {}
    status = None
    if offered:
        status = evidence.measure("status", _ask(device, "GetStatus", token, status_view))
    else:
        evidence.note("no focus move offered: GetStatus is not required (Imaging GetStatus)")
    problems += check_focus_status(offered, status)
    assert not problems, "; ".join(problems)
