"""Device checks judged on recorded replies: the known-good camera, personas, real-world quirks.

Every check must pass the good recording and report the persona's fault in words a supplier can
act on; fixtures come from ``record_fixtures.py`` (personas) and ``fixtures/onvif/real-world``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from zeep_replay import DEVICE_URL, meta, refusal, replay

from conformance.checks.device import (
    Refusal,
    advertised_xaddrs,
    capability_xaddrs,
    check_bad_credentials,
    check_clock,
    check_identity,
    check_refused,
    check_scopes,
    check_service_entries,
    check_services_consistent,
    check_xaddrs,
    clock_offset,
    device_utc,
    extension_xaddrs,
    identity_of,
    onvif_datetime,
    scopes_of,
    service_entries,
    service_xaddrs,
    time_zone_of,
)

MAX_SKEW_S = 5.0  # the catalogue default of ONVIF-DEV-TIME-02


def _clock(device: str) -> tuple[datetime | None, float | None, float]:
    """The suite's computation, on the recorded reply and the recorded local send/receive times."""
    utc = device_utc(replay(device, "GetSystemDateAndTime"))
    times = meta(device, "GetSystemDateAndTime")
    if utc is None:
        return None, None, 0.0
    offset, uncertainty = clock_offset(utc, times["sent"], times["received"])
    return utc, offset, uncertainty


# -- time ---------------------------------------------------------------------------------------


def test_onvif_datetime_reads_recorded_utc():
    reply = replay("good", "GetSystemDateAndTime")
    utc = onvif_datetime(reply.UTCDateTime)
    assert utc is not None and utc.tzinfo is UTC
    assert utc == device_utc(reply)
    assert time_zone_of(reply) == "GMT0BST,M3.5.0/1,M10.5.0"


def test_onvif_datetime_rejects_missing_or_invalid():
    reply = replay("good", "GetSystemDateAndTime")
    assert onvif_datetime(None) is None
    reply.UTCDateTime.Date.Month = 13  # a garbled date must not crash the check
    assert onvif_datetime(reply.UTCDateTime) is None


def test_time_readable_without_credentials_good():
    assert refusal("good", "GetSystemDateAndTime").kind == "answered"


def test_time_refused_without_credentials_time_needs_auth():
    answer = refusal("time-needs-auth", "GetSystemDateAndTime")
    assert (answer.kind, answer.http_status) == ("http", 401)


def test_clock_good():
    utc, offset, uncertainty = _clock("good")
    assert abs(offset) <= 1.0 + uncertainty
    assert check_clock(utc, offset, uncertainty, MAX_SKEW_S) == []


def test_clock_skew_persona():
    utc, offset, uncertainty = _clock("clock-skew")
    problems = check_clock(utc, offset, uncertainty, MAX_SKEW_S)
    assert abs(offset - 600.0) <= 1.0 + uncertainty  # the persona's clock is 10 minutes fast
    assert problems == [
        f"device clock is {offset:+.1f} s from true UTC (±{uncertainty:.1f} s); the limit is 5 s"
    ]
    assert re.fullmatch(r"device clock is \+(599|600)\.\d s .*", problems[0])


def test_clock_without_utc():
    assert check_clock(None, None, 0.0, MAX_SKEW_S) == [
        "GetSystemDateAndTime returned no usable UTCDateTime"
    ]


# -- identity -----------------------------------------------------------------------------------


def test_identity_good():
    values = identity_of(replay("good", "GetDeviceInformation"))
    assert values["Manufacturer"] == "FakeVMS"
    assert check_identity(values) == []


def test_identity_blank_persona():
    values = identity_of(replay("blank-identity", "GetDeviceInformation"))
    assert check_identity(values) == ["FirmwareVersion is empty", "SerialNumber is empty"]


# -- services and addresses ---------------------------------------------------------------------


def test_services_and_capabilities_agree_good():
    services = service_xaddrs(replay("good", "GetServices"))
    capabilities = capability_xaddrs(replay("good", "GetCapabilities"))
    assert capabilities["Media"] == "http://127.0.0.1:8080/onvif/media_service"
    assert services["http://www.onvif.org/ver10/media/wsdl"] == capabilities["Media"]
    assert check_services_consistent(services, capabilities) == []


def test_service_entries_good_recorded_reply():
    entries = service_entries(replay("good", "GetServices"))
    assert entries and all(e["Version"] and e["XAddr"].startswith("http") for e in entries)
    assert check_service_entries(entries) == []


