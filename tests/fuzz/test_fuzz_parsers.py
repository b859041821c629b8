"""Fuzzing the suite's own parsers with malformed device answers (issue 5, point 3).

Every parser the suite runs on bytes from a device must either return or raise its documented
clean error, never anything else, and never hang: the ONVIF client end to end (a local HTTP
server answers with the fuzzed status, content type and body), untrusted-XML parsing, RTSP
response framing (over a socket pair), SDP, RTP, H.264 depacketizing, the frame-counter SEI and
WS-Discovery ProbeMatches. Example counts are bounded so the module takes a few seconds;
hypothesis keeps no database in the repo.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fuzz_common import ENV, FUZZ, XML_TEXT
from hypothesis import given
from hypothesis import strategies as st

from conformance.clients.discovery import ReplyError, parse_probe_matches
from conformance.clients.onvif import OnvifClient, OnvifError, parse_xml_safely
from conformance.clients.rtsp import (
    H264Depacketizer,
    RtspError,
    _Connection,
    _video_track,
    parse_rtp,
)
from conformance.clients.stream import parse_frame_counter
from fake_vms.http import HttpServer, Request, Response

envelopes = st.one_of(
    st.binary(max_size=2000),
    XML_TEXT.map(
        lambda t: f'<s:Envelope xmlns:s="{ENV}"><s:Body>{t}</s:Body></s:Envelope>'.encode()
    ),
    XML_TEXT.map(lambda t: f'<s:Envelope xmlns:s="urn:wrong"><s:Body>{t}</s:Body>'.encode()),
    st.integers(1, 3000).map(lambda n: (f'<s:Envelope xmlns:s="{ENV}">' + "<a>" * n).encode()),
    st.integers(0, 200_000).map(lambda n: f'<s:Envelope xmlns:s="{ENV}" x="{"a" * n}"/>'.encode()),
    XML_TEXT.map(
        lambda t: f'<!DOCTYPE x [<!ENTITY e "{t}">]><s:Envelope xmlns:s="{ENV}"/>'.encode()
    ),
    st.just(
        f'<s:Envelope xmlns:s="{ENV}"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value>'
        "</s:Code></s:Fault></s:Body></s:Envelope>".encode()
    ),
)


# -- the ONVIF client end to end ---------------------------------------------------------------
class _Scripted:
    """A loopback HTTP server whose every answer is the current fuzz example."""

    def __init__(self) -> None:
        self.answer = Response(200, b"")
        self.loop = asyncio.new_event_loop()
        self.server = HttpServer({"/onvif/device_service": self._handle})
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _handle(self, request: Request) -> Response:
        return self.answer

    def __enter__(self) -> _Scripted:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def scripted() -> Iterator[_Scripted]:
    with _Scripted() as server:
        yield server


@FUZZ
@given(
    body=envelopes,
    status=st.sampled_from([200, 400, 401, 403, 500, 503]),
    content_type=st.sampled_from(
        ["application/soap+xml; charset=utf-8", "text/html", "application/xml", ""]
    ),
)
def test_onvif_client_fails_cleanly(
    scripted: _Scripted, body: bytes, status: int, content_type: str
) -> None:
    scripted.answer = Response(status, body, content_type)
    url = f"http://127.0.0.1:{scripted.server.port}/onvif/device_service"
    client = OnvifClient(url, "admin", "pw", timeout=2.0)
    started = time.monotonic()
    with contextlib.suppress(OnvifError):
        client.call("devicemgmt", "GetDeviceInformation")
    assert time.monotonic() - started < 7.0


@FUZZ
@given(envelopes)
def test_untrusted_xml_parser(data: bytes) -> None:
    with contextlib.suppress(OnvifError):
        parse_xml_safely(data)


# -- RTSP, SDP, RTP, SEI -----------------------------------------------------------------------
def _read_rtsp(data: bytes) -> None:
    """Feed ``data`` to the RTSP response reader over a real socket pair, then close."""
    ours, theirs = socket.socketpair()
    conn = _Connection.__new__(_Connection)
    conn.timeout, conn.sock, conn._buf = 1.0, ours, bytearray()
    try:
        theirs.sendall(data)
        theirs.shutdown(socket.SHUT_WR)
        for _ in range(4):
            conn.read_message(time.monotonic() + 1.0)
    finally:
        ours.close()
        theirs.close()


rtsp_answers = st.one_of(
    st.binary(max_size=3000),
    st.builds(
        lambda status, headers, body: f"RTSP/1.0 {status} X\r\n{headers}\r\n\r\n".encode() + body,
        st.text(max_size=8),
        st.text(max_size=300),
        st.binary(max_size=300),
    ),
    st.builds(
        lambda n, tail: b"$\x00" + n.to_bytes(2, "big") + tail,
        st.integers(0, 65535),
        st.binary(max_size=200),
    ),
)


@FUZZ
@given(rtsp_answers)
def test_rtsp_response_reader(data: bytes) -> None:
    started = time.monotonic()
    with contextlib.suppress(RtspError):
        _read_rtsp(data)
    assert time.monotonic() - started < 5.0


sdp_lines = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(["m=video 0 RTP/AVP 96", "m=video 0 RTP/AVP x", "m=audio 0 RTP/AVP 0"]),
        st.builds(lambda t: f"a=rtpmap:96 {t}", st.text(max_size=30)),
        st.builds(lambda t: f"a=fmtp:96 {t}", st.text(max_size=60)),
        st.builds(lambda t: f"a=control:{t}", st.text(max_size=40)),
    ),
    max_size=12,
)


@FUZZ
@given(sdp_lines, st.one_of(st.none(), st.text(max_size=40)))
def test_sdp_parser(lines: list[str], base: str | None) -> None:
    with contextlib.suppress(RtspError):
        _video_track("\r\n".join(lines), "rtsp://127.0.0.1:554/stream1", base, None)


@FUZZ
@given(st.lists(st.binary(max_size=1500), max_size=20))
def test_rtp_parser_and_depacketizer(packets: list[bytes]) -> None:
    depacketizer = H264Depacketizer()
    for data in packets:
        try:
            packet = parse_rtp(data)
        except RtspError:
            continue
        with contextlib.suppress(RtspError):
            depacketizer.push(packet, time.monotonic())
    depacketizer.flush()


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["H264", "H265"]))
def test_frame_counter_sei_parser(nal: bytes, codec: str) -> None:
    result = parse_frame_counter(nal, codec)
    assert result is None or (isinstance(result, tuple) and len(result) == 2)


@FUZZ
@given(envelopes)
def test_ws_discovery_parser(data: bytes) -> None:
    with contextlib.suppress(ReplyError):
        parse_probe_matches(data, "urn:uuid:1", ("127.0.0.1", 3702))
