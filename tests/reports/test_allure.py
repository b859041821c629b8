"""Allure agrees with the compliance statement: one case per (device, requirement of the profile).

The unit tests build cases from a small results.json and hand-written allure-pytest results (no
tool needed). The report tests generate real single-file reports with the Allure 2 tool (skipped
with the install hint without it) for the demo and for a two-camera demo, and read what the
page shows (the files it embeds: ``widgets/summary.json``, ``data/test-cases/*.json``): the
count equals the profile's requirements times the devices, every name is the requirement's ID
and title, nothing from outside the profile, and the verdict leads the overview.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.catalogue import load_catalogue
from reports import allure as allure_mod
from reports.allure_cases import write_cases

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PROFILE = "pictco-la-baseline"


def _row(req_id: str, outcome: str, level: str = "mandatory", **extra: Any) -> dict[str, Any]:
    cause = {"pass": "passed", "fail": "device_fault", "inconclusive": "blocked"}.get(
        outcome, "skipped"
    )
    return {
        "id": req_id,
        "title": f"Title of {req_id}",
        "domain": "streaming",
        "level": level,
        "outcome": outcome,
        "cause": extra.pop("cause", cause),
        "reason": extra.pop("reason", ""),
        "blocked_by": extra.pop("blocked_by", ""),
        "source": {"spec": "Spec", "clause": "1", "url": "https://example.org/spec"},
        "onvif_tests": [],
        "tests": extra.pop("tests", []),
        **extra,
    }


def _results(devices: list[str]) -> dict[str, Any]:
    def rows(device: str) -> list[dict[str, Any]]:
        return [
            _row("STREAM-FPS-01", "fail", tests=[f"streaming/test_live.py::test_fps[{device}]"]),
            _row(
                "STREAM-FORMAT-01",
                "pass",
                tests=[
                    f"streaming/test_live.py::test_codec[{device}]",
                    f"streaming/test_live.py::TestFormat::test_size[{device}]",
                ],
            ),
            _row(
                "STREAM-RTSP-01",
                "inconclusive",
                reason="blocked by STREAM-FPS-01: no stream",
                blocked_by="STREAM-FPS-01",
                tests=[f"streaming/test_live.py::test_rtsp[{device}]"],
            ),
            _row(
                "STREAM-MCAST-01",
                "not_tested",
                cause="not_run",
                reason="no test implements this requirement yet",
            ),
            _row(
                "STREAM-SNAP-01", "not_applicable", "conditional", reason="no snapshot", vms="vms-1"
            ),
        ]

    return {
        "suite": {"version": "0.1.0"},
        "profile": {"id": "p", "version": "1", "title": "P"},
        "target": {"supplier": "Acme", "product": "Cam"},
        "started": "2025-01-01T00:00:00Z",
        "finished": "2025-01-01T00:01:00Z",
        "verdict": "does_not_conform",
        "verdict_meaning": "Not met, not tested or inconclusive: STREAM-FPS-01.",
        "devices": [
            {"name": d, "verdict": "does_not_conform", "requirements": rows(d)} for d in devices
        ],
    }


def _raw(alluredir: Path, devices: list[str]) -> None:
    """allure-pytest results as the plugin leaves them, plus one from outside the profile."""
    alluredir.mkdir(parents=True)
    tests = [
        ("streaming.test_live#test_fps", "test_fps", "failed", "AssertionError: 12.5 fps"),
        ("streaming.test_live#test_codec", "test_codec", "passed", None),
        ("streaming.test_live.TestFormat#test_size", "test_size", "passed", None),
        ("streaming.test_live#test_rtsp", "test_rtsp", "broken", "blocked by STREAM-FPS-01"),
        ("ptz.test_ptz#test_presets", "test_presets", "skipped", "not in the profile"),
    ]
    for device in devices:
        for i, (full, name, status, message) in enumerate(tests):
            uid = f"{device}-{i}"
            (alluredir / f"{uid}-attachment.txt").write_text(f"bytes of {uid}")
            data = {
                "uuid": uid,
                "fullName": full,
                "name": f"{name}[{device}]",
                "status": status,
                "statusDetails": {"message": message} if message else {},
                "attachments": [
                    {"name": "soap-transcript", "source": f"{uid}-attachment.txt"},
                    {"name": "gone", "source": f"{uid}-missing-attachment.txt"},
                ],
                "labels": [],
                "start": 1000 + i,
                "stop": 2000 + i,
            }
            (alluredir / f"{uid}-result.json").write_text(json.dumps(data))


def _cases(staging: Path) -> dict[str, dict[str, Any]]:
    cases = [json.loads(p.read_text()) for p in staging.glob("*-result.json")]
    return {c["fullName"]: c for c in cases}


def test_one_case_per_device_and_requirement(tmp_path: Path) -> None:
    devices = ["cam-1", "cam-2"]
    _raw(tmp_path / "raw", devices)
    results = _results(devices)
    assert write_cases(tmp_path / "raw", results, tmp_path / "cases") == 10
    cases = _cases(tmp_path / "cases")
    assert sorted(cases) == sorted(
        f"{d}/{r['id']}" for d in devices for r in results["devices"][0]["requirements"]
    )
    fps = cases["cam-1/STREAM-FPS-01"]
    assert fps["name"] == "STREAM-FPS-01 Title of STREAM-FPS-01 — cam-1"
    assert fps["parameters"] == [{"name": "device", "value": "cam-1"}]
    assert fps["status"] == "failed"
    assert fps["statusDetails"]["message"] == (
        "[cause: device_fault | domain: streaming | STREAM-FPS-01 | decides verdict] "
        "fail: AssertionError: 12.5 fps"
    )
    assert {c["status"] for k, c in cases.items() if "RTSP" in k} == {"broken"}
    # Two tests judged STREAM-FORMAT-01: one case, the tests as steps with their evidence.
    fmt = cases["cam-2/STREAM-FORMAT-01"]
    assert fmt["status"] == "passed"
    assert [s["name"] for s in fmt["steps"]] == ["test_codec[cam-2]", "test_size[cam-2]"]
    assert [a["name"] for a in fmt["steps"][0]["attachments"]] == ["soap-transcript"]
    source = fmt["steps"][0]["attachments"][0]["source"]
    assert (tmp_path / "cases" / source).read_text() == "bytes of cam-2-1"
    (row_attachment,) = fmt["attachments"]
    row = json.loads((tmp_path / "cases" / row_attachment["source"]).read_text())
    assert row["id"] == "STREAM-FORMAT-01"
    # A requirement no test implements is still a case, skipped with the reason.
    mcast = cases["cam-1/STREAM-MCAST-01"]
    assert mcast["status"] == "skipped" and mcast["steps"] == []
    assert mcast["statusDetails"]["message"].endswith(
        "| decides verdict] not_tested: no test implements this requirement yet"
    )
    assert mcast["description"].endswith(
        "No test ran for this requirement on this device: no test implements this requirement yet"
    )
    snap = cases["cam-1/STREAM-SNAP-01"]
    assert snap["statusDetails"]["message"] == "not_applicable: no snapshot"
    assert snap["parameters"][1] == {"name": "vms", "value": "vms-1"}  # judged through a VMS
    # History lines up across runs per (device, requirement), and differs between devices.
    again = tmp_path / "again"
    write_cases(tmp_path / "raw", {**results, "started": "2025-02-01T00:00:00Z"}, again)
    assert {k: c["historyId"] for k, c in _cases(again).items()} == {
        k: c["historyId"] for k, c in cases.items()
    }
    assert len({c["historyId"] for c in cases.values()}) == 10


def test_single_device_names_are_id_and_title(tmp_path: Path) -> None:
    _raw(tmp_path / "raw", ["cam-1"])
    write_cases(tmp_path / "raw", _results(["cam-1"]), tmp_path / "cases")
    names = sorted(c["name"] for c in _cases(tmp_path / "cases").values())
    assert names[0] == "STREAM-FORMAT-01 Title of STREAM-FORMAT-01"
    assert all(re.fullmatch(r"STREAM-[A-Z]+-01 Title of STREAM-[A-Z]+-01", n) for n in names)


def _first_category(cats: list[dict[str, Any]], case: dict[str, Any]) -> str:
    message = case["statusDetails"].get("message", "")
    for cat in cats:
        if case["status"] not in cat["matchedStatuses"]:
            continue
        if "messageRegex" not in cat or re.fullmatch(cat["messageRegex"], message):
            return cat["name"]  # Allure files a result under the first category that matches
    return ""


def test_verdict_categories_come_first(tmp_path: Path) -> None:
    _raw(tmp_path / "raw", ["cam-1"])
    results = _results(["cam-1"])
    write_cases(tmp_path / "raw", results, tmp_path / "cases")
    cases = _cases(tmp_path / "cases")
    cats = allure_mod.categories(results)
    assert _first_category(cats, cases["cam-1/STREAM-FPS-01"]) == (
        "DOES NOT CONFORM: Device fault (does not meet the requirement)"
    )
    assert _first_category(cats, cases["cam-1/STREAM-RTSP-01"]) == (
        "DOES NOT CONFORM: blocked by STREAM-FPS-01 (one root cause)"
    )
    assert _first_category(cats, cases["cam-1/STREAM-MCAST-01"]) == (
        "DOES NOT CONFORM: mandatory requirement not judged (not tested here)"
    )
    assert _first_category(cats, cases["cam-1/STREAM-SNAP-01"]).startswith("Not claimed")
    assert allure_mod.categories({**results, "verdict": "conforms"})[0]["name"].startswith(
        "Blocked by"
    )
    executor = allure_mod.executor(results)
    assert executor["buildName"].startswith("DOES NOT CONFORM: Not met")
    assert allure_mod.report_name(results) == "DOES NOT CONFORM — Acme Cam against p v1"


# -- real reports (the Allure 2 tool) ------------------------------------------------------------
needs_allure = pytest.mark.skipif(allure_mod.find_allure() is None, reason=allure_mod.INSTALL_HINT)


def _shown(index: Path) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, bytes]]:
    """What the single-file report shows: its summary widget and its test cases."""
    files = allure_mod.embedded_files(index)
    summary = json.loads(files["widgets/summary.json"])
    cases = [json.loads(v) for k, v in files.items() if k.startswith("data/test-cases/")]
    return summary, cases, files


def _profile_titles() -> dict[str, str]:
    profile = load_catalogue().resolve(PROFILE)
    return {e.id: e.requirement.title for e in profile.requirements}


@needs_allure
def test_demo_report_counts_the_profile(demo_runs: dict[str, Path], tmp_path: Path) -> None:
    """The persona demo: 1 device x the profile's requirements, the verdict on the overview."""
    out = tmp_path / "persona"
    shutil.copytree(demo_runs["persona"], out)
    results = json.loads((out / "results.json").read_text())
    index = allure_mod.build_allure_report(out, results)
    assert index is not None
    summary, cases, files = _shown(index)
    titles = _profile_titles()
    assert summary["statistic"]["total"] == len(titles) == len(cases)
    assert sorted(c["name"] for c in cases) == sorted(f"{i} {t}" for i, t in titles.items())
    assert summary["reportName"].startswith("DOES NOT CONFORM — ")
    (executor,) = json.loads(files["widgets/executors.json"])
    assert executor["buildName"].startswith("DOES NOT CONFORM: ")
    environment = json.loads(files["widgets/environment.json"])
    assert environment[0] == {"name": "verdict", "values": ["does_not_conform"]}
    categories = json.loads(files["widgets/categories.json"])["items"]
    assert categories[0]["name"] == "DOES NOT CONFORM: Device fault (does not meet the requirement)"
    (fps,) = [c for c in cases if c["name"].startswith("STREAM-FPS-01 ")]
    assert fps["status"] == "failed"
    assert [a["name"] for s in fps["testStage"]["steps"] for a in s["attachments"]]  # evidence


@needs_allure
def test_two_device_report_counts_the_profile_twice(tmp_path: Path) -> None:
    """A two-camera demo through the CLI: 2 x the profile's requirements, per device named."""
    site = (FIXTURES / "sites" / "demo.yaml").read_text(encoding="utf-8")
    assert "  - name: demo-cam-01\n" in site
    two = tmp_path / "two.yaml"
    two.write_text(
        site.replace("  - name: demo-cam-01\n", "  - name: demo-cam-01\n  - name: demo-cam-02\n")
    )
    out = tmp_path / "out"
    env = {**os.environ, "ALLURE_BIN": allure_mod.find_allure() or ""}
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "demo", "--out", str(out), "--site", str(two)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert (out / "allure-report" / "index.html").is_file(), proc.stdout + proc.stderr
    summary, cases, _ = _shown(out / "allure-report" / "index.html")
    titles = _profile_titles()
    assert summary["statistic"]["total"] == 2 * len(titles) == len(cases)
    assert sorted(c["name"] for c in cases) == sorted(
        f"{i} {t} — {d}" for i, t in titles.items() for d in ("demo-cam-01", "demo-cam-02")
    )
    assert summary["reportName"].startswith("CONFORMS — ")