def test_service_entries_each_problem_named():
    device = {"Namespace": "http://www.onvif.org/ver10/device/wsdl", "XAddr": "http://h/d",
              "Version": "2.60"}  # fmt: skip
    media = {"Namespace": "http://www.onvif.org/ver10/media/wsdl", "XAddr": "/onvif/media",
             "Version": ""}  # fmt: skip
    problems = check_service_entries([device, media, dict(device)])
    assert problems == [
        "http://www.onvif.org/ver10/media/wsdl: XAddr '/onvif/media' is not an absolute "
        "http(s) URL",
        "http://www.onvif.org/ver10/media/wsdl: no Version (Major and Minor)",
        "GetServices lists http://www.onvif.org/ver10/device/wsdl 2 times",
    ]
    assert check_service_entries([media | {"Version": "2.0", "XAddr": "https://h/m"}]) == [
        "GetServices does not list the device service (http://www.onvif.org/ver10/device/wsdl)"
    ]


def test_extension_categories_must_be_in_get_services():
    from types import SimpleNamespace as NS

    caps = NS(Extension=NS(Replay=NS(XAddr="http://h/replay"), Search=None, _vendor=1))
    assert extension_xaddrs(caps) == {"Replay": "http://h/replay"}
    assert extension_xaddrs(NS(Extension=None)) == {}
    problems = check_services_consistent({}, extension_xaddrs(caps))
    assert problems == [
        "GetCapabilities advertises Replay at http://h/replay, but GetServices does not list "
        "http://www.onvif.org/ver10/replay/wsdl"
    ]
    listed = {"http://www.onvif.org/ver10/replay/wsdl": "http://h/replay/"}
    assert check_services_consistent(listed, extension_xaddrs(caps)) == []


def test_services_and_capabilities_mismatch_persona():
    services = service_xaddrs(replay("capabilities-mismatch", "GetServices"))
    capabilities = capability_xaddrs(replay("capabilities-mismatch", "GetCapabilities"))
    assert check_services_consistent(services, capabilities) == [
        "Media: GetCapabilities says http://127.0.0.1:8080/onvif/Media, "
        "GetServices says http://127.0.0.1:8080/onvif/media_service"
    ]


def test_xaddrs_good():
    xaddrs = advertised_xaddrs(replay("good", "GetServices"), replay("good", "GetCapabilities"))
    assert "GetCapabilities Device" in xaddrs
    assert "GetServices http://www.onvif.org/ver10/media/wsdl" in xaddrs
    assert check_xaddrs(DEVICE_URL, xaddrs) == []


def test_xaddrs_wrong_port_persona():
    """Another port is legal (Core 8.1.2.2): the persona's fault is that nothing answers there,
    which the suite finds by asking (conformance.clients.addresses.probe_xaddr), not from the
    text."""
    device = "xaddr-wrong-port"
    xaddrs = advertised_xaddrs(replay(device, "GetServices"), replay(device, "GetCapabilities"))
    assert check_xaddrs(DEVICE_URL, xaddrs) == []


def test_xaddrs_other_host_or_scheme():
    xaddrs = {
        "GetServices media": "http://10.0.0.7:8080/onvif/media_service",
        "GetServices events": "https://127.0.0.1:8443/onvif/events",
        "GetServices ptz": "http://127.0.0.1:9999/other/path/ptz",
    }
    assert check_xaddrs(DEVICE_URL, xaddrs) == [
        "GetServices media: http://10.0.0.7:8080/onvif/media_service is not on http://127.0.0.1",
        "GetServices events: https://127.0.0.1:8443/onvif/events is not on http://127.0.0.1",
    ]


def test_xaddrs_ip_answer_to_a_host_name_is_accepted():
    """Reached by host name, a device may answer with its IP: "IP part" is then ambiguous."""
    xaddrs = {"GetServices media": "http://192.0.2.7/onvif/media_service"}
    assert check_xaddrs("http://camera.example:80/onvif/device_service", xaddrs) == []


def test_xaddrs_duplicated_port_real_world():
    """home-assistant/core#92603: an unparseable port is reported, not a crash."""
    device_url = meta("real-world", "GetServices.duplicated-port")["device_url"]
    services = replay("real-world", "GetServices.duplicated-port")
    problems = check_xaddrs(device_url, advertised_xaddrs(services, None))
    assert problems == [
        "GetServices http://www.onvif.org/ver10/device/wsdl: "
        "http://192.168.1.106:8106:8106/onvif/device_service has no valid port",
        "GetServices http://www.onvif.org/ver10/media/wsdl: "
        "http://192.168.1.106:8106:8106/onvif/media_service has no valid port",
    ]


def test_capability_xaddrs_of_nothing():
    """A device that leaves GetCapabilities out contributes no addresses (not an error)."""
    assert capability_xaddrs(None) == {}


# -- scopes -------------------------------------------------------------------------------------


def test_scopes_good():
    scopes = scopes_of(replay("good", "GetScopes"))
    assert "onvif://www.onvif.org/Profile/Streaming" in scopes
    assert check_scopes(scopes) == []


