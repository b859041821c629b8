"""Device time: readable before authentication, and correct.

Clients compute the clock offset from the unauthenticated GetSystemDateAndTime before they sign
WS-Security tokens (Q1/Q4 in the research notes); evidence needs correct UTC times.
"""

from __future__ import annotations

import time

import pytest

from conformance.answers import answer_of
from conformance.checks.device import check_clock, clock_offset, device_utc, time_zone_of


@pytest.mark.requirement("ONVIF-DEV-TIME-01")
def test_time_readable_without_authentication(device, evidence):
    answer = answer_of(lambda: device.onvif.call("devicemgmt", "GetSystemDateAndTime", auth="none"))
    evidence.measure("unauthenticated_answer", answer.kind)
    evidence.measure("http_status", answer.http_status)
    assert answer.kind == "answered", (
        f"GetSystemDateAndTime (PRE_AUTH) was refused without credentials: HTTP "
        f"{answer.http_status} {answer.code} {','.join(answer.subcodes)}"
    )


@pytest.mark.requirement("ONVIF-DEV-TIME-02")
def test_clock_within_tolerance(device, evidence, params):
    from conformance.clients.onvif import OnvifFault, OnvifHttpError

    sent = time.time()
    try:
        reply = device.onvif.call("devicemgmt", "GetSystemDateAndTime", auth="none")
    except (OnvifFault, OnvifHttpError):
        sent = time.time()  # the device demands credentials: ask again with them
        reply = device.onvif.call("devicemgmt", "GetSystemDateAndTime")
    received = time.time()
    utc = device_utc(reply)
    offset, uncertainty = clock_offset(utc, sent, received) if utc else (None, 0.0)
    evidence.expect("max_clock_skew_s", params["max_clock_skew_s"])
    evidence.measure("device_utc", utc.isoformat() if utc else None)
    evidence.measure("clock_offset_s", offset)
    evidence.measure("uncertainty_s", uncertainty)
    evidence.measure("time_zone", time_zone_of(reply))
    problems = check_clock(utc, offset, uncertainty, params["max_clock_skew_s"])
    assert not problems, "; ".join(problems)
