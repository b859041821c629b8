"""Operation log: every ONVIF and RTSP operation a simulated device served, in order.

Tests read it to check what a client did (for example that a passive run changed nothing), as
ONVIF's client conformance judges a client from the network trace.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Operation:
    time: float
    device: str
    protocol: str  # "onvif" | "rtsp" | "http" | "ws-discovery"
    operation: str  # e.g. "GetDeviceInformation", "DESCRIBE", "GET /snapshot.jpg"
    authenticated: bool
    outcome: str  # e.g. "200", "401", "fault:ter:NotAuthorized"
    namespace: str = ""  # the ONVIF service's namespace, for SOAP operations


class OperationLog:
    """Thread-safe, bounded, append-only log shared by all devices of one simulator."""

    def __init__(self, limit: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._ops: list[Operation] = []
        self._limit = limit

    def record(
        self,
        device: str,
        protocol: str,
        operation: str,
        authenticated: bool,
        outcome: str,
        namespace: str = "",
    ) -> None:
        op = Operation(time.time(), device, protocol, operation, authenticated, outcome, namespace)
        with self._lock:
            self._ops.append(op)
            if len(self._ops) > self._limit:
                del self._ops[: len(self._ops) - self._limit]

    def entries(self, device: str | None = None) -> list[Operation]:
        with self._lock:
            return [op for op in self._ops if device is None or op.device == device]

    def as_dicts(self, device: str | None = None) -> list[dict]:
        return [asdict(op) for op in self.entries(device)]
