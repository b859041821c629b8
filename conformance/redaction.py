"""Credential redaction applied to everything the suite writes.

Secrets are removed in every form a transcript could carry them: plain, base64 (HTTP Basic),
URL-encoded (credentials in URLs), plus the structural places credentials live (WS-Security
Password and Nonce elements, Authorization headers, userinfo in URLs).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"

_STRUCTURAL = (
    (re.compile(r"(<(?:\w+:)?Password\b[^>]*>)[^<]*(</(?:\w+:)?Password>)"), rf"\1{MASK}\2"),
    (re.compile(r"(<(?:\w+:)?Nonce\b[^>]*>)[^<]*(</(?:\w+:)?Nonce>)"), rf"\1{MASK}\2"),
    (re.compile(r"(<(?:\w+:)?Username\b[^>]*>)[^<]*(</(?:\w+:)?Username>)"), rf"\1{MASK}\2"),
    (re.compile(r"(?im)^((?:Proxy-)?Authorization:\s*)(.*)$"), rf"\1{MASK}"),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s\"'<>]+@"), rf"\1{MASK}@"),
)


class Redactor:
    """Replaces known secrets and credential-bearing fields with ``***``."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if not secret or len(secret) < 3:
                continue
            forms.update(_forms_of(secret))
        # Longest first, so a secret that contains another is masked whole.
        self._forms = sorted(forms, key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 3:
            self._forms = sorted(set(self._forms) | _forms_of(secret), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for pattern, replacement in _STRUCTURAL:
            text = pattern.sub(replacement, text)
        for form in self._forms:
            text = text.replace(form, MASK)
        return text

    def bytes(self, data: bytes) -> bytes:
        return self(data.decode("utf-8", errors="replace")).encode("utf-8")


def _forms_of(secret: str) -> set[str]:
    raw = secret.encode("utf-8")
    forms = {
        secret,
        quote(secret),
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(raw).decode(),
    }
    # Base64 of the secret at each alignment inside a longer string such as "user:secret".
    for pad in (1, 2):
        chunk = base64.b64encode(b"\0" * pad + raw).decode()
        start = (pad * 4 + 2) // 3
        core = chunk[start:].rstrip("=")
        if len(core) > 6:
            forms.add(core[:-2])
    return {f for f in forms if f}
