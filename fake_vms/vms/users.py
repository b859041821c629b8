"""Accounts of the simulated VMS besides its operator, with a role each (VMS-EXPORT-ROLE-01).

Why: an evidential VMS must let a viewer watch and search recordings without being able to take
footage away; the suite creates a viewer account and checks an export is refused. The operator
(the ready file's user) may create and delete accounts:

- ``POST /api/users`` ``{username, password, role: viewer|operator}`` -> ``201 {username, role}``
- ``DELETE /api/users/{username}`` -> ``204``

Passwords are kept as salted PBKDF2 hashes, never echoed, logged or audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

ROLES = ("viewer", "operator")


class Users:
    """Extra accounts: username -> (salt, hash, role)."""

    def __init__(self) -> None:
        self._accounts: dict[str, tuple[bytes, bytes, str]] = {}

    @staticmethod
    def _hash(password: str, salt: bytes) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 50_000)

    def add(self, username: str, password: str, role: str) -> None:
        salt = secrets.token_bytes(16)
        self._accounts[username] = (salt, self._hash(password, salt), role)

    def remove(self, username: str) -> bool:
        return self._accounts.pop(username, None) is not None

    def check(self, username: str, password: str) -> bool:
        found = self._accounts.get(username)
        if found is None:
            return False
        salt, digest, _role = found
        return hmac.compare_digest(self._hash(password, salt), digest)

    def role(self, username: str) -> str:
        """``operator`` for the VMS's own operator (not listed here), else the account's."""
        found = self._accounts.get(username)
        return found[2] if found else "operator"


def users_endpoint(api: Any, request: Any, user: str, error: type[Exception]) -> tuple[int, dict]:
    """``POST /api/users`` and ``DELETE /api/users/{name}`` (operator only); returns
    (status, body) for the API to answer."""
    if api.users.role(user) != "operator":
        raise error(403, "only an operator may manage accounts")
    if request.method == "DELETE":
        name = request.path.removeprefix("/api/users/")
        if not api.users.remove(name):
            raise error(404, f"no account {name!r}")
        api.audit.add(user, "user.delete", api._source(request), username=name)
        return 204, {}
    api._method(request, "POST")
    body = api._body(request)
    username, password, role = body.get("username"), body.get("password"), body.get("role")
    if not (isinstance(username, str) and username.strip() and isinstance(password, str)):
        raise error(400, "username and password (strings) required")
    if role not in ROLES:
        raise error(400, f"role: one of {', '.join(ROLES)}")
    if username == api.username:
        raise error(409, "that is the operator's account")
    api.users.add(username, password, role)
    api.audit.add(user, "user.create", api._source(request), username=username, role=role)
    return 201, {"username": username, "role": role}
