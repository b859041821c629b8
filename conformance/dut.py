"""The device under test, as the suites see it: one object per device, shared by all its tests.

It owns the device's ONVIF client and caches what several requirements read (services,
profiles, stream captures), so a run asks the device each question once. Failures are cached
too: if the device cannot answer GetProfiles, every test that needs profiles reports the same
failure without asking again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from conformance import session_gate
from conformance.clients.addresses import port_of, probe_xaddr, tcp_problem
from conformance.redaction import Redactor
from conformance.targets import Device

T = TypeVar("T")

NS_MEDIA = "http://www.onvif.org/ver10/media/wsdl"
NS_DEVICE = "http://www.onvif.org/ver10/device/wsdl"

# Client service key (conformance.clients.wsdl) -> the GetServices namespace of that service.
SERVICE_NAMESPACES = {
    "devicemgmt": NS_DEVICE,
    "media": NS_MEDIA,
    "media2": "http://www.onvif.org/ver20/media/wsdl",
    "events": "http://www.onvif.org/ver10/events/wsdl",
    "ptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "imaging": "http://www.onvif.org/ver20/imaging/wsdl",
    "search": "http://www.onvif.org/ver10/search/wsdl",
    "replay": "http://www.onvif.org/ver10/replay/wsdl",
    "recording": "http://www.onvif.org/ver10/recording/wsdl",
    "receiver": "http://www.onvif.org/ver10/receiver/wsdl",
}

QUALITY_CAPTURE_S = 3.0
"""Seconds of live video behind the stream-quality checks (format, rate, timestamps, loss)."""

STREAM_SETUP_UDP = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "UDP"}}


# Requirements that judge a cached answer's failure; every other check needing that answer is
# blocked by them (conformance.outcomes.Blocked), never failed for it.
JUDGE_SERVICES = "ONVIF-DEV-SVC-01"
JUDGE_XADDR = "ONVIF-DEV-XADDR-01"
JUDGE_PROFILES = "ONVIF-MEDIA-PROF-01"
JUDGE_STREAM_URI = "ONVIF-MEDIA-URI-01"

STREAM_PROBE_TIMEOUT_S = 3.0
"""How long the suite tries to open the advertised stream URI's host:port before falling back."""


def same_authority(url: str, reference: str) -> str:
    """``url`` with scheme, host and port taken from ``reference`` (path and query kept).

    Real clients (ODM, go2rtc) do this when devices advertise unusable addresses; the suite
    does it only as a fallback, when the advertised address cannot be used (see
    :meth:`DeviceUnderTest.service_url`), so that one wrong address is reported once, by its own
    requirement, rather than breaking every later check.
    """
    u, r = urlsplit(url), urlsplit(reference)
    return urlunsplit((r.scheme, r.netloc, u.path or "/", u.query, ""))


