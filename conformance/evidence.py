"""Evidence behind every verdict: measured and claimed values, transcripts, frames, statistics.

Each conformance test gets an :class:`Evidence` recorder. What it records goes three places at
once: files under ``OUT/evidence/<device>/<requirement>/`` (linked from results.json and the
compliance statement, with their SHA-256), Allure attachments, and the test's entry in
results.json. Everything textual passes through the run's :class:`Redactor` first, so
credentials never reach a report.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from conformance.redaction import Redactor, redact_deep

try:  # Allure is optional at run time: attachments still go to disk without it.
    import allure
except ImportError:  # pragma: no cover - allure-pytest is a dependency
    allure = None

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
RTSP_METHODS = frozenset(
    {
        "OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER",
        "SET_PARAMETER", "ANNOUNCE", "RECORD", "REDIRECT",
    }
)  # fmt: skip
"""RTSP methods (RFC 2326 section 10): the ``method`` of an exchange record counts as an
operation only if it is one of these. An HTTP exchange's GET or POST (a tunnel's opening, a VMS
API call) names no protocol operation; a snapshot's GET is recorded as ``HTTP GET`` by its test."""


def safe_name(name: str) -> str:
    return _SAFE.sub("_", name).strip("_") or "item"


@dataclass
class EvidenceFile:
    name: str
    path: str  # relative to the results directory
    sha256: str
    media_type: str

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "path": self.path,
            "sha256": self.sha256,
            "media_type": self.media_type,
        }


@dataclass
class Evidence:
    """Recorder for one test of one requirement on one device."""

    results_dir: Path | None
    device: str
    requirement: str
    redactor: Redactor
    measured: dict[str, Any] = field(default_factory=dict)
    claimed: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: list[EvidenceFile] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    """Protocol operations the verdict rests on (SOAP operations, RTSP methods), in first-seen
    order, from the transcripts attached: what ``cctv-conformance coverage`` counts as the
    procedure a requirement really exercised on the wire, not what it cites."""

    # -- values ----------------------------------------------------------------------------
    def measure(self, key: str, value: Any) -> Any:
        """Record a measured value (returned, so it can be used inline)."""
        self.measured[key] = redact_deep(_plain(value), self.redactor)
        return value

    def claim(self, key: str, value: Any) -> None:
        self.claimed[key] = redact_deep(_plain(value), self.redactor)

    def expect(self, key: str, value: Any) -> None:
        self.expected[key] = redact_deep(_plain(value), self.redactor)

    def exercised(self, operation: str) -> None:
        """Record an operation the verdict rests on whose transcript is not an exchange record
        (a WS-Discovery Probe's datagrams are attached as files)."""
        if operation not in self.operations:
            self.operations.append(operation)

    def note(self, text: str) -> None:
        self.notes.append(self.redactor(text))

    @property
    def has_any(self) -> bool:
        return bool(self.measured or self.files)

    # -- attachments -----------------------------------------------------------------------
    def attach_text(
        self, name: str, text: str, *, ext: str = "txt", media_type: str = "text/plain"
    ) -> None:
        self._write(name, self.redactor(text).encode("utf-8"), ext, media_type)

    def attach_json(self, name: str, obj: Any) -> None:
        text = json.dumps(_plain(obj), indent=2, sort_keys=True, default=str)
        self.attach_text(name, text, ext="json", media_type="application/json")

    def attach_png(self, name: str, data: bytes) -> None:
        self._write(name, data, "png", "image/png")

    def attach_jpeg(self, name: str, data: bytes) -> None:
        """Attach a picture exactly as the device sent it, so a lab can check its digest and
        decode it with its own tools; withheld (with a note) if it carries a known secret, as
        binary cannot be redacted without changing it."""
        if self.redactor.found_in(data):
            self.note(f"{name}: the picture is not attached: it carries a credential")
            return
        self._write(name, data, "jpg", "image/jpeg")

    def attach_exchanges(self, name: str, exchanges: list[Any]) -> None:
        """Attach protocol exchanges (SOAP or RTSP) as one readable transcript."""
        for exchange in exchanges:
            name_of = getattr(exchange, "operation", None)
            if not name_of and getattr(exchange, "method", None) in RTSP_METHODS:
                name_of = exchange.method
            if isinstance(name_of, str) and name_of:
                self.exercised(name_of)
                client_key = getattr(exchange, "service", None)
                service = _service_of_client(client_key) if isinstance(client_key, str) else None
                if service:
                    self.exercised(f"{service}:{name_of}")
        if exchanges:
            self.attach_text(name, "\n\n".join(format_exchange(x) for x in exchanges))

    def attach_shared(
        self, name: str, data: bytes, *, ext: str, media_type: str, allure_limit: int = 256 * 1024
    ) -> None:
        """Attach bytes many verdicts rest on (an export package) without a copy per verdict:
        written once under ``evidence/<device>/shared/``, named by content, and linked from each
        requirement. Not redacted (a signed package must stay byte-exact): the caller withholds
        what carries a credential (:meth:`Redactor.found_in`). Allure gets a copy per test only
        up to ``allure_limit`` bytes (its results folder copies every attachment)."""
        digest = hashlib.sha256(data).hexdigest()
        filename = f"{digest[:16]}-{safe_name(name)}.{ext}"
        rel = Path("evidence") / safe_name(self.device) / "shared" / filename
        if self.results_dir is not None:
            path = self.results_dir / rel
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        self.files.append(EvidenceFile(name, rel.as_posix(), digest, media_type))
        if allure is not None and len(data) <= allure_limit:
            allure.attach(data, name=name, extension=ext)

    def _write(self, name: str, data: bytes, ext: str, media_type: str) -> None:
        filename = f"{len(self.files) + 1:02d}-{safe_name(name)}.{ext}"
        digest = hashlib.sha256(data).hexdigest()
        rel = Path("evidence") / safe_name(self.device) / safe_name(self.requirement) / filename
        if self.results_dir is not None:
            path = self.results_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.files.append(EvidenceFile(name, rel.as_posix(), digest, media_type))
        if allure is not None:
            kind = {
                "image/png": allure.attachment_type.PNG,
                "image/jpeg": allure.attachment_type.JPG,
                "application/json": allure.attachment_type.JSON,
            }.get(media_type, allure.attachment_type.TEXT)
            allure.attach(data, name=name, attachment_type=kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measured": self.measured,
            "claimed": self.claimed,
            "expected": self.expected,
            "notes": self.notes,
            "files": [f.to_dict() for f in self.files],
            "operations": list(self.operations),
        }


