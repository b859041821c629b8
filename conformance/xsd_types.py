"""XML Schema simple types the suite sends and judges: xs:duration, xs:dateTime and friends.

Why one module: a value the suite puts on the wire must be valid whatever number produced it
(``f"PT{x:g}S"`` gives ``PT5.12e-05S`` for a small ``x``, which no device can parse), and a
value a device sends must be judged by its type's full lexical rules (XML Schema 1.0 Part 2),
not by a spot check such as "ends in Z". Serialisers here accept any float or datetime and
always return a valid lexical form; validators return a reason when a value is not valid.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

MAX_DURATION_S = 10**9
"""Durations are clamped to this (about 31 years): longer ones mean nothing to a device."""

_DURATION = re.compile(
    r"^-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$"
)
_DATETIME = re.compile(
    r"^(?P<sign>-)?(?P<year>\d{4,})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?P<fraction>\.\d+)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?$"
)
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_FLOAT = re.compile(r"^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF|-INF|NaN)$")
_INTEGER_RANGES = {
    "xs:byte": (-(2**7), 2**7 - 1),
    "xs:short": (-(2**15), 2**15 - 1),
    "xs:int": (-(2**31), 2**31 - 1),
    "xs:long": (-(2**63), 2**63 - 1),
    "xs:unsignedByte": (0, 2**8 - 1),
    "xs:unsignedShort": (0, 2**16 - 1),
    "xs:unsignedInt": (0, 2**32 - 1),
    "xs:unsignedLong": (0, 2**64 - 1),
    "xs:integer": (None, None),
    "xs:nonNegativeInteger": (0, None),
    "xs:positiveInteger": (1, None),
}


# -- serialisers: what the suite sends --------------------------------------------------------
def duration_text(seconds: float) -> str:
    """``seconds`` as an xs:duration ``PTnS`` with at most millisecond precision.

    Valid for any float: NaN and negatives become ``PT0S`` (a wait cannot be negative), huge
    values and +inf are clamped to :data:`MAX_DURATION_S`; no exponent is ever written.
    """
    if math.isnan(seconds) or seconds <= 0:
        return "PT0S"
    millis = round(min(seconds, MAX_DURATION_S) * 1000)
    whole, fraction = divmod(millis, 1000)
    if not fraction:
        return f"PT{whole}S"
    return f"PT{whole}.{fraction:03d}".rstrip("0") + "S"


def datetime_text(moment: datetime, *, millis: bool = False) -> str:
    """``moment`` in UTC as an xs:dateTime with the ``Z`` designator ONVIF asks for.

    A naive datetime is taken as UTC. The year is always written with four digits (strftime's
    ``%Y`` drops leading zeros for years below 1000 on some platforms).
    """
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    )
    if millis:
        text += f".{utc.microsecond // 1000:03d}"
    return text + "Z"


# -- validators: what the device sends --------------------------------------------------------
def duration_problem(text: str) -> str | None:
    """Why ``text`` is not an xs:duration (XML Schema 1.0 Part 2 §3.2.6.1), or None."""
    if not _DURATION.match(text):
        return "not the xs:duration form PnYnMnDTnHnMnS (at least one part; T needs a time part)"
    return None


def _days_in(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def datetime_problem(text: str) -> str | None:
    """Why ``text`` is not an xs:dateTime (XML Schema 1.0 Part 2 §3.2.7.1), or None.

    The full lexical rules: a year of at least four digits (no leading zero beyond four, never
    0000), month 01-12, a day that exists in that month, hh:mm:ss with 24:00:00 only as the end
    of a day, an optional fraction, and an optional zone Z or ±hh:mm within ±14:00.
    """
    match = _DATETIME.match(text)
    if match is None:
        return "not the xs:dateTime form YYYY-MM-DDThh:mm:ss[.s][Z|±hh:mm]"
    year_text = match["year"]
    year, month, day = int(year_text), int(match["month"]), int(match["day"])
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    if len(year_text) > 4 and year_text.startswith("0"):
        return f"year {year_text} has a leading zero beyond four digits"
    if year == 0:
        return "year 0000 is not allowed"
    if not 1 <= month <= 12:
        return f"month {match['month']} is not 01-12"
    if not 1 <= day <= _days_in(year, month):
        return f"day {match['day']} does not exist in month {match['month']} of {year_text}"
    fraction_zero = not match["fraction"] or not match["fraction"].strip(".0")
    if hour == 24 and not (minute == 0 and second == 0 and fraction_zero):
        return "hour 24 is only allowed as 24:00:00"
    if hour > 24 or minute > 59 or second > 59:
        return f"time {match['hour']}:{match['minute']}:{match['second']} is out of range"
    zone = match["zone"]
    if zone and zone != "Z":
        zone_hour, zone_minute = int(zone[1:3]), int(zone[4:6])
        if zone_minute > 59 or zone_hour * 60 + zone_minute > 14 * 60:
            return f"time zone {zone} is out of range (at most ±14:00)"
    return None


def utc_datetime_problem(text: str | None) -> str | None:
    """Why ``text`` is not an xs:dateTime in UTC with ``Z`` (ONVIF Core 9: event times), or None."""
    if text is None:
        return "missing"
    problem = datetime_problem(text)
    if problem:
        return problem
    if not text.endswith("Z"):
        return "not in UTC with the 'Z' designator"
    return None


def type_problem(value: str, kind: str) -> str | None:
    """Why ``value`` is not valid for the XML Schema / ONVIF type ``kind`` (a normalised QName
    such as ``xs:boolean``), or None; types the suite does not know are not judged."""
    if kind == "xs:boolean":
        return None if value in ("true", "false", "1", "0") else "not true/false/1/0"
    if kind in _INTEGER_RANGES:
        if not _INTEGER.match(value):
            return "not an integer"
        low, high = _INTEGER_RANGES[kind]
        number = int(value)
        if (low is not None and number < low) or (high is not None and number > high):
            return f"out of the range of {kind}"
        return None
    if kind == "xs:decimal":
        return None if _DECIMAL.match(value) else "not a decimal number"
    if kind in ("xs:float", "xs:double"):
        return None if _FLOAT.match(value) else "not a floating-point number"
    if kind == "xs:dateTime":
        return datetime_problem(value)
    if kind == "xs:duration":
        return duration_problem(value)
    if kind == "tt:ReferenceToken":
        return None if 0 < len(value) <= 64 else "not 1-64 characters (tt:ReferenceToken)"
    return None


def parse_datetime(text: str | None) -> datetime | None:
    """A valid xs:dateTime that carries a zone, as an aware datetime; else None.

    Only for arithmetic (lifetimes): validity is judged by :func:`datetime_problem`.
    """
    if not text or datetime_problem(text.strip()) is not None:
        return None
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if value[-6:-5] not in ("+", "-") or value.startswith("-"):
        return None  # no zone (cannot be compared) or a BCE year (datetime cannot hold it)
    value = re.sub(r"(\.\d{6})\d+", r"\1", value)  # datetime holds microseconds only
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None  # 24:00:00, years beyond 9999 or fractions beyond microseconds
    return parsed
