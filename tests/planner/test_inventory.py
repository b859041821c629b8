"""The estate inventory: the shipped estate loads, mistakes are all named at once, and
``cctv-conformance inventory`` drafts a loadable inventory from real camera results.

An inventory is typed and corrected by hand, like a target file: a user fixing it should see
every mistake in one go, each naming the file and the field, and never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.errors import InputError
from conformance.planner.inventory import (
    Durations,
    Estate,
    Weights,
    dump_inventory,
    load_inventory,
)
from conformance.planner.inventory_from_results import inventory_from_results
from fake_vms.site import load_site

ROOT = Path(__file__).resolve().parents[2]
ESTATE = ROOT / "fixtures" / "estates" / "five-authorities.yaml"


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _minimal() -> dict[str, Any]:
    return {
        "estate": "test",
        "authorities": [
            {
                "id": "north",
                "name": "North Council",
                "control_rooms": [{"id": "town-hall", "name": "Town hall", "vms": "Old NVR"}],
                "cameras": [{"name": "cam-1", "control_room": "town-hall"}, {"name": "cam-2"}],
            }
        ],
    }


def _write(tmp_path: Path, data: Any, name: str = "estate.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# -- the shipped estate ---------------------------------------------------------------------------
def test_five_authority_estate_loads_and_matches_the_simulated_estate() -> None:
    """The fixture is the simulated estate: every camera of the site file once, under its own
    authority, with the identity the site file gives it."""
    estate = load_inventory(ESTATE)
    assert estate.estate == "five-authorities"
    assert [a.id for a in estate.authorities] == [
        "northbridge",
        "eastmoor",
        "southvale",
        "westholm",
        "midcaster",
    ]
    assert all(len(a.cameras) == 25 for a in estate.authorities)
    assert [c.vms for c in estate.candidates] == ["fake-vms", "zoneminder", "federation"]
    assert "no test exists" in estate.candidates[2].note
    simulated = {
        c.name: c for c in load_site(ROOT / "fixtures/sites/five-authorities.yaml").cameras
    }
    cameras = list(estate.cameras())
    assert sorted(c.name for _, c in cameras) == sorted(simulated)
    for authority, camera in cameras:
        config = simulated[camera.name]
        assert authority.id == config.site
        assert camera.control_room in {r.id for r in authority.control_rooms}
        assert camera.location and camera.role and camera.address == ""
        if config.persona == "blank-identity":
            assert (camera.manufacturer, camera.model, camera.firmware) == ("", "", "")
            continue
        assert (camera.manufacturer, camera.model, camera.firmware) == (
            config.manufacturer,
            config.model,
            config.firmware,
        )
        assert (camera.stream.width, camera.stream.height) == (config.width, config.height)
    dark = [c.name for _, c in cameras if c.must_not_go_dark]
    assert 4 <= len(dark) <= 7 and "nb-car-park-01" in dark
    assert simulated["nb-car-park-01"].persona  # a camera with a known fault among them
    # and one that cannot stream to two clients at once: the plan keeps it for a window
    assert simulated["sv-flexi-hd-03"].persona == "single-stream-client"
    assert "sv-flexi-hd-03" in dark


def test_defaults_are_the_design_notes() -> None:
    """Weights, durations and budget left out take the documented defaults."""
    estate = Estate.model_validate(_minimal())
    assert estate.weights == Weights(
        site_visit=5.0, replacement=10.0, reconfiguration=1.0, camera_hour_dark=0.5
    )
    assert estate.durations == Durations(
        switchover_h=0.25, firmware_upgrade_h=0.5, replacement_h=4.0
    )
    assert estate.budget.replacements is None
    assert estate.candidates == []
    camera = estate.authorities[0].cameras[1]
    assert (camera.manufacturer, camera.control_room, camera.location, camera.role) == ("",) * 4
    assert camera.visit_location == "cam-2"  # no location: a visit goes to the camera alone
    assert not camera.must_not_go_dark and camera.features == []


# -- mistakes -------------------------------------------------------------------------------------
def test_every_mistake_is_named_at_once(tmp_path: Path) -> None:
    """Schema and cross-field mistakes together, one problem each, naming file and field."""
    data = _minimal()
    data["weights"] = {"site_visit": -1}
    data["candidates"] = [{"vms": "fake-vms"}, {"vms": "fake-vms", "label": "again"}]
    cameras = data["authorities"][0]["cameras"]
    cameras[0]["colur"] = "grey"  # typo'd field
    cameras[1]["control_room"] = "basement"  # not one of the authority's
    cameras[1]["stream"] = {"codec": "H263"}
    cameras.append({"name": "cam-1"})  # duplicate name
    data["authorities"].append({"id": "north", "name": "Again", "cameras": [{"name": "cam-9"}]})
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    lines = caught.value.lines()
    expected = {
        "weights.site_visit": "greater than or equal to 0",
        "authorities[0].cameras[0].colur": "Extra inputs are not permitted",
        "authorities[0].cameras[1].stream.codec": "'H264', 'H265', 'JPEG' or 'MPEG4'",
        "authorities[0].cameras[1].control_room": "'basement' is not one of",
        "authorities[0].cameras[2].name": "duplicate camera name 'cam-1'",
        "authorities[1].id": "duplicate authority id 'north'",
        "candidates[1].vms": "duplicate candidate 'fake-vms'",
    }
    assert len(lines) == len(expected), lines
    for field, problem in expected.items():
        assert any(line.startswith(f"{path}: {field}: ") and problem in line for line in lines), (
            field,
            lines,
        )


def test_unquoted_decimal_firmware_is_refused(tmp_path: Path) -> None:
    """YAML reads `firmware: 5.40` as 5.4: say so rather than plan with the wrong firmware."""
    path = tmp_path / "estate.yaml"
    text = yaml.safe_dump(_minimal(), sort_keys=False).replace(
        "- name: cam-2", "- name: cam-2\n    firmware: 5.40\n    model: 2210"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    assert caught.value.lines() == [
        f"{path}: authorities[0].cameras[1].firmware: "
        "Value error, YAML read 5.4 as a number: write it in quotes"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "estate.yaml"
    path.write_text("estate: x\nauthorities:\n  - id: a\n    name: b: c\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    (line,) = caught.value.lines()
    assert line.startswith(f"{path}: not valid YAML: line 4, column ")


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "cannot read inventory"), ("- a list\n", "a mapping with 'estate' and 'authorities'")],
)
def test_unreadable_or_not_a_mapping(tmp_path: Path, content: str | None, problem: str) -> None:
    path = tmp_path / "estate.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        load_inventory(path)


def test_dump_inventory_round_trips(tmp_path: Path) -> None:
    """dump_inventory writes what load_inventory reads back, with its header as a comment."""
    data = _minimal()
    data["authorities"][0]["cameras"][0]["stream"] = {"codec": "H264", "width": 1920}
    data["authorities"][0]["cameras"][0]["firmware"] = "5.40"  # stays text
    text = dump_inventory(data, header="An estate.\nTwo lines.")
    assert text.startswith("# An estate.\n# Two lines.\n")
    assert "stream: {codec: H264, width: 1920}" in text
    path = tmp_path / "estate.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_inventory(path) == Estate.model_validate(data)


# -- inventory from results -----------------------------------------------------------------------
def _device(name: str, site: str | None, **measured: dict[str, Any]) -> dict[str, Any]:
    rows = [
        {"id": rid, "outcome": outcome, "measured": value}
        for rid, (outcome, value) in measured.items()
    ]
    return {
        "name": name,
        "onvif": "http://192.0.2.7:8080/onvif/device_service",
        "site": site,
        "requirements": rows,
    }


def _results(folder: Path, *devices: dict[str, Any]) -> Path:
    folder.mkdir(parents=True)
    data = {
        "schema": "cctv-conformance/results/1",
        "target": {"source": "targets/north.yaml"},
        "devices": list(devices),
    }
    (folder / "results.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


IDENTITY = {"identity": {"Manufacturer": "Axiscope", "Model": "AXD-3215", "FirmwareVersion": "1"}}
ENCODER = {"profile_encoder": {"encoding": "H264", "resolution": "1920x1080", "fps": 25.0}}
FORMAT = {"transport": "udp", "codec": "H265", "resolution": "1280x720"}


def test_inventory_from_synthetic_results(tmp_path: Path) -> None:
    """Identity and stream come from their rows; a failed identity is unknown; a device
    without a site goes under `unassigned` (with a comment); a later folder's device replaces an
    earlier one, and the user is told."""
    first = _results(
        tmp_path / "a",
        _device(
            "cam-1",
            "north",
            **{"ONVIF-DEV-INFO-01": ("pass", IDENTITY), "ONVIF-MEDIA-ENC-01": ("pass", ENCODER)},
        ),
        _device("cam-2", None, **{"ONVIF-DEV-INFO-01": ("fail", IDENTITY)}),
    )
    second = _results(
        tmp_path / "b",
        _device("cam-1", "north", **{"STREAM-FORMAT-01": ("pass", FORMAT)}),
        _device("north · cam-1", None),  # a vms-ingest pair mixed in: not a camera
    )
    notes: list[str] = []
    estate = inventory_from_results([first, second], note=notes.append)
    assert estate["estate"] == "north"
    assert [(a["id"], [c["name"] for c in a["cameras"]]) for a in estate["authorities"]] == [
        ("unassigned", ["cam-2"]),
        ("north", ["cam-1"]),
    ]
    (cam2,) = estate["authorities"][0]["cameras"]
    (cam1,) = estate["authorities"][1]["cameras"]
    assert (cam2["manufacturer"], cam2["model"], cam2["firmware"]) == ("", "", "")
    assert cam2["stream"] == {} and cam2["address"] == "192.0.2.7"
    assert cam1["stream"] == {"codec": "H265", "width": 1280, "height": 720, "transport": "udp"}
    assert cam1["manufacturer"] == ""  # the replacing run had no identity row
    assert notes and "cam-1" in notes[0] and str(second) in notes[0]
    text = dump_inventory(estate)
    assert "  # Results named no site for these cameras" in text
    first_run = inventory_from_results([first], note=notes.append)
    north = next(a for a in first_run["authorities"] if a["id"] == "north")
    assert north["cameras"][0]["stream"] == {
        "codec": "H264",
        "width": 1920,
        "height": 1080,
        "fps": 25,
    }


def test_inventory_cli_names_every_bad_folder(tmp_path: Path) -> None:
    """Bad --results folders and options: exit 2, one line each, no traceback."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "results.json").write_text('{"schema": "other/1"}', encoding="utf-8")
    _results(tmp_path / "vms", _device("fake-vms · h264-720p25", None))
    proc = _cli(
        "inventory",
        "--results",
        str(tmp_path / "missing"),
        str(tmp_path / "empty"),
        str(tmp_path / "other"),
        str(tmp_path / "vms"),
        "--out",
        str(tmp_path),
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines == [
        f"cctv-conformance: {tmp_path / 'missing'}: no such folder (given to --results)",
        f"cctv-conformance: {tmp_path / 'empty' / 'results.json'}: "
        "no results.json: not a results folder of `run`",
        f"cctv-conformance: {tmp_path / 'other' / 'results.json'}: schema: "
        "'other/1' is not cctv-conformance/results/1",
        f"cctv-conformance: {tmp_path / 'vms' / 'results.json'}: devices: a vms-ingest run "
        "(its devices are VMS · camera pairs): it holds no cameras; "
        "give the folders of camera runs",
        f"cctv-conformance: --out: {tmp_path} is a folder: give a file name",
    ]


TWO_COUNCILS = """\
estate: two-councils
sites:
  - site: northbridge
    defaults: {manufacturer: Axiscope, username: admin, password: nb-sim-pass}
    cameras:
      - {name: nb-dome-01, model: AXD-3215, firmware: 10.12.4, width: 640, height: 360, fps: 25}
  - site: eastmoor
    defaults: {manufacturer: Dahuan, username: admin, password: em-sim-pass}
    cameras:
      - {name: em-dahu-01, model: IPC-HFW2431, firmware: 2.820.0, width: 640, height: 360, fps: 15}
      - {name: em-blank-01, model: IPC-HFW1320, firmware: 2.420.0, width: 640, height: 360,
         fps: 25, persona: blank-identity}
"""


@pytest.fixture(scope="session")
def two_council_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real audit (about 20 s): three simulated cameras of two authorities, one of them with a
    blank identity, checked by the profile that measures identity, encoder and stream."""
    root = tmp_path_factory.mktemp("two-councils")
    site = root / "site.yaml"
    site.write_text(TWO_COUNCILS, encoding="utf-8")
    out = root / "run"
    proc = _cli(
        "demo",
        "--site",
        str(site),
        "--profile",
        "pictco-la-baseline",
        "--workers",
        "3",
        "--out",
        str(out),
        timeout=600,
    )
    assert (out / "results.json").is_file(), proc.stdout + proc.stderr
    return out


def test_inventory_from_a_real_run(two_council_run: Path, tmp_path: Path) -> None:
    """The drafted inventory loads, groups cameras by the site results.json carries, and holds
    the identity and stream the run measured."""
    results = json.loads((two_council_run / "results.json").read_text(encoding="utf-8"))
    assert {d["name"]: d["site"] for d in results["devices"]} == {
        "nb-dome-01": "northbridge",
        "em-dahu-01": "eastmoor",
        "em-blank-01": "eastmoor",
    }
    out = tmp_path / "drafts" / "estate.yaml"
    proc = _cli("inventory", "--results", str(two_council_run), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == (
        f"inventory: 2 authorities, 3 cameras of estate 'demo' written to {out}"
    )
    estate = load_inventory(out)
    assert [(a.id, [c.name for c in a.cameras]) for a in estate.authorities] == [
        ("northbridge", ["nb-dome-01"]),
        ("eastmoor", ["em-dahu-01", "em-blank-01"]),
    ]
    cameras = {c.name: c for _, c in estate.cameras()}
    for device in results["devices"]:
        rows = {row["id"]: row for row in device["requirements"]}
        camera = cameras[device["name"]]
        info = rows["ONVIF-DEV-INFO-01"]
        if info["outcome"] == "fail":
            assert device["name"] == "em-blank-01"
            assert (camera.manufacturer, camera.model, camera.firmware) == ("", "", "")
        else:
            identity = info["measured"]["identity"]
            assert (camera.manufacturer, camera.model, camera.firmware) == (
                identity["Manufacturer"],
                identity["Model"],
                identity["FirmwareVersion"],
            )
        encoder = rows["ONVIF-MEDIA-ENC-01"]["measured"]["profile_encoder"]
        assert camera.stream.codec == encoder["encoding"]
        assert f"{camera.stream.width}x{camera.stream.height}" == encoder["resolution"]
        assert camera.stream.fps == encoder["fps"]
        assert camera.stream.transport == rows["STREAM-FORMAT-01"]["measured"]["transport"]
        assert camera.address == "127.0.0.1"
    assert cameras["em-dahu-01"].stream.fps == 15
    assert (cameras["nb-dome-01"].manufacturer, cameras["nb-dome-01"].firmware) == (
        "Axiscope",
        "10.12.4",
    )


def test_estate_name_option_leaves_results_alone(two_council_run: Path, tmp_path: Path) -> None:
    """--estate-name names the estate; the results folder itself is left as it was."""
    before = (two_council_run / "results.json").read_bytes()
    out = tmp_path / "estate.yaml"
    proc = _cli(
        "inventory",
        "--results",
        str(two_council_run),
        "--out",
        str(out),
        "--estate-name",
        "two-councils",
    )
    assert proc.returncode == 0, proc.stderr
    assert load_inventory(out).estate == "two-councils"
    assert (two_council_run / "results.json").read_bytes() == before