def with_host(url: str, host: str) -> str:
    """``url`` with its host replaced (port, path and query kept)."""
    parts = urlsplit(url)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def _bare(url: str) -> str:
    """``url`` without any user name or password a device may have put in it (never shown)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def judge_failure(exc: BaseException, requirement_id: str) -> None:
    """Tag ``exc`` with the requirement that judges it, unless it is already tagged (the first,
    deepest cause wins) or is not the device's fault (unreachable devices and suite errors stay
    what they are)."""
    from conformance.verdicts import classify, judged_by

    if judged_by(exc):  # already tagged, or an unreadable core reply (ONVIF-DEV-SCHEMA-01)
        return
    outcome, cause = classify(exc)
    if cause in ("device_fault", "undecidable"):
        exc.judged_by = requirement_id  # type: ignore[attr-defined]


class StreamSlot:
    """A camera's one live-session slot: a lock, and room in the process's session gate
    (:mod:`conformance.session_gate`, a distributed run's per-queue limit) while it is held.
    Taking both in one place means no session can hold the camera without counting against the
    queue's limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gate: Any = None

    def __enter__(self) -> StreamSlot:
        self._lock.acquire()
        try:
            gate = session_gate.stream_session()
            gate.__enter__()
        except BaseException:
            self._lock.release()
            raise
        self._gate = gate
        return self

    def __exit__(self, *exc: object) -> None:
        gate, self._gate = self._gate, None
        try:
            gate.__exit__(*exc)
        finally:
            self._lock.release()


class DeviceUnderTest:
    """One device of the target, with lazily created clients and cached answers."""

    def __init__(self, device: Device, *, timeout: float, redactor: Redactor) -> None:
        self.device = device
        self.name = device.name
        self.timeout = timeout
        self.redactor = redactor
        self.notes: list[str] = []
        self._cache: dict[str, Any] = {}
        self._key_locks: dict[str, threading.Lock] = {}
        self._reads: dict[int, list[str]] = {}
        """Thread -> cached keys read since its test began (see :meth:`begin_test`)."""
        self._sources: dict[str, list[Any]] = {}
        """Cached key -> the SOAP exchanges made while computing it."""
        self._computing: dict[int, list[str]] = {}
        """Thread -> the cached keys it is computing, innermost last."""
        self._deps: dict[str, set[str]] = {}
        """Cached key -> the cached keys its computation read."""
        self._lock = threading.RLock()
        self._onvif = None
        self.stream_slot = StreamSlot()
        """Held for every live RTSP session the suite opens to the device (captures, probes,
        keep-alive, the live snapshot's stream, STREAM-CLIENTS-01's two sessions), so the camera
        never serves the suite more than one session at a time, whether the prefetcher or a
        test opens it: many cameras serve one client only, and STREAM-CLIENTS-01 alone judges
        that. Take it only around the session itself, after every cached answer the session
        needs (its URL) is in hand, never around a :meth:`cached` call; :meth:`live_session`
        takes it for every client with the common RTSP client signature."""

    def __repr__(self) -> str:
        """Stable across runs (pytest and Allure show it as the device parameter)."""
        return f"DeviceUnderTest({self.name!r})"

    # -- caching ---------------------------------------------------------------------------
    def cached(self, key: str, compute: Callable[[], T], judge: str = "") -> T:
        """Compute once per run; a raised exception is cached and re-raised alike.

        ``judge`` names the requirement whose check judges a failure of this answer: the
        failure is tagged with it, so every other check that needs the answer is blocked by
        that requirement instead of failing for a cause it does not judge.

        Safe across threads: a caller that asks for a value being computed (for example by the
        run's prefetcher) waits for it instead of asking the device again. Each key has its own
        lock, so a long capture does not hold up unrelated questions to the same device.
        """
        me = threading.get_ident()
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
            reads = self._reads.setdefault(me, [])
            if key not in reads:
                reads.append(key)
            computing = self._computing.setdefault(me, [])
            if computing:  # an answer computed from this one rests on its exchanges too
                self._deps.setdefault(computing[-1], set()).add(key)
        with key_lock:
            if key not in self._cache:
                start = len(self._onvif.exchanges) if self._onvif is not None else 0
                computing.append(key)
                try:
                    self._cache[key] = compute()
                except Exception as exc:  # noqa: BLE001 - re-raised to every caller below
                    if judge:
                        judge_failure(exc, judge)
                    self._cache[key] = _Failure(exc)
                finally:
                    computing.pop()
                if self._onvif is not None:
                    self._sources[key] = [
                        x for x in self._onvif.exchanges[start:] if x.thread_id == me
                    ]
            value = self._cache[key]
        if isinstance(value, _Failure):
            raise value.exc
        return value

    def begin_test(self) -> None:
        """Forget which cached answers this thread read: a new test starts (see
        :meth:`read_sources`)."""
        with self._lock:
            self._reads[threading.get_ident()] = []

    def read_sources(self) -> tuple[list[Any], list[Any]]:
        """What the cached answers this thread's test read rest on: the SOAP exchanges that
        produced them (possibly made by the prefetcher or an earlier test) and the values
        themselves (a value with ``attach_to(evidence)`` attaches its own device bytes).

        A verdict on a cached answer must still carry the device's bytes behind it.
        """
        with self._lock:
            keys = list(self._reads.get(threading.get_ident(), []))
            for key in keys:  # and what those answers were computed from, transitively
                keys += [d for d in sorted(self._deps.get(key, ())) if d not in keys]
            exchanges: list[Any] = []
            seen: set[int] = set()
            for x in (x for k in keys for x in self._sources.get(k, [])):
                if id(x) not in seen:  # nested answers share exchanges
                    seen.add(id(x))
                    exchanges.append(x)
            values = [self._cache[k] for k in keys if k in self._cache]
        return exchanges, [v for v in values if not isinstance(v, _Failure)]

    def release(self, keep: tuple[str, ...] = ("discovery",)) -> None:
        """Drop cached bulk data (captures, the live snapshot and its capture) once the
        device's tests are done; keep summaries."""
        with self._lock:
            for key in list(self._cache):
                if key.startswith(("capture:", "stats:", "snapshot:")) and key not in keep:
                    del self._cache[key]

    # -- ONVIF ---------------------------------------------------------------------------
    @property
    def onvif(self):
        """The device's ONVIF client, clock-aligned with the device (see ONVIF-DEV-TIME-*)."""
        with self._lock:
            if self._onvif is None:
                from conformance.clients.onvif import OnvifClient, OnvifError

                client = OnvifClient(
                    self.device.onvif_url,
                    self.device.username,
                    self.device.password,
                    timeout=self.timeout,
                    redactor=self.redactor,
                )
                try:
                    offset = client.sync_clock()
                    self.notes.append(f"device clock offset {offset:+.3f} s applied to WS-Security")
                except OnvifError as exc:
                    self.notes.append(f"could not read device clock before auth: {exc}")
                self._onvif = client
            return self._onvif

    def services(self) -> list[Any]:
        """GetServices (PRE_AUTH, so asked without credentials first)."""

        def ask() -> list[Any]:
            from conformance.clients.onvif import OnvifFault, OnvifHttpError

            try:
                return list(
                    self.onvif.call(
                        "devicemgmt", "GetServices", auth="none", IncludeCapability=False
                    )
                )
            except (OnvifFault, OnvifHttpError):
                return list(self.onvif.call("devicemgmt", "GetServices", IncludeCapability=False))

        return self.cached("services", ask, judge=JUDGE_SERVICES)

    def advertised_url(self, namespace: str) -> str | None:
        """The XAddr GetServices gives for ``namespace``, exactly as the device gave it."""
        for service in self.services():
            if service.Namespace == namespace:
                return str(service.XAddr)
        return None

    def service_url(self, namespace: str) -> str | None:
        """Where the suite calls the service: the advertised XAddr (another port and path than
        the device service's is legal), unless it cannot be used (refused, timeout, TLS
        failure, HTTP 404/5xx without a SOAP envelope). Then, and only then, the same path on
        the device service's authority, with a note: ONVIF-DEV-XADDR-01 alone judges the
        address, every other check goes on."""
        advertised = self.advertised_url(namespace)
        if advertised is None:
            return None

        def choose() -> str:
            problem = self.xaddr_problem(advertised, namespace)
            if problem is None:
                return advertised
            fallback = same_authority(advertised, self.device.onvif_url)
            if fallback == advertised:
                return advertised
            also = self.xaddr_problem(fallback, namespace)
            if also is not None:
                from conformance.clients.onvif import OnvifUnreachable

                dead = OnvifUnreachable(
                    f"advertised XAddr {_bare(advertised)} for {namespace} cannot be used "
                    f"({problem}), nor can {_bare(fallback)} ({also})"
                )
                dead.judged_by = JUDGE_XADDR  # type: ignore[attr-defined]
                raise dead
            self.notes.append(
                f"advertised XAddr {_bare(advertised)} for {namespace} cannot be used "
                f"({problem}); the suite used {_bare(fallback)} instead (judged by {JUDGE_XADDR})"
            )
            return fallback

        return self.cached(f"xaddr:{namespace}", choose)

    def xaddr_problem(self, url: str, namespace: str) -> str | None:
        """Why ``url`` cannot be used as a SOAP endpoint, or None if it answers like one.

        One GetServiceCapabilities request (every ONVIF service has it), asked once per address
        and run. Any SOAP envelope (even a fault) or a status other than 404/5xx means something
        answers there; refused, timed out, TLS failure or a bare 404/5xx means it does not.
        """
        return self.cached(f"xaddr-probe:{url}", lambda: probe_xaddr(self.onvif, url, namespace))

    def offers(self, service: str) -> bool:
        """Whether GetServices lists this service (key as in SERVICE_NAMESPACES)."""
        return self.service_url(SERVICE_NAMESPACES[service]) is not None

    def call(self, service: str, operation: str, **params: Any) -> Any:
        """Call ``operation`` on ``service`` at the address GetServices gave for it."""
        namespace = SERVICE_NAMESPACES[service]
        url = self.cached(f"url:{service}", lambda: self.service_url(namespace))
        if url is None:
            from conformance.outcomes import Inconclusive

            raise Inconclusive(f"GetServices lists no {service} service ({namespace})")
        return self.onvif.call(service, operation, url=url, **params)

    def _my_last_exchange(self) -> Any:
        mine = threading.get_ident()  # not the prefetcher's calls to the same device
        return next(x for x in reversed(self.onvif.exchanges) if x.thread_id == mine)

    def service_capabilities(self, namespace: str) -> Any:
        """GetServiceCapabilities of the service GetServices lists under ``namespace``, asked
        at its XAddr (see :meth:`service_url`), as a
        :class:`conformance.checks.capabilities.ServiceAnswer`: the reply's XML, or why the
        device did not give a readable one (a fault, an HTTP error, a reply the WSDL cannot
        read). Unreachable addresses and timeouts are raised, not answers. Asked once per run."""
        from conformance.checks.capabilities import SERVICE_KEYS, ServiceAnswer
        from conformance.clients.onvif import OnvifFault, OnvifHttpError, OnvifProtocolError

        def ask() -> Any:
            url = self.service_url(namespace)
            try:
                self.onvif.call(SERVICE_KEYS[namespace], "GetServiceCapabilities", url=url)
            except (OnvifFault, OnvifHttpError, OnvifProtocolError) as exc:
                return ServiceAnswer(namespace, problem=f"{type(exc).__name__}: {exc}")
            exchange = self._my_last_exchange()
            return ServiceAnswer(
                namespace, exchange.response_xml, schema_violation=exchange.schema_violation or ""
            )

        return self.cached(f"service-caps:{namespace}", ask)

    def services_with_capabilities(self) -> str:
        """The XML of GetServices(IncludeCapability=true), asked once per run (the service
        list itself is :meth:`services`, asked without capabilities)."""

        def ask() -> str:
            self.onvif.call("devicemgmt", "GetServices", IncludeCapability=True)
            return self._my_last_exchange().response_xml

        return self.cached("services-with-capabilities", ask)

    def media(self, operation: str, **params: Any) -> Any:
        """Call the Media (ver10) service at the address GetServices gave."""
        return self.call("media", operation, **params)

    def profiles(self) -> list[Any]:
        return self.cached(
            "profiles", lambda: list(self.media("GetProfiles")), judge=JUDGE_PROFILES
        )

    def main_profile(self) -> Any:
        """The first profile with a video encoder: what a VMS would stream by default."""

        def pick() -> Any:
            for profile in self.profiles():
                if getattr(profile, "VideoEncoderConfiguration", None) is not None:
                    return profile
            from conformance.outcomes import Inconclusive

            raise Inconclusive("no media profile has a VideoEncoderConfiguration")

        return self.cached("main_profile", pick, judge=JUDGE_PROFILES)

    def stream_uri(self) -> str:
        """GetStreamUri for the main profile, exactly as the device returned it."""
        token = self.main_profile().token
        return self.cached(
            "stream_uri",
            lambda: (
                self.media("GetStreamUri", StreamSetup=STREAM_SETUP_UDP, ProfileToken=token).Uri
            ),
            judge=JUDGE_STREAM_URI,
        )

    def stream_url(self) -> str:
        """The stream URI as advertised, unless its host cannot be reached from here; then on
        the device's own host, with a note (ONVIF-MEDIA-URI-01 judges the URI itself)."""
        return self.usable_url(self.stream_uri(), JUDGE_STREAM_URI)

    def usable_url(self, uri: str, judge: str, default_port: int = 554) -> str:
        """``uri`` (a stream, snapshot or replay URI the device gave) as advertised when a TCP
        connection to its host and port opens, else on the device's own host, with a note naming
        the requirement ``judge`` that judges the URI. Asked once per URI and run.

        Other suites may use this instead of replacing the host unconditionally: a device may
        legitimately stream from another address than its device service's.
        """

        def choose() -> str:
            parts = urlsplit(uri)
            host = parts.hostname
            if host == self.device.host:
                return uri
            problem = tcp_problem(host, port_of(parts, default_port), STREAM_PROBE_TIMEOUT_S)
            if problem is None:
                return uri
            self.notes.append(
                f"advertised URI host {host} cannot be reached ({problem}); "
                f"replaced by device host {self.device.host} (judged by {judge})"
            )
            return with_host(uri, self.device.host)

        return self.cached(f"usable:{uri}", choose)

    # -- streaming ---------------------------------------------------------------------------
    def live_session(self, client: Callable[..., T], url: str, **options: Any) -> T:
        """``client(url, username, password, timeout=..., **options)``: one live RTSP client run
        with the device's credentials and timeout, holding :attr:`stream_slot`. The RTSP clients
        share that signature, so every session the suite opens goes through here and none can
        bypass the one-session-at-a-time rule. Resolve ``url`` (a cached answer) before calling."""
        with self.stream_slot:
            return client(
                url, self.device.username, self.device.password, timeout=self.timeout, **options
            )

    def capture(self, transport: str, seconds: float) -> Any:
        """One live capture per transport, shared by every streaming check."""
        from conformance.clients.rtsp import capture

        def run() -> Any:
            url = self.stream_url()
            return self.live_session(capture, url, transport=transport, duration=seconds)

        return self.cached(f"capture:{transport}", run)

    def best_capture(self, seconds: float) -> tuple[str, Any]:
        """A capture over TCP, or UDP if TCP fails: quality checks should not fail twice."""
        from conformance.clients.rtsp import RtspError

        errors = []
        for transport in ("tcp", "udp"):
            try:
                return transport, self.capture(transport, seconds)
            except RtspError as exc:
                errors.append(f"{transport}: {exc}")
        from conformance.outcomes import Inconclusive

        raise Inconclusive("no transport delivered a stream (" + "; ".join(errors) + ")")

    def stream_stats(self, seconds: float) -> tuple[str, Any, Any]:
        """(transport, capture, statistics) of the shared quality capture."""
        from conformance.clients.stream import analyse

        transport, cap = self.best_capture(seconds)
        return transport, cap, self.cached(f"stats:{transport}", lambda: analyse(cap))
