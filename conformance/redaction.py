"""Credential redaction applied to everything the suite writes.

Secrets are removed in every form a transcript could carry them: plain, base64 (HTTP Basic),
URL-encoded (credentials in URLs), plus the structural places credentials live (WS-Security
Password and Nonce elements, Authorization headers, userinfo in URLs).

Devices send credentials too (a stream URI with ``user:password@`` in it): the redactor learns
every password it finds in a URL's userinfo, so the same password is masked wherever it appears
later, in any form, not only inside that URL.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import quote, quote_plus, unquote

MASK = "***"

_STRUCTURAL = (
    (re.compile(r"(<(?:\w+:)?Password\b[^>]*>)[^<]*(</(?:\w+:)?Password>)"), rf"\1{MASK}\2"),
    (re.compile(r"(<(?:\w+:)?Nonce\b[^>]*>)[^<]*(</(?:\w+:)?Nonce>)"), rf"\1{MASK}\2"),
    (re.compile(r"(<(?:\w+:)?Username\b[^>]*>)[^<]*(</(?:\w+:)?Username>)"), rf"\1{MASK}\2"),
    (re.compile(r"(?im)^((?:Proxy-)?Authorization:\s*)(.*)$"), rf"\1{MASK}"),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s\"'<>]+@"), rf"\1{MASK}@"),
)
_USERINFO = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://([^/@\s\"'<>]+)@")
_USERINFO_HINT = re.compile(r"://[^/@\s\"'<>]+@")
"""What every match of the userinfo patterns contains: searched for first (a literal-prefixed
scan), since the full patterns try a scheme at every word of the text."""


def _may_match(index: int, text: str) -> bool:
    """Whether structural pattern ``index`` can match ``text``: each needs text without which it
    cannot match (the end of its closing tag, the header name, a URL's userinfo). Most texts
    lack it, and a pattern that cannot match the text is not run: the result is the same,
    without the regex scan."""
    if index < 3:
        return ("Password>", "Nonce>", "Username>")[index] in text
    if index == 3:  # case-insensitive; exotic case folds only outside ASCII
        return not text.isascii() or "authorization:" in text.lower()
    return "@" in text and _USERINFO_HINT.search(text) is not None


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
        self._parent: Redactor | None = None

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 3 and secret not in self._forms:
            self._forms = sorted(set(self._forms) | _forms_of(secret), key=len, reverse=True)

    def child(self) -> Redactor:
        """A redactor that masks everything this one masks now, for one client's throwaway
        credentials (a random user name and password): :meth:`add` on the child masks them in
        that client's texts without making every later text of the run be searched for them.
        Passwords it learns from a text (a URL's userinfo) are learnt by this one too."""
        twin = Redactor()
        twin._forms = list(self._forms)
        twin._parent = self
        return twin

    def _learn(self, secret: str) -> None:
        self.add(secret)
        if self._parent is not None:
            self._parent._learn(secret)

    def __call__(self, text: str) -> str:
        if _may_match(4, text):
            for match in _USERINFO.finditer(text):  # a device's own credentials, learnt here
                _user, _, password = match.group(1).partition(":")
                if password and password != MASK:
                    self._learn(unquote(password))
                    self._learn(password)
        for index, (pattern, replacement) in enumerate(_STRUCTURAL):
            if _may_match(index, text):
                text = pattern.sub(replacement, text)
        for form in self._forms:
            if len(form) <= len(text):  # a longer form cannot be in it (masks never lengthen)
                text = text.replace(form, MASK)
        return text

    def found_in(self, data: bytes) -> bool:
        """Whether a known secret appears in ``data`` in any form (for bytes kept as they are,
        such as a signed export package, which cannot be redacted without breaking it)."""
        return any(form.encode("utf-8") in data for form in self._forms)

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


def redact_deep(value: Any, redactor: Redactor) -> Any:
    """Every string inside ``value`` (dicts, lists, tuples) redacted: measured values and notes
    carry what devices sent (stream URIs with credentials in them), not only transcripts."""
    if isinstance(value, str):
        return redactor(value)
    if isinstance(value, dict):
        return {k: redact_deep(v, redactor) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_deep(v, redactor) for v in value]
    return value


class RedactingStream(io.TextIOBase):
    """A terminal stream that redacts each write: what pytest prints about a failing check
    (assertion texts quoting a device's reply) goes through the run's redactor too."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self.redactor = Redactor()

    def write(self, text: str) -> int:
        self._stream.write(self.redactor(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")


TERMINALS: list[RedactingStream] = []
"""The redacting streams the CLI put in front of stdout and stderr for a run, if any; the
plugin hands them the run's redactor (conformance.plugin)."""
