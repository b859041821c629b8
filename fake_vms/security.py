"""Accounts, user levels, login lockout and the auxiliary port of a simulated device.

ONVIF Core 5.9.4 defines user levels (Administrator, Operator, User) and access classes; an
Operator may read and actuate but not read secrets (GetUsers) or change the system. Every
simulated camera has its administrator (``CameraConfig.username``), an Operator test account and
a User account. Lockout (ONVIF Core recommends brute-force mitigation; SCC Secure by Default)
locks an account after ``LOCKOUT_THRESHOLD`` failed logins for ``LOCKOUT_SECONDS``. The primary
administrator is exempt, because it is the lab credential the whole self-test uses: a real
device's policy is judged on the Operator test account.

The auxiliary port: every device holds one extra TCP port bound but *not listening* (so a connect
is refused and no other device can take it). The undeclared-port persona listens on it with a
telnet-like banner. The ready file publishes it so the self-test target can declare it as the
device's own port-scan range: the scan never blames one simulated device for another's ports.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass

from fake_vms.site import CameraConfig

ADMINISTRATOR = "Administrator"
OPERATOR = "Operator"
USER = "User"
OPERATOR_USERNAME = "operator"
OPERATOR_PASSWORD = "sim-operator-password"
VIEWER_USERNAME = "viewer"
VIEWER_PASSWORD = "sim-viewer-password"
LOCKOUT_THRESHOLD = 5
LOCKOUT_SECONDS = 3.0
FAILURE_WINDOW_S = 60.0

ADMIN_ONLY_OPERATIONS = frozenset(
    {
        # READ_SYSTEM_SECRET, WRITE_SYSTEM and UNRECOVERABLE access classes (ONVIF Core 5.9.4)
        "GetUsers",
        "CreateUsers",
        "DeleteUsers",
        "SetUser",
        "SetSystemDateAndTime",
        "SetNetworkInterfaces",
        "SetNetworkProtocols",
        "SetHostname",
        "SetScopes",
        "SystemReboot",
        "SetSystemFactoryDefault",
    }
)


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    level: str


def accounts(camera: CameraConfig) -> dict[str, Account]:
    """The camera's accounts by user name."""
    found = [
        Account(OPERATOR_USERNAME, OPERATOR_PASSWORD, OPERATOR),
        Account(VIEWER_USERNAME, VIEWER_PASSWORD, USER),
        Account(camera.username, camera.password, ADMINISTRATOR),
    ]
    return {a.username: a for a in found}


def may_call(camera: CameraConfig, level: str, operation: str) -> bool:
    """Whether an authenticated user of ``level`` may call ``operation``."""
    if level == ADMINISTRATOR or operation not in ADMIN_ONLY_OPERATIONS:
        return True
    return camera.knobs.operator_is_admin and level == OPERATOR


class Lockout:
    """Counts failed logins per account; locks an account that fails too often."""

    def __init__(self, camera: CameraConfig) -> None:
        self.camera = camera
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def _guarded(self, username: str) -> bool:
        return not self.camera.knobs.lockout_disabled and username != self.camera.username

    def locked(self, username: str) -> bool:
        with self._lock:
            return (
                self._guarded(username) and self._locked_until.get(username, 0) > time.monotonic()
            )

    def failed(self, username: str) -> None:
        """Record a failed login for a known account."""
        if not self._guarded(username):
            return
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(username, []) if now - t < FAILURE_WINDOW_S]
            recent.append(now)
            if len(recent) >= LOCKOUT_THRESHOLD:
                self._locked_until[username] = now + LOCKOUT_SECONDS
                recent = []
            self._failures[username] = recent


class AuxPort:
    """The device's auxiliary TCP port: bound and closed, or a debug banner (persona)."""

    BANNER = b"BusyBox v1.19.4 built-in shell (ash)\r\nlogin: "

    def __init__(self, camera: CameraConfig) -> None:
        self.camera = camera
        self.port = 0
        self._sock: socket.socket | None = None
        self._server: asyncio.Server | None = None

    async def start(self, host: str) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((host, 0))
        self._sock = sock
        self.port = sock.getsockname()[1]
        if self.camera.knobs.undeclared_port_open:
            sock.listen(8)
            self._server = await asyncio.start_server(self._banner, sock=sock)

    async def _banner(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(self.BANNER)
            await writer.drain()
        finally:
            writer.close()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._sock is not None:
            self._sock.close()
