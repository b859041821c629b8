"""ONVIF-DEV-SCHEMA-01 on recorded replies: the simulator's valid ones, and the ways field
devices break the schema while their data stays readable (the suite reads them leniently;
conformance.schema judges them strictly, with line, element and message as evidence)."""

from __future__ import annotations

import re

import pytest
from zeep_replay import load

from conformance.clients.onvif import OnvifClient, _evidence_text
from conformance.clients.wsdl import get_client, service_spec
from conformance.schema import SCHEMA_OPERATIONS, validate_reply
from conformance.verdicts import judged_by

TDS = "http://www.onvif.org/ver10/device/wsdl"
TRT = "http://www.onvif.org/ver10/media/wsdl"


def _attached(body: bytes) -> str:
    """The reply as the check attaches it (pretty-printed, so error lines point into it)."""
    return _evidence_text(body)


@pytest.mark.parametrize(
    ("operation", "namespace"),
    [
        ("GetSystemDateAndTime", TDS),
        ("GetCapabilities", TDS),
        ("GetServices", TDS),
        ("GetDeviceInformation", TDS),
        ("GetScopes", TDS),
        ("GetProfiles", TRT),
        ("GetStreamUri", TRT),
    ],
)
def test_known_good_replies_are_valid(operation: str, namespace: str) -> None:
    assert operation in SCHEMA_OPERATIONS
    assert validate_reply(namespace, _attached(load("good", operation).body)) == []


def test_missing_use_count_fails_with_line_and_element() -> None:
    body = re.sub(rb"<tt:UseCount>\d+</tt:UseCount>", b"", load("good", "GetProfiles").body)
    text = _attached(body)
    errors = validate_reply(TRT, text)
    assert errors, "a reply without the required UseCount must not validate"
    first = errors[0]
    assert first.element == "{http://www.onvif.org/ver10/schema}SourceToken"
    assert "UseCount" in first.message
    assert "SourceToken" in text.splitlines()[first.line - 1]  # the line is in the attachment
    assert first.to_dict() == {
        "line": first.line,
        "element": first.element,
        "message": first.message,
    }


def test_missing_use_count_is_still_readable() -> None:
    """Lenient reading: the same reply gives the suite its profiles (no check downstream fails)."""
    recording = load("good", "GetProfiles")
    body = re.sub(rb"<tt:UseCount>\d+</tt:UseCount>", b"", recording.body)
    operation = get_client("media").wsdl.bindings[service_spec("media").binding].get("GetProfiles")
    client = OnvifClient("http://127.0.0.1:9/onvif/device_service", None, None)
    raw = type(recording.raw)(200, {"Content-Type": "application/soap+xml"}, body)
    profiles = client._interpret(raw, operation, "GetProfiles")
    assert profiles[0].VideoEncoderConfiguration.Resolution.Width > 0


def test_wrong_cased_enumeration_fails() -> None:
    body = load("good", "GetSystemDateAndTime").body.replace(b">NTP<", b">ntp<")
    (error,) = validate_reply(TDS, _attached(body))
    assert error.element.endswith("}DateTimeType")
    assert "enumeration" in error.message


def test_invalid_duration_fails() -> None:
    """Typed values are the XSD's business too: '60' is not an xs:duration."""
    body = load("good", "GetStreamUri").body.replace(b"<tt:Timeout>PT0S<", b"<tt:Timeout>60<")
    (error,) = validate_reply(TRT, _attached(body))
    assert error.element.endswith("}Timeout")
    assert "duration" in error.message


def test_missing_required_attribute_fails() -> None:
    body = load("good", "GetProfiles").body.replace(b' token="profile_1"', b"", 1)
    errors = validate_reply(TRT, _attached(body))
    assert any("token" in e.message and "required" in e.message for e in errors), errors


def test_not_well_formed_reply_is_one_error() -> None:
    (error,) = validate_reply(TDS, "<env:Envelope><unclosed>")
    assert error.element == "(document)"
    assert "not well-formed" in error.message


def test_unreadable_core_reply_is_judged_by_schema_requirement() -> None:
    """A core reply no reader can use blocks other checks on ONVIF-DEV-SCHEMA-01; the same for
    an operation SCHEMA-01 does not validate stays the check's own failure."""
    from conformance.clients.onvif import OnvifProtocolError

    core = OnvifProtocolError("GetProfiles reply does not match the WSDL")
    core.schema_violation, core.operation = True, "GetProfiles"
    other = OnvifProtocolError("GetUsers reply does not match the WSDL")
    other.schema_violation, other.operation = True, "GetUsers"
    assert judged_by(core) == "ONVIF-DEV-SCHEMA-01"
    assert judged_by(other) == ""
