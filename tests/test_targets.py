"""Target files: the shipped examples validate, bad targets fail clearly, secrets stay out.

A target is written by a supplier or lab by hand and names credentials only by environment
variable; a mistake must stop the run naming the file and field (exit 2 in the CLI), and the
redacted target that reports embed must never carry a secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.errors import InputError
from conformance.targets import TargetFile, load_target, redacted, single_device_target

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "targets"
SECRET = "Tgt-S3cret!pw"
USER = "lab-operator"


def _ready(path: Path, *names: str) -> Path:
    """A fake-vms ready file, as `fake-vms serve --ready-file` writes it."""
    devices = [
        {
            "name": name,
            "onvif_url": f"http://127.0.0.1:{8000 + i}/onvif/device_service",
            "rtsp_port": 9000 + i,
            "http_port": 8000 + i,
            "username": "admin",
            "password": SECRET,
            "persona": None,
        }
        for i, name in enumerate(names)
    ]
    path.write_text(json.dumps({"site": "t", "pid": 1, "devices": devices}), encoding="utf-8")
    return path


def _base() -> dict[str, Any]:
    return {
        "supplier": "Acme",
        "product": "Cam",
        "devices": [
            {
                "name": "cam-1",
                "onvif": "http://192.0.2.1/onvif/device_service",
                "credentials": {"username_env": "T_USER", "password_env": "T_PASSWORD"},
            }
        ],
        "claims": {"features": ["snapshot"], "resolutions": ["1920x1080"]},
    }


def _write(tmp_path: Path, data: Any, name: str = "target.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_USER", USER)
    monkeypatch.setenv("T_PASSWORD", SECRET)


# -- shipped fixtures -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.name)
def test_fixture_targets_match_schema(path: Path) -> None:
    """Every example target we ship is valid, so users copying one start from a good file."""
    TargetFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_example_camera_loads_with_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real-camera example resolves its credentials from the variables its comment names."""
    monkeypatch.setenv("CAM1_USER", USER)
    monkeypatch.setenv("CAM1_PASSWORD", SECRET)
    target = load_target(FIXTURES / "example-camera.yaml")
    (device,) = target.devices
    assert (device.name, device.username, device.password) == ("entrance-cam", USER, SECRET)
    assert device.host == "192.0.2.10"
    assert "H265" in device.claims.codecs
    assert SECRET not in repr(device)  # the dataclass hides the password from repr


def test_demo_target_loads_from_ready_file(tmp_path: Path) -> None:
    """The demo target takes its devices and the simulator's test credentials from a ready file."""
    ready = _ready(tmp_path / "ready.json", "demo-cam-01")
    target = load_target(FIXTURES / "demo.yaml", ready_file=str(ready))
    (device,) = target.devices
    assert device.name == "demo-cam-01"
    assert device.password == SECRET
    assert device.claims.features == ["snapshot", "rtsp_udp", "rtsp_tcp"]


def test_simulator_device_selection(tmp_path: Path) -> None:
    """`simulator.devices` picks named devices; a relative ready file is relative to the target."""
    _ready(tmp_path / "ready.json", "a", "b", "c")
    data = {"supplier": "S", "product": "P", "simulator": {"ready_file": "ready.json"}}
    data["simulator"]["devices"] = ["c", "a"]
    target = load_target(_write(tmp_path, data))
    assert [d.name for d in target.devices] == ["a", "c"]


def test_device_site_round_trips(tmp_path: Path, creds: None) -> None:
    """A device's `site` (its authority) comes from its entry or from the ready file's entry,
    and is None when neither says, so results can group an estate's devices by authority."""
    ready = _ready(tmp_path / "ready.json", "sim-1", "sim-2")
    raw = json.loads(ready.read_text(encoding="utf-8"))
    raw["devices"][0]["site"] = "northbridge"
    raw["devices"][1]["site"] = ""  # a camera of no site (a single-camera simulator)
    ready.write_text(json.dumps(raw), encoding="utf-8")
    data = _base()
    data["devices"][0]["site"] = "eastmoor"
    data["devices"].append({"name": "cam-2", "onvif": "http://192.0.2.2/onvif/device_service"})
    data["simulator"] = {"ready_file": "ready.json"}
    target = load_target(_write(tmp_path, data))
    assert {d.name: d.site for d in target.devices} == {
        "cam-1": "eastmoor",
        "cam-2": None,
        "sim-1": "northbridge",
        "sim-2": None,
    }
    assert TargetFile.model_validate(data).devices[0].site == "eastmoor"


