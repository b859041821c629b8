"""Asynchronous dispatch for SOAP operations that wait, answer from several paths, or add headers.

Most operations are plain functions from the request's Body child to the reply's. The Event
service needs four things more, and this module adds them without changing those functions:

- an operation may be a coroutine (PullMessages waits for events without blocking the loop);
- an operation may answer at paths below its service's path (each subscription has its own
  address), so the request path is available through :data:`REQUEST_PATH`;
- an operation may return a :class:`Reply` carrying SOAP headers (WS-Addressing ``wsa:Action``,
  which the event WSDL declares for every response);
- operations of other namespaces on the same endpoint (WS-BaseNotification ``wsnt:Renew``) are
  keyed by their Clark name ``{namespace}Local``.
"""

from __future__ import annotations

import inspect
from contextvars import ContextVar
from dataclasses import dataclass, field

from lxml import etree

from fake_vms.onvif.soap import ENV, NSMAP, Operation, SoapFault, SoapRequest

REQUEST_PATH: ContextVar[str] = ContextVar("REQUEST_PATH", default="")
"""The HTTP path of the request being answered (set by the server around each dispatch)."""


@dataclass
class Reply:
    """An operation's reply with SOAP header blocks (e.g. ``wsa:Action``)."""

    body: etree._Element
    headers: list[etree._Element] = field(default_factory=list)


def lookup(operations: dict[str, Operation], namespace: str, request: SoapRequest) -> Operation:
    """The operation for the request's Body child: by Clark name, else by local name."""
    qname = etree.QName(request.body_child)
    operation = operations.get(qname.text)
    if operation is None and qname.namespace == namespace:
        operation = operations.get(qname.localname)
    if operation is None:
        raise SoapFault(
            "Receiver",
            ("ActionNotSupported",),
            f"Optional Action Not Implemented: {qname.text}",
        )
    return operation


async def respond(operations: dict[str, Operation], namespace: str, request: SoapRequest) -> bytes:
    """Run the operation (awaiting it if it is a coroutine) and wrap its reply in an envelope."""
    result = lookup(operations, namespace, request)(request.body_child)
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, Reply):
        return envelope_with_headers(result.body, result.headers)
    return envelope_with_headers(result, [])


def envelope_with_headers(body_child: etree._Element, headers: list[etree._Element]) -> bytes:
    """A SOAP 1.2 envelope with an optional Header (omitted when there are no header blocks)."""
    root = etree.Element(f"{{{ENV}}}Envelope", nsmap=NSMAP)
    if headers:
        header = etree.SubElement(root, f"{{{ENV}}}Header")
        header.extend(headers)
    etree.SubElement(root, f"{{{ENV}}}Body").append(body_child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
