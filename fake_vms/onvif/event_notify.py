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
from fake_vms.onvif.soap import CONTENT_TYPE, element

LOG = logging.getLogger(__name__)
NOTIFY_ACTION = "http://docs.oasis-open.org/wsn/bw-2/NotificationConsumer/Notify"
NOTIFY_TIMEOUT_S = 2.0


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
