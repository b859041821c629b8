"""Does an HTML file load anything from the network when it is opened? (It must not.)

Reports are opened on police and council machines, often offline, and must not tell anyone
that they were opened. This scanner looks for URLs in the places a browser fetches at open time
(src/href of loading elements, CSS url() and @import, script imports and requests) and for known
analytics hosts anywhere, also inside base64 data: URIs, where single-file reports keep their
scripts. Plain <a href> links are allowed: they load only when clicked.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

_REMOTE = r"""["'`]?\s*(?:https?:)?//"""
LOADING_PATTERNS = [
    # An element attribute a browser fetches (not <a href>: followed only when clicked).
    re.compile(
        r"<(?!a\b)[a-z][a-z0-9-]*\b[^>]*?\b(?:src|href|data|poster|srcset|action|background)"
        rf"\s*=\s*{_REMOTE}",
        re.I,
    ),
    re.compile(rf"url\(\s*{_REMOTE}", re.I),
    re.compile(rf"@import\s+(?:url\()?\s*{_REMOTE}", re.I),
    re.compile(rf"\bimport\s*\(?\s*{_REMOTE}", re.I),
    re.compile(rf"\bimportScripts\s*\(\s*{_REMOTE}", re.I),
    # Script that points an element or a request at a remote address.
    re.compile(rf"\.(?:src|href)\s*=\s*{_REMOTE}", re.I),
    re.compile(
        rf"\b(?:fetch|sendBeacon|open|EventSource|WebSocket)\s*\(\s*(?:['\"]\w+['\"]\s*,\s*)?{_REMOTE}",
        re.I,
    ),
]
ANALYTICS_MARKERS = (
    "googletagmanager.com",
    "google-analytics.com",
    "gtag(",
    "doubleclick.net",
    "segment.io",
    "cdn.segment.com",
    "mixpanel.com",
    "hotjar.com",
    "sentry.io",
    "plausible.io",
    "matomo",
    "clarity.ms",
    "mc.yandex",
)
_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+)((?:;[^,;\"']*)*?);base64,([A-Za-z0-9+/=]+)")
_TEXT_TYPES = ("javascript", "css", "html", "svg", "json", "ecmascript")


def external_loads(text: str, _depth: int = 0) -> list[str]:
    """Snippets of ``text`` that would fetch from the network or that name an analytics host."""
    found = []
    for pattern in LOADING_PATTERNS:
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            found.append(text[start : match.end() + 60].replace("\n", " "))
    lower = text.lower()
    for marker in ANALYTICS_MARKERS:
        at = lower.find(marker)
        if at >= 0:
            found.append(f"analytics: {text[max(0, at - 40) : at + 60]}".replace("\n", " "))
    if _depth < 3:
        for match in _DATA_URI.finditer(text):
            if not any(t in match.group(1).lower() for t in _TEXT_TYPES):
                continue
            try:
                inner = base64.b64decode(match.group(3), validate=False).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                continue
            found.extend(f"[in {match.group(1)}] {s}" for s in external_loads(inner, _depth + 1))
    return found


def scan_file(path: Path) -> list[str]:
    return external_loads(path.read_text(encoding="utf-8", errors="replace"))
