"""Transport checks judged on keep-alive probes recorded from fake_vms (see
``record_transport_fixtures.py``) and on hand-made step lists for the other ways to fail."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from conformance.checks.transports import check_keepalive, check_tunnel_describe
from conformance.clients.rtsp_keepalive import session_timeout

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "transports"


def _keepalive(name: str) -> list[str]:
    data = json.loads((FIXTURES / f"{name}.keepalive.json").read_text(encoding="utf-8"))
    steps = [SimpleNamespace(**s) for s in data["steps"]]
    return check_keepalive(data["session_timeout_s"], data["packets_before"], steps, 2)


def test_good_keepalive_passes() -> None:
    assert _keepalive("good") == []


def test_keepalive_rejected_and_connection_dropped_is_caught() -> None:
    problems = _keepalive("keepalive-ignored")
    assert "GET_PARAMETER keep-alive answered 400, expected 200" in problems
    assert any("stream ended after the GET_PARAMETER" in p for p in problems)


def _step(method: str, status: int | None, packets: int, error: str | None = None):
    return SimpleNamespace(method=method, status=status, error=error, packets_after=packets)


def test_keepalive_other_failures() -> None:
    ok = [_step("GET_PARAMETER", 200, 5), _step("OPTIONS", 200, 5)]
    assert check_keepalive(60, 10, ok, 2) == []
    # No timeout in SETUP: RFC 2326's default of 60 s applies (ONVIF: should), not a fault.
    assert check_keepalive(None, 10, ok, 2) == []
    assert check_keepalive(60, 0, ok, 2) == ["no RTP arrived after PLAY, before any keep-alive"]
    silent = [_step("GET_PARAMETER", 200, 0), _step("OPTIONS", 200, 3)]
    assert check_keepalive(60, 10, silent, 2) == [
        "no RTP arrived after the GET_PARAMETER keep-alive"
    ]
    dead = [_step("GET_PARAMETER", None, 0, "connection reset")]
    assert check_keepalive(60, 10, dead, 2) == [
        "GET_PARAMETER keep-alive got no answer: connection reset"
    ]
    assert check_keepalive(60, 10, ok[:1], 2) == ["the keep-alive sequence stopped early"]


def test_session_timeout_parsing() -> None:
    assert session_timeout("12345678;timeout=60") == 60
    assert session_timeout("12345678; Timeout = 30") == 30
    assert session_timeout("12345678") is None


def test_tunnel_describe() -> None:
    assert check_tunnel_describe(200, "v=0\r\nm=video 0 RTP/AVP 96\r\n") == []
    assert check_tunnel_describe(400, "") == [
        "DESCRIBE through the tunnel answered 400, expected 200"
    ]
    assert check_tunnel_describe(200, "v=0\r\n") == [
        "DESCRIBE through the tunnel returned no SDP video media section"
    ]


# -- multicast (STREAM-MCAST-01) ------------------------------------------------------------------


def test_multicast_sdp_needs_a_group():
    from conformance.checks.transports import check_multicast_sdp
    from conformance.clients.multicast import sdp_connection_addresses

    good = "v=0\r\nc=IN IP4 239.255.10.20/1\r\nm=video 40000 RTP/AVP 96\r\n"
    assert sdp_connection_addresses(good) == ["239.255.10.20"]
    assert check_multicast_sdp(sdp_connection_addresses(good)) == []
    unspecified = good.replace("239.255.10.20/1", "0.0.0.0")
    problems = check_multicast_sdp(sdp_connection_addresses(unspecified))
    assert len(problems) == 1 and "0.0.0.0, not a multicast group" in problems[0]
    unicast = good.replace("239.255.10.20/1", "192.0.2.7")
    assert check_multicast_sdp(sdp_connection_addresses(unicast))
    assert check_multicast_sdp([]) == ["the multicast stream's SDP has no c= connection line"]


def test_multicast_received():
    from conformance.checks.transports import check_multicast_received

    assert check_multicast_received(120, 50, "239.255.10.20:40000") == []
    assert check_multicast_received(0, 0, "239.255.10.20:40000") == [
        "no RTP packet reached the multicast group (239.255.10.20:40000) after PLAY"
    ]
    assert "no video frame decoded" in check_multicast_received(10, 0, "g")[0]
