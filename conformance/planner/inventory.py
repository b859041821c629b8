"""The estate inventory: what the authorities own, where it is and how much disruption costs.

An inventory is a YAML file written (or drafted by ``cctv-conformance inventory`` and then
completed) by the people who run the estate. The planner matches its cameras to the results of
the suite's runs by name, or by make, model and firmware, and weighs each candidate platform by
the disruption of moving to it, so the file states the weights and durations that disruption is
counted in rather than the planner assuming them.

It is typed by hand, so every field is checked (``extra="forbid"``: a misspelt field is a
problem, never silently ignored) and every problem is reported at once, each naming the file and
the field (``authorities[0].cameras[3].control_room``), as for target files. The field reference
is docs/planner.md, "The estate inventory".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from conformance.errors import InputError, Problem, input_error, validation_problems

Codec = Literal["H264", "H265", "JPEG", "MPEG4"]
Feature = Literal["ptz", "events", "h265", "evidential_export", "recording_search"]
FEATURES: tuple[str, ...] = Feature.__args__  # type: ignore[attr-defined]
CODECS: tuple[str, ...] = Codec.__args__  # type: ignore[attr-defined]
ID_PATTERN = r"^[a-z0-9-]+$"


class _Strict(BaseModel):
    """Every inventory section refuses unknown fields: a typo must be reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


class Weights(_Strict):
    """What one unit of each kind of disruption costs, in the planner's score.

    The score adds them up, so only their ratios matter; the defaults say a replacement costs
    twice a site visit and ten remote reconfigurations, and twenty camera-hours without recording
    cost as much as a replacement. An estate whose priorities differ says so here.
    """

    site_visit: float = Field(
        default=5.0, ge=0, description="A visit to a location (replacement or on-site work)."
    )
    replacement: float = Field(default=10.0, ge=0, description="A camera replaced.")
    reconfiguration: float = Field(
        default=1.0,
        ge=0,
        description="A camera reconfigured remotely (beyond adding it to the VMS).",
    )
    camera_hour_dark: float = Field(
        default=0.5, ge=0, description="An hour one camera records nothing."
    )


class Durations(_Strict):
    """How many hours a camera records nothing during each kind of work.

    Dark time is what a control room notices, and what a camera that must not go dark cannot
    have; it depends on the estate's own practice (parallel streaming, crews), so it is stated.
    """

    switchover_h: float = Field(
        default=0.25,
        ge=0,
        description="Moving a camera to the new VMS without parallel streaming.",
    )
    firmware_upgrade_h: float = Field(default=0.5, ge=0, description="A firmware upgrade.")
    replacement_h: float = Field(default=4.0, ge=0, description="Replacing a camera.")


class Budget(_Strict):
    """Limits an option must stay within (an option beyond them is flagged, not dropped)."""

    replacements: int | None = Field(
        default=None, ge=0, description="Most cameras that can be replaced (None: no limit)."
    )


class Candidate(_Strict):
    """A platform the estate could move to, named as the VMS of its vms-ingest results.

    The planner finds a candidate's evidence through ``vms``: the top-level ``vms.name`` of a
    vms-ingest run's results.json. A candidate without such results is listed as not assessable,
    with the test that would assess it, rather than left out.
    """

    vms: str = Field(min_length=1, description="The VMS name its vms-ingest results give.")
    label: str = Field(default="", description="Display name (default: vms).")
    note: str = ""

    @property
    def title(self) -> str:
        """What reports call the candidate: its label, else its VMS name."""
        return self.label or self.vms


class ControlRoom(_Strict):
    """Where an authority's cameras are watched, and the VMS they are watched on today."""

    id: str = Field(min_length=1)
    name: str = ""
    vms: str = Field(default="", description="The VMS the control room runs today.")


class StreamConfig(_Strict):
    """The camera's main stream as configured (every field optional: unknown)."""

    codec: Codec | None = None
    width: int | None = Field(default=None, gt=0)
    height: int | None = Field(default=None, gt=0)
    fps: float | None = Field(default=None, gt=0)
    transport: Literal["tcp", "udp"] | None = None


