"""The ``vms:`` section of a target file: which VMS adapter, where, and whose credentials.

Like devices, a VMS never has a literal password in a target file: ``password_env`` names an
environment variable. A simulator's ready file provides its VMS (``vms`` in the ready file:
adapter, URL and the simulator's own test operator credentials) when the target file has no
``vms:`` section of its own. See docs/vms-adapters.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from conformance.errors import InputError
from conformance.fields import http_url_without_credentials, reject_literal_password


class VmsEntry(BaseModel):
    """A VMS to test through an adapter (``conformance.clients.vms.ADAPTERS``)."""

    model_config = ConfigDict(extra="forbid")
    adapter: str = Field(min_length=1, description="Adapter name, e.g. fake-vms or zoneminder.")
    url: str = Field(description="Base URL of the VMS API, e.g. https://vms.example/")
    username: str | None = None
    username_env: str | None = None
    password_env: str | None = Field(
        default=None, description="Name of the environment variable holding the password."
    )
    options: dict[str, Any] = Field(default={}, description="Adapter-specific options.")

    @model_validator(mode="before")
    @classmethod
    def _no_literal_password(cls, data: Any) -> Any:
        return reject_literal_password(data)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return http_url_without_credentials(value, "use username/password_env")


@dataclass(frozen=True)
class VmsConfig:
    """A resolved VMS: adapter name, URL and credentials (the password is a secret)."""

    adapter: str
    url: str
    username: str
    password: str = field(repr=False)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """What reports call this VMS: the ``name`` option, else the adapter's name (the same
        name the vms-ingest pairs carry, ``<name> · <camera>``)."""
        return str(self.options.get("name") or self.adapter)

    def make_adapter(self, timeout_s: float = 10.0) -> Any:
        from conformance.clients.vms import make_adapter

        options = {k: v for k, v in self.options.items() if k != "name"}  # ours, not the adapter's
        return make_adapter(
            self.adapter, self.url, self.username, self.password, timeout_s=timeout_s, **options
        )


_IDENTITIES: dict[tuple[str, str], dict[str, str]] = {}
"""(adapter, url) -> what the VMS said it is, asked once per run by whoever talked to it first."""


def remember_identity(config: VmsConfig, adapter: Any) -> dict[str, str]:
    """Ask the VMS (through ``adapter``) what product and version it is, once per run, for
    results.json's ``vms`` section. A VMS that will not say is still named (product and version
    empty): the question is not a requirement, and its failure judges nothing."""
    from conformance.clients.vms import VmsError

    key = (config.adapter, config.url)
    if key not in _IDENTITIES:
        try:
            product, version = adapter.identity()
        except (VmsError, OSError, ValueError, TypeError):
            product, version = "", ""
        _IDENTITIES[key] = {"product": str(product), "version": str(version)}
    return _IDENTITIES[key]


def vms_section(config: VmsConfig | None, redactor: Any = None) -> dict[str, str] | None:
    """results.json's top-level ``vms``: name, product, version and the address without
    credentials; None without a VMS. Product and version are what the VMS said during the run
    (empty when the run never talked to it)."""
    if config is None:
        return None
    from conformance.clients.vms_transcript import clean_url

    said = _IDENTITIES.get((config.adapter, config.url), {})
    address = clean_url(config.url)
    return {
        "name": config.name,
        "product": said.get("product", ""),
        "version": said.get("version", ""),
        "address": redactor(address) if redactor is not None else address,
    }


def _env(source: str, field_name: str, var: str) -> str:
    value = os.environ.get(var)
    if value is None:
        raise InputError(source, field_name, f"environment variable {var} is not set")
    return value


def resolve_vms(entry: VmsEntry | None, source: str, ready_path: Path | None) -> VmsConfig | None:
    """The target's VMS: its own ``vms:`` section, else the simulator ready file's, else none."""
    if entry is not None:
        username = entry.username or ""
        if entry.username_env:
            username = _env(source, "vms.username_env", entry.username_env)
        password = (
            _env(source, "vms.password_env", entry.password_env) if entry.password_env else ""
        )
        return VmsConfig(entry.adapter, entry.url, username, password, dict(entry.options))
    if ready_path is None:
        return None
    try:
        ready = json.loads(ready_path.read_text(encoding="utf-8"))
        vms = ready.get("vms")
        if not vms:
            return None
        return VmsConfig(
            str(vms.get("adapter", "fake-vms")), str(vms["url"]), str(vms["username"]),
            str(vms["password"]),
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(source, "simulator.ready_file", f"malformed vms entry: {exc}") from None
