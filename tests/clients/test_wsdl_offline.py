"""The bundled ONVIF WSDLs load with zero network access, and unmapped URLs are refused."""

from __future__ import annotations

import socket
import time

import pytest

from conformance.clients import wsdl
from conformance.clients.wsdl import (
    SERVICES,
    OfflineTransport,
    WsdlNotAvailable,
    get_client,
    load_client,
    wsdl_path,
)

REQUIRED = (
    "devicemgmt",
    "media",
    "media2",
    "events",
    "ptz",
    "imaging",
    "search",
    "replay",
    "recording",
)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make any socket connect fail loudly, and record attempts (a swallowed error still shows)."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.parametrize("service", REQUIRED)
def test_wsdl_path_exists(service: str) -> None:
    assert wsdl_path(service).is_file()


def test_expected_paths() -> None:
    assert wsdl_path("devicemgmt").as_posix().endswith("onvif/ver10/device/wsdl/devicemgmt.wsdl")
    assert wsdl_path("media").as_posix().endswith("onvif/ver10/media/wsdl/media.wsdl")
    assert wsdl_path("media2").as_posix().endswith("onvif/ver20/media/wsdl/media.wsdl")


def test_unknown_service_lists_known() -> None:
    with pytest.raises(KeyError, match="devicemgmt"):
        wsdl_path("nope")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_loads_offline(service: str, no_network: list[object]) -> None:
    started = time.perf_counter()
    client = load_client(service)
    elapsed = time.perf_counter() - started
    binding = client.wsdl.bindings[SERVICES[service].binding]
    assert binding._operations, f"{service}: binding has no operations"
    assert no_network == []
    print(f"uncached build of {service}: {elapsed:.3f} s")


def test_known_operations_present() -> None:
    def ops(service: str) -> set[str]:
        return set(get_client(service).wsdl.bindings[SERVICES[service].binding]._operations)

    assert {"GetSystemDateAndTime", "GetDeviceInformation", "GetServices"} <= ops("devicemgmt")
    assert {"GetProfiles", "GetStreamUri", "GetSnapshotUri"} <= ops("media")
    assert {"GetProfiles", "GetStreamUri"} <= ops("media2")
    assert "CreatePullPointSubscription" in ops("events")
    assert "PullMessages" in ops("pullpoint")
    assert "GetReplayUri" in ops("replay")


def test_cache_returns_same_client_and_is_fast(no_network: list[object]) -> None:
    first = get_client("devicemgmt")
    started = time.perf_counter()
    second = get_client("devicemgmt")
    assert second is first
    assert time.perf_counter() - started < 0.01
    assert get_client("pullpoint") is get_client("events")


def test_cache_builds_once_under_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(wsdl, "_clients", {})
    builds: list[str] = []
    real = wsdl.load_client

    def counting(service: str) -> object:
        builds.append(service)
        return real(service)

    monkeypatch.setattr(wsdl, "load_client", counting)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(get_client("imaging"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == ["imaging"]
    assert all(r is results[0] for r in results)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/definitely-not-bundled.xsd",
        "https://www.onvif.org/ver10/device/wsdl/nothing-here.wsdl",
        "ftp://www.w3.org/2003/05/soap-envelope",
    ],
)
def test_unmapped_url_raises_without_network(url: str, no_network: list[object]) -> None:
    with pytest.raises(WsdlNotAvailable):
        OfflineTransport().load(url)
    assert no_network == []


def test_mapped_urls(no_network: list[object]) -> None:
    transport = OfflineTransport()
    onvif = transport.load("http://www.onvif.org/ver10/schema/onvif.xsd")
    assert b'targetNamespace="http://www.onvif.org/ver10/schema"' in onvif
    assert transport.local_path("https://www.onvif.org/onvif/ver10/schema/onvif.xsd") == (
        wsdl.WSDL_ROOT / "onvif/ver10/schema/onvif.xsd"
    )
    assert transport.local_path("https://www.w3.org/2003/05/soap-envelope") == (
        wsdl.WSDL_ROOT / "external/soap-envelope"
    )
    assert transport.load("http://docs.oasis-open.org/wsn/b-2.xsd").startswith(b"<?xml")
    assert no_network == []