def _text(value: Any) -> Any:
    """A whole number typed without quotes (``model: 2210``) is text; a decimal is refused,
    because YAML has already turned ``5.40`` into 5.4 and the firmware would be wrong."""
    if isinstance(value, bool):
        return value  # pydantic names the problem
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"YAML read {value!r} as a number: write it in quotes")
    return value


class InventoryCamera(_Strict):
    """One camera of the estate: what it is, where it is and how much it matters.

    ``name`` matches results.json device names (the camera's own audit); make, model and
    firmware match lab results of the same camera type when it has none.
    """

    name: str = Field(min_length=1, description="Unique across the estate.")
    manufacturer: str = Field(default="", description='"" when unknown.')
    model: str = ""
    firmware: str = ""
    address: str = Field(default="", description="Host or URL; informative.")
    control_room: str = Field(
        default="", description="One of the authority's control_rooms ('' for none)."
    )
    location: str = Field(
        default="",
        description="A site visit covers one location (default: the camera's name).",
    )
    role: str = Field(default="", description="Free text: town-centre, car park, evidential...")
    stream: StreamConfig = StreamConfig()
    features: list[Feature] = Field(
        default=[], description="Features the estate relies on for this camera."
    )
    must_not_go_dark: bool = Field(
        default=False, description="The camera may not stop recording during the work."
    )

    @field_validator("manufacturer", "model", "firmware", mode="before")
    @classmethod
    def _identity_is_text(cls, value: Any) -> Any:
        return _text(value)

    @property
    def visit_location(self) -> str:
        """The place a site visit to this camera goes to: its location, else its own name
        (a camera of no stated location is visited on its own)."""
        return self.location or self.name


class Authority(_Strict):
    """One of the authorities combining their services, with its control rooms and cameras."""

    id: str = Field(pattern=ID_PATTERN, description="Unique; lower case, digits and '-'.")
    name: str = Field(min_length=1)
    control_rooms: list[ControlRoom] = []
    cameras: list[InventoryCamera] = Field(min_length=1)


class Estate(_Strict):
    """The whole inventory: what the planner plans for."""

    estate: str = Field(min_length=1, description="The estate's name.")
    weights: Weights = Weights()
    durations: Durations = Durations()
    budget: Budget = Budget()
    candidates: list[Candidate] = []
    authorities: list[Authority] = Field(min_length=1)

    def cameras(self) -> Iterator[tuple[Authority, InventoryCamera]]:
        """Every camera of the estate with its authority, in the file's order."""
        for authority in self.authorities:
            for camera in authority.cameras:
                yield authority, camera


