"""The requirement catalogue and profiles: loading, validation and resolution.

Requirements live in ``profiles/requirements/*.yaml`` (one file per domain); profiles in
``profiles/*.yaml``. A profile selects requirements with a level each and may include other
profiles; the resolved profile is the flat, ordered list the plugin runs and the reports show.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from conformance.errors import InputError, raise_all, validation_error

Level = Literal["mandatory", "conditional", "optional"]
Safety = Literal["passive", "intrusive", "destructive"]
Normative = Literal["MUST", "SHOULD", "MAY"]
"""The keyword level of a requirement's source: SHALL/MUST -> MUST, should -> SHOULD, may -> MAY.

It records what the spec itself says, independently of the level a profile gives the requirement
(a profile may raise a SHOULD to mandatory). A source clause that mixes levels is split into one
requirement per level, so that each verdict is judged at exactly one level."""
ParamValue = int | float | str | bool

ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: str
    clause: str
    url: str | None = None


class Requirement(BaseModel):
    """One checkable statement with a stable ID."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=3)
    text: str = Field(min_length=10, description="The normative statement (MUST/SHALL/SHOULD).")
    normative: Normative = Field(
        description="The keyword level of the source clause: MUST (shall/must), SHOULD or MAY."
    )
    domain: str
    source: Source
    onvif_tests: tuple[str, ...] = ()
    feature: str | None = Field(
        default=None, description="Conditional feature this requirement depends on."
    )
    parameters: dict[str, ParamValue] = {}
    safety: Safety = "passive"
    quirks: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _normative_given(cls, data: Any) -> Any:
        """A missing level is an authoring slip: say what to write rather than "Field required"."""
        if isinstance(data, dict) and "normative" not in data:
            raise ValueError(
                "normative is missing: give the keyword level of the source clause "
                "(MUST for shall/must, SHOULD, or MAY)"
            )
        return data


class RequirementFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    domain: str
    requirements: list[dict[str, Any]]


class ProfileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=ID_PATTERN)
    level: Level = "mandatory"
    parameters: dict[str, ParamValue] = {}


class ProfileFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    version: str
    title: str
    description: str = ""
    includes: list[str] = []
    requirements: list[ProfileEntry] = []
    parameters: dict[str, dict[str, ParamValue]] = Field(
        default={}, description="Parameter overrides for included requirements, by ID."
    )

    @field_validator("version")
    @classmethod
    def _version_format(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


@dataclass(frozen=True)
class ProfileRequirement:
    """A requirement as a resolved profile uses it: its level and effective parameters."""

    requirement: Requirement
    level: Level
    parameters: dict[str, ParamValue]
    via: str  # the profile that contributed this requirement

    @property
    def id(self) -> str:
        return self.requirement.id


@dataclass(frozen=True)
class ResolvedProfile:
    id: str
    version: str
    title: str
    description: str
    includes: tuple[str, ...]
    requirements: tuple[ProfileRequirement, ...]
    path: str

    def get(self, requirement_id: str) -> ProfileRequirement | None:
        return self._by_id.get(requirement_id)

    @cached_property
    def _by_id(self) -> dict[str, ProfileRequirement]:
        """The entries by ID (the first of an ID, as a scan would find it): the plugin asks
        for a test's entry several times per test."""
        index: dict[str, ProfileRequirement] = {}
        for entry in self.requirements:
            index.setdefault(entry.id, entry)
        return index

    @property
    def digest(self) -> str:
        """SHA-256 of the resolved content, so a report pins exactly what was run."""
        payload = [
            {"id": e.id, "level": e.level, "parameters": e.parameters, "text": e.requirement.text}
            for e in self.requirements
        ]
        blob = json.dumps({"id": self.id, "version": self.version, "req": payload}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def default_profiles_dir() -> Path:
    """``profiles/`` of the source checkout, else of the working directory; env var overrides."""
    env = os.environ.get("CCTV_CONFORMANCE_PROFILES")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent / "profiles"
    return checkout if checkout.is_dir() else Path.cwd() / "profiles"


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(path, None, f"cannot read file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InputError(path, None, f"not valid YAML: {exc}") from None


class Catalogue:
    """All requirements and profiles found in one profiles directory."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_profiles_dir()
        self.requirements: dict[str, Requirement] = {}
        self.requirement_files: dict[str, Path] = {}
        self._profile_files: dict[str, tuple[Path, ProfileFile]] = {}
        self._found: list[InputError] = []
        self._broken_ids: set[str] = set()  # requirements already reported as broken
        self._load_requirements()
        self._load_profiles()
        raise_all(self._found)  # every problem of every file, not only the first

    # -- loading -------------------------------------------------------------------------
    def _problem(self, path: Path, field: str | None, problem: str) -> None:
        self._found.append(InputError(path, field, problem))

    def _validated(self, model: Any, raw: Any, path: Path, prefix: str = "") -> Any:
        """``model`` validated from ``raw``, or None with every problem recorded."""
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            self._found.append(validation_error(path, exc, prefix))
            return None

    def _yaml(self, path: Path) -> Any:
        try:
            return _load_yaml(path)
        except InputError as exc:
            self._found.append(exc)
            return None

    def _load_requirements(self) -> None:
        req_dir = self.root / "requirements"
        if not req_dir.is_dir():
            raise InputError(req_dir, None, "requirement catalogue directory not found")
        for path in sorted(req_dir.glob("*.yaml")):
            raw = self._yaml(path)
            parsed = None if raw is None else self._validated(RequirementFile, raw, path)
            if parsed is None:
                continue
            for index, item in enumerate(parsed.requirements):
                req = self._validated(
                    Requirement, {"domain": parsed.domain, **item}, path, f"requirements[{index}]"
                )
                if req is None:
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        self._broken_ids.add(item["id"])  # its profiles need not say so again
                    continue
                if req.id in self.requirements:
                    other = self.requirement_files[req.id]
                    self._problem(
                        path,
                        f"requirements[{index}].id",
                        f"duplicate ID {req.id} (also in {other})",
                    )
                    continue
                self.requirements[req.id] = req
                self.requirement_files[req.id] = path

    def _load_profiles(self) -> None:
        for path in sorted(self.root.glob("*.yaml")):
            raw = self._yaml(path)
            profile = None if raw is None else self._validated(ProfileFile, raw, path)
            if profile is None:
                continue
            if profile.id != path.stem:
                self._problem(path, "id", f"profile id {profile.id!r} must match file name")
            for index, entry in enumerate(profile.requirements):
                if entry.id in self._broken_ids:
                    continue
                if entry.id not in self.requirements:
                    self._problem(
                        path, f"requirements[{index}].id", f"unknown requirement ID {entry.id}"
                    )
                    continue
                self._check_parameters(
                    path, f"requirements[{index}].parameters", entry.id, entry.parameters
                )
            for req_id, params in profile.parameters.items():
                if req_id in self._broken_ids:
                    continue
                if req_id not in self.requirements:
                    self._problem(path, f"parameters.{req_id}", "unknown requirement ID")
                    continue
                self._check_parameters(path, f"parameters.{req_id}", req_id, params)
            self._profile_files[profile.id] = (path, profile)
        for path, profile in self._profile_files.values():
            for index, inc in enumerate(profile.includes):
                if inc not in self._profile_files:
                    self._problem(path, f"includes[{index}]", f"unknown profile {inc!r}")
        if not self._found:  # a broken file would make resolving fail for its own mistake
            for profile_id in self._profile_files:
                self.resolve(profile_id)  # detects include cycles early

    def _check_parameters(self, path: Path, field: str, req_id: str, params: dict) -> None:
        defaults = self.requirements[req_id].parameters
        for name, value in params.items():
            if name not in defaults:
                known = ", ".join(sorted(defaults)) or "none"
                self._problem(
                    path, f"{field}.{name}", f"{req_id} has no parameter {name!r} (known: {known})"
                )
            elif type(value) is not type(defaults[name]) and not (
                isinstance(value, int | float)
                and isinstance(defaults[name], int | float)
                and not isinstance(value, bool)
                and not isinstance(defaults[name], bool)
            ):
                self._problem(
                    path,
                    f"{field}.{name}",
                    f"expected {type(defaults[name]).__name__}, got {value!r}",
                )

    # -- queries ---------------------------------------------------------------------------
    @property
    def profile_ids(self) -> list[str]:
        return sorted(self._profile_files)

    def resolve(self, profile_id: str, _stack: tuple[str, ...] = ()) -> ResolvedProfile:
        if profile_id not in self._profile_files:
            known = ", ".join(self.profile_ids)
            raise InputError("--profile", None, f"unknown profile {profile_id!r} (known: {known})")
        path, profile = self._profile_files[profile_id]
        if profile_id in _stack:
            chain = " -> ".join((*_stack, profile_id))
            raise InputError(path, "includes", f"include cycle: {chain}")
        entries: dict[str, ProfileRequirement] = {}
        for inc in profile.includes:
            for entry in self.resolve(inc, (*_stack, profile_id)).requirements:
                entries.setdefault(entry.id, entry)
        for entry in profile.requirements:
            req = self.requirements[entry.id]
            inherited = entries.get(entry.id)
            base = dict(inherited.parameters) if inherited else dict(req.parameters)
            entries[entry.id] = ProfileRequirement(
                req, entry.level, {**base, **entry.parameters}, profile_id
            )
        for req_id, params in profile.parameters.items():
            if req_id in entries:
                old = entries[req_id]
                entries[req_id] = ProfileRequirement(
                    old.requirement, old.level, {**old.parameters, **params}, old.via
                )
        return ResolvedProfile(
            id=profile.id,
            version=profile.version,
            title=profile.title,
            description=profile.description,
            includes=tuple(profile.includes),
            requirements=tuple(entries.values()),
            path=str(path),
        )

    def profiles(self) -> Iterable[ResolvedProfile]:
        for profile_id in self.profile_ids:
            yield self.resolve(profile_id)


@cache
def load_catalogue(root: str | None = None) -> Catalogue:
    """Process-wide cached catalogue (profiles do not change during a run)."""
    return Catalogue(Path(root) if root else None)
