"""A process-wide gate on live stream sessions, beyond the one-per-camera stream slot.

Why: a live estate's network (a control room's uplink, a recorder's session budget) can take
only so many video sessions at once, whichever devices they are to. One process bounds that with
``--workers``; a distributed run spreads devices over processes and machines, so a worker
installs a gate shared through the broker (:mod:`conformance.distributed.limits`) and every live
session the suite opens waits for room there. With no gate installed this is free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

_gate: Callable[[], AbstractContextManager[object]] | None = None


def install(gate: Callable[[], AbstractContextManager[object]] | None) -> None:
    """Use ``gate()`` around every live stream session of this process (None: no gate)."""
    global _gate
    _gate = gate


@contextmanager
def stream_session() -> Iterator[None]:
    """Hold room for one live stream session while the block runs."""
    if _gate is None:
        yield
        return
    with _gate():
        yield
