"""Field rules shared by the sections of a target file (devices, VMS, security accounts).

One place for each rule, so every section refuses the same things with the same words.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def reject_literal_password(data: Any) -> Any:
    """Target files name environment variables for passwords; a literal one is refused."""
    if isinstance(data, dict) and "password" in data:
        raise ValueError(
            "literal passwords are not allowed in target files; name an environment "
            "variable with password_env"
        )
    return data


def http_url_without_credentials(value: str, hint: str) -> str:
    """An http(s) URL with a host and no user information (``hint`` says where they go)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http(s) URL with a host, got {value!r}")
    if parts.username or parts.password:
        raise ValueError(f"must not carry credentials; {hint}")
    return value
