"""Target files: the system under test, the supplier's claims and the supplier's declaration.

Credentials are never written in a target file: a device names the environment variables that
hold them (``username_env``/``password_env``), or points at a simulator's ready file, whose test
credentials are the simulator's own. The redacted form of a target (:func:`redacted`) is what
reports show.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from conformance.errors import InputError, input_error, validation_error, validation_problems
from conformance.fields import http_url_without_credentials, reject_literal_password
from conformance.vms_target import VmsConfig, VmsEntry, resolve_vms

FEATURES = ("snapshot", "rtsp_udp", "rtsp_tcp", "ptz", "events", "media2", "h265", "onvif_export")
FEATURES += ("recording_search", "replay", "reverse_replay", "recording_control")  # Profile G
FEATURES += ("rtp_multicast",)  # Media StreamingCapabilities RTPMulticast (STREAM-MCAST-01)


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str | None = Field(default=None, description="Literal user name (not secret).")
    username_env: str | None = None
    password_env: str | None = Field(
        default=None, description="Name of the environment variable holding the password."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_literal_password(cls, data: Any) -> Any:
        return reject_literal_password(data)


class Claims(BaseModel):
    """What the supplier says the product does. Every field is optional."""

    model_config = ConfigDict(extra="forbid")
    profiles: list[str] = []
    features: list[str] = []
    codecs: list[Literal["H264", "H265", "JPEG"]] = []
    resolutions: list[str] = []
    frame_rates: list[float] = []
    export_speed: float | None = Field(
        default=None, gt=0, description="Claimed VMS export speed, a multiple of real time."
    )

    @field_validator("features")
    @classmethod
    def _known_features(cls, value: list[str]) -> list[str]:
        for feature in value:
            if feature not in FEATURES:
                raise ValueError(f"unknown feature {feature!r} (known: {', '.join(FEATURES)})")
        return value

    @field_validator("resolutions")
    @classmethod
    def _resolution_format(cls, value: list[str]) -> list[str]:
        for res in value:
            parts = res.lower().split("x")
            if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
                raise ValueError(f"resolution {res!r} must look like 1920x1080")
        return value


class DefaultCredential(BaseModel):
    """A documented factory-default account of the make (public knowledge, not a secret).

    Written as ``"user:password"`` or as a mapping; ``password_env`` names an environment variable
    instead, for a default the lab prefers not to write down. A bare ``"user"`` (a user name
    only) is recorded but cannot be tried. Reports mask the password (see :func:`redacted`).
    """

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1)
    password: str | None = None
    password_env: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            user, sep, password = data.partition(":")
            return {"username": user, "password": password if sep else None}
        return data


class SecurityTesting(BaseModel):
    """What the security checks need from the lab: a test account and the declared ports."""

    model_config = ConfigDict(extra="forbid")
    operator: Credentials | None = Field(
        default=None, description="An Operator-level test account (SEC-PRIV-01, SEC-LOCKOUT-01)."
    )
    https_port: int | None = Field(default=None, ge=1, le=65535, description="Default: 443.")
    open_ports: list[int] = Field(default=[], description="TCP ports the supplier declares open.")
    scan_ports: list[int] = Field(default=[], description="Extra TCP ports to probe.")
    scan_range: tuple[int, int] | None = Field(
        default=None, description="An inclusive TCP port range to probe (at most 1024 ports)."
    )
    scan_well_known: bool = Field(
        default=True, description="Also probe the documented list of well-known camera ports."
    )

    @field_validator("scan_range")
    @classmethod
    def _bounded(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None:
            low, high = value
            if not 1 <= low <= high <= 65535 or high - low >= 1024:
                raise ValueError("must be [low, high] within 1..65535 and at most 1024 ports")
        return value


class LockoutPolicy(BaseModel):
    """The device's login lockout, as configured on it: bounds the failed-login budget.

    Passive runs send at most ``max_failed_logins - 2`` logins that should fail to each device
    (see :mod:`conformance.login_budget`); without this section a threshold of 5 is assumed.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    max_failed_logins: int = Field(
        ge=1, le=1000, description="Failed logins after which the device locks (account or IP)."
    )
    window_s: float | None = Field(
        default=None, gt=0, description="Seconds over which the device counts failures."
    )
    min_interval_s: float | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Passive-mode pause between two failing attempts (default 1 s).",
    )


