"""The suite's xs:duration / xs:dateTime serialisers are valid for any input (issue 12.5), and
its validators agree with an independent XML Schema processor (libxml2 through lxml)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from zeep.xsd.types.builtins import Duration

from conformance.clients.events import absolute_in_text
from conformance.xsd_types import (
    MAX_DURATION_S,
    datetime_problem,
    datetime_text,
    duration_problem,
    duration_text,
    parse_datetime,
    type_problem,
    utc_datetime_problem,
)

XSD = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="duration" type="xs:duration"/>
  <xs:element name="dateTime" type="xs:dateTime"/>
</xs:schema>"""
SCHEMA = etree.XMLSchema(etree.fromstring(XSD))
# The xs:duration lexical rules of XML Schema 1.0 Part 2 §3.2.6.1, written independently of the
# module's own pattern: an optional sign, P, date parts, T only when time parts follow.
DURATION_RULE = re.compile(r"^-?P((\d+Y)?(\d+M)?(\d+D)?)(T((\d+H)?(\d+M)?(\d+(\.\d+)?S)?))?$")


def schema_valid(kind: str, text: str) -> bool:
    element = etree.Element(kind)
    element.text = text
    return SCHEMA.validate(element)


def lexically_valid_duration(text: str) -> bool:
    match = DURATION_RULE.match(text)
    if not match:
        return False
    date_part, time_part = match.group(1), match.group(5)
    return bool(date_part or (time_part and time_part != "T")) and time_part != "T"


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
@example(0.0)
@example(5.12e-05)  # the crash of issue 12: f"PT{x:g}S" gave PT5.12e-05S
@example(1e-300)
@example(1e300)
@example(-1.0)
@example(-0.0)
@example(59.9996)
def test_duration_text_is_valid_for_any_float(seconds):
    text = duration_text(seconds)
    assert lexically_valid_duration(text), text
    assert schema_valid("duration", text), text
    assert duration_problem(text) is None
    assert "e" not in text.lower().removeprefix("p")
    wire = Duration().xmlvalue(text)  # zeep re-serialises it (PT60S becomes PT1M): still valid
    assert schema_valid("duration", wire), wire
    value = float(text[2:-1])
    if math.isnan(seconds) or seconds <= 0:
        assert value == 0  # negatives are clamped: a wait cannot be negative
    else:
        assert abs(value - min(seconds, MAX_DURATION_S)) <= 0.0005 + 1e-9 * value


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.none() | st.just(UTC)))
def test_datetime_text_is_valid_for_any_datetime(moment):
    for millis in (False, True):
        text = datetime_text(moment, millis=millis)
        assert schema_valid("dateTime", text), text
        assert utc_datetime_problem(text) is None, text
        parsed = parse_datetime(text)
        assert parsed is not None
        assert abs(parsed - moment.replace(tzinfo=UTC)) < timedelta(seconds=1)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-:TZ.+PYMDHS", max_size=30))
def test_validators_agree_with_libxml2(text):
    assert (duration_problem(text) is None) == schema_valid("duration", text), text
    assert (datetime_problem(text) is None) == schema_valid("dateTime", text), text


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2026-12-07T03:10:00Z", True),
        ("2026-12-07T03:10:00.5+01:00", True),
        ("2024-02-29T00:00:00Z", True),
        ("2026-12-07T24:00:00Z", True),
        ("2026-13-01T00:00:00Z", False),  # the bad-utctime persona's month
        ("2026-12-07T03:10Z", False),  # missing seconds
        ("2025-02-29T00:00:00Z", False),
        ("2026-04-31T00:00:00Z", False),
        ("2026-12-07T24:00:01Z", False),
        ("2026-12-07T03:60:00Z", False),
        ("2026-12-07T03:10:00+15:00", False),
        ("0000-01-01T00:00:00Z", False),
        ("03-07-2021T21:46:06Z", False),  # home-assistant/core#52991
        ("2026-12-07 03:10:00Z", False),
    ],
)
def test_datetime_rules(text, valid):
    assert (datetime_problem(text) is None) is valid
    assert schema_valid("dateTime", text) is valid


def test_utc_needs_z():
    assert utc_datetime_problem("2026-12-07T03:10:00+00:00") == (
        "not in UTC with the 'Z' designator"
    )
    assert utc_datetime_problem("2026-12-07T03:10:00") == "not in UTC with the 'Z' designator"
    assert utc_datetime_problem(None) == "missing"


def test_types():
    assert type_problem("1", "xs:boolean") is None
    assert type_problem("active", "xs:boolean")
    assert type_problem("2147483648", "xs:int") == "out of the range of xs:int"
    assert type_problem("-1", "xs:unsignedInt")
    assert type_problem("1_0", "xs:float")  # Python's float() accepts it; XML Schema does not
    assert type_problem("infinity", "xs:double")
    assert type_problem("INF", "xs:double") is None
    assert type_problem("PT5.12e-05S", "xs:duration")
    assert type_problem("", "tt:ReferenceToken")
    assert type_problem("anything", "tt:Unknown") is None


def test_absolute_termination_is_valid():
    text = absolute_in_text(datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), 0.5)
    assert text == "2027-01-01T00:00:00Z"
    assert schema_valid("dateTime", text)
