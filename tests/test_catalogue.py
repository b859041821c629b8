"""The requirement catalogue and profiles: the shipped ones load, and bad ones fail clearly.

Suppliers and labs edit profiles by hand; a mistake must stop the run with one line naming the
file, the field and the problem (the CLI turns :class:`InputError` into exit status 2), never a
traceback or, worse, a silently different profile. Bad inputs are built in ``tmp_path`` copies of
the shipped ``profiles/`` directory so each case differs from a known-good catalogue by one edit.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.catalogue import Catalogue
from conformance.errors import InputError

PROFILES = Path(__file__).resolve().parent.parent / "profiles"


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private, editable copy of the shipped profiles directory."""
    copy = tmp_path / "profiles"
    shutil.copytree(PROFILES, copy)
    return copy


def _add_profile(root: Path, profile_id: str, **fields: Any) -> Path:
    path = root / f"{profile_id}.yaml"
    _write(path, {"id": profile_id, "version": "1", "title": f"Test {profile_id}", **fields})
    return path


# -- the shipped catalogue ------------------------------------------------------------------------
def test_shipped_catalogue_loads() -> None:
    """The repository's own profiles must always load: they are what `demo` and users run."""
    catalogue = Catalogue(PROFILES)
    assert {"onvif-s-core", "pictco-la-baseline"} <= set(catalogue.profile_ids)
    assert "ONVIF-DEV-TIME-01" in catalogue.requirements
    for profile in catalogue.profiles():
        assert profile.requirements, f"{profile.id} selects no requirements"
        ids = [e.id for e in profile.requirements]
        assert len(ids) == len(set(ids)), f"{profile.id} lists a requirement twice"


def test_every_requirement_records_its_normative_level() -> None:
    """Each requirement says at which keyword level its source states it (issue 14), and a
    SHOULD requirement is never mandatory in a profile that merely copies the spec's level."""
    catalogue = Catalogue(PROFILES)
    levels = {req.normative for req in catalogue.requirements.values()}
    assert levels <= {"MUST", "SHOULD", "MAY"}
    assert catalogue.requirements["ONVIF-MEDIA-SNAP-02"].normative == "SHOULD"
    assert catalogue.requirements["PTZ-NODES-02"].normative == "SHOULD"
    for profile_id in ("onvif-profile-s", "onvif-profile-t", "onvif-s-core"):
        for split in ("ONVIF-MEDIA-SNAP-02", "PTZ-NODES-02"):
            entry = catalogue.resolve(profile_id).get(split)
            assert entry is None or entry.level == "optional", (profile_id, split)


def test_env_var_selects_profiles_dir(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CCTV_CONFORMANCE_PROFILES points the suite at a lab's own catalogue."""
    _add_profile(root, "lab-only", requirements=[{"id": "ONVIF-DEV-TIME-01"}])
    monkeypatch.setenv("CCTV_CONFORMANCE_PROFILES", str(root))
    assert "lab-only" in Catalogue().profile_ids


def test_includes_resolve_in_order_with_parameter_overrides() -> None:
    """pictco-la-baseline = onvif-s-core's requirements first, then its own, with overrides."""
    catalogue = Catalogue(PROFILES)
    core = catalogue.resolve("onvif-s-core")
    baseline = catalogue.resolve("pictco-la-baseline")
    core_ids = [e.id for e in core.requirements]
    baseline_ids = [e.id for e in baseline.requirements]
    assert baseline.includes == ("onvif-s-core", "uk-evidence-export")
    assert baseline_ids[: len(core_ids)] == core_ids
    assert "STREAM-FPS-01" in baseline_ids and "STREAM-FPS-01" not in core_ids
    # The catalogue default is 5.0 s; the baseline tightens it to 2.0 s.
    assert core.get("ONVIF-DEV-TIME-02").parameters == {"max_clock_skew_s": 5.0}
    assert baseline.get("ONVIF-DEV-TIME-02").parameters == {"max_clock_skew_s": 2.0}
    assert baseline.get("ONVIF-DEV-TIME-02").via == "onvif-s-core"
    assert baseline.get("STREAM-FPS-01").via == "pictco-la-baseline"
    assert baseline.get("STREAM-FPS-01").parameters == {"fps_tolerance_pct": 10.0}


def test_level_and_entry_parameter_overrides(root: Path) -> None:
    """A including profile may raise a level or set a parameter on one entry."""
    _add_profile(
        root,
        "strict",
        includes=["onvif-s-core"],
        requirements=[
            {"id": "ONVIF-MEDIA-SNAP-01", "level": "mandatory"},
            {"id": "ONVIF-DEV-TIME-02", "parameters": {"max_clock_skew_s": 1}},
        ],
    )
    catalogue = Catalogue(root)
    strict = catalogue.resolve("strict")
    core = catalogue.resolve("onvif-s-core")
    assert core.get("ONVIF-MEDIA-SNAP-01").level == "conditional"
    assert strict.get("ONVIF-MEDIA-SNAP-01").level == "mandatory"
    assert strict.get("ONVIF-DEV-TIME-02").parameters == {"max_clock_skew_s": 1}
    # Overriding keeps the included order (the report matrix must not reshuffle).
    assert [e.id for e in strict.requirements] == [e.id for e in core.requirements]


def test_digest_is_stable_and_content_sensitive(root: Path) -> None:
    """A report pins the exact profile content: same content, same digest; any change, new one."""
    first = Catalogue(root).resolve("pictco-la-baseline").digest
    assert first == Catalogue(root).resolve("pictco-la-baseline").digest
    assert first == Catalogue(PROFILES).resolve("pictco-la-baseline").digest
    baseline = root / "pictco-la-baseline.yaml"
    data = _read(baseline)
    data["parameters"]["ONVIF-DEV-TIME-02"]["max_clock_skew_s"] = 3.0
    _write(baseline, data)
    assert Catalogue(root).resolve("pictco-la-baseline").digest != first


def test_unknown_profile_in_resolve_lists_known() -> None:
    """A typo in --profile names the option, the bad value and what exists."""
    with pytest.raises(InputError) as caught:
        Catalogue(PROFILES).resolve("pictco-la-basline")
    message = str(caught.value)
    assert message.startswith("--profile")
    assert "unknown profile 'pictco-la-basline'" in message
    assert "pictco-la-baseline" in message.split("known:")[1]


# -- bad inputs -----------------------------------------------------------------------------------
Edit = Callable[[Path], None]


def _edit_requirement(file: str, index: int, **changes: Any) -> Edit:
    def edit(root: Path) -> None:
        path = root / "requirements" / file
        data = _read(path)
        data["requirements"][index].update(changes)
        _write(path, data)

    return edit


def _drop_normative(root: Path) -> None:
    path = root / "requirements" / "device.yaml"
    data = _read(path)
    del data["requirements"][3]["normative"]
    _write(path, data)


def _invalid_yaml(root: Path) -> None:
    path = root / "requirements" / "device.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")