class SecurityDeclaration(BaseModel):
    """Supplier answers that cannot be verified over the network (shown as declared)."""

    model_config = ConfigDict(extra="forbid")
    secure_boot: str = ""
    signed_firmware: str = ""
    vulnerability_disclosure: str = ""
    support_period: str = ""
    psti_statement: str = ""
    data_residency: str = Field(
        default="",
        description="Where recordings and any cloud data are processed and stored (NPSA concern).",
    )


class Customers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    police: list[str] = []
    non_police: list[str] = []


class Declaration(BaseModel):
    """The supplier's answers to the procurement questions (declared, not verified)."""

    model_config = ConfigDict(extra="forbid")
    technology: str = Field(default="", description="How the technology works.")
    maturity: str = ""
    release_status: Literal["released", "in_development", "pilot", "withdrawn", ""] = ""
    customers: Customers = Customers()
    use_cases: list[str] = []
    roadmap: str = ""
    interoperability: str = Field(
        default="", description="How it combines with other platforms with minimal disruption."
    )
    efficiency_gains: str = Field(
        default="",
        description="The efficiency gains it brings (operator time, storage, fewer systems).",
    )
    security: SecurityDeclaration = SecurityDeclaration()


class DeviceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    onvif: str = Field(description="ONVIF device service URL, e.g. http://cam/onvif/device_service")
    credentials: Credentials = Credentials()
    role: Literal["camera", "nvr", "vms"] = "camera"
    claims: Claims | None = None
    discovery: str | None = Field(
        default=None,
        description="WS-Discovery unicast address host:port (default: the ONVIF host, port 3702)",
    )
    lockout_policy: LockoutPolicy | None = Field(
        default=None, description="This device's lockout (default: the target's)."
    )
    site: str | None = Field(
        default=None,
        description=(
            "The authority or site the device belongs to; used by the planner's inventory "
            "and to group devices."
        ),
    )
    queue: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Distributed runs: the work queue whose workers may reach this device (default: "
            "its site). A worker inside an authority's network listens to that queue only."
        ),
    )

    @field_validator("discovery")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None:
            host, sep, port = value.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"must be host:port, e.g. 192.0.2.10:3702, got {value!r}")
        return value

    @field_validator("onvif")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return http_url_without_credentials(value, "use the credentials field")


class SimulatorRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ready_file: str = Field(description="Ready file written by `fake-vms serve --ready-file`.")
    devices: list[str] | Literal["all"] = "all"


class TargetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    supplier: str = Field(min_length=1)
    product: str = Field(min_length=1)
    firmware: str = ""
    lab: str = ""
    devices: list[DeviceEntry] = []
    simulator: SimulatorRef | None = None
    vms: VmsEntry | None = None
    claims: Claims = Claims()
    declaration: Declaration = Declaration()
    default_credentials: list[DefaultCredential] = Field(
        default=[], description="The make's documented default accounts (SEC-DEFCRED-01)."
    )
    security: SecurityTesting = SecurityTesting()
    lockout_policy: LockoutPolicy | None = Field(
        default=None, description="The devices' login lockout (failed-login budget)."
    )

    @model_validator(mode="after")
    def _has_devices(self) -> TargetFile:
        if not self.devices and self.simulator is None:
            raise ValueError("a target needs at least one entry in 'devices' or a 'simulator'")
        return self


