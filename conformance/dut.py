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
}

QUALITY_CAPTURE_S = 3.0
"""Seconds of live video behind the stream-quality checks (format, rate, timestamps, loss)."""

STREAM_SETUP_UDP = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "UDP"}}


def same_authority(url: str, reference: str) -> str:
    """``url`` with scheme, host and port taken from ``reference`` (path and query kept).

    Real clients (ODM, go2rtc) do this when devices advertise unusable addresses; the suite
    does it so that one wrong address is reported once, by its own requirement, rather than
    breaking every later check.
    """
    u, r = urlsplit(url), urlsplit(reference)
    return urlunsplit((r.scheme, r.netloc, u.path or "/", u.query, ""))


def with_host(url: str, host: str) -> str:
    """``url`` with its host replaced (port, path and query kept)."""
    parts = urlsplit(url)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


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
        self._lock = threading.RLock()
        self._onvif = None

    def __repr__(self) -> str:
        """Stable across runs (pytest and Allure show it as the device parameter)."""
        return f"DeviceUnderTest({self.name!r})"

    # -- caching ---------------------------------------------------------------------------
    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """Compute once per run; a raised exception is cached and re-raised alike.

        Safe across threads: a caller that asks for a value being computed (for example by the
        run's prefetcher) waits for it instead of asking the device again. Each key has its own
        lock, so a long capture does not hold up unrelated questions to the same device.
        """
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._cache:
                try:
                    self._cache[key] = compute()
                except Exception as exc:  # noqa: BLE001 - re-raised to every caller below
                    self._cache[key] = _Failure(exc)
            value = self._cache[key]
        if isinstance(value, _Failure):
            raise value.exc
        return value

    def release(self, keep: tuple[str, ...] = ("discovery",)) -> None:
        """Drop cached bulk data (captures) once the device's tests are done; keep summaries."""
        with self._lock:
            for key in list(self._cache):
                if key.startswith(("capture:", "stats:")) and key not in keep:
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

        return self.cached("services", ask)

    def service_url(self, namespace: str) -> str | None:
        for service in self.services():
            if service.Namespace == namespace:
                return same_authority(service.XAddr, self.device.onvif_url)
        return None

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

    def media(self, operation: str, **params: Any) -> Any:
        """Call the Media (ver10) service at the address GetServices gave."""
        return self.call("media", operation, **params)

    def profiles(self) -> list[Any]:
        return self.cached("profiles", lambda: list(self.media("GetProfiles")))

    def main_profile(self) -> Any:
        """The first profile with a video encoder: what a VMS would stream by default."""

        def pick() -> Any:
            for profile in self.profiles():
                if getattr(profile, "VideoEncoderConfiguration", None) is not None:
                    return profile
            from conformance.outcomes import Inconclusive

            raise Inconclusive("no media profile has a VideoEncoderConfiguration")

        return self.cached("main_profile", pick)

    def stream_uri(self) -> str:
        """GetStreamUri for the main profile, exactly as the device returned it."""
        token = self.main_profile().token
        return self.cached(
            "stream_uri",
            lambda: (
                self.media("GetStreamUri", StreamSetup=STREAM_SETUP_UDP, ProfileToken=token).Uri
            ),
        )

    def stream_url(self) -> str:
        """The stream URI made usable: on the device's own host if the device said otherwise."""
        uri = self.stream_uri()
        host = urlsplit(uri).hostname
        if host != self.device.host:
            self.notes.append(f"stream URI host {host} replaced by device host {self.device.host}")
            return with_host(uri, self.device.host)
        return uri

    # -- streaming ---------------------------------------------------------------------------
    def capture(self, transport: str, seconds: float) -> Any:
        """One live capture per transport, shared by every streaming check."""
        from conformance.clients.rtsp import capture

        return self.cached(
            f"capture:{transport}",
            lambda: capture(
                self.stream_url(),
                self.device.username,
                self.device.password,
                transport=transport,
                duration=seconds,
                timeout=self.timeout,
            ),
        )

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