def test_ready_file_without_site_still_loads(tmp_path: Path) -> None:
    """Ready files written before devices carried a site stay valid: the site is then None."""
    _ready(tmp_path / "ready.json", "old-1")
    data = {"supplier": "S", "product": "P", "simulator": {"ready_file": "ready.json"}}
    (device,) = load_target(_write(tmp_path, data)).devices
    assert device.site is None


# -- bad targets ----------------------------------------------------------------------------------
def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node: Any = data
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    node[keys[-1]] = value


BAD = [
    # (case, dotted path to edit (value None means delete), value, field, problem)
    ("missing-supplier", "supplier", None, "supplier", "Field required"),
    ("unknown-field", "colour", "red", "colour", "Extra inputs are not permitted"),
    ("unknown-device-field", "devices.0.ip", "1.2.3.4", "devices[0].ip", "Extra inputs"),
    (
        "onvif-not-http",
        "devices.0.onvif",
        "rtsp://192.0.2.1/stream",
        "devices[0].onvif",
        "must be an http(s) URL",
    ),
    (
        "credentials-in-url",
        "devices.0.onvif",
        "http://admin:pw@192.0.2.1/onvif/device_service",
        "devices[0].onvif",
        "must not carry credentials",
    ),
    (
        "literal-password",
        "devices.0.credentials.password",
        "hunter22",
        "devices[0].credentials",
        "literal passwords are not allowed",
    ),
    (
        "unknown-claimed-feature",
        "claims.features",
        ["snapshot", "teleport"],
        "claims.features",
        "unknown feature 'teleport'",
    ),
    (
        "bad-resolution",
        "claims.resolutions",
        ["1920*1080"],
        "claims.resolutions",
        "resolution '1920*1080' must look like 1920x1080",
    ),
    ("bad-codec", "claims.codecs", ["MPEG2"], "claims.codecs[0]", "'H264'"),
    ("bad-role", "devices.0.role", "doorbell", "devices[0].role", "'camera'"),
    ("empty-name", "devices.0.name", "", "devices[0].name", "at least 1 character"),
    (
        "no-devices",
        "devices",
        [],
        "(top level)",
        "a target needs at least one entry in 'devices' or a 'simulator'",
    ),
]


@pytest.mark.parametrize(
    ("dotted", "value", "field", "problem"), [pytest.param(*c[1:], id=c[0]) for c in BAD]
)
def test_bad_target_names_file_field_and_problem(
    tmp_path: Path, creds: None, dotted: str, value: Any, field: str, problem: str
) -> None:
    """Each schema mistake is one InputError naming the file, the field and the problem."""
    data = _base()
    if value is None:
        keys = dotted.split(".")
        del data[keys[0]]
    else:
        _set(data, dotted, value)
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_target(path)
    assert caught.value.source == str(path)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{path}: {field}: ")
    assert problem in str(caught.value)


def test_every_schema_mistake_is_named_at_once(tmp_path: Path, creds: None) -> None:
    """Three mistakes in one file: three problems, in the file's order, each with its field."""
    data = _base()
    data["devices"][0]["onvif"] = "ftp://192.0.2.1/x"
    data["devices"][0]["credentials"]["password"] = "Literal-Secret-99"
    data["claims"]["resolutions"] = ["big"]
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_target(path)
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["devices[0].onvif", "devices[0].credentials", "claims.resolutions"]
    assert caught.value.field == fields[0]
    lines = str(caught.value).splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{path}: ") for line in lines)
    assert "Literal-Secret-99" not in str(caught.value)


def test_literal_password_is_not_echoed(tmp_path: Path, creds: None) -> None:
    """Refusing a literal password must not print it back into a terminal or CI log."""
    data = _base()
    data["devices"][0]["credentials"]["password"] = "Literal-Secret-99"
    with pytest.raises(InputError) as caught:
        load_target(_write(tmp_path, data))
    assert "Literal-Secret-99" not in str(caught.value)


