"""Lenient reading of ONVIF replies that break the schema (read leniently, judge strictly).

Field devices send replies that are schema-invalid yet carry every field a client needs (a
missing ``UseCount``, elements out of order, an undeclared namespace prefix). The client reads
them with these helpers instead of failing every check downstream; ONVIF-DEV-SCHEMA-01
(conformance/schema.py) judges the violation, once. Also here: the text of a SOAP fault's Detail,
which often says whose fault a refusal is.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
ONVIF_ERROR_NS = "http://www.onvif.org/ver10/error"

UNDECLARED_PREFIX = re.compile(r"Namespace prefix \S+ (?:on|for) \S+ is not defined")


DETAIL_TEXT_LIMIT = 400
"""Longest fault Detail text kept in a fault's message (the full Detail XML stays in ``detail``)."""


def fault_detail_text(detail: str) -> str:
    """The text content of a SOAP fault Detail (given as XML), whitespace folded and trimmed.

    Already redacted by the caller; parsing failures fall back to stripping tags, since a
    device's Detail may be any XML fragment or even plain text.
    """
    if not detail.strip():
        return ""
    try:
        element = etree.fromstring(
            detail.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True)
        )
        text = " ".join(element.itertext())
    except etree.XMLSyntaxError:
        text = re.sub(r"<[^>]*>", " ", detail)
    text = " ".join(text.split())
    if len(text) > DETAIL_TEXT_LIMIT:
        text = text[: DETAIL_TEXT_LIMIT - 3] + "..."
    return text


def parse_recovering(data: bytes) -> etree._Element:
    """Parse a reply whose only flaw is an undeclared namespace prefix (already checked to have
    no DOCTYPE): libxml2's recover mode keeps the element, its text and its children."""
    parser = etree.XMLParser(
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_blank_text=True,
    )
    root = etree.fromstring(data, parser)
    if root is None:
        raise ValueError("malformed XML: nothing could be read")
    repair_prefixes(root)
    return root


WELL_KNOWN_PREFIXES = {
    "tt": "http://www.onvif.org/ver10/schema",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tr2": "http://www.onvif.org/ver20/media/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "timg": "http://www.onvif.org/ver20/imaging/wsdl",
    "tse": "http://www.onvif.org/ver10/search/wsdl",
    "trp": "http://www.onvif.org/ver10/replay/wsdl",
    "trc": "http://www.onvif.org/ver10/recording/wsdl",
    "ter": ONVIF_ERROR_NS,
    "env": SOAP12_ENV,
    "s": SOAP12_ENV,
    "soap": SOAP12_ENV,
    "SOAP-ENV": SOAP12_ENV,
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wsa5": "http://www.w3.org/2005/08/addressing",
}
"""Prefix -> namespace the ONVIF specifications use, for replies that forgot to declare one."""


def repair_prefixes(root: etree._Element) -> None:
    """Give elements left with a literal ``prefix:name`` tag (undeclared prefix, read in recover
    mode) the namespace that prefix has elsewhere in the reply, or in the ONVIF specs."""
    known = dict(WELL_KNOWN_PREFIXES)
    for element in root.iter():
        known.update({k: v for k, v in (element.nsmap or {}).items() if k})
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.startswith("{"):
            continue
        prefix, _, local = element.tag.rpartition(":")
        if prefix and prefix in known:
            element.tag = f"{{{known[prefix]}}}{local}"


def expect_response_element(root: etree._Element, operation_obj: Any) -> None:
    """Lenient reading still needs the right message: the Body's child must be the operation's
    response element (by local name), or the data read would be another message's."""
    qname = getattr(getattr(operation_obj.output, "body", None), "qname", None)
    body = next((c for c in root if isinstance(c.tag, str) and c.tag.endswith("}Body")), None)
    child = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if qname is None or child is None:
        return
    got = etree.QName(child).localname
    if got != etree.QName(qname).localname:
        raise ValueError(f"the Body holds {got}, not {etree.QName(qname).localname}")
