"""SOAP 1.2 for the simulated ONVIF services: parse envelopes, dispatch, build replies and faults.

Faults follow ONVIF Core 5.11: an ``env:Sender``/``env:Receiver`` code with ``ter:`` subcodes whose
prefix is declared on the envelope, because strict clients resolve the subcode QName and fail on
an undeclared prefix (a quirk seen on real devices, which the suite must not be confused by here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

ENV = "http://www.w3.org/2003/05/soap-envelope"
TER = "http://www.onvif.org/ver10/error"
TT = "http://www.onvif.org/ver10/schema"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TRT = "http://www.onvif.org/ver10/media/wsdl"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

NSMAP = {"env": ENV, "ter": TER, "tt": TT, "tds": TDS, "trt": TRT}
NSMAP |= {"tr2": "http://www.onvif.org/ver20/media/wsdl"}  # Media2 service
TPTZ, TIMG = "http://www.onvif.org/ver20/ptz/wsdl", "http://www.onvif.org/ver20/imaging/wsdl"
NSMAP |= {"tptz": TPTZ, "timg": TIMG}  # PTZ and Imaging services
NSMAP |= {
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "tns1": "http://www.onvif.org/ver10/topics",
    "xs": "http://www.w3.org/2001/XMLSchema",
}  # Event service
NSMAP |= {  # Profile G
    "tse": "http://www.onvif.org/ver10/search/wsdl",
    "trp": "http://www.onvif.org/ver10/replay/wsdl",
    "trc": "http://www.onvif.org/ver10/recording/wsdl",
}
CONTENT_TYPE = "application/soap+xml; charset=utf-8"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)

Operation = Callable[[etree._Element], etree._Element]
"""Takes the request's Body child, returns the response's Body child (or raises SoapFault)."""


class SoapFault(Exception):
    """A SOAP 1.2 fault. ``subcodes`` are ``ter:`` local names, outermost first."""

    def __init__(self, code: str, subcodes: tuple[str, ...], reason: str) -> None:
        super().__init__(reason)
        if code not in ("Sender", "Receiver"):
            raise ValueError(f"unsupported fault code {code!r}")
        self.code = code
        self.subcodes = subcodes
        self.reason = reason

    @property
    def http_status(self) -> int:
        """ONVIF Core: sender errors are HTTP 400, receiver errors HTTP 500."""
        return 400 if self.code == "Sender" else 500

    @property
    def outcome(self) -> str:
        """Short label for the operation log, e.g. ``fault:ter:NotAuthorized``."""
        return "fault:ter:" + (self.subcodes[-1] if self.subcodes else self.code)


def not_authorized() -> SoapFault:
    return SoapFault("Sender", ("NotAuthorized",), "Sender not Authorized")


def invalid_arg_val(subcode: str, reason: str) -> SoapFault:
    return SoapFault("Sender", ("InvalidArgVal", subcode), reason)


@dataclass(frozen=True)
class SoapRequest:
    header: etree._Element | None
    body_child: etree._Element

    @property
    def operation(self) -> str:
        """Local name of the operation; dispatch still checks the namespace."""
        return etree.QName(self.body_child).localname


def parse_envelope(data: bytes) -> SoapRequest:
    """Parse a SOAP 1.2 request; anything malformed (including any DOCTYPE) is a Sender fault."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("Sender", ("WellFormed",), f"Malformed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise SoapFault("Sender", ("WellFormed",), "DOCTYPE is not allowed in SOAP messages")
    if root.tag != f"{{{ENV}}}Envelope":
        raise SoapFault("Sender", ("InvalidArgs",), "Root element is not a SOAP 1.2 Envelope")
    header = root.find(f"{{{ENV}}}Header")
    body = root.find(f"{{{ENV}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if not children:
        raise SoapFault("Sender", ("InvalidArgs",), "SOAP Body has no operation element")
    return SoapRequest(header, children[0])


def dispatch(operations: dict[str, Operation], namespace: str, request: SoapRequest) -> bytes:
    """Run the operation named by the Body's first child QName and wrap its reply."""
    qname = etree.QName(request.body_child)
    operation = operations.get(qname.localname) if qname.namespace == namespace else None
    if operation is None:
        raise SoapFault(
            "Receiver",
            ("ActionNotSupported",),
            f"Optional Action Not Implemented: {qname.text}",
        )
    return envelope(operation(request.body_child))


def envelope(body_child: etree._Element) -> bytes:
    root = etree.Element(f"{{{ENV}}}Envelope", nsmap=NSMAP)
    body = etree.SubElement(root, f"{{{ENV}}}Body")
    body.append(body_child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def fault_envelope(fault: SoapFault) -> bytes:
    """Build the fault; subcodes nest as env:Code/env:Subcode/env:Subcode per SOAP 1.2."""
    root = etree.Element(f"{{{ENV}}}Envelope", nsmap={"env": ENV, "ter": TER})
    body = etree.SubElement(root, f"{{{ENV}}}Body")
    fault_el = etree.SubElement(body, f"{{{ENV}}}Fault")
    parent = etree.SubElement(fault_el, f"{{{ENV}}}Code")
    etree.SubElement(parent, f"{{{ENV}}}Value").text = f"env:{fault.code}"
    for subcode in fault.subcodes:
        parent = etree.SubElement(parent, f"{{{ENV}}}Subcode")
        etree.SubElement(parent, f"{{{ENV}}}Value").text = f"ter:{subcode}"
    reason = etree.SubElement(fault_el, f"{{{ENV}}}Reason")
    text = etree.SubElement(reason, f"{{{ENV}}}Text")
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    text.text = fault.reason
    detail = getattr(fault, "detail", None)  # e.g. fake_vms.onvif.event_service's refusals
    if isinstance(detail, etree._Element):  # e.g. a WS-BaseNotification fault element
        etree.SubElement(fault_el, f"{{{ENV}}}Detail").append(detail)
    elif detail:
        etree.SubElement(fault_el, f"{{{ENV}}}Detail").text = detail
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def element(tag: str, text: object | None = None, **attributes: object) -> etree._Element:
    """Make ``prefix:Name`` from NSMAP; values become text via ``str`` (lxml escapes them)."""
    prefix, _, local = tag.partition(":")
    el = etree.Element(f"{{{NSMAP[prefix]}}}{local}", nsmap=NSMAP)
    _fill(el, text, attributes)
    return el


def sub(
    parent: etree._Element, tag: str, text: object | None = None, **attrs: object
) -> etree._Element:
    prefix, _, local = tag.partition(":")
    el = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{local}")
    _fill(el, text, attrs)
    return el


def _fill(el: etree._Element, text: object | None, attributes: dict[str, object]) -> None:
    if text is not None:
        el.text = _xml_value(text)
    for name, value in attributes.items():
        el.set(name, _xml_value(value))


def _xml_value(value: object) -> str:
    """xs:boolean is lower-case; everything else uses its str()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def child_text(parent: etree._Element, local_name: str) -> str | None:
    """Text of the first child with this local name, whatever its namespace (clients vary)."""
    for child in parent:
        if isinstance(child.tag, str) and etree.QName(child).localname == local_name:
            return (child.text or "").strip()
    return None
