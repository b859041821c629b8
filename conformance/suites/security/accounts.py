"""Helpers of the security suite: clients for other accounts, the target's security section.

Default credentials are public knowledge (a make's documented factory defaults), so they are
tried with a client whose redactor is its own: adding words like "admin" to the run's shared
redactor would mask them everywhere. Their exchanges are never attached; the evidence names
each default as ``user:p***`` only (see :func:`conformance.targets.mask`).
"""

from __future__ import annotations

import os
from typing import Any

from conformance.outcomes import Inconclusive, not_tested
from conformance.redaction import Redactor
from conformance.targets import mask


def client_as(device: Any, username: str, password: str, *, private: bool = False):
    """An ONVIF client for ``device`` logged in as another account, on the device's clock."""
    from conformance.clients.onvif import OnvifClient

    return OnvifClient(
        device.device.onvif_url,
        username,
        password,
        timeout=device.timeout,
        clock_offset=device.onvif.clock_offset,
        redactor=Redactor() if private else device.redactor,
    )


def default_credentials(conformance_run: Any) -> list[tuple[str, str]]:
    """(username, password) pairs the target lists; user-name-only entries are skipped."""
    pairs = []
    for cred in conformance_run.target.spec.default_credentials:
        password = cred.password
        if cred.password_env:
            password = os.environ.get(cred.password_env)
        if password is not None:
            pairs.append((cred.username, password))
    return pairs


def label(username: str, password: str) -> str:
    return f"{username}:{mask(password)}"


def operator_credentials(conformance_run: Any) -> tuple[str, str]:
    """The Operator test account of the target, or not_tested when the target gives none."""
    operator = conformance_run.target.spec.security.operator
    if operator is None:
        not_tested("the target gives no Operator test account (security.operator)")
    username = operator.username
    if operator.username_env:
        username = os.environ.get(operator.username_env)
    password = os.environ.get(operator.password_env) if operator.password_env else None
    if not username or password is None:
        raise Inconclusive(
            "the Operator test account's user name or password environment variable is not set"
        )
    return username, password


def security_section(conformance_run: Any) -> Any:
    return conformance_run.target.spec.security