def _duplicate_across_files(root: Path) -> None:
    device = _read(root / "requirements" / "device.yaml")
    media_path = root / "requirements" / "media.yaml"
    media = _read(media_path)
    media["requirements"].append(device["requirements"][0])
    _write(media_path, media)


def _id_not_file_name(root: Path) -> None:
    shutil.copy(root / "onvif-s-core.yaml", root / "onvif-s-copy.yaml")


def _unknown_include(root: Path) -> None:
    _add_profile(root, "broken", includes=["onvif-s-core", "no-such-profile"])


def _include_cycle(root: Path) -> None:
    _add_profile(root, "cycle-a", includes=["cycle-b"])
    _add_profile(root, "cycle-b", includes=["cycle-a"])


def _unknown_requirement(root: Path) -> None:
    _add_profile(root, "broken", requirements=[{"id": "ONVIF-NOPE-99"}])


def _unknown_parameter(root: Path) -> None:
    _add_profile(
        root, "broken", requirements=[{"id": "ONVIF-DEV-TIME-02", "parameters": {"skew": 1.0}}]
    )


def _unknown_parameter_override(root: Path) -> None:
    _add_profile(
        root,
        "broken",
        includes=["onvif-s-core"],
        parameters={"ONVIF-DEV-TIME-02": {"max_skew": 1.0}},
    )


def _wrong_parameter_type(root: Path) -> None:
    _add_profile(
        root,
        "broken",
        requirements=[{"id": "ONVIF-DEV-TIME-02", "parameters": {"max_clock_skew_s": "two"}}],
    )


def _bool_for_number(root: Path) -> None:
    _add_profile(
        root,
        "broken",
        includes=["onvif-s-core"],
        parameters={"ONVIF-DEV-TIME-02": {"max_clock_skew_s": True}},
    )


def _bad_level(root: Path) -> None:
    _add_profile(root, "broken", requirements=[{"id": "ONVIF-DEV-TIME-01", "level": "must"}])


def _override_unknown_requirement(root: Path) -> None:
    _add_profile(root, "broken", parameters={"ONVIF-NOPE-99": {"x": 1}})


