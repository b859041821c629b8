"""Evidence for every verdict, export included (issue 16): in a conformant run and in a failing
one, every pass and fail links at least one evidence file that exists on disk with the digest
results.json gives; every judged EXPORT row links the VMS REST transcript, the VMS's audit
entries for the job and the package; ONVIF-MEDIA-PROF-01 links its GetProfiles transcript; the
VMS is named; and neither the cameras' password nor the VMS's appears in any file of the run.

Both runs are real: the simulator on loopback (started here, so the test knows the VMS password
it generated) and ``cctv-conformance run`` in a subprocess, as the demo does. The failing run
has two cameras, one with the ``clock-skew`` persona: its clock fails ONVIF-DEV-TIME-02 and its
recordings cannot be exported in step with the other camera's (EXPORT-MULTI-01 fails).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from fake_vms.host import SimulatorThread, write_ready_file
from fake_vms.site import load_site

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # the shared scanner (tests/secret_scan.py)
from secret_scan import find_secrets, secret_forms  # noqa: E402

PERSONA = "clock-skew"
FAILING_SITE = f"""\
site: evidence-failing
defaults:
  manufacturer: FakeVMS
  model: SimCam 1000
  firmware: 1.0.0
  width: 1280
  height: 720
  fps: 25
  codec: H264
  username: admin
  password: sim-password
  record: true
cameras:
  - name: skewed-cam
    persona: {PERSONA}
  - name: steady-cam
"""


def _run(site_file: Path, out: Path, private: Path) -> dict[str, Any]:
    """Serve ``site_file``, run the baseline profile against it; the run's facts for the test."""
    site = load_site(site_file)
    with SimulatorThread(site) as simulator:
        ready = simulator.host.ready()
        ready_file = private / "ready.json"
        write_ready_file(ready_file, ready)
        done = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run",
             "--target", str(ROOT / "fixtures/targets/demo.yaml"), "--ready-file", str(ready_file),
             "--profile", "pictco-la-baseline", "--out", str(out)],
            capture_output=True, text=True, timeout=300, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
    assert (out / "results.json").is_file(), done.stdout + done.stderr
    passwords = {d["password"] for d in ready["devices"]} | {ready["vms"]["password"]}
    return {"results": json.loads((out / "results.json").read_text()), "passwords": passwords}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("evidence-runs")
    failing_site = root / "failing-site.yaml"
    failing_site.write_text(FAILING_SITE, encoding="utf-8")
    sites = {"good": ROOT / "fixtures/sites/demo.yaml", "failing": failing_site}
    for name in sites:
        (root / f"{name}-private").mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:  # both runs at once (wall time in CI)
        futures = {
            name: pool.submit(_run, site, root / name, root / f"{name}-private")
            for name, site in sites.items()
        }
        return {name: {**f.result(), "out": root / name} for name, f in futures.items()}


def _rows(results: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(d["name"], r) for d in results["devices"] for r in d["requirements"]]


def _names(row: dict[str, Any]) -> list[str]:
    return [f["name"] for f in row["evidence"]]


@pytest.mark.parametrize("which", ["good", "failing"])
def test_every_pass_and_fail_has_evidence_on_disk(runs, which):
    run = runs[which]
    judged = [(d, r) for d, r in _rows(run["results"]) if r["outcome"] in ("pass", "fail")]
    assert judged
    # A pass or fail without a file is turned into a suite error by the plugin: none here.
    broken = [f"{d} {r['id']}: {r['reason']}" for d, r in _rows(run["results"])
              if r["cause"] == "suite_error"]  # fmt: skip
    assert not broken, broken
    missing = [f"{d} {r['id']}" for d, r in judged if not r["evidence"]]
    assert not missing, f"pass/fail without evidence: {missing}"
    for device, row in judged:
        for ref in row["evidence"]:
            path = run["out"] / ref["path"]
            assert path.is_file(), f"{device} {row['id']}: {ref['path']} not on disk"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == ref["sha256"], ref["path"]


@pytest.mark.parametrize("which", ["good", "failing"])
def test_every_judged_export_row_links_transcript_audit_and_package(runs, which):
    rows = [
        (d, r)
        for d, r in _rows(runs[which]["results"])
        if r["id"].startswith("EXPORT-") and r["outcome"] in ("pass", "fail")
    ]
    assert rows
    for device, row in rows:
        names = _names(row)
        assert "vms-rest-transcript" in names, f"{device} {row['id']}: {names}"
        assert row.get("vms") == "fake-vms", (device, row["id"])
        if "export-package" not in names:
            # No export was made: only a multi-camera or gap scenario can end so (its search
            # found no second camera recording over the same time, or no gap).
            assert row["id"] in ("EXPORT-MULTI-01", "EXPORT-GAPS-01"), (device, row["id"], names)
            continue
        assert "vms-audit-export" in names, f"{device} {row['id']}: {names}"
        assert any(n.startswith("export-package-") for n in names), (device, row["id"], names)
    audit = next(r for _d, r in rows if r["id"] == "EXPORT-AUDIT-01")
    ref = next(f for f in audit["evidence"] if f["name"] == "vms-audit-export")
    entries = json.loads((runs[which]["out"] / ref["path"]).read_text())["entries_naming_the_job"]
    assert {"export.create", "export.download"} <= {e["action"] for e in entries}


def test_the_failing_run_fails_an_export_and_an_onvif_requirement(runs):
    failed = {r["id"] for _d, r in _rows(runs["failing"]["results"]) if r["outcome"] == "fail"}
    assert "ONVIF-DEV-TIME-02" in failed and "EXPORT-MULTI-01" in failed, failed


def test_profiles_verdict_links_the_get_profiles_transcript(runs):
    for which in ("good", "failing"):
        for _device, row in _rows(runs[which]["results"]):
            if row["id"] != "ONVIF-MEDIA-PROF-01" or row["outcome"] not in ("pass", "fail"):
                continue
            texts = [(runs[which]["out"] / f["path"]).read_text() for f in row["evidence"]]
            assert any("GetProfiles" in t for t in texts), row["evidence"]


def test_results_name_the_vms(runs):
    vms = runs["good"]["results"]["vms"]
    assert vms["name"] == "fake-vms" and vms["product"] == "fake-vms" and vms["version"]
    assert vms["address"].startswith("http://127.0.0.1:") and "@" not in vms["address"]
    onvif = [r for _d, r in _rows(runs["good"]["results"]) if r["domain"] == "media"]
    assert onvif and all("vms" not in r for r in onvif)


@pytest.mark.parametrize("which", ["good", "failing"])
def test_no_credential_in_any_file_of_the_run(runs, which):
    forms: set[str] = set()
    for password in runs[which]["passwords"]:
        forms |= secret_forms(password)
    assert not find_secrets([runs[which]["out"]], forms)