# -- loading --------------------------------------------------------------------------------------
def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of a list, with their indexes (anything malformed is the schema's problem)."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and value != ""


def _unique(seen: dict[Any, str], value: Any, item: str, field: str, what: str) -> list[Problem]:
    """A value that must be unique: remember the item it first appeared in; a repeat is a
    problem naming both places."""
    if not _hashable(value):
        return []
    if value in seen:
        return [(f"{item}.{field}", f"duplicate {what} {value!r} (also {seen[value]})")]
    seen[value] = item
    return []


def cross_field_problems(raw: Any) -> list[Problem]:
    """Mistakes no single field shows: names that must be unique, references that must resolve.

    Works on the raw document, so these are reported together with the schema's problems even
    when the file has both kinds.
    """
    if not isinstance(raw, dict):
        return []
    problems: list[Problem] = []
    candidates: dict[Any, str] = {}
    for i, candidate in _items(raw.get("candidates")):
        problems += _unique(
            candidates, candidate.get("vms"), f"candidates[{i}]", "vms", "candidate"
        )
    authorities: dict[Any, str] = {}
    cameras: dict[Any, str] = {}
    for a, authority in _items(raw.get("authorities")):
        where = f"authorities[{a}]"
        problems += _unique(authorities, authority.get("id"), where, "id", "authority id")
        rooms: dict[Any, str] = {}
        for r, room in _items(authority.get("control_rooms")):
            item = f"{where}.control_rooms[{r}]"
            problems += _unique(rooms, room.get("id"), item, "id", "control room id")
        for c, camera in _items(authority.get("cameras")):
            item = f"{where}.cameras[{c}]"
            found = _unique(cameras, camera.get("name"), item, "name", "camera name")
            problems += [(f, p + "; camera names are unique across the estate") for f, p in found]
            room = camera.get("control_room")
            if _hashable(room) and room not in rooms:
                known = ", ".join(str(r) for r in rooms) or "none listed"
                problems.append(
                    (
                        f"{item}.control_room",
                        f"{room!r} is not one of this authority's control_rooms ({known})",
                    )
                )
    return problems


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"not valid YAML: line {mark.line + 1}, column {mark.column + 1}: {what}"
    return f"not valid YAML: {what}"


def load_inventory(path: str | Path) -> Estate:
    """Read and check an estate inventory; raise :class:`InputError` naming every problem."""
    source = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(source, None, f"cannot read inventory: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(source, None, "cannot read inventory: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise InputError(source, None, _yaml_problem(exc)) from None
    if not isinstance(raw, dict):
        raise InputError(source, None, "an inventory is a mapping with 'estate' and 'authorities'")
    problems: list[Problem] = []
    estate: Estate | None = None
    try:
        estate = Estate.model_validate(raw)
    except ValidationError as exc:
        problems += validation_problems(exc)
    problems += cross_field_problems(raw)
    if problems or estate is None:
        raise input_error(source, problems)
    return estate


# -- writing --------------------------------------------------------------------------------------
class _Flow(dict):
    """A mapping written on one line (a camera's stream, a control room)."""


class _FlowList(list):
    """A list written on one line (a camera's features)."""


class _TidyDumper(yaml.SafeDumper):
    """Block style with list items indented under their key, short mappings on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_TidyDumper.add_representer(
    _Flow,
    lambda dumper, data: dumper.represent_mapping(
        "tag:yaml.org,2002:map", dict(data), flow_style=True
    ),
)
_TidyDumper.add_representer(
    _FlowList,
    lambda dumper, data: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", list(data), flow_style=True
    ),
)

UNASSIGNED = "unassigned"
"""The authority of cameras whose results named no site."""

DEFAULT_HEADER = """\
Estate inventory for the interoperability planner (field reference: docs/planner.md).
Check it and complete what results cannot tell: authority names, control rooms, locations,
roles, features the estate relies on, must_not_go_dark, and the candidate platforms."""


def _tidy(estate: dict[str, Any]) -> dict[str, Any]:
    """The document with its short mappings marked for one-line output."""
    out = dict(estate)
    authorities = []
    for authority in estate.get("authorities", []):
        authority = dict(authority)
        authority["control_rooms"] = [_Flow(r) for r in authority.get("control_rooms", [])]
        cameras = []
        for camera in authority.get("cameras", []):
            camera = dict(camera)
            if isinstance(camera.get("stream"), dict):
                camera["stream"] = _Flow(camera["stream"])
            if isinstance(camera.get("features"), list):
                camera["features"] = _FlowList(camera["features"])
            cameras.append(camera)
        authority["cameras"] = cameras
        authorities.append(authority)
    if "authorities" in estate:
        out["authorities"] = authorities
    return out


def dump_inventory(estate: dict[str, Any], header: str = DEFAULT_HEADER) -> str:
    """An inventory as tidy YAML: a header comment, a blank line between sections and between
    authorities, and a comment over the cameras whose authority is not known."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, value in _tidy(estate).items():
        text = yaml.dump(
            {key: value},
            Dumper=_TidyDumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
            default_flow_style=False,
        )
        lines.append("")
        for line in text.rstrip("\n").splitlines():
            if key == "authorities" and line.startswith("  - id: "):
                if lines[-1] != "authorities:":
                    lines.append("")
                if line == f"  - id: {UNASSIGNED}":
                    lines += [
                        "  # Results named no site for these cameras: move each one to its",
                        "  # authority (or give the target's device entries a `site:` and run",
                        "  # `inventory` again).",
                    ]
            lines.append(line)
    return "\n".join(lines).lstrip("\n") + "\n"
