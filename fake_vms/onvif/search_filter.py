"""The scope's RecordingInformationFilter of the Recording Search service.

The specification's XPath dialect (Recording Search, "Xpath dialect") is a subset of XPath 1.0
whose element paths name RecordingInformation's children without a namespace, e.g.
``boolean(//Track[TrackType = "Video"])``. The simulator evaluates the expression as XPath 1.0
(a superset of the dialect) over a namespace-free copy of the recording's RecordingInformation,
so every expression of the dialect means what the specification says. Typographic quotes, as in
the specification's own examples, are read as plain ones.
"""

from __future__ import annotations

from lxml import etree

MAX_FILTER_LENGTH = 1024
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


class FilterError(ValueError):
    """The expression is not XPath 1.0 the simulator can evaluate."""


def _plain(element: etree._Element) -> etree._Element:
    """A copy of ``element`` with every element name stripped of its namespace."""
    copy = etree.Element(etree.QName(element).localname, dict(element.attrib))
    copy.text = element.text
    for child in element:
        if isinstance(child.tag, str):
            copy.append(_plain(child))
    return copy


def matches(expression: str, information: etree._Element) -> bool:
    """Whether the recording described by tt:RecordingInformation ``information`` matches."""
    text = expression.translate(_QUOTES).strip()
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError("RecordingInformationFilter is too long")
    try:
        compiled = etree.XPath(text)
    except etree.XPathSyntaxError as exc:
        raise FilterError(f"RecordingInformationFilter is not XPath: {exc}") from exc
    root = etree.ElementTree(_plain(information))
    try:
        result = compiled(root)
    except etree.XPathEvalError as exc:
        raise FilterError(f"RecordingInformationFilter cannot be evaluated: {exc}") from exc
    return bool(result)  # a node-set is true when not empty, as XPath's boolean() has it
