"""A WS-BaseNotification consumer the device can reach, for EVENT-NOTIFY-01 and EVENT-UNSUB-01.

Why its own module: where it listens is a question about the lab's network (the route from this
host to the device, or the run's ``--consumer-address``), not about the event protocol. Bodies
and message counts are capped; it listens only for the duration of a test.
"""

from __future__ import annotations

import contextlib
import http.server
import secrets
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from conformance.clients.onvif import OnvifError, parse_xml_safely

WSNT = "http://docs.oasis-open.org/wsn/b-2"
MAX_CONSUMER_BODY = 1024 * 1024
MAX_CONSUMER_MESSAGES = 200


def local_address_towards(device_url: str) -> str:
    """The local address this host uses to reach the device (the route's source address).

    Why: a notification consumer must listen where the device can reach it. A UDP "connect"
    sends nothing; it only makes the kernel pick the route and so the source address. A device
    on loopback gets 127.0.0.1; a device on the lab network gets this host's lab address.
    """
    parts = urlsplit(device_url)
    host = parts.hostname or "127.0.0.1"
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((host, parts.port or 80))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


class NotificationConsumer:
    """A WS-BaseNotification consumer on a free port, for the duration of a test.

    It listens on ``host`` only: by default the local address the suite uses to reach the
    device (so a device on the lab network can reach it, and nothing else is exposed), or the
    run's ``--consumer-address``. When that address is not local (a NAT or port-forward in the
    lab) it listens on ``bind_host`` and advertises ``host``. Bodies and message counts are
    capped.
    """

    @classmethod
    def towards(cls, device_url: str, address: str | None = None) -> NotificationConsumer:
        """A consumer the device at ``device_url`` can reach: on ``address`` (the run's
        ``--consumer-address``) if given, else on the local address that routes to it. An
        ``address`` that is not local (NAT) is advertised while listening on the route's."""
        route = local_address_towards(device_url)
        if not address:
            return cls(route)
        try:
            return cls(address)
        except OSError:
            return cls(address, bind_host=route)

    def __init__(self, host: str = "127.0.0.1", bind_host: str | None = None) -> None:
        self.host = host
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.path = f"/notify/{secrets.token_hex(6)}"
        consumer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, MAX_CONSUMER_BODY))
                if self.path == consumer.path:
                    consumer._receive(body)
                self.send_response(200 if self.path == consumer.path else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server_class = http.server.ThreadingHTTPServer
        if ":" in (bind_host or host):
            server_class = type("V6Server", (server_class,), {"address_family": socket.AF_INET6})
        self._server = server_class((bind_host or host, 0), Handler)
        self._server.timeout = 2
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_address[1]}{self.path}"

    def _receive(self, body: bytes) -> None:
        with self._arrived:
            if len(self.bodies) < MAX_CONSUMER_MESSAGES:
                self.bodies.append(body)
            self._arrived.notify_all()

    def messages(self) -> list[etree._Element]:
        """Every wsnt:NotificationMessage received so far (unparseable bodies are skipped)."""
        found = []
        with self._lock:
            bodies = list(self.bodies)
        for body in bodies:
            with contextlib.suppress(OnvifError):
                found += parse_xml_safely(body).iter(f"{{{WSNT}}}NotificationMessage")
        return found

    def wait(self, done: Any, wait_s: float) -> list[etree._Element]:
        """Wait until ``done(messages)`` or ``wait_s`` passes."""
        deadline = time.monotonic() + wait_s
        while True:
            messages = self.messages()
            remaining = deadline - time.monotonic()
            if done(messages) or remaining <= 0:
                return messages
            with self._arrived:
                self._arrived.wait(min(remaining, 0.5))

    def __enter__(self) -> NotificationConsumer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
