"""Strict judging of replies against the official ONVIF WSDL/XSD (ONVIF-DEV-SCHEMA-01).

The suite reads every reply leniently (conformance.clients.onvif), so one schema error never
fails every check downstream; validity is judged once, here, with libxml2's XML Schema
validator over the bundled, unmodified schemas (conformance/wsdl), offline. Typed values
(xs:dateTime, xs:duration, enumerations, required attributes and elements) are all checked by
the XSD itself.

libxml2 enforces XSD's Unique Particle Attribution rule, which ~30 ONVIF types violate (an
optional element followed by an ``xs:any``). Those wildcards are removed in memory before
compiling (the files on disk are never modified); removing a wildcard only makes validation
stricter for those types, and no core reply the suite judges uses them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from conformance.clients.wsdl import WSDL_ROOT

XS = "http://www.w3.org/2001/XMLSchema"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
SCHEMA_REQUIREMENT = "ONVIF-DEV-SCHEMA-01"

SERVICE_WSDLS = {
    "http://www.onvif.org/ver10/device/wsdl": "onvif/ver10/device/wsdl/devicemgmt.wsdl",
    "http://www.onvif.org/ver10/media/wsdl": "onvif/ver10/media/wsdl/media.wsdl",
    "http://www.onvif.org/ver20/media/wsdl": "onvif/ver20/media/wsdl/media.wsdl",
    "http://www.onvif.org/ver10/events/wsdl": "onvif/ver10/events/wsdl/event.wsdl",
    "http://www.onvif.org/ver20/ptz/wsdl": "onvif/ver20/ptz/wsdl/ptz.wsdl",
    "http://www.onvif.org/ver20/imaging/wsdl": "onvif/ver20/imaging/wsdl/imaging.wsdl",
    "http://www.onvif.org/ver10/search/wsdl": "onvif/ver10/search.wsdl",
    "http://www.onvif.org/ver10/replay/wsdl": "onvif/ver10/replay.wsdl",
    "http://www.onvif.org/ver10/recording/wsdl": "onvif/ver10/recording.wsdl",
}
"""Service namespace -> its WSDL (whose embedded schema declares the operations' messages)."""

SCHEMA_OPERATIONS = frozenset(
    {
        "GetSystemDateAndTime",
        "GetCapabilities",
        "GetServices",
        "GetDeviceInformation",
        "GetScopes",
        "GetProfiles",
        "GetStreamUri",
    }
)
"""The core operations ONVIF-DEV-SCHEMA-01 validates: a reply to one of them that no reader can
use is blocked by that requirement in every other check."""

_UPA_ERROR = "The content model is not determinist"
MAX_ERRORS = 50


@dataclass(frozen=True)
class SchemaError:
    """One validation error: where in the reply (as attached), which element, what is wrong."""

    line: int
    element: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "element": self.element, "message": self.message}

    def __str__(self) -> str:
        return f"line {self.line}: {self.element}: {self.message}"


class _LocalResolver(etree.Resolver):
    """Maps every schemaLocation to a bundled file (see conformance/wsdl/README.md); never
    fetches. Serves in-memory relaxed copies of files whose wildcards broke UPA."""

    def __init__(self) -> None:
        super().__init__()
        self.relaxed: dict[Path, bytes] = {}

    @staticmethod
    def local_path(url: str) -> Path:
        if not url.startswith(("http://", "https://")):
            return Path(url)
        if "onvif.org" in url and url.endswith("/ver10/schema/onvif.xsd"):
            return WSDL_ROOT / "onvif/ver10/schema/onvif.xsd"
        local = WSDL_ROOT / "external" / url.rstrip("/").rsplit("/", 1)[-1]
        if not local.is_file():
            raise OSError(f"schema {url} is not available offline")
        return local

    def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
        path = self.local_path(url)
        if path in self.relaxed:
            return self.resolve_string(self.relaxed[path], context, base_url=str(path))
        return self.resolve_filename(str(path), context)

    def relax_file(self, path: Path, lines: set[int]) -> None:
        root = etree.fromstring(self.relaxed.get(path) or path.read_bytes(), base_url=str(path))
        _drop_wildcards(root, lines)
        self.relaxed[path] = etree.tostring(root)


def _drop_wildcards(root: etree._Element, lines: set[int]) -> None:
    for complex_type in root.iter(f"{{{XS}}}complexType"):
        if complex_type.sourceline in lines:
            for wildcard in list(complex_type.iter(f"{{{XS}}}any")):
                wildcard.getparent().remove(wildcard)


_schemas: dict[str, etree.XMLSchema] = {}
_lock = threading.Lock()


def service_schema(namespace: str) -> etree.XMLSchema:
    """The service WSDL's embedded schema (which imports onvif.xsd), compiled offline, once."""
    with _lock:
        if namespace not in _schemas:
            _schemas[namespace] = _compile(namespace)
        return _schemas[namespace]


def _compile(namespace: str) -> etree.XMLSchema:
    resolver = _LocalResolver()
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(resolver)
    wsdl_path = WSDL_ROOT / SERVICE_WSDLS[namespace]
    embedded = etree.parse(str(wsdl_path), parser).find(f".//{{{XS}}}schema")
    schema_doc = etree.fromstring(etree.tostring(embedded), parser, base_url=str(wsdl_path))
    for _ in range(4):
        try:
            return etree.XMLSchema(schema_doc)
        except etree.XMLSchemaParseError as exc:
            upa: dict[str, set[int]] = {}
            for error in exc.error_log:
                if error.level_name == "WARNING":
                    continue
                if _UPA_ERROR not in error.message:
                    raise
                upa.setdefault(error.filename, set()).add(error.line)
            for filename, lines in upa.items():
                if Path(filename) == wsdl_path:
                    _drop_wildcards(schema_doc, lines)
                else:
                    resolver.relax_file(resolver.local_path(filename), lines)
    raise RuntimeError(f"the ONVIF schema for {namespace} does not compile after relaxing UPA")


def validate_reply(namespace: str, reply: str | bytes) -> list[SchemaError]:
    """Validate a SOAP reply's Body content against the service's schema.

    ``reply`` is the reply text as attached to the evidence (so the reported lines point into
    that file). A reply that is not well-formed XML, or has no Body content, is one error.
    """
    data = reply.encode("utf-8") if isinstance(reply, str) else reply
    parser = etree.XMLParser(
        no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        return [SchemaError(line, "(document)", f"not well-formed XML: {exc.msg}")]
    body = root.find(f"{{{SOAP12_ENV}}}Body")
    if body is None:
        return [SchemaError(root.sourceline or 0, _name(root), "no SOAP 1.2 Envelope/Body")]
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        return [SchemaError(body.sourceline or 0, "Body", f"{len(children)} children, not 1")]
    schema = service_schema(namespace)
    if schema.validate(children[0]):
        return []
    return [
        SchemaError(error.line, _element_of(error), error.message)
        for error in list(schema.error_log)[:MAX_ERRORS]
    ]


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else "?"


def _element_of(error: Any) -> str:
    """libxml2 writes "Element '{ns}Name': ..." in its messages; keep the element's name."""
    message = str(error.message)
    if message.startswith("Element '"):
        return message.split("'", 2)[1]
    return str(error.path or "?")