@dataclass(frozen=True)
class Device:
    """A resolved device: endpoint, secrets (in memory only) and effective claims."""

    name: str
    onvif_url: str
    username: str | None
    password: str | None = field(repr=False)
    role: str
    claims: Claims
    discovery: str | None = None
    """WS-Discovery unicast address ``host:port``; None means the ONVIF host on port 3702."""
    lockout: LockoutPolicy | None = None
    """The declared login lockout (device entry, else target); None: not declared."""
    site: str | None = None
    """The authority or site the device belongs to (the device entry's ``site``, or the
    simulator ready file's); None: not said. It goes into results.json so an estate's results
    can be grouped and turned into an inventory."""
    queue: str | None = None
    """The distributed work queue named in the target (None: use the site)."""

    @property
    def work_queue(self) -> str:
        """Where a distributed run sends this device's audit: its ``queue``, else its site,
        else ``default`` (a worker reaches only the devices of the queues it listens to)."""
        return self.queue or self.site or "default"

    @property
    def host(self) -> str:
        return urlsplit(self.onvif_url).hostname or ""

    @property
    def discovery_address(self) -> tuple[str, int]:
        """Where to send a unicast WS-Discovery Probe (ONVIF Core 7.3: UDP port 3702)."""
        if self.discovery:
            host, _, port = self.discovery.rpartition(":")
            return host.strip("[]"), int(port)
        return self.host, 3702


@dataclass(frozen=True)
class Target:
    source: str
    spec: TargetFile
    devices: tuple[Device, ...]
    vms: VmsConfig | None = None
    ready_file: Path | None = None
    """The simulator's ready file the devices were read from (``--ready-file``, else the
    target's ``simulator.ready_file`` against the target's folder), None without one."""

    @property
    def secrets(self) -> list[str]:
        out: list[str] = []
        for dev in self.devices:
            out.extend(s for s in (dev.username, dev.password) if s)
        if self.vms is not None and self.vms.password:
            out.append(self.vms.password)
        envs = [c.password_env for c in self.spec.default_credentials]
        operator = self.spec.security.operator
        envs += [operator.password_env, operator.username_env] if operator else []
        out.extend(os.environ[v] for v in envs if v and os.environ.get(v))
        return out


def _env(source: str, field_name: str, var: str) -> str:
    value = os.environ.get(var)
    if value is None:
        raise InputError(source, field_name, f"environment variable {var} is not set")
    return value


def _devices_from_ready_file(
    source: str,
    ref: SimulatorRef,
    base: Path,
    claims: Claims,
    lockout: LockoutPolicy | None = None,
):
    path = Path(ref.ready_file)
    if not path.is_absolute():
        path = base / path
    try:
        ready = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            source, "simulator.ready_file", f"cannot read {path}: {exc.strerror}"
        ) from None
    except ValueError:
        raise InputError(
            source, "simulator.ready_file", f"{path} is not a fake-vms ready file (not JSON)"
        ) from None
    wanted = None if ref.devices == "all" else set(ref.devices)
    found = []
    try:
        # One responder for the whole simulator; a ready file merged from several simulators
        # (benchmarks/bench_distributed.py) names each device's own.
        shared_port = ready.get("discovery_port")
        for entry in ready["devices"]:
            if wanted is None or entry["name"] in wanted:
                onvif_url = str(entry["onvif_url"])
                discovery_port = entry.get("discovery_port", shared_port)
                discovery = (
                    f"{urlsplit(onvif_url).hostname}:{int(discovery_port)}"
                    if discovery_port
                    else None
                )
                found.append(
                    Device(
                        str(entry["name"]),
                        onvif_url,
                        entry["username"],
                        entry["password"],
                        "camera",
                        claims,
                        discovery,
                        lockout,
                        str(entry["site"]) if entry.get("site") else None,
                    )
                )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            source,
            "simulator.ready_file",
            f"{path} is not a fake-vms ready file (missing or malformed {exc})",
        ) from None
    missing = (wanted or set()) - {d.name for d in found}
    if missing:
        raise InputError(
            source, "simulator.devices", f"not in {path}: {', '.join(sorted(missing))}"
        )
    return found


