"""What both fuzz modules share: the bounded hypothesis settings and the SOAP 1.2 envelope
namespace their malformed envelopes are built around."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""Bounded example counts; no hypothesis database in the repository."""

ENV = "http://www.w3.org/2003/05/soap-envelope"

XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
"""Any text XML can carry (no lone surrogates), short."""
