"""``cctv-conformance plan`` on a small simulated estate, from real runs on loopback.

The evidence is made the way a programme team would make it: an audit of the reachable cameras,
a lab run of a sample of a model the audit could not reach, and the simulator's VMS ingesting
stand-in cameras (one of them a Zeta Z9 whose wrong service addresses break a VMS's ONVIF
probe, on the wire). Profiles are cut down to what the planner reads so the module's runs take
about a minute; the judgements are the same checks the shipped profiles run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
CAMERA_REQUIREMENTS = (
    "ONVIF-DEV-INFO-01",
    "ONVIF-DEV-TIME-01",
    "ONVIF-DEV-TIME-02",
    "ONVIF-DEV-SVC-01",
    "ONVIF-DEV-XADDR-01",
    "ONVIF-MEDIA-PROF-01",
    "ONVIF-MEDIA-ENC-01",
    "ONVIF-MEDIA-URI-01",
    "STREAM-RTSP-TCP-01",
    "STREAM-FORMAT-01",
    "STREAM-CLIENTS-01",
)
VMS_REQUIREMENTS = (
    "VMS-CONNECT-01",
    "VMS-REC-01",
    "VMS-MEDIA-01",
    "VMS-SEARCH-01",
    "VMS-EXPORT-01",
    "VMS-EXPORT-EVIDENCE-01",
    "VMS-AUDIT-01",
    "VMS-TRACE-01",
)


def _profiles(root: Path) -> Path:
    """The shipped profiles plus the two cut-down ones these tests run."""
    profiles = root / "profiles"
    shutil.copytree(ROOT / "profiles", profiles)
    camera = {
        "id": "plan-test-camera",
        "version": "0.1",
        "title": "What the planner reads of a camera",
        "requirements": [{"id": r, "level": "mandatory"} for r in CAMERA_REQUIREMENTS],
    }
    vms = {
        "id": "plan-test-vms",
        "version": "0.1",
        "title": "What the planner reads of a VMS's ingest",
        "requirements": [{"id": r, "level": "mandatory"} for r in VMS_REQUIREMENTS],
        "parameters": {"VMS-CONNECT-01": {"site": str(DATA / "mini-vms-site.yaml")}},
    }
    for spec in (camera, vms):
        (profiles / f"{spec['id']}.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return profiles


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


@pytest.fixture(scope="module")
def evidence(tmp_path_factory) -> dict[str, Path]:
    """Real result folders: the audit, the lab sample, the simulated VMS's ingest."""
    root = tmp_path_factory.mktemp("plan-evidence")
    env = {**os.environ, "CCTV_CONFORMANCE_PROFILES": str(_profiles(root)), "CCTV_NO_PDF": "1"}
    folders = {}
    for name, site in (("audit", "mini-audit-site.yaml"), ("lab", "mini-lab-site.yaml")):
        done = _cli(
            env, "demo", "--site", str(DATA / site), "--target", str(DATA / "mini-target.yaml"),
            "--profile", "plan-test-camera", "--out", str(root / name),
        )  # fmt: skip
        assert (root / name / "results.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
        folders[name] = root / name
    ready = root / "vms-ready.json"
    server = subprocess.Popen(
        [sys.executable, "-m", "fake_vms.cli", "serve", "--site",
         str(ROOT / "fixtures/sites/vms-host.yaml"), "--ready-file", str(ready)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        done = _cli(
            env, "run", "--target", str(ROOT / "fixtures/targets/vms-sim.yaml"), "--ready-file",
            str(ready), "--profile", "plan-test-vms", "--mode", "lab", "--out", str(root / "vms"),
        )  # fmt: skip
        assert (root / "vms" / "results.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
        folders["vms"] = root / "vms"
    finally:
        server.terminate()
        server.wait(timeout=30)
    folders["root"] = root
    folders["env"] = env  # type: ignore[assignment]
    return folders


def _plan(evidence: dict, out: str, *names: str) -> dict:
    target = evidence["root"] / out
    done = _cli(
        evidence["env"], "plan", "--estate", str(DATA / "mini-estate.yaml"), "--results",
        *(str(evidence[n]) for n in names), "--out", str(target),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    plan = json.loads((target / "plan.json").read_text(encoding="utf-8"))
    plan["_out"] = str(target)
    return plan


def _option(plan: dict, option_id: str) -> dict:
    return next(o for o in plan["options"] if o["id"] == option_id)


def _camera(option: dict, name: str) -> dict:
    return next(c for c in option["cameras"] if c["camera"] == name)


@pytest.fixture(scope="module")
def full_plan(evidence) -> dict:
    return _plan(evidence, "plan-all", "audit", "lab", "vms")


def test_plan_writes_its_reports_and_every_statement_links_its_verdicts(full_plan):
    out = Path(full_plan["_out"])
    for name in ("plan.json", "plan.html", "plan.csv"):
        assert (out / name).stat().st_size > 0, name
    option = _option(full_plan, "fake-vms")
    assert option["assessable"] and option["rank"] == 1
    assert full_plan["recommended"] == "fake-vms"
    html = (out / "plan.html").read_text(encoding="utf-8")
    for camera in option["cameras"]:
        if camera["status"] == "unknown":
            assert camera["unknown_reason"], camera["camera"]
            continue
        assert camera["verdicts"] and camera["cells"], camera["camera"]
        for ref in camera["verdicts"] + camera["cells"]:
            assert (out / ref["href"]).is_file(), ref
            assert ref["href"].replace("&", "&amp;") in html, ref["href"]


def test_an_option_without_evidence_is_not_scored(full_plan):
    untested = _option(full_plan, "untested-vms")
    assert not untested["assessable"] and untested["rank"] is None
    assert untested["disruption"] is None and untested["cameras"] == []
    assert "no evidence" in untested["not_assessable_reason"]
    assert "--profile vms-ingest" in untested["test"]


def test_lab_results_stand_in_only_where_the_camera_was_not_audited(full_plan):
    option = _option(full_plan, "fake-vms")
    assert _camera(option, "aud-x-01")["camera_evidence"]["source"] == "own audit"
    ypsilon = _camera(option, "y-cam-01")
    assert ypsilon["camera_evidence"]["source"].startswith("lab results")
    assert ypsilon["camera_evidence"]["device"] == "lab-y5-sample"
    assert ypsilon["status"] == "works"
    never = _camera(option, "u-cam-01")
    assert never["status"] == "unknown" and "no lab results" in never["unknown_reason"]
    assert full_plan["test_next"][0]["model"] == "U1"


def test_removing_a_models_lab_results_makes_its_unaudited_cameras_unknown(evidence, full_plan):
    """The acceptance rule: exactly the cameras the lab sample stood in for turn unknown, and
    the option's assessable share falls by exactly their number."""
    without = _plan(evidence, "plan-without-lab", "audit", "vms")
    before, after = _option(full_plan, "fake-vms"), _option(without, "fake-vms")
    stood_in = [
        c["camera"] for c in before["cameras"] if c["camera_evidence"]["device"] == "lab-y5-sample"
    ]
    assert stood_in == ["y-cam-01", "y-cam-02"]
    for name in stood_in:
        assert _camera(after, name)["status"] == "unknown"
    assert before["assessable_cameras"] - after["assessable_cameras"] == len(stood_in)
    total = before["counts"]["total"]
    assert round(before["assessable_share"] - after["assessable_share"], 4) == round(
        len(stood_in) / total, 4
    )
    changed = {
        c["camera"]
        for c in before["cameras"]
        if c["status"] != _camera(after, c["camera"])["status"]
    }
    assert changed == set(stood_in)


def test_a_camera_breaking_the_vms_probe_needs_a_change_with_the_cell_cited(evidence, full_plan):
    """aud-z-01 advertises its services on a port it does not listen on: on the wire, the
    simulated VMS's probe found no stream for the Zeta stand-in (and did for the generic one),
    and the plan says the Zeta camera needs its URL given by hand, citing that cell."""
    vms = json.loads((evidence["vms"] / "results.json").read_text(encoding="utf-8"))
    pairs = {p["camera"]: p for p in vms["compatibility"]["pairs"]}
    assert pairs["zeta-z9"]["probe"].get("picks") is None
    assert pairs["h264-720p25"]["probe"]["picks"]
    zeta = _camera(_option(full_plan, "fake-vms"), "aud-z-01")
    assert zeta["status"] in ("needs_change", "needs_replacement")
    assert "stream_url_by_hand" in [c["kind"] for c in zeta["changes"]]
    cited = [c for c in zeta["cells"] if c["camera"] == "zeta-z9"]
    assert cited and all(c["match"] == "same make, model and firmware" for c in cited)
    assert {"VMS-TRACE-01", "VMS-CONNECT-01"} <= {c["requirement"] for c in cited}
    assert any(v["requirement"] == "ONVIF-DEV-XADDR-01" and v["outcome"] == "fail"
               for v in zeta["verdicts"])  # fmt: skip
    good = _camera(_option(full_plan, "fake-vms"), "aud-x-02")
    assert good["status"] == "works" and good["changes"] == []


def test_a_must_not_go_dark_camera_is_never_scheduled_dark(full_plan):
    """aud-x-01 plays its main stream to two clients at once (STREAM-CLIENTS-01 passes on the
    wire) and moves with old and new VMS in parallel; aud-one-01 answers a second session 453,
    so moving it would take it dark: it waits for a maintenance window, unscheduled."""
    option = _option(full_plan, "fake-vms")
    steps = {name: s["kind"] for s in option["order_of_work"] for name in s["cameras"]}
    parallel = _camera(option, "aud-x-01")
    assert parallel["parallel_streaming"] and parallel["dark_h"] == 0
    assert steps["aud-x-01"] == "parallel"
    single = _camera(option, "aud-one-01")
    refused = [v for v in single["verdicts"] if v["requirement"] == "STREAM-CLIENTS-01"]
    assert refused and refused[0]["outcome"] == "fail" and "453" in refused[0]["reason"]
    assert single["maintenance_window"] and steps["aud-one-01"] == "window"
    for option in full_plan["options"]:
        if not option["assessable"]:
            continue
        keep_lit = {c["camera"] for c in option["cameras"] if c["must_not_go_dark"]}
        assert keep_lit
        for step in option["order_of_work"]:
            if step["camera_hours_dark"] > 0 or step["site_visit"]:
                assert not keep_lit & set(step["cameras"]), step
        for camera in option["cameras"]:
            if camera["must_not_go_dark"] and camera["dark_h"] > 0:
                assert camera["maintenance_window"]


def test_bad_inventory_and_folders_exit_2_naming_every_problem(evidence, tmp_path):
    bad = tmp_path / "estate.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "estate": "bad",
                "weights": {"site_visit": -1},
                "authorities": [
                    {
                        "id": "north",
                        "name": "North",
                        "cameras": [
                            {"name": "a", "stream": {"codec": "VP9"}},
                            {"name": "a", "control_room": "nowhere"},
                        ],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    done = _cli(
        evidence["env"], "plan", "--estate", str(bad), "--results", str(tmp_path / "missing"),
        "--out", str(tmp_path / "plan"),
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert any(str(bad) in line and "weights.site_visit" in line for line in lines), lines
    assert any("codec" in line for line in lines), lines
    assert any("control_room" in line for line in lines), lines
    assert any("missing" in line for line in lines), lines
    assert not (tmp_path / "plan").exists()
