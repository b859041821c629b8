"""A transcript of the REST exchanges an adapter makes with a VMS (evidence for export verdicts).

Why: an export verdict rests on what the VMS answered (the job it created, the states it reported,
the package it sent), so the requests and answers are evidence like a SOAP transcript. The
recorder hooks a ``requests.Session`` (``session.hooks["response"]``), so any adapter built on
``requests`` gets a transcript by calling :meth:`RestRecorder.install` once; no adapter has to log
by hand.

Credentials are removed when an exchange is recorded, not only when it is written: the
Authorization, Cookie and token headers, the token, password and key query parameters (ZoneMinder
puts its token in the query), and the password and token fields of JSON and form bodies (a login
request and its answer). The run's redactor masks the known secrets once more when the transcript
is attached. Bodies that are not text (a package zip, an MP4) are summarised by size and SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
SECRET_WORDS = ("pass", "token", "secret", "auth", "cookie", "key", "session", "credential")
"""A header, query parameter or JSON field whose name contains one of these is masked."""
TEXT_LIMIT = 64 * 1024
"""A text body longer than this is cut (the transcript is for reading, the package is kept)."""
KEEP = 5000
"""Exchanges kept per adapter (oldest dropped): a long run polls many jobs."""
_TEXT_TYPES = ("json", "text", "xml", "x-www-form-urlencoded")


def secret_name(name: str) -> bool:
    """Whether a header, parameter or field name carries a credential."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS) and lowered not in ("public_key", "keys")


def clean_url(url: str) -> str:
    """The URL without userinfo and with credential query parameters masked."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    query = urlencode(
        [(k, MASK if secret_name(k) else v) for k, v in parse_qsl(parts.query, True)], safe="*:"
    )
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def clean_headers(headers: Any) -> dict[str, str]:
    return {str(k): MASK if secret_name(str(k)) else str(v) for k, v in dict(headers or {}).items()}


def _mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: MASK if secret_name(str(k)) and not isinstance(v, dict | list) else _mask_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    return value


def clean_body(body: bytes | str | None, content_type: str) -> str:
    """A body as the transcript shows it: JSON pretty and masked, a form masked, text cut,
    anything else by size and SHA-256."""
    if body is None or body == b"" or body == "":
        return ""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    kind = content_type.lower()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and ("json" in kind or text.lstrip()[:1] in ("{", "[")):
        try:
            return json.dumps(_mask_json(json.loads(text)), indent=2, sort_keys=True)[:TEXT_LIMIT]
        except ValueError:
            pass
    if text is not None and "x-www-form-urlencoded" in kind:
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, MASK if secret_name(k) else v) for k, v in pairs], safe="*")
    if text is not None and (any(t in kind for t in _TEXT_TYPES) or not kind):
        return text[:TEXT_LIMIT] + ("\n[... cut]" if len(text) > TEXT_LIMIT else "")
    digest = hashlib.sha256(data).hexdigest()
    return f"[{len(data)} bytes {content_type or 'binary'}, sha256 {digest}]"


@dataclass(frozen=True)
class RestExchange:
    """One request and its answer, already cleaned of credentials."""

    method: str
    url: str
    status: int
    request_headers: dict[str, str]
    request_body: str
    response_headers: dict[str, str]
    response_body: str
    elapsed_ms: float
    thread_id: int

    def to_text(self) -> str:
        lines = [f"=== {self.method} {self.url}", "--- request"]
        lines += [f"{k}: {v}" for k, v in self.request_headers.items()]
        if self.request_body:
            lines += ["", self.request_body]
        lines.append(f"--- response status {self.status} ({self.elapsed_ms:.0f} ms)")
        lines += [f"{k}: {v}" for k, v in self.response_headers.items()]
        if self.response_body:
            lines += ["", self.response_body]
        return "\n".join(lines)


class RestRecorder:
    """Collects a session's exchanges; :meth:`mark` and :meth:`since` cut out one operation's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exchanges: list[RestExchange] = []
        self._dropped = 0

    def install(self, session: Any) -> None:
        session.hooks.setdefault("response", []).append(self._on_response)

    def _on_response(self, response: Any, *_args: Any, **_kwargs: Any) -> Any:
        request = response.request
        request_type = str(request.headers.get("Content-Type", ""))
        # A streamed or large binary answer is read already (the adapters read every body).
        exchange = RestExchange(
            method=str(request.method),
            url=clean_url(str(request.url)),
            status=int(response.status_code),
            request_headers=clean_headers(request.headers),
            request_body=clean_body(request.body, request_type),
            response_headers=clean_headers(response.headers),
            response_body=clean_body(response.content, response.headers.get("Content-Type", "")),
            elapsed_ms=response.elapsed.total_seconds() * 1000.0,
            thread_id=threading.get_ident(),
        )
        with self._lock:
            self._exchanges.append(exchange)
            if len(self._exchanges) > KEEP:
                del self._exchanges[0]
                self._dropped += 1
        return response

    def mark(self) -> int:
        """A position to take :meth:`since` from (counts dropped exchanges too)."""
        with self._lock:
            return self._dropped + len(self._exchanges)

    def since(self, mark: int, thread_only: bool = True) -> list[RestExchange]:
        """The exchanges recorded after ``mark`` (by this thread only, by default: the prefetch
        warm-ups talk to the same VMS at the same time)."""
        me = threading.get_ident()
        with self._lock:
            start = max(0, mark - self._dropped)
            found = self._exchanges[start:]
        return [x for x in found if not thread_only or x.thread_id == me]