def load_target(
    path: str | Path, ready_file: str | None = None, *, credentials: bool = True
) -> Target:
    """Load and validate a target file; resolve credentials from the environment.

    ``credentials=False`` leaves them unresolved (None): a distributed run's coordinator checks
    the file and sends devices to workers, and only the workers, inside each network, hold the
    passwords (in their own environment)."""
    path = Path(path)
    source = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(source, None, f"cannot read target file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InputError(source, None, f"not valid YAML: {exc}") from None
    try:
        spec = TargetFile.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(source, exc) from None
    return resolve_target(
        spec, source, base=path.parent, ready_file=ready_file, credentials=credentials
    )


def resolve_target(
    spec: TargetFile,
    source: str,
    base: Path = Path("."),
    ready_file: str | None = None,
    *,
    credentials: bool = True,
) -> Target:
    devices: list[Device] = []
    for index, entry in enumerate(spec.devices):
        where = f"devices[{index}].credentials"
        creds = entry.credentials
        username = creds.username
        if creds.username_env and credentials:
            username = _env(source, f"{where}.username_env", creds.username_env)
        password = (
            _env(source, f"{where}.password_env", creds.password_env)
            if creds.password_env and credentials
            else None
        )
        devices.append(
            Device(
                entry.name,
                entry.onvif,
                username,
                password,
                entry.role,
                entry.claims or spec.claims,
                entry.discovery,
                entry.lockout_policy or spec.lockout_policy,
                entry.site,
                entry.queue,
            )
        )
    ready_path: Path | None = None
    if spec.simulator is not None or ready_file:
        ref = spec.simulator or SimulatorRef(ready_file=ready_file or "")
        if ready_file:
            ref = ref.model_copy(update={"ready_file": ready_file})
            base = Path(".")
        devices.extend(
            _devices_from_ready_file(source, ref, base, spec.claims, spec.lockout_policy)
        )
        ready_path = Path(ref.ready_file)
        ready_path = ready_path if ready_path.is_absolute() else base / ready_path
    names = [d.name for d in devices]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(source, "devices", f"duplicate device names: {', '.join(duplicates)}")
    vms = resolve_vms(spec.vms, source, ready_path)
    return Target(source=source, spec=spec, devices=tuple(devices), vms=vms, ready_file=ready_path)


def select_devices(target: Target, names: list[str]) -> Target:
    """Keep only the named devices (``--only-device``); an unknown name is bad input."""
    if not names:
        return target
    known = {d.name for d in target.devices}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(
            "--only-device",
            None,
            f"not a device of {target.source}: {', '.join(unknown)}",
        )
    kept = tuple(d for d in target.devices if d.name in names)
    return replace(target, devices=kept)


def single_device_target(url: str, user: str | None, password_env: str | None) -> Target:
    """A target for ``run --device URL``: no claims, so features come from discovery alone."""
    try:
        entry = DeviceEntry(
            name="device",
            onvif=url,
            credentials=Credentials(username=user, password_env=password_env),
        )
    except ValidationError as exc:
        raise input_error("--device", [(None, p) for _, p in validation_problems(exc)]) from None
    spec = TargetFile(supplier="(not declared)", product="(not declared)", devices=[entry])
    password = _env("--password-env", None, password_env) if password_env else None
    device = Device("device", url, user, password, "camera", Claims())
    return Target(source="--device", spec=spec, devices=(device,))


def redacted(target: Target) -> dict[str, Any]:
    """The target as reports may show it: no secrets; devices by name, address and role only."""
    data = target.spec.model_dump(mode="json")
    data["devices"] = [
        {"name": d.name, "onvif": d.onvif_url, "role": d.role} for d in target.devices
    ]
    data["source"] = target.source
    data["default_credentials"] = [
        f"{c['username']}:{mask(c['password']) if c.get('password') else '(not given)'}"
        for c in data.get("default_credentials", [])
    ]
    return data


def mask(secret: str) -> str:
    """A public default password as reports may show it: first character and length only."""
    return f"{secret[:1]}{'*' * max(len(secret) - 1, 3)}"