def test_missing_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unset variable names the variable and the field that references it."""
    monkeypatch.setenv("T_USER", USER)
    monkeypatch.delenv("T_PASSWORD", raising=False)
    path = _write(tmp_path, _base())
    with pytest.raises(InputError) as caught:
        load_target(path)
    assert caught.value.field == "devices[0].credentials.password_env"
    assert "environment variable T_PASSWORD is not set" in str(caught.value)
    assert str(path) in str(caught.value)


def test_ready_file_missing(tmp_path: Path) -> None:
    data = {"supplier": "S", "product": "P", "simulator": {"ready_file": "nope.json"}}
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_target(path)
    assert caught.value.field == "simulator.ready_file"
    assert str(tmp_path / "nope.json") in str(caught.value)
    assert "cannot read" in str(caught.value)


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        "[]",
        '{"site": "x"}',
        "{}",
        '{"devices": 5}',
        '{"devices": [{}]}',
        '{"devices": [{"name": "x"}]}',
    ],
    ids=["text", "list", "nokey", "empty", "devices-not-list", "empty-entry", "partial-entry"],
)
def test_ready_file_garbage(tmp_path: Path, content: str) -> None:
    """A file that is not a fake-vms ready file is named as such, not a KeyError traceback."""
    (tmp_path / "ready.json").write_text(content, encoding="utf-8")
    data = {"supplier": "S", "product": "P", "simulator": {"ready_file": "ready.json"}}
    with pytest.raises(InputError) as caught:
        load_target(_write(tmp_path, data))
    assert caught.value.field == "simulator.ready_file"
    assert "is not a fake-vms ready file" in str(caught.value)


def test_ready_file_lacks_selected_device(tmp_path: Path) -> None:
    _ready(tmp_path / "ready.json", "a")
    data = {"supplier": "S", "product": "P", "simulator": {"ready_file": "ready.json"}}
    data["simulator"]["devices"] = ["a", "zz"]
    with pytest.raises(InputError) as caught:
        load_target(_write(tmp_path, data))
    assert caught.value.field == "simulator.devices"
    assert "zz" in str(caught.value)


def test_duplicate_device_names(tmp_path: Path, creds: None) -> None:
    """Two devices with one name would merge their verdicts: refuse it."""
    _ready(tmp_path / "ready.json", "cam-1")
    data = _base()
    data["simulator"] = {"ready_file": "ready.json"}
    with pytest.raises(InputError) as caught:
        load_target(_write(tmp_path, data))
    assert caught.value.field == "devices"
    assert "duplicate device names: cam-1" in str(caught.value)


def test_not_yaml_and_unreadable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("supplier: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_target(bad)
    with pytest.raises(InputError, match="cannot read target file"):
        load_target(tmp_path / "absent.yaml")


# -- redaction and single-device targets ----------------------------------------------------------
def test_redacted_contains_no_secret(tmp_path: Path, creds: None) -> None:
    """The redacted target goes into results.json: no user name or password may appear."""
    _ready(tmp_path / "ready.json", "sim-1")
    data = _base()
    data["simulator"] = {"ready_file": "ready.json"}
    target = load_target(_write(tmp_path, data))
    assert set(target.secrets) >= {USER, SECRET}
    text = json.dumps(redacted(target))
    assert SECRET not in text
    assert USER not in text
    assert [d["name"] for d in redacted(target)["devices"]] == ["cam-1", "sim-1"]


def test_single_device_target(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run --device`: one device named "device", no claims (features come from discovery)."""
    monkeypatch.setenv("CAM_PW", SECRET)
    target = single_device_target("http://127.0.0.1:8080/onvif/device_service", "admin", "CAM_PW")
    (device,) = target.devices
    assert (device.name, device.username, device.password) == ("device", "admin", SECRET)
    assert device.claims.features == []
    assert target.source == "--device"
    assert SECRET not in json.dumps(redacted(target))


def test_single_device_target_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAM_PW", raising=False)
    with pytest.raises(InputError) as caught:
        single_device_target("http://127.0.0.1/onvif/device_service", "admin", "CAM_PW")
    assert str(caught.value) == "--password-env: environment variable CAM_PW is not set"
    with pytest.raises(InputError) as caught:
        single_device_target("rtsp://127.0.0.1/x", None, None)
    assert str(caught.value).startswith("--device: ")
    assert "http(s) URL" in str(caught.value)
    with pytest.raises(InputError) as caught:
        single_device_target("http://u:p@127.0.0.1/x", None, None)
    assert "must not carry credentials" in str(caught.value)
