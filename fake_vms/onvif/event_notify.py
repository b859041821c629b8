"""WS-BaseNotification delivery: POST a Notify message to a consumer, bounded in time.

The simulator acts as an HTTP client here, so it must never hang on a slow or absent consumer
and never reach beyond the loopback interface (the event service refuses other consumers).
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from lxml import etree

from fake_vms.onvif import event_xml
from fake_vms.onvif.reply import envelope_with_headers
from fake_vms.onvif.soap import CONTENT_TYPE, SoapFault, element

LOG = logging.getLogger(__name__)
NOTIFY_ACTION = "http://docs.oasis-open.org/wsn/bw-2/NotificationConsumer/Notify"
NOTIFY_TIMEOUT_S = 2.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class DetailedFault(SoapFault):
    """A fault that says why in its env:Detail (as field devices do for refused consumers)."""

    def __init__(self, code: str, subcodes: tuple[str, ...], reason: str, detail: str) -> None:
        super().__init__(code, subcodes, reason)
        self.detail = detail


def check_consumer(consumer: str, needs_routable: bool) -> None:
    """Refuse a consumer the simulator will not notify, with a fault a client can act on.

    The simulator only ever POSTs to http consumers on loopback. A persona that "needs a
    routable consumer" refuses loopback ones instead, explaining it in the fault's Detail the
    way field devices do, so the suite can tell the lab's limit from the device's fault.
    """
    parts = urlsplit(consumer)
    loopback = parts.hostname in LOOPBACK_HOSTS
    if needs_routable and loopback:
        raise DetailedFault(
            "Sender",
            ("InvalidArgVal",),
            "Invalid argument",
            f"The consumer address {parts.hostname} is not routable: notifications are only "
            "sent to a routable unicast address this device can reach",
        )
    if parts.scheme != "http" or not loopback:
        raise SoapFault(
            "Sender",
            ("InvalidArgVal",),
            "This simulator only notifies http consumers on the loopback interface",
        )


async def post_notify(consumer: str, notify: etree._Element) -> bool:
    """POST one wsnt:Notify; True if the consumer answered 2xx within NOTIFY_TIMEOUT_S."""
    parts = urlsplit(consumer)
    body = envelope_with_headers(
        notify, [event_xml.action(NOTIFY_ACTION), element("wsa:To", consumer)]
    )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = (
        f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {CONTENT_TYPE}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1")
    writer = None
    try:
        async with asyncio.timeout(NOTIFY_TIMEOUT_S):
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
            writer.write(head + body)
            await writer.drain()
            status_line = await reader.readline()
        status = status_line.split(b" ")
        return len(status) > 1 and status[1].startswith(b"2")
    except (OSError, TimeoutError) as exc:
        LOG.info("Notify to %s failed: %s", consumer, exc)
        return False
    finally:
        if writer is not None:
            writer.close()
