"""ONVIF SOAP client built for testing devices, not for trusting them.

Why not use zeep's own transport or onvif-zeep: a conformance suite must (a) control exactly what
goes on the wire (WS-Security Created/Nonce, which auth scheme, hand-made bodies), (b) survive
broken or hostile devices (every socket operation bounded by a timeout, bodies capped, XML parsed
without DTDs or entity expansion), (c) classify every failure so a test can say *why* a device
failed, and (d) keep a redacted transcript of every exchange as evidence. zeep is still used for
what it does well: building request envelopes from the WSDL and deserialising replies.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import os
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
import zeep.exceptions
from lxml import etree
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPDigestAuth
from requests.structures import CaseInsensitiveDict

from conformance.clients.lenient import (
    UNDECLARED_PREFIX,
    expect_response_element,
    fault_detail_text,
    parse_recovering,
)
from conformance.clients.wsdl import get_client, service_spec
from conformance.redaction import Redactor

AuthMode = Literal["wsse", "digest", "both", "none"]

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
ONVIF_ERROR_NS = "http://www.onvif.org/ver10/error"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
BASE64_BINARY = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

# Prefixes used for the human-readable form of fault QNames, whatever the device called them.
FRIENDLY_PREFIXES = {SOAP12_ENV: "env", SOAP11_ENV: "soap11", ONVIF_ERROR_NS: "ter"}

MAX_RESPONSE_BYTES = 5 * 1024 * 1024
EXCHANGE_TIMEOUTS = 3
"""A whole exchange (connect, 401 round trip, reply) is cut after this many timeouts."""
SILENT_LIMIT = 3
"""Consecutive timeouts/unreachable answers after which a device is not asked again."""
"""Default cap on a response body: far above any sane ONVIF reply, far below memory trouble."""

EVIDENCE_LIMIT = 1024 * 1024
"""Longest request/response text kept in an :class:`Exchange` (characters)."""

# A DOCTYPE in the prolog (after optional declaration, comments, PIs); checked before parsing so
# entity bombs are refused without libxml2 even looking at them.
_PROLOG_DOCTYPE = re.compile(rb"\A(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.S | re.I)

XML_MEDIA_TYPES = frozenset({"application/soap+xml", "text/xml", "application/xml"})

_READ_ERRORS = (
    zeep.exceptions.Error,
    ValueError,
    TypeError,
    AttributeError,
    LookupError,  # zeep indexes an empty Body (IndexError; found by tests/fuzz)
)


class OnvifError(Exception):
    """Base of every classified failure talking to a device."""


class OnvifFault(OnvifError):
    """The device answered with a SOAP fault.

    ``code`` and ``subcodes`` are Clark-notation QNames (``{ns}local``) resolved against the
    namespaces in scope in the reply, so they compare reliably whatever prefixes the device used;
    ``code_name``/``subcode_names`` are the same QNames with well-known prefixes
    (``env:Sender``, ``ter:NotAuthorized``) for reports.
    """

    def __init__(
        self,
        code: str,
        subcodes: list[str],
        reason: str,
        http_status: int,
        operation: str,
        *,
        code_name: str | None = None,
        subcode_names: list[str] | None = None,
        detail: str = "",
    ) -> None:
        self.code = code
        self.subcodes = subcodes
        self.reason = reason
        self.http_status = http_status
        self.operation = operation
        self.code_name = code_name or friendly_qname(code)
        self.subcode_names = subcode_names or [friendly_qname(s) for s in subcodes]
        self.detail = detail
        self.detail_text = fault_detail_text(detail)
        chain = "/".join([self.code_name, *self.subcode_names])
        # Code, every Subcode, the Reason and the Detail: the Detail often says why (e.g. "the
        # consumer address must be routable"), which decides whose fault it is.
        message = f"{operation}: SOAP fault {chain} (HTTP {http_status}): {reason or '(no reason)'}"
        if self.detail_text:
            message += f"; detail: {self.detail_text}"
        super().__init__(message)

    def matches(self, qname: str) -> bool:
        """True if ``qname`` (Clark or friendly form) is the fault code or any subcode."""
        return qname in (self.code, self.code_name, *self.subcodes, *self.subcode_names)


class OnvifHttpError(OnvifError):
    """A non-SOAP HTTP error (401 challenge, HTML error page, redirect, 5xx without a fault)."""

    def __init__(
        self,
        http_status: int,
        content_type: str,
        body_excerpt: str,
        www_authenticate: list[str],
    ) -> None:
        self.http_status = http_status
        self.content_type = content_type
        self.body_excerpt = body_excerpt
        self.www_authenticate = www_authenticate
        challenge = f" challenge={www_authenticate}" if www_authenticate else ""
        super().__init__(f"HTTP {http_status} ({content_type or 'no content type'}){challenge}")


class OnvifUnreachable(OnvifError):
    """The device could not be reached or dropped the connection (refused, reset, DNS)."""


class OnvifTimeout(OnvifError):
    """Connecting, or waiting for (part of) the reply, took longer than the timeout."""


class OnvifProtocolError(OnvifError):
    """The reply broke the protocol: malformed/oversized/DTD-bearing XML, wrong content type,
    malformed HTTP, or a body that does not match the WSDL."""


@dataclass
class Exchange:
    """One request/response pair, redacted, kept as evidence for reports."""

    service: str
    operation: str
    url: str
    request_xml: str
    http_status: int | None
    response_headers: dict[str, str]
    response_xml: str
    elapsed_s: float
    error: str | None
    schema_violation: str | None = None
    """Why the reply broke the WSDL/XSD although its data could be read (lenient reading)."""
    thread_id: int = field(default_factory=threading.get_ident)
    """The thread that made the call: evidence of a test only takes its own thread's calls
    (the run's prefetcher asks the same device from other threads at the same time)."""


@dataclass(frozen=True)
class RawResponse:
    """An HTTP reply read within the client's limits; body is complete (never truncated)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    www_authenticate: tuple[str, ...] = field(default=())


def friendly_qname(clark: str) -> str:
    """``{http://www.onvif.org/ver10/error}NotAuthorized`` -> ``ter:NotAuthorized``."""
    if clark.startswith("{"):
        ns, _, local = clark[1:].partition("}")
        if ns in FRIENDLY_PREFIXES:
            return f"{FRIENDLY_PREFIXES[ns]}:{local}"
    return clark


def parse_xml_safely(data: bytes) -> etree._Element:
    """Parse untrusted XML: no network, no entity expansion, no huge trees, no DOCTYPE at all.

    DOCTYPE is rejected outright because SOAP forbids it and it is the vehicle of entity bombs
    and external-entity attacks; a fresh parser per call because lxml parsers are not
    thread-safe.
    """
    if _PROLOG_DOCTYPE.match(data.lstrip(b"\xef\xbb\xbf")):
        raise OnvifProtocolError("XML reply contains a DOCTYPE (forbidden in SOAP)")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise OnvifProtocolError(f"malformed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise OnvifProtocolError("XML reply contains a DOCTYPE (forbidden in SOAP)")
    return root


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security UsernameToken PasswordDigest: Base64(SHA1(nonce + created + password))."""
    sha = hashlib.sha1(nonce + created.encode("utf-8") + password.encode("utf-8"))
    return base64.b64encode(sha.digest()).decode("ascii")


def format_created(moment: datetime) -> str:
    """UTC timestamp with milliseconds and ``Z`` (some devices reject ``+00:00`` or no zone)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class _CappedDigestAuth(HTTPDigestAuth):
    """HTTPDigestAuth whose 401 handshake reads the challenge body within the client's limits.

    requests' implementation reads the whole 401 body unbounded before retrying, which a hostile
    device could exploit with an endless body; pre-reading it here (into ``Response._content``,
    which ``Response.content`` then returns) applies the same cap and deadline as any reply.
    """

    def __init__(self, username: str, password: str, reader: OnvifClient) -> None:
        super().__init__(username, password)
        self._reader = reader

    def handle_401(self, r: requests.Response, **kwargs: Any) -> requests.Response:
        if r.status_code == 401:
            r._content = self._reader._read_body(r)
        return super().handle_401(r, **kwargs)


class _Breaker:
    """Consecutive timeouts/unreachable answers per host:port, shared by every client in the
    process (the suites make several clients per device: other users, no credentials). A
    count not added to for :data:`BREAKER_MEMORY_S` is forgotten, so a port reused later by a
    healthy device is asked again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def silent(self, authority: str) -> int:
        with self._lock:
            count, last = self._counts.get(authority, (0, 0.0))
            return count if time.monotonic() - last < BREAKER_MEMORY_S else 0

    def open(self, authority: str) -> None:
        """A device that held one exchange open for EXCHANGE_TIMEOUTS x timeout without
        finishing it is dripping bytes on purpose or broken: do not wait on it again."""
        with self._lock:
            self._counts[authority] = (SILENT_LIMIT, time.monotonic())

    def note(self, authority: str, silence: bool) -> None:
        with self._lock:
            if not silence:
                self._counts.pop(authority, None)
                return
            count, last = self._counts.get(authority, (0, 0.0))
            if time.monotonic() - last >= BREAKER_MEMORY_S:
                count = 0
            self._counts[authority] = (count + 1, time.monotonic())


BREAKER_MEMORY_S = 120.0
_BREAKER = _Breaker()
_IN_FLIGHT: dict[int, Any] = {}
"""Thread id -> the urllib3 connection that thread's request is using (for the watchdog)."""


class _WatchedPool(urllib3.HTTPConnectionPool):
    """Remembers which connection each thread took, so a watchdog can cut it."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)
        _IN_FLIGHT[threading.get_ident()] = conn
        return conn


class _WatchedHttpsPool(urllib3.HTTPSConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)
        _IN_FLIGHT[threading.get_ident()] = conn
        return conn


class _WatchedAdapter(HTTPAdapter):
    """An adapter whose connections a whole-exchange watchdog can shut down.

    Socket timeouts bound each read, not a reply: a device sending one byte per second
    (status line included) satisfies every read and never finishes. The watchdog closes the
    socket under the blocked read once the exchange has taken too long.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedPool,
            "https": _WatchedHttpsPool,
        }


def _cut(thread_id: int, fired: threading.Event) -> None:
    fired.set()
    sock = getattr(_IN_FLIGHT.get(thread_id), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _closed_before_reply(exc: BaseException) -> bool:
    """The device closed the connection before any byte of a reply (no status line): what an
    embedded server that drops idle keep-alive connections quickly does when a request races
    its close (persona short-keepalive). HTTP clients send such a request again, once, on a
    new connection; a reset after the reply began is never retried."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (http.client.RemoteDisconnected, ConnectionResetError)):
            return True
        pending.extend(a for a in current.args if isinstance(a, BaseException))
        for link in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(link, BaseException):
                pending.append(link)
    return False


def _classify_transport_error(exc: BaseException) -> OnvifError:
    """Map requests/urllib3/socket exceptions to the suite's error classes by root cause."""
    seen: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.append(current)
        pending.extend(a for a in current.args if isinstance(a, BaseException))
        for link in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(link, BaseException):
                pending.append(link)
    message = f"{type(exc).__name__}: {exc}"
    # OS-level causes first: urllib3's NewConnectionError subclasses ConnectTimeoutError, so a
    # refused connection would otherwise look like a timeout.
    if any(isinstance(e, ConnectionError | socket.gaierror) for e in seen):
        return OnvifUnreachable(message)
    timeouts = (
        requests.exceptions.Timeout,
        urllib3.exceptions.TimeoutError,
        TimeoutError,
    )
    if any(
        isinstance(e, timeouts) and not isinstance(e, urllib3.exceptions.NewConnectionError)
        for e in seen
    ):
        return OnvifTimeout(message)
    if any(isinstance(e, http.client.HTTPException) for e in seen):
        return OnvifProtocolError(message)
    return OnvifUnreachable(message)


class OnvifClient:
    """Talks SOAP 1.2 to one ONVIF device, with explicit auth control and evidence capture.

    ``timeout`` bounds connecting and every socket read; a whole reply body must also arrive
    within ``2 * timeout`` of its first byte (so a device dripping bytes cannot stall a run).
    """

    def __init__(
        self,
        device_url: str,
        username: str | None,
        password: str | None,
        *,
        timeout: float = 10.0,
        clock_offset: float = 0.0,
        redactor: Redactor | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.device_url = device_url
        self.username = username
        self.password = password
        self.timeout = timeout
        self.clock_offset = clock_offset
        # A shared redactor is extended, not replaced: these credentials must be masked too.
        self.redactor = redactor or Redactor()
        self.redactor.add(username)
        self.redactor.add(password)
        self.max_response_bytes = max_response_bytes
        self.exchanges: list[Exchange] = []
        self.clock_sync_auth: AuthMode | None = None
        """Auth GetSystemDateAndTime needed in :meth:`sync_clock` ("none" = PRE_AUTH honoured)."""
        self._service_urls: dict[str, str] = {}
        self._violations: dict[int, str] = {}
        self.schema_violations: list[tuple[str, str]] = []
        """(operation, violation) of every reply read leniently despite breaking the schema."""
        self._session = requests.Session()
        # Devices sit on test networks: environment proxies would misroute or leak the traffic.
        self._session.trust_env = False
        self._session.mount("http://", _WatchedAdapter())
        self._session.mount("https://", _WatchedAdapter())
        self._digest = (
            _CappedDigestAuth(username, password, self)
            if username is not None and password is not None
            else None
        )

    # -- addresses -----------------------------------------------------------------------------

    def set_service_url(self, service: str, url: str) -> None:
        """Remember the XAddr of ``service`` (learnt from GetServices/GetCapabilities)."""
        service_spec(service)
        self._service_urls[service] = url

    def service_url(self, service: str) -> str:
        """Address used for ``service`` when :meth:`call` is not given one."""
        if service in self._service_urls:
            return self._service_urls[service]
        if service == "devicemgmt":
            return self.device_url
        raise ValueError(f"no address known for service {service!r}; call set_service_url()")

    # -- WS-Security ---------------------------------------------------------------------------

    def device_now(self) -> datetime:
        """Current time on the device's clock as estimated via ``clock_offset``."""
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset)

    def wsse_header(
        self, created: datetime | None = None, nonce: bytes | None = None
    ) -> etree._Element:
        """Build a ``wsse:Security`` header with a PasswordDigest UsernameToken.

        Defaults follow the ONVIF Core rules (fresh 16-byte nonce, Created on the device's clock);
        passing ``created``/``nonce`` lets security tests send stale tokens or replay a nonce.
        """
        if self.username is None or self.password is None:
            raise ValueError("WS-Security needs a username and password")
        nonce = os.urandom(16) if nonce is None else nonce
        created_text = format_created(created or self.device_now())
        security = etree.Element(
            f"{{{WSSE_NS}}}Security",
            {f"{{{SOAP12_ENV}}}mustUnderstand": "1"},
            nsmap={"wsse": WSSE_NS, "wsu": WSU_NS},
        )
        token = etree.SubElement(security, f"{{{WSSE_NS}}}UsernameToken")
        etree.SubElement(token, f"{{{WSSE_NS}}}Username").text = self.username
        password = etree.SubElement(token, f"{{{WSSE_NS}}}Password", Type=PASSWORD_DIGEST)
        password.text = password_digest(nonce, created_text, self.password)
        nonce_el = etree.SubElement(token, f"{{{WSSE_NS}}}Nonce", EncodingType=BASE64_BINARY)
        nonce_el.text = base64.b64encode(nonce).decode("ascii")
        etree.SubElement(token, f"{{{WSU_NS}}}Created").text = created_text
        return security

    # -- calls ---------------------------------------------------------------------------------

    def call(
        self,
        service: str,
        operation: str,
        *,
        auth: AuthMode = "wsse",
        url: str | None = None,
        security_header: etree._Element | None = None,
        **params: Any,
    ) -> Any:
        """Invoke ``operation`` of ``service`` and return zeep's deserialised result.

        ``security_header`` (from :meth:`wsse_header`) replaces the freshly built one when
        ``auth`` includes WS-Security. Raises an :class:`OnvifError` subclass on any failure;
        unknown operations or bad parameters raise zeep's ``ValueError``/``TypeError`` instead,
        since those are bugs in the test, not in the device.
        """
        spec = service_spec(service)
        address = url or self.service_url(service)
        zeep_client = get_client(service)
        binding = zeep_client.wsdl.bindings[spec.binding]
        operation_obj = binding.get(operation)
        # _create is the step of zeep's own send path that yields the envelope plus HTTP headers
        # (SOAP 1.2 Content-Type with action, WS-Addressing); sending is done here instead.
        envelope, http_headers = binding._create(
            operation, (), params, client=zeep_client, options={"address": address}
        )
        if auth in ("wsse", "both"):
            header = self.wsse_header() if security_header is None else security_header
            _header_of(envelope).append(header)
        body = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        http_auth = self._http_auth(auth)
        started = time.perf_counter()
        raw: RawResponse | None = None
        error: str | None = None
        try:
            raw = self._send(address, body, dict(http_headers), http_auth)
            return self._interpret(raw, operation_obj, operation)
        except OnvifError as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self._record(service, operation, address, body, raw, started, error)

    def post_raw(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str] | None = None,
        auth: Literal["digest"] | AuthBase | None = None,
    ) -> RawResponse:
        """POST hand-made bytes with the same limits and evidence capture as :meth:`call`.

        HTTP error statuses are returned, not raised (the caller is testing them); transport
        failures still raise. ``auth="digest"`` uses this client's credentials with the capped
        handshake; any other requests ``AuthBase`` is used as given.
        """
        headers = {"Content-Type": "application/soap+xml; charset=utf-8", **(headers or {})}
        http_auth = self._http_auth("digest") if auth == "digest" else auth
        started = time.perf_counter()
        raw: RawResponse | None = None
        error: str | None = None
        try:
            raw = self._send(url, body, headers, http_auth)
            return raw
        except OnvifError as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self._record("raw", "POST", url, body, raw, started, error)

    def sync_clock(self) -> float:
        """Measure and adopt ``clock_offset = device UTC - local UTC`` (seconds).

        ONVIF devices check WS-Security Created against their own clock, so clients must use the
        device's time. GetSystemDateAndTime is PRE_AUTH and is first asked without credentials;
        devices that nevertheless demand them are retried with credentials, and which auth was
        needed is recorded in ``clock_sync_auth`` (a conformance finding in itself).
        """
        before = time.time()
        try:
            result = self.call("devicemgmt", "GetSystemDateAndTime", auth="none")
            self.clock_sync_auth = "none"
        except (OnvifFault, OnvifHttpError):
            if self._digest is None:
                raise
            before = time.time()
            result = self.call("devicemgmt", "GetSystemDateAndTime", auth="both")
            self.clock_sync_auth = "both"
        local_mid = (before + time.time()) / 2
        utc = getattr(result, "UTCDateTime", None)
        if utc is None:
            raise OnvifProtocolError("GetSystemDateAndTime reply has no UTCDateTime")
        try:
            device = datetime(
                utc.Date.Year,
                utc.Date.Month,
                utc.Date.Day,
                utc.Time.Hour,
                utc.Time.Minute,
                utc.Time.Second,
                tzinfo=UTC,
            )
        except (AttributeError, TypeError, ValueError) as exc:
            raise OnvifProtocolError(f"invalid UTCDateTime in GetSystemDateAndTime: {exc}") from exc
        # The reply has whole seconds (truncated), so the device's true time lies in [t, t+1).
        self.clock_offset = device.timestamp() + 0.5 - local_mid
        return self.clock_offset

    # -- internals -----------------------------------------------------------------------------

    def _http_auth(self, auth: AuthMode) -> AuthBase | None:
        if auth not in ("digest", "both"):
            return None
        if self._digest is None:
            raise ValueError("HTTP Digest needs a username and password")
        return self._digest

    def _send(
        self, url: str, body: bytes, headers: dict[str, str], auth: AuthBase | None
    ) -> RawResponse:
        """Send once, behind a circuit breaker: after :data:`SILENT_LIMIT` consecutive timeouts
        or refused connections from one host:port, later calls fail at once (inconclusive)
        instead of each waiting out the timeout against a device that stopped answering."""
        authority = urlsplit(url).netloc
        silent = _BREAKER.silent(authority)
        if silent >= SILENT_LIMIT:
            raise OnvifUnreachable(
                f"device stopped answering ({silent} consecutive timeouts or refused "
                f"connections at {authority}); not asked again"
            )
        fired = threading.Event()
        watchdog = threading.Timer(
            EXCHANGE_TIMEOUTS * self.timeout, _cut, (threading.get_ident(), fired)
        )
        watchdog.daemon = True
        watchdog.start()
        try:
            raw = self._send_once(url, body, headers, auth)
        except OnvifError as exc:
            silence = isinstance(exc, (OnvifTimeout, OnvifUnreachable))
            _BREAKER.note(authority, silence)
            if fired.is_set():
                _BREAKER.open(authority)
                raise OnvifTimeout(
                    f"no complete reply within {EXCHANGE_TIMEOUTS * self.timeout:g} s "
                    "(the device kept the exchange open); connection cut"
                ) from exc
            raise
        finally:
            watchdog.cancel()
            _IN_FLIGHT.pop(threading.get_ident(), None)
        if fired.is_set():  # the cut can look like a clean end of the headers or body
            _BREAKER.open(authority)
            raise OnvifTimeout(
                f"no complete reply within {EXCHANGE_TIMEOUTS * self.timeout:g} s "
                "(the device kept the exchange open); connection cut"
            )
        _BREAKER.note(authority, False)
        return raw

    def _send_once(
        self, url: str, body: bytes, headers: dict[str, str], auth: AuthBase | None
    ) -> RawResponse:
        headers.setdefault("Accept-Encoding", "identity")
        for attempt in (1, 2):
            try:
                response = self._session.post(
                    url,
                    data=body,
                    headers=headers,
                    auth=auth,
                    timeout=(self.timeout, self.timeout),
                    stream=True,
                    allow_redirects=False,
                )
                break
            except OnvifError:
                raise
            except (requests.RequestException, OSError, http.client.HTTPException) as exc:
                if attempt == 1 and _closed_before_reply(exc):
                    continue  # a kept-alive connection the device had just closed: once more
                raise _classify_transport_error(exc) from exc
        with response:
            payload = self._read_body(response)
            return RawResponse(
                status=response.status_code,
                headers=CaseInsensitiveDict(response.headers),
                body=payload,
                www_authenticate=tuple(response.raw.headers.getlist("WWW-Authenticate")),
            )

    def _read_body(self, response: requests.Response) -> bytes:
        """Read a streamed body within the size cap and the whole-body deadline."""
        if response._content is not False:
            # Already read by _CappedDigestAuth.handle_401 (within these same limits).
            return response._content or b""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise OnvifProtocolError(
                f"reply declares {declared} bytes, over the {self.max_response_bytes} byte cap"
            )
        deadline = time.monotonic() + 2 * self.timeout
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.raw.stream(64 * 1024, decode_content=True):
                total += len(chunk)
                if total > self.max_response_bytes:
                    raise OnvifProtocolError(
                        f"reply exceeds the {self.max_response_bytes} byte cap; aborted"
                    )
                if time.monotonic() > deadline:
                    raise OnvifTimeout(f"reply body not complete within {2 * self.timeout:g} s")
                chunks.append(chunk)
        except OnvifError:
            raise
        except (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException) as exc:
            raise _classify_transport_error(exc) from exc
        payload = b"".join(chunks)
        response._content = payload
        return payload

    def _interpret(self, raw: RawResponse, operation_obj: Any, operation: str) -> Any:
        """Turn a complete reply into a result or the most specific error."""
        content_type = raw.headers.get("Content-Type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        ok = 200 <= raw.status < 300
        root: etree._Element | None = None
        violation: str | None = None
        if raw.body.strip():
            try:
                root = parse_xml_safely(raw.body)
            except OnvifProtocolError as exc:
                if not ok:
                    root = None  # an error page: classified below by its HTTP status
                elif not UNDECLARED_PREFIX.search(str(exc)):
                    raise
                else:
                    # Read leniently, judge strictly: an undeclared prefix breaks the XML
                    # namespace rules, yet the data is all there; ONVIF-DEV-SCHEMA-01 judges it.
                    try:
                        root = parse_recovering(raw.body)
                    except ValueError as again:
                        raise OnvifProtocolError(str(again)) from exc
                    violation = f"not namespace-well-formed: {exc}"
        if root is not None:
            fault = _fault_of(root, raw.status, operation, self.redactor)
            if fault is not None:
                raise fault
        if not ok:
            raise OnvifHttpError(
                raw.status,
                content_type,
                self.redactor(raw.body[:2048].decode("utf-8", errors="replace")),
                list(raw.www_authenticate),
            )
        if root is None:
            raise OnvifProtocolError(f"HTTP {raw.status} with an empty body for {operation}")
        if media_type not in XML_MEDIA_TYPES:
            raise OnvifProtocolError(f"SOAP reply with content type {content_type!r}")
        try:
            result = operation_obj.process_reply(root)
        except _READ_ERRORS as exc:
            strict_error = str(exc) or type(exc).__name__
        else:
            self._note_violation(violation)
            return result
        # Read leniently, judge strictly: a reply that breaks the schema (a missing UseCount,
        # elements out of order) is still read for its data; ONVIF-DEV-SCHEMA-01 judges it.
        settings = operation_obj.binding.wsdl.types.settings
        try:
            expect_response_element(root, operation_obj)
            with settings(strict=False, xsd_ignore_sequence_order=True):
                result = operation_obj.process_reply(root)
        except _READ_ERRORS as exc:
            error = OnvifProtocolError(f"{operation} reply does not match the WSDL: {strict_error}")
            error.schema_violation = True  # type: ignore[attr-defined]  # see verdicts.judged_by
            error.operation = operation  # type: ignore[attr-defined]
            raise error from exc
        mismatch = f"{operation} reply does not match the WSDL: {strict_error}"
        self._note_violation("; ".join(filter(None, [violation, mismatch])))
        return result

    def _note_violation(self, text: str | None) -> None:
        """Remember (per thread) the schema violation of the reply just read, for its Exchange."""
        if text:
            self._violations[threading.get_ident()] = self.redactor(text)

    def _record(
        self,
        service: str,
        operation: str,
        url: str,
        request: bytes,
        raw: RawResponse | None,
        started: float,
        error: str | None,
    ) -> None:
        redact = self.redactor
        violation = self._violations.pop(threading.get_ident(), None)
        if violation:
            self.schema_violations.append((operation, violation))
        self.exchanges.append(
            Exchange(
                service=service,
                operation=operation,
                url=redact(url),
                request_xml=redact(_evidence_text(request)),
                http_status=raw.status if raw else None,
                response_headers={k: redact(v) for k, v in raw.headers.items()} if raw else {},
                response_xml=redact(_evidence_text(raw.body)) if raw else "",
                elapsed_s=time.perf_counter() - started,
                error=redact(error) if error else None,
                schema_violation=violation,
            )
        )


def _header_of(envelope: etree._Element) -> etree._Element:
    """The envelope's SOAP Header, created (as first child) if zeep did not emit one."""
    ns = etree.QName(envelope).namespace
    header = envelope.find(f"{{{ns}}}Header")
    if header is None:
        header = etree.Element(f"{{{ns}}}Header")
        envelope.insert(0, header)
    return header


def _resolve_qname(text: str | None, element: etree._Element) -> tuple[str, str]:
    """Resolve a QName-valued text node; returns (Clark form, friendly form)."""
    raw = (text or "").strip()
    prefix, _, local = raw.rpartition(":")
    ns = element.nsmap.get(prefix or None)
    if ns is None:
        return raw, raw
    clark = f"{{{ns}}}{local}"
    friendly = friendly_qname(clark)
    return clark, friendly if friendly != clark else raw


def _fault_of(
    root: etree._Element, http_status: int, operation: str, redact: Redactor
) -> OnvifFault | None:
    """Extract a SOAP 1.2 (or, from non-conforming devices, SOAP 1.1) fault, if any.

    Reason and detail are device text that may echo credentials, hence redacted.
    """
    fault = root.find(f"{{{SOAP12_ENV}}}Body/{{{SOAP12_ENV}}}Fault")
    if fault is not None:
        env = f"{{{SOAP12_ENV}}}"
        value = fault.find(f"{env}Code/{env}Value")
        code, code_name = _resolve_qname(
            value.text if value is not None else "", value if value is not None else fault
        )
        subcodes: list[str] = []
        names: list[str] = []
        node = fault.find(f"{env}Code")
        while node is not None and (node := node.find(f"{env}Subcode")) is not None:
            sub_value = node.find(f"{env}Value")
            if sub_value is not None:
                clark, name = _resolve_qname(sub_value.text, sub_value)
                subcodes.append(clark)
                names.append(name)
        reason = fault.findtext(f"{env}Reason/{env}Text", default="").strip()
        detail_el = fault.find(f"{env}Detail")
    else:
        fault = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault")
        if fault is None:
            return None
        faultcode = fault.find("faultcode")
        code, code_name = _resolve_qname(
            faultcode.text if faultcode is not None else "",
            faultcode if faultcode is not None else fault,
        )
        subcodes, names = [], []
        reason = fault.findtext("faultstring", default="").strip()
        detail_el = fault.find("detail")
    detail = "" if detail_el is None else etree.tostring(detail_el, encoding="unicode")[:2048]
    return OnvifFault(
        code,
        subcodes,
        redact(reason),
        http_status,
        operation,
        code_name=code_name,
        subcode_names=names,
        detail=redact(detail),
    )


def _evidence_text(data: bytes) -> str:
    """Pretty-printed XML when it parses safely, else the raw text, truncated for storage."""
    try:
        text = etree.tostring(parse_xml_safely(data), pretty_print=True, encoding="unicode")
    except OnvifProtocolError:
        text = data.decode("utf-8", errors="replace")
    if len(text) > EVIDENCE_LIMIT:
        return text[:EVIDENCE_LIMIT] + f"\n... [truncated, {len(text)} characters in all]"
    return text
