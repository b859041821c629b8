"""Reply shaping: the same answers, written the way other devices write them.

The services build their replies in one house style (``env:``, ``tt:``, short tokens). Real
devices differ in ways that are legal (other prefixes, long tokens, vendor extensions) or
schema-invalid but still readable (a missing required element, an undeclared prefix in a
QName value, an enumeration in the wrong case). :class:`ReplyShaper` rewrites each SOAP reply on
its way out (and maps long tokens back on the way in), so no service module needs to know: a
persona's knobs (:mod:`fake_vms.personas.knobs_wire`) choose what it does, and a camera without
them is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from fake_vms.onvif.soap import ENV, NSMAP, TT

XSI = "http://www.w3.org/2001/XMLSchema-instance"
VENDOR = "urn:example:fake-vms:vendor"
"""Namespace of the vendor extensions the extra-elements persona adds (its own namespace)."""

RENAMED_PREFIXES = {
    "env": "SOAP-ENV",
    "ter": "err",
    "tt": "tt1",
    "tds": "dev",
    "trt": "media",
    "tr2": "m2",
    "tptz": "ptz",
    "timg": "img",
    "tev": "ev",
    "wsnt": "b2",
    "wsa": "a",
    "wstop": "top",
    "tns1": "onvtopic",
    "xs": "xsd",
    "tse": "search",
    "trp": "replay",
    "trc": "rec",
}
"""House prefix -> the soap-prefixes persona's prefix (the namespace of the operation's reply
element becomes the default namespace instead)."""

TOKEN_SEPARATOR = ".-."
TOKEN_LENGTH = 64
"""tt:ReferenceToken is an xs:string of at most 64 characters."""
_FILLER = "Vendor_Token-0123456789.abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
SEEDED_TOKENS = (
    "profile_1",
    "video_source_1",
    "vsc_1",
    "vec_1",
    "vsc2_1",
    "ptz_node_1",
    "ptz_config_1",
)
"""Tokens that also appear as plain values (an event's Source item) before any reply has named
them as tokens."""

_QNAME_VALUE = re.compile(r"(?<![\w.:/-])([A-Za-z_][\w.-]*):(?=[A-Za-z_])")
"""A prefix in a QName-like value (``tns1:VideoSource/...``, ``ter:NotAuthorized``); never the
scheme of a URL (``http://``), which is followed by ``/``."""


def long_token(token: str) -> str:
    """The 64-character form of ``token``: itself, a separator, then legal filler."""
    return (token + TOKEN_SEPARATOR + _FILLER * 2)[:TOKEN_LENGTH]


def short_token(value: str) -> str | None:
    """The token whose long form ``value`` is, else ``None``."""
    if TOKEN_SEPARATOR not in value:
        return None
    token = value.split(TOKEN_SEPARATOR, 1)[0]
    return token if token and long_token(token) == value else None


class ReplyShaper:
    """Rewrites one camera's SOAP traffic as its knobs say; inactive for an ordinary camera."""

    def __init__(self, knobs: Any) -> None:
        self.knobs = knobs
        self._tokens: set[str] = set(SEEDED_TOKENS)
        steps: list[Callable[[str, etree._Element], None]] = []
        if knobs.omit_profile_use_count:
            steps.append(_omit_use_count)
        if knobs.undeclared_qname_prefix:
            steps.append(_undeclared_qname_prefix)
        if knobs.wrong_case_enum:
            steps.append(_wrong_case_enum)
        if knobs.long_tokens:
            steps.append(self._lengthen_tokens)
        if knobs.extra_elements:
            steps.append(_add_extensions)
        self._steps = steps
        self.active = bool(steps) or knobs.soap_prefixes or knobs.long_tokens

    # -- requests -------------------------------------------------------------------------------
    def request(self, body_child: etree._Element) -> None:
        """Map long tokens in a request back to the services' own (in place)."""
        if not self.knobs.long_tokens:
            return
        for el in body_child.iter():
            if not isinstance(el.tag, str):
                continue
            if el.text and (short := short_token(el.text.strip())):
                el.text = short
            elif el.text and TOKEN_SEPARATOR in el.text:  # inside an expression (ItemFilter)
                for token in self._tokens:
                    el.text = el.text.replace(long_token(token), token)
            for name, value in el.attrib.items():
                if short := short_token(value):
                    el.set(name, short)

    # -- replies --------------------------------------------------------------------------------
    def reply(self, operation: str, data: bytes) -> bytes:
        """The reply (envelope bytes) as this camera writes it."""
        if not self.active:
            return data
        root = etree.fromstring(data)
        for step in self._steps:
            step(operation, root)
        if self.knobs.soap_prefixes:
            root = _renamed(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _lengthen_tokens(self, _operation: str, root: etree._Element) -> None:
        """Tokens in token attributes, ``*Token`` elements and items naming a known token."""
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            if (token := el.get("token")) is not None:
                self._tokens.add(token)
                el.set("token", long_token(token))
            name = etree.QName(el).localname  # SourceToken; options' InputTokensAvailable
            if name.endswith(("Token", "TokensAvailable")) and el.text and el.text.strip():
                self._tokens.add(el.text.strip())
                el.text = long_token(el.text.strip())
        for el in root.iter(f"{{{TT}}}SimpleItem"):
            if el.get("Value") in self._tokens:
                el.set("Value", long_token(el.get("Value", "")))


def _omit_use_count(operation: str, root: etree._Element) -> None:
    """GetProfiles (Media and Media2) without the required UseCount of any configuration."""
    if operation != "GetProfiles":
        return
    for el in list(root.iter(f"{{{TT}}}UseCount")):
        el.getparent().remove(el)


def _undeclared_qname_prefix(operation: str, root: etree._Element) -> None:
    """GetCapabilities types its Media capabilities with ``xsi:type`` whose prefix is not
    declared anywhere: still well-formed XML (the prefix is in a value, not a name)."""
    if operation != "GetCapabilities":
        return
    for el in root.iter(f"{{{TT}}}Media"):
        el.set(f"{{{XSI}}}type", "onvif:MediaCapabilities")


def _wrong_case_enum(operation: str, root: etree._Element) -> None:
    """GetSystemDateAndTime's DateTimeType (an enumeration: Manual, NTP) in lower case."""
    if operation != "GetSystemDateAndTime":
        return
    for el in root.iter(f"{{{TT}}}DateTimeType"):
        el.text = (el.text or "").lower()


EXTENSIBLE_ATTRIBUTES = frozenset({"Profiles", "Profile", "Configurations", "Configuration"})
"""Local names of reply elements whose types take any attribute (``xs:anyAttribute``)."""
EXTENSIBLE_CONTENT = frozenset({"Service"})
"""Local names of reply elements whose content ends in ``xs:any`` (other namespaces)."""


def _add_extensions(_operation: str, root: etree._Element) -> None:
    """A vendor SOAP header block, a vendor attribute on extensible types and a vendor element
    where the content model ends in a wildcard, all in the vendor's own namespace."""
    body = root.find(f"{{{ENV}}}Body")
    header = root.find(f"{{{ENV}}}Header")
    if header is None:
        header = etree.Element(f"{{{ENV}}}Header")
        root.insert(0, header)
    block = etree.SubElement(header, f"{{{VENDOR}}}DeviceHint", nsmap={"vnd": VENDOR})
    block.text = "firmware-build 4711"
    if body is None:
        return
    for el in body.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace == VENDOR:
            continue
        local = etree.QName(el).localname
        if local in EXTENSIBLE_ATTRIBUTES:
            el.set(f"{{{VENDOR}}}hint", "vendor-attribute")
        if local in EXTENSIBLE_CONTENT:
            extra = etree.SubElement(el, f"{{{VENDOR}}}Vendor", nsmap={"vnd": VENDOR})
            etree.SubElement(extra, f"{{{VENDOR}}}Model").text = "SimCam extension"


# -- soap-prefixes ---------------------------------------------------------------------------------
def _renamed(root: etree._Element) -> etree._Element:
    """The envelope rebuilt with other prefixes, all declared on the Envelope: the reply
    element's namespace becomes the default namespace, the rest take RENAMED_PREFIXES (QName
    values such as topics and fault subcodes follow)."""
    body = root.find(f"{{{ENV}}}Body")
    first = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    default = etree.QName(first).namespace if first is not None else None
    if default == ENV:  # a fault: its Body child is env:Fault
        default = None
    nsmap: dict[str | None, str] = {RENAMED_PREFIXES.get(p, f"{p}0"): u for p, u in NSMAP.items()}
    old_prefixes = {p: RENAMED_PREFIXES.get(p, f"{p}0") for p in NSMAP}
    for el in root.iter():
        if isinstance(el.tag, str):
            for prefix, uri in el.nsmap.items():
                if prefix and prefix not in old_prefixes and uri not in nsmap.values():
                    nsmap[f"{prefix}0"] = uri
                    old_prefixes[prefix] = f"{prefix}0"
    if default is not None:
        nsmap = {p: u for p, u in nsmap.items() if u != default}
        nsmap[None] = default
        for prefix in list(old_prefixes):
            if NSMAP.get(prefix) == default:
                old_prefixes[prefix] = ""

    def value(text: str | None) -> str | None:
        if not text:
            return text
        return _QNAME_VALUE.sub(
            lambda m: (
                (old_prefixes[m.group(1)] + ":" if old_prefixes[m.group(1)] else "")
                if m.group(1) in old_prefixes
                else m.group(0)
            ),
            text,
        )

    def copy(el: etree._Element, parent: etree._Element | None) -> etree._Element:
        new = (
            etree.Element(el.tag, nsmap=nsmap)
            if parent is None
            else etree.SubElement(parent, el.tag)
        )
        for name, attr in el.attrib.items():
            new.set(name, value(attr) or "")
        new.text = value(el.text)
        new.tail = el.tail
        for child in el:
            if isinstance(child.tag, str):
                copy(child, new)
        return new

    return copy(root, None)