BAD_INPUTS: list[tuple[str, Edit, str, str | None, str]] = [
    # (case, edit, file, field, problem)
    ("invalid-yaml", _invalid_yaml, "requirements/device.yaml", None, "not valid YAML"),
    (
        "unknown-field",
        _edit_requirement("device.yaml", 0, colour="red"),
        "requirements/device.yaml",
        "requirements[0].colour",
        "Extra inputs are not permitted",
    ),
    (
        "bad-id-pattern",
        _edit_requirement("media.yaml", 1, id="onvif-media-enc-01"),
        "requirements/media.yaml",
        "requirements[1].id",
        "should match pattern",
    ),
    (
        "missing-title",
        _edit_requirement("device.yaml", 2, title=None),
        "requirements/device.yaml",
        "requirements[2].title",
        "valid string",
    ),
    (
        "duplicate-id-across-files",
        _duplicate_across_files,
        "requirements/media.yaml",
        "requirements[5].id",
        "duplicate ID ONVIF-DEV-TIME-01 (also in",
    ),
    ("id-not-file-name", _id_not_file_name, "onvif-s-copy.yaml", "id", "must match file name"),
    (
        "unknown-include",
        _unknown_include,
        "broken.yaml",
        "includes[1]",
        "unknown profile 'no-such-profile'",
    ),
    ("include-cycle", _include_cycle, "cycle-", "includes", "include cycle: cycle-"),
    (
        "unknown-requirement",
        _unknown_requirement,
        "broken.yaml",
        "requirements[0].id",
        "unknown requirement ID ONVIF-NOPE-99",
    ),
    (
        "unknown-parameter",
        _unknown_parameter,
        "broken.yaml",
        "requirements[0].parameters.skew",
        "ONVIF-DEV-TIME-02 has no parameter 'skew' (known: max_clock_skew_s)",
    ),
    (
        "unknown-parameter-override",
        _unknown_parameter_override,
        "broken.yaml",
        "parameters.ONVIF-DEV-TIME-02.max_skew",
        "has no parameter 'max_skew'",
    ),
    (
        "override-unknown-requirement",
        _override_unknown_requirement,
        "broken.yaml",
        "parameters.ONVIF-NOPE-99",
        "unknown requirement ID",
    ),
    (
        "wrong-parameter-type",
        _wrong_parameter_type,
        "broken.yaml",
        "requirements[0].parameters.max_clock_skew_s",
        "expected float, got 'two'",
    ),
    (
        "bool-for-number",
        _bool_for_number,
        "broken.yaml",
        "parameters.ONVIF-DEV-TIME-02.max_clock_skew_s",
        "expected float, got True",
    ),
    ("bad-level", _bad_level, "broken.yaml", "requirements[0].level", "'mandatory'"),
    (
        "missing-normative",
        _drop_normative,
        "requirements/device.yaml",
        "requirements[3]",
        "normative is missing: give the keyword level of the source clause",
    ),
    (
        "bad-normative",
        _edit_requirement("ptz.yaml", 0, normative="shall"),
        "requirements/ptz.yaml",
        "requirements[0].normative",
        "'MUST', 'SHOULD' or 'MAY'",
    ),
]


@pytest.mark.parametrize(
    ("edit", "file", "field", "problem"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_INPUTS],
)
def test_bad_catalogue_names_file_field_and_problem(
    root: Path, edit: Edit, file: str, field: str | None, problem: str
) -> None:
    """Each broken catalogue raises one InputError a user can act on without a traceback."""
    edit(root)
    with pytest.raises(InputError) as caught:
        Catalogue(root)
    error = caught.value
    message = str(error)
    assert error.source.startswith(str(root / file)), message
    assert message.startswith(error.source), message
    assert error.field == field, message
    if field:
        assert f": {field}: " in message
    assert problem in message


def test_every_catalogue_problem_is_named_at_once(root: Path) -> None:
    """Mistakes in a requirement file and in two places of a profile: all of them, one error."""
    _edit_requirement("ptz.yaml", 0, normative="shall")(root)
    _add_profile(
        root,
        "broken",
        requirements=[{"id": "ONVIF-NOPE-98"}, {"id": "ONVIF-DEV-TIME-02", "parameters": {"x": 1}}],
        parameters={"ONVIF-NOPE-99": {"x": 1}},
    )
    with pytest.raises(InputError) as caught:
        Catalogue(root)
    lines = str(caught.value).splitlines()
    assert len(lines) == 4, lines
    assert lines[0].startswith(f"{root / 'requirements' / 'ptz.yaml'}: requirements[0].normative: ")
    broken = root / "broken.yaml"
    assert lines[1:] == [
        f"{broken}: requirements[0].id: unknown requirement ID ONVIF-NOPE-98",
        f"{broken}: requirements[1].parameters.x: ONVIF-DEV-TIME-02 has no parameter 'x' "
        "(known: max_clock_skew_s)",
        f"{broken}: parameters.ONVIF-NOPE-99: unknown requirement ID",
    ]


def test_invalid_yaml_says_where(root: Path) -> None:
    """A YAML syntax error points at the line, since there is no field to name."""
    _invalid_yaml(root)
    with pytest.raises(InputError) as caught:
        Catalogue(root)
    assert "line" in str(caught.value)


def test_missing_requirements_dir(tmp_path: Path) -> None:
    """Pointing the suite at the wrong directory says so, instead of running an empty profile."""
    with pytest.raises(InputError) as caught:
        Catalogue(tmp_path)
    assert str(tmp_path / "requirements") in str(caught.value)
    assert "not found" in str(caught.value)
