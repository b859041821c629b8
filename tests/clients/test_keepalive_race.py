"""A device that closes a kept-alive connection as a request arrives: the client sends it again.

Embedded HTTP servers drop idle keep-alive connections after a fraction of a second (persona
short-keepalive, a legal oddity). A request sent on such a connection just as the device closes
it gets no reply at all (no status line): every HTTP client then sends it once more on a new
connection. A device that never answers is still reported, after that one retry.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from conformance.clients.onvif import OnvifClient, OnvifError

ENV = "http://www.w3.org/2003/05/soap-envelope"
REPLY = (
    f'<?xml version="1.0"?><env:Envelope xmlns:env="{ENV}" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:tt="http://www.onvif.org/ver10/schema"><env:Body><tds:GetSystemDateAndTimeResponse>'
    "<tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
    "<tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>1</tt:Hour>"
    "<tt:Minute>2</tt:Minute><tt:Second>3</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year>"
    "<tt:Month>1</tt:Month><tt:Day>2</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime>"
    "</tds:GetSystemDateAndTimeResponse></env:Body></env:Envelope>"
).encode()


class ClosingDevice:
    """Closes the first ``closes`` connections once a request has arrived, without a byte of
    reply; answers later ones."""

    def __init__(self, closes: int) -> None:
        self.closes = closes
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                self.connections += 1
                data = b""
                while b"</s:Envelope>" not in data and b"Envelope>" not in data[-40:]:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if self.connections <= self.closes:
                    continue  # closed with no reply
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n"
                    f"Content-Length: {len(REPLY)}\r\nConnection: close\r\n\r\n"
                )
                conn.sendall(head.encode() + REPLY)

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def device_factory() -> Iterator[type[ClosingDevice]]:
    made: list[ClosingDevice] = []

    def make(closes: int) -> ClosingDevice:
        device = ClosingDevice(closes)
        made.append(device)
        return device

    yield make  # type: ignore[misc]
    for device in made:
        device.close()


def _client(device: ClosingDevice) -> OnvifClient:
    url = f"http://127.0.0.1:{device.port}/onvif/device_service"
    return OnvifClient(url, "admin", "secret", timeout=2.0)


def test_request_closed_without_reply_is_sent_once_more(device_factory) -> None:  # type: ignore[no-untyped-def]
    device = device_factory(closes=1)
    reply = _client(device).call("devicemgmt", "GetSystemDateAndTime")
    assert reply.DateTimeType == "NTP"
    assert device.connections == 2


def test_device_that_never_replies_is_still_reported(device_factory) -> None:  # type: ignore[no-untyped-def]
    device = device_factory(closes=100)
    with pytest.raises(OnvifError):
        _client(device).call("devicemgmt", "GetSystemDateAndTime")
    assert device.connections == 2  # one retry, never a loop
