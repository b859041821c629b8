"""``cctv-conformance merge``: per-site results into one estate result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.errors import InputError
from conformance.merge import merge_results


def _row(req_id: str, outcome: str, evidence: str | None = None) -> dict:
    files = [{"name": "x", "path": evidence, "sha256": "0" * 64, "media_type": "text/plain"}]
    return {
        "id": req_id,
        "title": req_id,
        "domain": "device",
        "level": "mandatory",
        "safety": "passive",
        "parameters": {},
        "source": {"spec": "s", "clause": "c"},
        "onvif_tests": [],
        "outcome": outcome,
        "cause": "passed" if outcome == "pass" else "device_fault",
        "reason": "",
        "claimed": {},
        "measured": {},
        "expected": {},
        "evidence": files if evidence else [],
        "tests": [],
    }


def _results(folder: Path, device: str, outcome: str, digest: str = "d1") -> Path:
    folder.mkdir(parents=True)
    evidence = f"evidence/{device}/REQ-A-01/01-x.txt"
    (folder / evidence).parent.mkdir(parents=True)
    (folder / evidence).write_text("transcript")
    data = {
        "schema": "cctv-conformance/results/1",
        "suite": {"name": "cctv-conformance", "version": "0"},
        "profile": {"id": "p", "version": "1", "title": "P", "digest": digest},
        "mode": "passive",
        "target": {"supplier": f"Council {device}", "product": "cams"},
        "started": "2026-11-29T10:00:00Z",
        "finished": "2026-11-29T10:05:00Z",
        "verdict": "conforms" if outcome == "pass" else "does_not_conform",
        "verdict_meaning": "",
        "counts": {outcome: 1},
        "devices": [
            {
                "name": device,
                "onvif": "http://127.0.0.1/",
                "verdict": "",
                "verdict_meaning": "",
                "requirements": [_row("REQ-A-01", outcome, evidence)],
            }
        ],
    }
    (folder / "results.json").write_text(json.dumps(data))
    return folder


def test_merge_combines_devices_and_recomputes_verdict(tmp_path: Path) -> None:
    north = _results(tmp_path / "north", "north-cam-01", "pass")
    south = _results(tmp_path / "south", "south-cam-01", "fail")
    merged = merge_results([north, south], tmp_path / "estate")
    assert [d["name"] for d in merged["devices"]] == ["north-cam-01", "south-cam-01"]
    assert merged["verdict"] == "does_not_conform"
    assert merged["counts"] == {"pass": 1, "fail": 1}
    on_disk = json.loads((tmp_path / "estate" / "results.json").read_text())
    assert on_disk["verdict"] == "does_not_conform"
    for device in merged["devices"]:
        for row in device["requirements"]:
            for f in row["evidence"]:
                assert (tmp_path / "estate" / f["path"]).read_text() == "transcript"


def test_merge_keeps_each_devices_site(tmp_path: Path) -> None:
    """A device's authority (`site`) survives the merge, so the estate result still groups."""
    north = _results(tmp_path / "north", "north-cam-01", "pass")
    data = json.loads((north / "results.json").read_text())
    data["devices"][0]["site"] = "northbridge"
    (north / "results.json").write_text(json.dumps(data))
    south = _results(tmp_path / "south", "south-cam-01", "pass")
    merged = merge_results([north, south], tmp_path / "estate")
    on_disk = json.loads((tmp_path / "estate" / "results.json").read_text())
    for document in (merged, on_disk):
        assert {d["name"]: d.get("site") for d in document["devices"]} == {
            "north-cam-01": "northbridge",
            "south-cam-01": None,
        }


def test_merge_refuses_different_profile_content(tmp_path: Path) -> None:
    a = _results(tmp_path / "a", "cam-a", "pass", digest="d1")
    b = _results(tmp_path / "b", "cam-b", "pass", digest="d2")
    with pytest.raises(InputError) as caught:
        merge_results([a, b], tmp_path / "out")
    assert "profile.digest" in str(caught.value) and str(b) in str(caught.value)


def test_merge_refuses_duplicate_devices(tmp_path: Path) -> None:
    a = _results(tmp_path / "a", "cam", "pass")
    b = _results(tmp_path / "b", "cam", "pass")
    with pytest.raises(InputError, match="appears in more than one run"):
        merge_results([a, b], tmp_path / "out")


def test_merge_cli_bad_folder_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "merge",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert f"{tmp_path / 'none'}: no such folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_merge_cli_writes_compliance(tmp_path: Path) -> None:
    north = _results(tmp_path / "north", "north-cam-01", "pass")
    south = _results(tmp_path / "south", "south-cam-01", "pass")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "merge",
            str(north),
            str(south),
            "--out",
            str(tmp_path / "estate"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "estate" / "compliance.html").read_text()
    assert "north-cam-01" in html and "south-cam-01" in html
