"""WS-Discovery checks judged on ProbeMatches recorded from fake_vms and on real-world bad ones.

``fixtures/discovery/<device>.xml`` are replies recorded by ``record_transport_fixtures.py``
(device HTTP port normalised to 8080); ``fixtures/discovery/real-world/`` are hand-written
replies reproducing field reports, each naming its source in a comment.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.checks.discovery_ws import (
    DEVICE,
    NVT,
    check_probe_answered,
    check_scopes,
    check_typed_probe,
    check_types,
    check_xaddrs,
    own_matches,
    required_types,
)
from conformance.clients.discovery import ProbeMatch, ReplyError, parse_probe_matches

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "discovery"
PROBE_ID = "urn:uuid:00000000-0000-0000-0000-000000000001"
DEVICE_URL = "http://127.0.0.1:8080/onvif/device_service"
SOURCE = ("127.0.0.1", 3702)


def _matches(name: str) -> list[ProbeMatch]:
    return parse_probe_matches((FIXTURES / f"{name}.xml").read_bytes(), PROBE_ID, SOURCE)


def _scopes(name: str) -> list[str]:
    return json.loads((FIXTURES / f"{name}.scopes.json").read_text(encoding="utf-8"))


def _judge(name: str) -> list[str]:
    """What WSD-MATCH-01 and WSD-XADDR-01 say of a recorded reply (claiming Profile S)."""
    (match,) = own_matches(_matches(name), DEVICE_URL)
    scopes = _scopes(name)
    required = required_types(["S"], scopes)
    return (
        check_types(match.types, required)
        + check_scopes(match.scopes, scopes)
        + check_xaddrs(match.xaddrs, DEVICE_URL)
    )


def test_good_reply_passes_every_check() -> None:
    matches = _matches("good")
    assert len(own_matches(matches, DEVICE_URL)) == 1
    assert _judge("good") == []
    assert matches[0].endpoint.startswith("urn:uuid:")
    assert matches[0].metadata_version == "1"


def test_xaddr_zero_is_caught() -> None:
    (match,) = own_matches(_matches("wsd-xaddr-zero"), DEVICE_URL)
    problems = check_xaddrs(match.xaddrs, DEVICE_URL)
    assert problems and "unspecified address" in problems[0]
    assert check_types(match.types, [NVT]) == []  # only the address is wrong


def test_wrong_types_is_caught_for_profile_s_only() -> None:
    (match,) = own_matches(_matches("wsd-wrong-types"), DEVICE_URL)
    assert check_types(match.types, [NVT]) == ["Types lack dn:NetworkVideoTransmitter"]
    assert check_types(match.types, [DEVICE]) == []  # a Profile T device may say just tds:Device
    assert check_xaddrs(match.xaddrs, DEVICE_URL) == []


def test_silent_device_has_no_own_match() -> None:
    """wsd-silent sends nothing; other devices' matches at the same address do not count."""
    others = _matches("good")
    own = own_matches(others, "http://127.0.0.1:9999/onvif/device_service")
    problems = check_probe_answered(len(own), len(others) - len(own), [], 1.5)
    assert problems == [
        "no ProbeMatch for this device within 1.5 s of a unicast Probe "
        "(1 ProbeMatch(es) for other devices at the same address)"
    ]
    assert check_probe_answered(1, 0, [], 1.5) == []


def test_link_local_only_xaddr_fails_but_one_usable_xaddr_is_enough() -> None:
    (only,) = _matches("real-world/linklocal-only")
    assert "link-local" in check_xaddrs(only.xaddrs, DEVICE_URL)[0]
    (mixed,) = _matches("real-world/linklocal-then-ipv4")
    assert check_xaddrs(mixed.xaddrs, DEVICE_URL) == []


def test_echoed_message_id_is_not_a_reply_to_our_probe() -> None:
    with pytest.raises(ReplyError, match="RelatesTo"):
        _matches("real-world/echo-message-id")


def test_undeclared_type_prefix_names_no_type() -> None:
    (match,) = _matches("real-world/undeclared-type-prefix")
    assert match.types == [("", "NetworkVideoTransmitter")]
    assert check_types(match.types, [NVT]) == ["Types lack dn:NetworkVideoTransmitter"]


def test_entity_expansion_is_refused() -> None:
    with pytest.raises(ReplyError):
        _matches("real-world/entity-expansion")


def test_required_types_follow_claims_and_profile_scopes() -> None:
    streaming = ["onvif://www.onvif.org/Profile/Streaming"]
    assert required_types([], streaming) == [NVT]
    assert required_types(["T"], []) == [DEVICE]
    assert sorted(required_types(["S"], ["onvif://www.onvif.org/Profile/T"])) == sorted(
        [NVT, DEVICE]
    )
    assert required_types([], []) == []
    assert check_types([], []) == ["Types name neither dn:NetworkVideoTransmitter nor tds:Device"]


def test_scopes_must_equal_get_scopes() -> None:
    assert check_scopes(["a", "b"], ["b", "a"]) == []
    assert check_scopes(["a"], ["a", "b"]) == [
        "ProbeMatch Scopes lack ['b'] that GetScopes reports"
    ]
    assert check_scopes(["a", "c"], ["a"]) == [
        "ProbeMatch Scopes add ['c'] that GetScopes does not report"
    ]


def test_typed_probe_and_xaddr_edge_cases() -> None:
    assert check_typed_probe(False, "dn:NetworkVideoTransmitter") == [
        "no ProbeMatch to a Probe for dn:NetworkVideoTransmitter"
    ]
    assert check_xaddrs([], DEVICE_URL) == ["ProbeMatch has no XAddrs"]
    assert "not an http(s) URL" in check_xaddrs(["ftp://x/"], DEVICE_URL)[0]
    wrong_port = check_xaddrs(["http://127.0.0.1:9/onvif/device_service"], DEVICE_URL)
    assert "no XAddr is on the device's address 127.0.0.1:8080" in wrong_port[0]
