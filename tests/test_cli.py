"""The command lines as users and CI call them: exit statuses, messages and written reports.

Everything runs in subprocesses so the real exit status and stderr are seen (a traceback is a
bug: bad input must be exit 2 with a one-line message naming the file, the field and the
problem). The end-to-end runs host simulated cameras in this process with a distinctive password
and then search every output file for it, in every encoding a transcript could carry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from secret_scan import find_secrets, secret_forms

from fake_vms.host import SimulatorThread, write_ready_file
from fake_vms.personas import PERSONAS, get_persona
from fake_vms.site import CameraConfig, Site, apply_persona

PASSWORD = "Cli-S3cret!pw/9"
CORE = "onvif-s-core"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CCTV_CONFORMANCE_PROFILES"}
    env.update(extra)
    return env


def cli(*args: str, module: str = "conformance.cli", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=180,
    )


def _bad_input(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 2, no traceback, and a message carrying every fragment."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr


# -- listings ---------------------------------------------------------------------------------
def test_profiles_lists_shipped_profiles() -> None:
    proc = cli("profiles")
    assert proc.returncode == 0, proc.stderr
    assert "onvif-s-core" in proc.stdout
    assert "pictco-la-baseline" in proc.stdout and "(includes onvif-s-core)" in proc.stdout


def test_requirements_of_baseline() -> None:
    proc = cli("requirements", "--profile", "pictco-la-baseline")
    assert proc.returncode == 0, proc.stderr
    assert "pictco-la-baseline v" in proc.stdout
    for req_id in ("ONVIF-DEV-TIME-01", "ONVIF-MEDIA-SNAP-01", "STREAM-CONT-01"):
        assert req_id in proc.stdout
    assert "[feature: snapshot]" in proc.stdout


def test_version() -> None:
    proc = cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("cctv-conformance ")


# -- bad input: exit 2 ------------------------------------------------------------------------
def test_bad_option() -> None:
    _bad_input(cli("run", "--profile", CORE, "--bogus"), "unrecognized arguments: --bogus")
    _bad_input(cli("frobnicate"), "invalid choice")


def test_unknown_profile() -> None:
    _bad_input(cli("requirements", "--profile", "no-such"), "--profile", "'no-such'")
    _bad_input(
        cli("run", "--profile", "no-such", "--device", "http://127.0.0.1:9/x"),
        "unknown profile 'no-such'",
    )


def test_bad_target_file(tmp_path: Path) -> None:
    target = tmp_path / "target.yaml"
    target.write_text(
        "supplier: S\nproduct: P\ndevices:\n  - {name: c, onvif: 'ftp://192.0.2.1/x'}\n",
        encoding="utf-8",
    )
    _bad_input(
        cli("run", "--profile", CORE, "--target", str(target), "--out", str(tmp_path / "o")),
        f"{target}: devices[0].onvif: ",
        "http(s) URL",
    )
    assert not (tmp_path / "o").exists()  # nothing started, nothing written


def test_every_problem_of_options_profile_and_target_at_once(tmp_path: Path) -> None:
    """A user fixing input by hand gets every mistake in one go, one line each, not the first."""
    target = tmp_path / "target.yaml"
    target.write_text(
        "supplier: S\nproduct: P\ndevices:\n"
        "  - {name: a, onvif: 'ftp://192.0.2.1/x'}\n"
        "  - {name: b, onvif: 'http://192.0.2.2/onvif/device_service', role: toaster}\n"
        "claims: {resolutions: [big]}\n",
        encoding="utf-8",
    )
    proc = cli(
        "run", "--profile", "no-such", "--target", str(target), "--workers", "0", "--timeout", "0"
    )
    _bad_input(
        proc,
        "unknown profile 'no-such'",
        f"{target}: devices[0].onvif: ",
        f"{target}: devices[1].role: ",
        f"{target}: claims.resolutions: ",
        "--workers: must be at least 1, got 0",
        "--timeout: must be positive, got 0.0",
    )
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 6 and all(line.startswith("cctv-conformance: ") for line in lines), lines


def test_target_and_device_together(tmp_path: Path) -> None:
    target = tmp_path / "t.yaml"
    target.write_text("supplier: S\nproduct: P\nsimulator: {ready_file: r.json}\n")
    _bad_input(
        cli("run", "--profile", CORE, "--target", str(target), "--device", "http://h/x"),
        "exactly one of --target FILE or --device URL",
    )
    _bad_input(cli("run", "--profile", CORE), "exactly one of")


def test_missing_env_var(tmp_path: Path) -> None:
    _bad_input(
        cli(
            "run",
            "--profile",
            CORE,
            "--device",
            "http://127.0.0.1:9/onvif/device_service",
            "--user",
            "admin",
            "--password-env",
            "NO_SUCH_VAR_XYZ",
        ),
        "--password-env: environment variable NO_SUCH_VAR_XYZ is not set",
    )
    target = tmp_path / "t.yaml"
    target.write_text(
        "supplier: S\nproduct: P\ndevices:\n"
        "  - name: c\n    onvif: http://192.0.2.1/onvif/device_service\n"
        "    credentials: {username: admin, password_env: NO_SUCH_VAR_XYZ}\n"
    )
    _bad_input(
        cli("run", "--profile", CORE, "--target", str(target)),
        f"{target}: devices[0].credentials.password_env: environment variable NO_SUCH_VAR_XYZ",
    )


# -- fake-vms -----------------------------------------------------------------------------------
def test_fake_vms_personas_lists_breaks() -> None:
    """Every persona is listed with the requirement IDs it must break (the self-test baseline),
    and the outcomes it must have instead of a fail (a legal quirk: ``expects``)."""
    proc = cli("personas", module="fake_vms.cli")
    assert proc.returncode == 0, proc.stderr
    for persona in PERSONAS.values():
        assert persona.breaks or persona.expects or persona.legal, f"{persona.name} breaks nothing"
        for req, outcome in persona.expects.items():
            assert f"{req} {outcome}" in proc.stdout
        assert persona.name in proc.stdout
        assert f"breaks: {', '.join(persona.breaks)}" in proc.stdout
    assert "breaks: nothing (a legal oddity: must pass every requirement)" in proc.stdout
    as_json = json.loads(cli("personas", "--json", module="fake_vms.cli").stdout)
    assert {p["name"]: p["breaks"] for p in as_json} == {
        p.name: list(p.breaks) for p in PERSONAS.values()
    }
    assert (
        as_json[[p["name"] for p in as_json].index("ptz-status-optional-off")]["expects"][
            "PTZ-STATUS-01"
        ]
        == "pass"
    )
    assert {p["name"]: p["applies_to"] for p in as_json} == {
        p.name: p.applies_to for p in PERSONAS.values()
    }
    assert {p["name"] for p in as_json if p["legal"]} == {
        p.name for p in PERSONAS.values() if p.legal
    }
    assert "vms-clock-skew" in proc.stdout and "applies to the VMS" in proc.stdout


@pytest.mark.parametrize(
    ("site", "fragment"),
    [
        ("site: s\ncameras:\n  - {name: c, colour: red}\n", "cameras[0]: unknown field(s) colour"),
        ("site: s\ncameras:\n  - {name: c, fps: 0}\n", "cameras[0].fps: must be a positive"),
        ("site: s\ncameras:\n  - {name: c, persona: nope}\n", "cameras[0].persona"),
        ("site: s\ncameras: []\n", "field 'cameras' must be a non-empty list"),
        ("site: [unclosed\n", "not valid YAML"),
    ],
    ids=["unknown-field", "bad-fps", "bad-persona", "no-cameras", "bad-yaml"],
)
def test_fake_vms_serve_bad_site(tmp_path: Path, site: str, fragment: str) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(site, encoding="utf-8")
    proc = cli("serve", "--site", str(path), module="fake_vms.cli")
    _bad_input(proc, str(path), fragment)


# -- end to end against the simulator -----------------------------------------------------------
@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A good camera and a blank-identity one, both with PASSWORD; yields the ready file."""
    cameras = (
        CameraConfig(name="good", password=PASSWORD),
        apply_persona(CameraConfig(name="blank", password=PASSWORD), get_persona("blank-identity")),
    )
    ready = tmp_path_factory.mktemp("sim") / "ready.json"
    with SimulatorThread(Site("cli", cameras)) as thread:
        write_ready_file(ready, thread.host.ready())
        yield ready


