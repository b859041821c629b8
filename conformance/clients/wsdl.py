"""Offline loading of the bundled ONVIF WSDL/XSD set into zeep.

Why offline: a conformance run must be reproducible on an isolated test network and must not
depend on (or leak traffic to) www.onvif.org, w3.org or oasis-open.org. The bundled files are
never edited (their licence forbids it), so their absolute ``http(s)`` imports are rewritten
here, in the transport, following the mapping documented in ``conformance/wsdl/README.md``.

Parsing a WSDL with all its schemas costs ~0.02-0.15 s, so each service's zeep ``Client`` is
built once per process and shared; the shared client is only used to build request envelopes
and deserialise replies, never to send anything (it carries no credentials or plugins).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import zeep
from zeep.wsdl import Document

WSDL_ROOT = Path(__file__).resolve().parent.parent / "wsdl"
"""Root of the unmodified ONVIF WSDL/XSD set shipped with the package."""

_ONVIF_SCHEMA_SUFFIX = "/ver10/schema/onvif.xsd"


class WsdlNotAvailable(LookupError):
    """A WSDL/XSD URL has no offline copy; raised instead of ever fetching it."""


@dataclass(frozen=True)
class ServiceSpec:
    """Where a service's WSDL lives (relative to ``onvif/``) and which binding to use."""

    path: str
    binding: str


_DEVICE = "{http://www.onvif.org/ver10/device/wsdl}"
_MEDIA = "{http://www.onvif.org/ver10/media/wsdl}"
_MEDIA2 = "{http://www.onvif.org/ver20/media/wsdl}"
_EVENTS = "{http://www.onvif.org/ver10/events/wsdl}"

SERVICES: dict[str, ServiceSpec] = {
    "devicemgmt": ServiceSpec("ver10/device/wsdl/devicemgmt.wsdl", f"{_DEVICE}DeviceBinding"),
    "media": ServiceSpec("ver10/media/wsdl/media.wsdl", f"{_MEDIA}MediaBinding"),
    "media2": ServiceSpec("ver20/media/wsdl/media.wsdl", f"{_MEDIA2}Media2Binding"),
    "events": ServiceSpec("ver10/events/wsdl/event.wsdl", f"{_EVENTS}EventBinding"),
    # The event WSDL describes several endpoints; a PullPoint subscription and its manager
    # live at addresses returned by CreatePullPointSubscription, not at the event service.
    "pullpoint": ServiceSpec(
        "ver10/events/wsdl/event.wsdl", f"{_EVENTS}PullPointSubscriptionBinding"
    ),
    "subscription": ServiceSpec(
        "ver10/events/wsdl/event.wsdl", f"{_EVENTS}SubscriptionManagerBinding"
    ),
    # WS-BaseNotification Subscribe is answered at the event service address.
    "notification": ServiceSpec(
        "ver10/events/wsdl/event.wsdl", f"{_EVENTS}NotificationProducerBinding"
    ),
    "ptz": ServiceSpec(
        "ver20/ptz/wsdl/ptz.wsdl", "{http://www.onvif.org/ver20/ptz/wsdl}PTZBinding"
    ),
    "imaging": ServiceSpec(
        "ver20/imaging/wsdl/imaging.wsdl", "{http://www.onvif.org/ver20/imaging/wsdl}ImagingBinding"
    ),
    "search": ServiceSpec(
        "ver10/search.wsdl", "{http://www.onvif.org/ver10/search/wsdl}SearchBinding"
    ),
    "replay": ServiceSpec(
        "ver10/replay.wsdl", "{http://www.onvif.org/ver10/replay/wsdl}ReplayBinding"
    ),
    "recording": ServiceSpec(
        "ver10/recording.wsdl", "{http://www.onvif.org/ver10/recording/wsdl}RecordingBinding"
    ),
    "receiver": ServiceSpec(
        "ver10/receiver.wsdl", "{http://www.onvif.org/ver10/receiver/wsdl}ReceiverBinding"
    ),
}
"""Service key -> WSDL location and SOAP binding QName, for every service the suite talks to."""


def service_spec(service: str) -> ServiceSpec:
    """Look up a service key, with an error that lists the valid keys."""
    try:
        return SERVICES[service]
    except KeyError:
        raise KeyError(f"unknown ONVIF service {service!r}; known: {sorted(SERVICES)}") from None


def wsdl_path(service: str) -> Path:
    """Absolute path of the bundled WSDL for ``service`` (e.g. ``"devicemgmt"``)."""
    return WSDL_ROOT / "onvif" / service_spec(service).path


class OfflineTransport(zeep.Transport):
    """A zeep transport that resolves every document from the bundled set, never the network.

    Only ``load`` (used while parsing WSDL/XSD) is overridden. The suite sends SOAP requests with
    its own HTTP code (timeouts, size caps, evidence capture), so ``post`` is never used.
    """

    def __init__(self, root: Path = WSDL_ROOT) -> None:
        super().__init__(cache=None)
        self.root = root

    def local_path(self, url: str) -> Path:
        """Map ``url`` to a bundled file, or raise :class:`WsdlNotAvailable`."""
        parsed = urlparse(url)
        scheme = parsed.scheme.lower()
        if scheme in ("http", "https"):
            if parsed.netloc.lower().endswith("onvif.org") and parsed.path.endswith(
                _ONVIF_SCHEMA_SUFFIX
            ):
                return self.root / "onvif" / "ver10" / "schema" / "onvif.xsd"
            name = parsed.path.rstrip("/").rsplit("/", 1)[-1]
            candidate = self.root / "external" / name
            if name and candidate.is_file():
                return candidate
            raise WsdlNotAvailable(f"no offline copy of {url} (would need network access)")
        if scheme == "file":
            return Path(unquote(parsed.path))
        if scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/")):
            return Path(url).expanduser()
        raise WsdlNotAvailable(f"unsupported URL scheme in {url!r}; refusing to fetch it")

    def load(self, url: str) -> bytes:
        """Return the bytes of ``url`` from the bundled set (zeep calls this for every import)."""
        if not url:
            raise ValueError("No url given to load")
        path = self.local_path(url)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise WsdlNotAvailable(f"cannot read {url} ({path}): {exc}") from exc


def load_client(service: str) -> zeep.Client:
    """Build a fresh zeep client for ``service`` from the bundled files (uncached, ~0.1 s)."""
    transport = OfflineTransport()
    document = Document(str(wsdl_path(service)), transport)
    return zeep.Client(document, transport=transport)


_clients: dict[str, zeep.Client] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def get_client(service: str) -> zeep.Client:
    """The process-wide zeep client for ``service``, built on first use.

    Services sharing one WSDL (events, pullpoint, subscription) share one client. A lock per
    WSDL makes concurrent first calls build it once, without serialising unrelated services.
    """
    key = service_spec(service).path
    client = _clients.get(key)
    if client is not None:
        return client
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        client = _clients.get(key)
        if client is None:
            client = load_client(service)
            _clients[key] = client
        return client


def get_document(service: str) -> Document:
    """The cached parsed WSDL ``Document`` for ``service``."""
    return get_client(service).wsdl
