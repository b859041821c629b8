"""Fuzzing fake_vms with malformed requests (issue 5, point 3).

Malformed SOAP (random bytes, truncated envelopes, wrong namespaces, huge attributes, deep
nesting, DOCTYPEs), malformed HTTP and malformed RTSP go to a simulated camera over loopback. It
must answer with a proper SOAP fault or an HTTP 4xx (RTSP: an RTSP error status) or close the
connection, and stay up: a good request still works after every example. Bounded example
counts; no hypothesis database in the repo.
"""

from __future__ import annotations

import http.client
import re
import socket
from collections.abc import Iterator

import pytest
from fuzz_common import ENV, FUZZ, XML_TEXT
from hypothesis import given
from hypothesis import strategies as st

from fake_vms.host import SimulatorThread
from fake_vms.site import CameraConfig, Site

TDS = "http://www.onvif.org/ver10/device/wsdl"
GOOD_SOAP = (
    f'<s:Envelope xmlns:s="{ENV}"><s:Body><GetSystemDateAndTime xmlns="{TDS}"/>'
    "</s:Body></s:Envelope>"
).encode()
STATUS = re.compile(rb"^RTSP/1\.0 (\d{3}) ")

bad_soap = st.one_of(
    st.binary(max_size=2000),
    st.integers(1, len(GOOD_SOAP) - 1).map(lambda n: GOOD_SOAP[:n]),
    XML_TEXT.map(
        lambda t: f'<s:Envelope xmlns:s="urn:wrong"><s:Body>{t}</s:Body></s:Envelope>'.encode()
    ),
    XML_TEXT.map(
        lambda t: (
            f'<s:Envelope xmlns:s="{ENV}"><s:Body><{t or "x"}/></s:Body></s:Envelope>'.encode()
        )
    ),
    st.integers(0, 500_000).map(
        lambda n: f'<s:Envelope xmlns:s="{ENV}" a="{"x" * n}"><s:Body/></s:Envelope>'.encode()
    ),
    st.integers(1, 5000).map(
        lambda n: (
            (f'<s:Envelope xmlns:s="{ENV}"><s:Body>' + "<a>" * n + "</a>" * n).encode()
            + b"</s:Body></s:Envelope>"
        )
    ),
    XML_TEXT.map(
        lambda t: (
            f'<!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY f "{t}">]>'
            f'<s:Envelope xmlns:s="{ENV}"><s:Body>&e;&f;</s:Body></s:Envelope>'
        ).encode()
    ),
)


@pytest.fixture(scope="module")
def camera() -> Iterator[dict]:
    with SimulatorThread(Site("fuzz", (CameraConfig(name="cam"),))) as simulator:
        yield simulator.host.ready()["devices"][0]


def _post(port: int, body: bytes, content_type: str) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/onvif/device_service", body, {"Content-Type": content_type})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def _still_up(camera: dict) -> None:
    status, _, body = _post(camera["http_port"], GOOD_SOAP, "application/soap+xml")
    assert status == 200 and b"GetSystemDateAndTimeResponse" in body


@FUZZ
@given(bad_soap, st.sampled_from(["application/soap+xml; charset=utf-8", "text/xml", "x/y"]))
def test_malformed_soap_gets_a_fault_or_4xx(camera: dict, body: bytes, content_type: str) -> None:
    status, ctype, reply = _post(camera["http_port"], body, content_type)
    if status >= 500:
        assert status == 500 and "soap+xml" in ctype and b"Fault" in reply, (status, reply[:300])
    else:
        assert 400 <= status < 500, (status, reply[:300])
    _still_up(camera)


@FUZZ
@given(st.binary(min_size=1, max_size=3000))
def test_malformed_http_is_refused_or_closed(camera: dict, data: bytes) -> None:
    with socket.create_connection(("127.0.0.1", camera["http_port"]), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply == b"" or re.match(rb"^HTTP/1\.1 [45]\d\d ", reply) or b"HTTP/1.1 " in reply
    _still_up(camera)


def _rtsp(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


rtsp_requests = st.one_of(
    st.binary(max_size=2000),
    st.builds(
        lambda method, uri, cseq, headers: (
            f"{method} {uri} RTSP/1.0\r\nCSeq: {cseq}\r\n{headers}\r\n\r\n".encode()
        ),
        st.sampled_from(["DESCRIBE", "SETUP", "PLAY", "TEARDOWN", "FOO", "describe", ""]),
        st.text(max_size=80),
        st.text(max_size=12),
        st.text(max_size=200),
    ),
    st.builds(
        lambda n: f"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: {n}\r\n\r\n".encode(),
        st.integers(-5, 10**9),
    ),
)


@FUZZ
@given(rtsp_requests)
def test_malformed_rtsp_gets_an_error(camera: dict, data: bytes) -> None:
    reply = _rtsp(camera["rtsp_port"], data)
    for match in re.finditer(rb"RTSP/1\.0 (\d{3}) ", reply):
        assert match.group(1) in (b"200", b"401") or match.group(1)[:1] in (b"4", b"5")
    assert reply == b"" or STATUS.match(reply), reply[:200]
    good = _rtsp(camera["rtsp_port"], b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n")
    assert good.startswith(b"RTSP/1.0 200 "), good[:200]