def _target(tmp_path: Path, ready: Path, device: str) -> Path:
    path = tmp_path / f"{device}.yaml"
    spec = {
        "supplier": "CLI test",
        "product": "SimCam",
        "simulator": {"ready_file": str(ready), "devices": [device]},
        "claims": {"features": ["snapshot", "rtsp_udp", "rtsp_tcp"]},
    }
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _profile_ids() -> list[str]:
    from conformance.catalogue import Catalogue

    return [e.id for e in Catalogue().resolve(CORE).requirements]


def _assert_no_password(out: Path) -> None:
    """No output file holds the password: plain, base64 (alone or user:password), URL-encoded."""
    files = [p for p in out.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"results.json", "junit.xml", "compliance.html", "results.jsonl"} <= names
    assert any(p.parent.name == "allure-results" for p in files)
    assert any("evidence" in p.parts for p in files)
    assert find_secrets([out], secret_forms(PASSWORD, "admin")) == []


@pytest.mark.slow
def test_run_good_camera_conforms(tmp_path: Path, simulator: Path) -> None:
    out = tmp_path / "out"
    proc = cli(
        "run", "--target", str(_target(tmp_path, simulator, "good")), "--profile", CORE,
        "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["verdict"] == "conforms"
    (device,) = results["devices"]
    assert [r["id"] for r in device["requirements"]] == _profile_ids()
    assert {r["outcome"] for r in device["requirements"]} == {"pass"}
    assert all(r["evidence"] or r["measured"] for r in device["requirements"])
    _assert_no_password(out)


@pytest.mark.slow
def test_run_persona_fails_exactly_its_requirement(tmp_path: Path, simulator: Path) -> None:
    out = tmp_path / "out"
    proc = cli(
        "run", "--target", str(_target(tmp_path, simulator, "blank")), "--profile", CORE,
        "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr
    assert "Traceback" not in proc.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["verdict"] == "does_not_conform"
    (device,) = results["devices"]
    assert [r["id"] for r in device["requirements"]] == _profile_ids()
    failing = [r["id"] for r in device["requirements"] if r["outcome"] != "pass"]
    breaks = get_persona("blank-identity").breaks  # SEC-FW-01 too, outside this profile
    assert failing == ["ONVIF-DEV-INFO-01"] == [b for b in breaks if b in _profile_ids()]
    info = next(r for r in device["requirements"] if r["id"] == "ONVIF-DEV-INFO-01")
    assert info["outcome"] == "fail"
    assert info["cause"] == "device_fault"
    assert "ONVIF-DEV-INFO-01" in (out / "compliance.html").read_text(encoding="utf-8")
    _assert_no_password(out)


@pytest.mark.slow
def test_run_single_device(tmp_path: Path, simulator: Path) -> None:
    """`run --device`: no target file, so no claims; the claims check is not applicable and
    does not stop a conformant camera from conforming."""
    url = next(
        d["onvif_url"] for d in json.loads(simulator.read_text())["devices"] if d["name"] == "good"
    )
    out = tmp_path / "out"
    proc = cli(
        "run", "--device", url, "--user", "admin", "--password-env", "CLI_TEST_PW",
        "--profile", CORE, "--out", str(out), CLI_TEST_PW=PASSWORD,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    (device,) = results["devices"]
    assert device["name"] == "device"
    rows = {r["id"]: r for r in device["requirements"]}
    assert list(rows) == _profile_ids()
    claims = rows.pop("ONVIF-DISC-CLAIMS-01")
    assert claims["outcome"] == "not_applicable"
    assert "declares no feature claims" in claims["reason"]
    assert {r["outcome"] for r in rows.values()} == {"pass"}
    assert results["target"]["source"] == "--device"
    _assert_no_password(out)