@cache
def _service_of_client(client_key: str) -> str | None:
    """The ONVIF service (``media2``) of an ONVIF client's service key (``media2``,
    ``pullpoint``...), so a verdict names operations as ONVIF coverage qualifies them; cached,
    as every exchange of every verdict asks it."""
    from conformance.clients.wsdl import SERVICES
    from conformance.coverage.services import SERVICE_OF_NAMESPACE, namespace_of_binding

    spec = SERVICES.get(client_key)
    return SERVICE_OF_NAMESPACE.get(namespace_of_binding(spec.binding)) if spec else None


def format_exchange(exchange: Any) -> str:
    """Render an ONVIF or RTSP exchange record as text, whichever client produced it."""
    if hasattr(exchange, "to_text"):
        return exchange.to_text()
    lines = []
    title = " ".join(
        str(getattr(exchange, attr))
        for attr in ("service", "operation", "method")
        if getattr(exchange, attr, None)
    )
    lines.append(f"=== {title} {getattr(exchange, 'url', '')}".rstrip())
    for attr in ("request_xml", "request"):
        if getattr(exchange, attr, None):
            lines += ["--- request", str(getattr(exchange, attr))]
    status = getattr(exchange, "http_status", None) or getattr(exchange, "status", None)
    if status is not None:
        lines.append(f"--- response status {status}")
    headers = getattr(exchange, "response_headers", None)
    if headers:
        lines += [f"{k}: {v}" for k, v in dict(headers).items()]
    for attr in ("response_xml", "response"):
        if getattr(exchange, attr, None):
            lines += ["--- response", str(getattr(exchange, attr))]
    if getattr(exchange, "error", None):
        lines.append(f"--- error {exchange.error}")
    if getattr(exchange, "schema_violation", None):  # read leniently; ONVIF-DEV-SCHEMA-01 judges
        lines.append(f"--- schema violation (read leniently) {exchange.schema_violation}")
    elapsed = getattr(exchange, "elapsed_s", None) or getattr(exchange, "elapsed", None)
    if elapsed is not None:
        lines.append(f"--- elapsed {float(elapsed) * 1000:.1f} ms")
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    """Make a value JSON-friendly (dataclasses with to_dict, tuples, sets)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value
