"""Shared fixtures for simulator tests: run any async start()/stop() server in a background loop.

Tests stay synchronous (plain ``requests``/zeep clients, as a real client would be) while the
simulated servers run on their own event loop thread, exactly as ``fake-vms serve`` runs them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

import pytest


class AsyncServer(Protocol):
    async def start(self, host: str = ..., port: int = ...) -> None: ...

    async def stop(self) -> None: ...


T = TypeVar("T")
ServerT = TypeVar("ServerT", bound=AsyncServer)


class BackgroundLoop:
    """An event loop on a daemon thread; ``run`` executes a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


@pytest.fixture
def run_async_server() -> Iterator[Callable[[Any], Any]]:
    """Start servers with ``run_async_server(server)``; each is stopped at teardown."""
    loop = BackgroundLoop()
    started: list[AsyncServer] = []

    def start(server: ServerT) -> ServerT:
        loop.run(server.start())
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        loop.run(server.stop())
    loop.close()