def test_scopes_missing_profile_persona():
    scopes = scopes_of(replay("missing-profile-scope", "GetScopes"))
    assert check_scopes(scopes) == ["scope onvif://www.onvif.org/Profile/Streaming is missing"]


# -- access control (Refusal records from conformance.answers) -----------------------------------

PROTECTED = ("GetUsers", "GetNetworkInterfaces", "GetProfiles")


@pytest.mark.parametrize("operation", PROTECTED)
def test_anonymous_refused_good(operation):
    answer = refusal("good", f"{operation}.anonymous")
    assert (answer.kind, answer.http_status) == ("http", 401)
    assert check_refused(operation, answer) == []


@pytest.mark.parametrize("operation", PROTECTED)
def test_anonymous_answered_open_protected_ops_persona(operation):
    answer = refusal("open-protected-ops", f"{operation}.anonymous")
    assert check_refused(operation, answer) == [f"{operation} answered without credentials"]


def test_anonymous_html_401_without_challenge_real_world():
    answer = refusal("real-world", "GetDeviceInformation.hikvision-html-401")
    assert check_refused("GetDeviceInformation", answer) == [
        "GetDeviceInformation: HTTP 401 without a Digest challenge (no WWW-Authenticate)"
    ]


def test_anonymous_refused_with_not_authorized_fault():
    """The other standard refusal: the good camera's NotAuthorized fault (recorded for AUTH-02)."""
    answer = refusal("good", "GetDeviceInformation.wrong-password")
    assert check_refused("GetDeviceInformation", answer) == []


def test_wrong_credentials_good():
    answer = refusal("good", "GetDeviceInformation.wrong-password")
    assert answer.kind == "fault"
    assert answer.code == "{http://www.w3.org/2003/05/soap-envelope}Sender"
    assert answer.subcodes == ("{http://www.onvif.org/ver10/error}NotAuthorized",)
    assert check_bad_credentials("GetDeviceInformation", answer) == []


def test_wrong_credentials_fault_over_http_200_persona():
    """SOAP 1.2's HTTP binding carries env:Sender with 400; 200 reports the fault as a success."""
    answer = refusal("faults-http-200", "GetDeviceInformation.wrong-password")
    assert (answer.kind, answer.http_status) == ("fault", 200)
    problem = (
        "GetDeviceInformation: the SOAP fault came with HTTP 200; the SOAP 1.2 HTTP binding "
        "carries env:Sender with 400 (ONVIF's example uses 500; HTTP authentication 401), "
        "never a success status"
    )
    assert check_bad_credentials("GetDeviceInformation", answer) == [problem]
    assert check_refused("GetDeviceInformation", answer) == [problem]


@pytest.mark.parametrize("status", [400, 401, 500])
def test_wrong_credentials_fault_statuses_the_binding_allows(status):
    good = refusal("good", "GetDeviceInformation.wrong-password")
    assert good.http_status == 400
    answer = Refusal("fault", http_status=status, code=good.code, subcodes=good.subcodes)
    assert check_bad_credentials("GetDeviceInformation", answer) == []


def test_wrong_credentials_html_persona():
    answer = refusal("html-auth-fault", "GetDeviceInformation.wrong-password")
    assert check_bad_credentials("GetDeviceInformation", answer) == [
        "GetDeviceInformation: wrong credentials answered with HTTP 400 (text/html) "
        "instead of a NotAuthorized fault"
    ]


def test_wrong_credentials_answered_open_protected_ops_persona():
    answer = refusal("open-protected-ops", "GetDeviceInformation.wrong-password")
    assert check_bad_credentials("GetDeviceInformation", answer) == [
        "GetDeviceInformation answered with wrong credentials"
    ]


def test_wrong_credentials_html_401_real_world():
    answer = refusal("real-world", "GetDeviceInformation.hikvision-html-401")
    assert check_bad_credentials("GetDeviceInformation", answer) == [
        "GetDeviceInformation: wrong credentials answered with HTTP 401 (text/html) "
        "instead of a NotAuthorized fault"
    ]


def test_wrong_credentials_undeclared_ter_prefix_real_world():
    """onvif/specs#402: the unresolvable ``ter:`` subcode is kept verbatim and still accepted.

    The checks judge what the device meant (NotAuthorized), as tolerant clients do; the
    undeclared prefix is an XML hygiene problem, not an access-control failure.
    """
    answer = refusal("real-world", "GetDeviceInformation.undeclared-ter-prefix")
    assert answer.subcodes == ("ter:NotAuthorized",)
    assert check_bad_credentials("GetDeviceInformation", answer) == []
    assert check_refused("GetDeviceInformation", answer) == []
