"""Checks of ONVIF service capabilities, as ONVIF's device test cases judge them.

- ONVIF-CAP-SVC-01 (``<SERVICE> SERVICE CAPABILITIES``): every service GetServices lists answers
  GetServiceCapabilities at its XAddr with a reply, not a fault, that the WSDL can read.
- ONVIF-CAP-CONSIST-01 (``GET SERVICES AND GET <SERVICE> SERVICE CAPABILITIES CONSISTENCY``):
  the Capabilities GetServices(IncludeCapability=true) gives for a service agree with that
  service's GetServiceCapabilities.
- ONVIF-CAP-LEGACY-01 (``ALL/DEVICE/MEDIA/EVENT/PTZ/IMAGING CAPABILITIES``): GetCapabilities
  answers, for All and for each category, with the category of every service GetServices lists
  that has one. Whether its XAddrs agree with GetServices is ONVIF-DEV-SVC-01's judgement, and
  whether they answer is ONVIF-DEV-XADDR-01's: neither is judged again here.

Comparisons work on the XML of the replies (the Capabilities types differ per service and end in
wildcards), by namespace URI and local name, never by prefix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from conformance.checks.device import CAPABILITY_NAMESPACES

ONVIF_NS_PREFIX = "http://www.onvif.org/"
NS_DEVICE = "http://www.onvif.org/ver10/device/wsdl"

SERVICE_KEYS = {
    NS_DEVICE: "devicemgmt",
    "http://www.onvif.org/ver10/media/wsdl": "media",
    "http://www.onvif.org/ver20/media/wsdl": "media2",
    "http://www.onvif.org/ver10/events/wsdl": "events",
    "http://www.onvif.org/ver20/ptz/wsdl": "ptz",
    "http://www.onvif.org/ver20/imaging/wsdl": "imaging",
    "http://www.onvif.org/ver10/recording/wsdl": "recording",
    "http://www.onvif.org/ver10/search/wsdl": "search",
    "http://www.onvif.org/ver10/replay/wsdl": "replay",
    "http://www.onvif.org/ver10/receiver/wsdl": "receiver",
}
"""GetServices namespace -> the suite's client key, for the services whose
GetServiceCapabilities these checks ask (the services of ONVIF's capability test cases)."""

SERVICE_LABELS = {
    "devicemgmt": "Device",
    "media": "Media",
    "media2": "Media2",
    "events": "Event",
    "ptz": "PTZ",
    "imaging": "Imaging",
    "recording": "Recording Control",
    "search": "Recording Search",
    "replay": "Replay",
    "receiver": "Receiver",
}

CATEGORY_OF = {namespace: category for category, namespace in CAPABILITY_NAMESPACES.items()}
"""GetServices namespace -> the GetCapabilities category of the same service."""

_FALSE = {"false", "0"}
_TRUE = {"true", "1"}


@dataclass(frozen=True)
class ServiceAnswer:
    """How one service answered GetServiceCapabilities (``problem`` empty: it answered)."""

    namespace: str
    response_xml: str = ""
    problem: str = ""
    schema_violation: str = ""


def _parse(xml: str) -> etree._Element | None:
    if not xml.strip():
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        return etree.fromstring(xml.encode(), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _ns(el: etree._Element) -> str:
    return etree.QName(el).namespace or ""


def _body_child(root: etree._Element | None) -> etree._Element | None:
    if root is None:
        return None
    for el in root:
        if isinstance(el.tag, str) and _local(el) == "Body":
            return next((c for c in el if isinstance(c.tag, str)), None)
    return None


def reply_capabilities(response_xml: str) -> etree._Element | None:
    """The ``Capabilities`` element of a GetServiceCapabilities reply envelope (None if none)."""
    response = _body_child(_parse(response_xml))
    if response is None:
        return None
    return next(
        (c for c in response if isinstance(c.tag, str) and _local(c) == "Capabilities"), None
    )


def services_capabilities(response_xml: str) -> dict[str, etree._Element | None]:
    """GetServices(IncludeCapability=true) reply envelope -> namespace -> the service's own
    Capabilities element (the child of tds:Capabilities), None where the device gave none."""
    response = _body_child(_parse(response_xml))
    found: dict[str, etree._Element | None] = {}
    if response is None:
        return found
    for service in response:
        if not isinstance(service.tag, str) or _local(service) != "Service":
            continue
        namespace = ""
        caps = None
        for child in service:
            if not isinstance(child.tag, str):
                continue
            if _local(child) == "Namespace":
                namespace = (child.text or "").strip()
            elif _local(child) == "Capabilities":
                caps = next((c for c in child if isinstance(c.tag, str)), None)
        if namespace:
            found[namespace] = caps
    return found


def flatten(el: etree._Element) -> dict[str, str]:
    """A capabilities element as ``path@attribute`` / ``path#text`` -> whitespace-collapsed
    value. Only ONVIF content counts: vendor elements and namespaced (vendor) attributes, which
    the types admit through their wildcards, are left out. Repeated siblings are numbered."""
    flat: dict[str, str] = {}

    def walk(node: etree._Element, path: str) -> None:
        for name, value in node.attrib.items():
            if not name.startswith("{"):
                flat[f"{path}@{name}"] = " ".join(value.split())
        text = " ".join((node.text or "").split())
        children = [
            c for c in node if isinstance(c.tag, str) and _ns(c).startswith(ONVIF_NS_PREFIX)
        ]
        if text and not children:
            flat[f"{path}#text"] = text
        seen: dict[str, int] = {}
        for child in children:
            name = _local(child)
            index = seen.get(name, 0)
            seen[name] = index + 1
            walk(child, f"{path}/{name}" + (f"[{index}]" if index else ""))

    walk(el, _local(el))
    return flat


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.lower() in _TRUE | _FALSE and b.lower() in _TRUE | _FALSE:
        return (a.lower() in _TRUE) == (b.lower() in _TRUE)
    left, right = a.split(), b.split()
    if len(left) != len(right):
        return False
    try:
        return all(float(x) == float(y) for x, y in zip(left, right, strict=True))
    except ValueError:
        return False


def compare_capabilities(from_services: etree._Element, from_service: etree._Element) -> list[str]:
    """Where GetServices' Capabilities of one service differ from its GetServiceCapabilities.

    Conservative: values are compared as xs:boolean (``1``/``true``), as numbers, or as
    whitespace-collapsed text; a field only one reply has is a difference unless it is a false
    boolean (an optional capability flag that is absent is not offered either)."""
    left, right = flatten(from_services), flatten(from_service)
    problems = []
    for key in sorted(set(left) | set(right)):
        a, b = left.get(key), right.get(key)
        if a is not None and b is not None:
            if not _same(a, b):
                problems.append(f"{key}: GetServices says {a!r}, GetServiceCapabilities {b!r}")
        elif (a or b or "").lower() not in _FALSE:
            which = "GetServices" if a is not None else "GetServiceCapabilities"
            problems.append(f"{key}={a if a is not None else b!r} only in {which}")
    return problems


def check_service_capabilities(answers: Iterable[ServiceAnswer]) -> list[str]:
    """ONVIF-CAP-SVC-01: each offered service answered GetServiceCapabilities with a reply the
    WSDL can read (a reply read leniently despite a schema violation is ONVIF-DEV-SCHEMA-01's
    finding, not this one's). Nothing asked is not a pass: the device service is always there."""
    answers = list(answers)
    if not answers:
        return ["no service was asked GetServiceCapabilities (GetServices listed none)"]
    problems = []
    for answer in answers:
        label = SERVICE_LABELS.get(SERVICE_KEYS.get(answer.namespace, ""), answer.namespace)
        if answer.problem:
            problems.append(f"{label} service ({answer.namespace}): {answer.problem}")
        elif reply_capabilities(answer.response_xml) is None:
            problems.append(
                f"{label} service ({answer.namespace}): the GetServiceCapabilities reply has "
                "no Capabilities element"
            )
    return problems


def check_capabilities_consistent(
    listed: Mapping[str, etree._Element | None], answers: Iterable[ServiceAnswer]
) -> tuple[list[str], list[str]]:
    """ONVIF-CAP-CONSIST-01: (problems, notes). ``listed``: namespace -> Capabilities from
    GetServices(IncludeCapability=true); ``answers``: the services' GetServiceCapabilities.

    A service whose GetServiceCapabilities failed is ONVIF-CAP-SVC-01's finding and is left out
    (noted). A service without Capabilities in GetServices is noted, not failed (Core 8.1.2.2
    gives them for services that have them); none for every service is a fault."""
    problems: list[str] = []
    notes: list[str] = []
    compared = 0
    answers = list(answers)
    if not answers:
        return ["no service's GetServiceCapabilities to compare with GetServices"], notes
    if all(listed.get(a.namespace) is None for a in answers):
        return ["GetServices(IncludeCapability=true) gives no Capabilities for any service"], notes
    for answer in answers:
        label = SERVICE_LABELS.get(SERVICE_KEYS.get(answer.namespace, ""), answer.namespace)
        own = None if answer.problem else reply_capabilities(answer.response_xml)
        if own is None:
            notes.append(f"{label}: not compared, GetServiceCapabilities gave no capabilities")
            continue
        given = listed.get(answer.namespace)
        if given is None:
            notes.append(f"{label}: GetServices(IncludeCapability=true) gives no Capabilities")
            continue
        compared += 1
        if _ns(given) != _ns(own):
            problems.append(
                f"{label}: GetServices gives {etree.QName(given).text}, "
                f"GetServiceCapabilities {etree.QName(own).text}"
            )
            continue
        problems += [f"{label}: {p}" for p in compare_capabilities(given, own)]
    if not compared and not problems:
        notes.append("no service's capabilities could be compared")
    return problems, notes


def legacy_categories(reply_xml: str) -> dict[str, str | None]:
    """A GetCapabilities reply envelope -> category present -> its XAddr (None if it has none)."""
    response = _body_child(_parse(reply_xml))
    found: dict[str, str | None] = {}
    if response is None:
        return found
    caps = next((c for c in response if isinstance(c.tag, str)), None)
    for category in caps if caps is not None else ():
        if not isinstance(category.tag, str) or _local(category) not in CAPABILITY_NAMESPACES:
            continue
        xaddrs = [c for c in category if isinstance(c.tag, str) and _local(c) == "XAddr"]
        xaddr = (xaddrs[0].text or "").strip() if xaddrs else ""
        found[_local(category)] = xaddr or None
    return found


def expected_categories(namespaces: Iterable[str]) -> list[str]:
    """The GetCapabilities categories of the services GetServices lists, Device first."""
    wanted = {CATEGORY_OF[ns] for ns in namespaces if ns in CATEGORY_OF} | {"Device"}
    return [c for c in CAPABILITY_NAMESPACES if c in wanted]


def check_legacy_capabilities(
    namespaces: Iterable[str],
    all_reply: Mapping[str, str | None],
    per_category: Mapping[str, Mapping[str, str | None] | str],
) -> list[str]:
    """ONVIF-CAP-LEGACY-01. ``namespaces``: what GetServices lists; ``all_reply``: category ->
    XAddr of GetCapabilities(All); ``per_category``: category -> GetCapabilities(Category=it)
    as category -> XAddr, or the text of the fault/error it gave."""
    problems = []
    for category in expected_categories(namespaces):
        service = CAPABILITY_NAMESPACES[category]
        if category not in all_reply:
            problems.append(
                f"GetCapabilities(All) has no {category} category, yet GetServices lists {service}"
            )
        elif not all_reply[category]:
            problems.append(f"GetCapabilities(All): the {category} category has no XAddr")
        answer = per_category.get(category)
        if answer is None:
            continue
        if isinstance(answer, str):
            problems.append(f"GetCapabilities(Category={category}) failed: {answer}")
        elif category not in answer:
            problems.append(
                f"GetCapabilities(Category={category}) does not return the {category} category"
            )
        elif not answer[category]:
            problems.append(f"GetCapabilities(Category={category}): {category} has no XAddr")
    return problems
