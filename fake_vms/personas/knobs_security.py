"""Security knobs (secure-by-default profile): each default is the conformant behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SecurityKnobs:
    """Authentication hardening, TLS and attack surface of the simulated device."""

    basic_auth_accepted: bool = False
    """HTTP Basic is offered in the 401 challenge and accepted over plain HTTP."""
    wsse_nonce_replay_accepted: bool = False
    """A WS-Security UsernameToken whose nonce was already used is accepted again."""
    wsse_stale_created_accepted: bool = False
    """A UsernameToken whose Created time is far outside the clock window is accepted."""
    tls_version: str = ""
    """Only this TLS version is served on the HTTPS port ("TLSv1" = TLS 1.0); "" = TLS >= 1.2."""
    undeclared_port_open: bool = False
    """A debug listener (telnet-like banner) answers on the device's auxiliary port."""
    lockout_disabled: bool = False
    """Repeated failed logins are neither slowed nor locked."""
    operator_is_admin: bool = False
    """The Operator account may call Administrator-only operations (e.g. GetUsers)."""
