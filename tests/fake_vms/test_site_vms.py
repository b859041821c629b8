"""A site's ``vms:`` section (the simulated VMS that ingests cameras) and VMS personas: valid
sites load, bad fields are reported with file and field (``fake-vms serve`` exits 2), and a
persona goes only where it applies (a camera persona on the VMS, or the reverse, is refused)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fake_vms.personas import PERSONAS
from fake_vms.site import SiteError, load_site

SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
VMS_PERSONAS = sorted(n for n, p in PERSONAS.items() if p.applies_to == "vms")


def test_vms_host_site_is_the_vms_alone() -> None:
    site = load_site(SITES / "vms-host.yaml")
    assert site.cameras == () and site.vms is not None
    assert site.vms.ingest and site.vms.clip_s == 4.0 and site.vms.persona is None


def test_vms_selftest_site_has_two_good_cameras() -> None:
    site = load_site(SITES / "vms-selftest.yaml")
    assert [(c.codec, c.persona) for c in site.cameras] == [("H264", None), ("H265", None)]
    assert site.vms is None


@pytest.mark.parametrize("name", VMS_PERSONAS)
def test_vms_persona_sets_the_vms_knobs(tmp_path: Path, name: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"site: s\nvms: {{clip_s: 2, persona: {name}}}\n")
    vms = load_site(path).vms
    assert vms is not None and vms.persona == name and vms.knobs == PERSONAS[name].knobs
    assert vms.clip_s == 2.0
    assert all(r.startswith("VMS-") for r in PERSONAS[name].breaks)


def test_at_least_one_vms_persona_per_vms_requirement() -> None:
    import yaml

    catalogue = Path(__file__).resolve().parents[2] / "profiles" / "requirements"
    ids = {r["id"] for r in yaml.safe_load((catalogue / "vms_ingest.yaml").read_text())[
        "requirements"]}  # fmt: skip
    broken = {r for n in VMS_PERSONAS for r in PERSONAS[n].breaks}
    assert ids <= broken, ids - broken


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("site: s\nvms: [1]\n", "field 'vms' must be a mapping"),
        ("site: s\nvms: {colour: red}\n", "vms: unknown field(s) colour"),
        ("site: s\nvms: {ingest: 'yes'}\n", "vms.ingest: must be true or false"),
        ("site: s\nvms: {clip_s: 0}\n", "vms.clip_s"),
        ("site: s\nvms: {clip_s: fast}\n", "vms.clip_s"),
        ("site: s\nvms: {persona: nope}\n", "vms.persona: unknown persona 'nope'"),
        ("site: s\nvms: {persona: half-frame-rate}\n", "is a camera persona"),
        (
            "site: s\ncameras:\n  - {name: c, persona: vms-clock-skew}\n",
            "cameras[0].persona: 'vms-clock-skew' is a VMS persona",
        ),
        ("site: s\ncameras: []\n", "field 'cameras' must be a non-empty list"),
    ],
    ids=["not-mapping", "unknown", "ingest", "clip-zero", "clip-text", "unknown-persona",
         "camera-persona-on-vms", "vms-persona-on-camera", "no-cameras-no-vms"],
)  # fmt: skip
def test_bad_vms_sections_name_file_and_field(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(body)
    with pytest.raises(SiteError) as caught:
        load_site(path)
    assert str(path) in str(caught.value) and fragment in str(caught.value)


def test_forced_vms_persona_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="--persona: 'vms-clock-skew' is a VMS persona"):
        load_site(SITES / "vms-selftest.yaml", persona="vms-clock-skew")


def test_fake_vms_serve_reports_a_bad_vms_section(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("site: s\nvms: {clip_s: -1}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "fake_vms.cli", "serve", "--site", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert str(path) in proc.stderr and "vms.clip_s" in proc.stderr


def test_fake_vms_serve_names_the_vms_api_but_not_its_password(tmp_path: Path) -> None:
    """A user starting the VMS alone sees where its API is; the password stays in the ready file."""
    import json
    import time

    ready = tmp_path / "ready.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fake_vms.cli", "serve", "--site", str(SITES / "vms-host.yaml"),
         "--ready-file", str(ready)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        vms = json.loads(ready.read_text(encoding="utf-8"))["vms"]
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert f"VMS API: {vms['url']}  user {vms['username']}" in stderr
    assert "ingests cameras it is given" in stderr
    assert vms["password"] not in stderr
