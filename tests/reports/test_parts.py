"""The report parts on their own: charts, claims, manifest, offline scanner, comparison, Allure.

Fast, no network, no simulator. Values that a device or supplier controls carry markup to prove
every page escapes them.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from reports import allure as allure_mod
from reports.charts import coverage_chart, fps_chart, fps_series, outcome_bars
from reports.claims import CONTRADICTED, DECLARED, EVIDENCED, contradictions, declaration_findings
from reports.compare import load_columns, render_compare
from reports.evidence import manifest, thumbnail_data_uri
from reports.offline import external_loads

INJECTED = "<script>alert('pwn')</script>"


def _row(req_id: str, outcome: str, domain: str = "streaming", **extra: Any) -> dict[str, Any]:
    return {
        "id": req_id,
        "title": f"Title {req_id}",
        "domain": domain,
        "level": "mandatory",
        "parameters": {},
        "source": {"spec": "Spec", "clause": "1", "url": "https://example.org/spec"},
        "outcome": outcome,
        "cause": "passed" if outcome == "pass" else "device_fault",
        "reason": "",
        "claimed": {},
        "measured": {},
        "expected": {},
        "evidence": [],
        "tests": [],
        **extra,
    }


def _results(rows: list[dict[str, Any]], supplier: str = "Acme") -> dict[str, Any]:
    return {
        "schema": "cctv-conformance/results/1",
        "suite": {"version": "0.1.0"},
        "profile": {"id": "p", "version": "1", "title": "P", "digest": "ab" * 32},
        "mode": "passive",
        "started": "2025-01-01T00:00:00Z",
        "finished": "2025-01-01T00:01:00Z",
        "verdict": "does_not_conform",
        "verdict_meaning": "m",
        "target": {
            "supplier": supplier,
            "product": "Cam",
            "firmware": "2.0",
            "claims": {"frame_rates": [25], "codecs": ["H264"], "features": ["snapshot"]},
            "declaration": {"maturity": INJECTED, "interoperability": "ONVIF"},
        },
        "devices": [
            {
                "name": "cam-1",
                "onvif": "http://127.0.0.1/",
                "verdict": "does_not_conform",
                "verdict_meaning": "m",
                "notes": [],
                "requirements": rows,
            }
        ],
    }


ROWS = [
    _row(
        "ONVIF-DEV-INFO-01",
        "pass",
        "device",
        measured={"identity": {"FirmwareVersion": "1.9 " + INJECTED}},
    ),
    _row(
        "ONVIF-DISC-CLAIMS-01",
        "fail",
        "discovery",
        measured={"contradictions": [f"snapshot: claimed {INJECTED}"]},
    ),
    _row("STREAM-FPS-01", "fail", measured={"fps_rtp": 12.5}, parameters={"fps_tolerance_pct": 10}),
    _row("STREAM-FORMAT-01", "pass", measured={"codec": "H264", "resolution": "1280x720"}),
    _row("ONVIF-MEDIA-SNAP-01", "pass", "media"),
]


# -- charts -------------------------------------------------------------------------------------
def test_fps_series_shows_a_stall() -> None:
    arrivals = [i * 40 for i in range(25)] + [2000 + i * 40 for i in range(25)]  # 1 s stall
    rates = [fps for _, fps in fps_series(arrivals)]
    assert rates[0] == pytest.approx(26, abs=1) and min(rates) == 0


def test_charts_escape_labels_and_draw_expectations() -> None:
    svg = outcome_bars({INJECTED: {"pass": 3, "fail": 1}})
    assert "<script" not in svg and "&lt;script&gt;" in svg
    chart = fps_chart([i * 80 for i in range(40)], expected_fps=25, tolerance_pct=10)
    assert "expected 25 fps" in chart and "<polyline" in chart
    assert "no frame timings" in fps_chart([])
    cov = coverage_chart((0, 100), [(0, 40), (60, 100)])
    assert "delivered 80.0%" in cov
    assert "delivered 50.0%" in coverage_chart((0, 100), [(0, 50), (10, 40), (-5, 20)])


# -- claims -------------------------------------------------------------------------------------
def test_contradictions_firmware_discovery_and_frame_rate() -> None:
    results = _results(copy.deepcopy(ROWS))
    found = contradictions(results["target"], results["devices"][0])
    subjects = {f.subject for f in found}
    assert subjects == {
        "claimed vs discovered",
        "firmware declared vs reported",
        "claimed vs measured frame rate",
    }
    assert all(f.status == CONTRADICTED for f in found)


def test_declaration_statuses() -> None:
    results = _results(copy.deepcopy(ROWS))
    found = {f.subject: f for f in declaration_findings(results["target"]["declaration"], {})}
    assert found["How mature it is"].status == DECLARED
    good = [_row("ONVIF-DEV-TIME-01", "pass", "device"), _row("STREAM-RTSP-TCP-01", "pass")]
    backed = declaration_findings({"interoperability": "x"}, {"requirements": good})[0]
    assert backed.status.startswith(EVIDENCED) and backed.requirements


def test_statement_escapes_everything(tmp_path: Path) -> None:
    from reports.compliance import render_compliance

    page = render_compliance(_results(copy.deepcopy(ROWS), supplier=INJECTED), tmp_path)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert external_loads(page) == []


# -- evidence -----------------------------------------------------------------------------------
def test_manifest_ok_changed_missing_and_no_escape(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    sha_a = hashlib.sha256(b"a").hexdigest()
    rows = [
        _row(
            "X-1",
            "pass",
            evidence=[
                {"name": "a", "path": "a.txt", "sha256": sha_a},
                {"name": "b", "path": "b.txt", "sha256": "0" * 64},
                {"name": "c", "path": "c.txt", "sha256": "1" * 64},
                {"name": "d", "path": "../../etc/passwd", "sha256": "2" * 64},
            ],
        )
    ]
    status = {e["path"]: e["status"] for e in manifest(_results(rows), tmp_path)}
    assert status == {
        "a.txt": "ok",
        "b.txt": "changed",
        "c.txt": "missing",
        "../../etc/passwd": "missing",
    }
    assert thumbnail_data_uri(tmp_path, "../../etc/passwd") is None


# -- offline scanner ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "html",
    [
        "<script src='https://cdn.example.com/x.js'></script>",
        '<link rel=stylesheet href="//fonts.example.com/a.css">',
        "<style>body{background:url(https://x.example/b.png)}</style>",
        "<style>@import 'https://x.example/c.css';</style>",
        "<img src=http://x.example/p.gif>",
        "<script>var s=document.createElement('script');s.src='https://t.example/a.js'</script>",
        "<script>fetch('https://t.example/beacon')</script>",
        "<script src='data:text/javascript;base64,"
        + base64.b64encode(b"gtag('config','G-X')").decode()
        + "'></script>",
    ],
)
def test_scanner_catches_loads(html: str) -> None:
    assert external_loads(html)


def test_scanner_allows_plain_links_and_svg_namespace() -> None:
    page = (
        "<a href='https://github.com/onvif/specs'>spec</a>"
        "<svg xmlns='http://www.w3.org/2000/svg'></svg><img src='data:image/png;base64,AAAA'>"
    )
    assert external_loads(page) == []


# -- comparison ---------------------------------------------------------------------------------
def _folder(root: Path, name: str, rows: list[dict[str, Any]], supplier: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps(_results(rows, supplier)))
    return folder


def test_compare_escapes_and_highlights(tmp_path: Path) -> None:
    a = _folder(tmp_path, "a", copy.deepcopy(ROWS), INJECTED)
    other = copy.deepcopy(ROWS)
    other[2]["outcome"] = "pass"
    b = _folder(tmp_path, "b", other, "Other Ltd")
    out = tmp_path / "cmp"
    page = render_compare(load_columns([a, b]), out)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert page.count("class='req diff'") == 1 and "id='STREAM-FPS-01'" in page
    assert f"href='{os.path.join('..', 'a', 'compliance.html')}#cam-1-STREAM-FPS-01'" in page
    assert external_loads(page) == []


# -- Allure -------------------------------------------------------------------------------------
def _allure_results(root: Path) -> Path:
    alluredir = root / "allure-results"
    alluredir.mkdir(parents=True)
    base = {
        "fullName": "streaming.test_live#test_fps",
        "labels": [{"name": "requirement", "value": "STREAM-FPS-01"}],
        "parameters": [
            {"name": "device", "value": "<conformance.dut.DeviceUnderTest object at 0x7f>"}
        ],
        "start": 1,
        "stop": 2,
    }
    for i, (status, message) in enumerate(
        [("failed", "AssertionError: 12.5 fps"), ("passed", None)]
    ):
        data = {**copy.deepcopy(base), "uuid": f"u{i}", "name": "test_fps[cam-1]", "status": status}
        if message:
            data["statusDetails"] = {"message": message}
        (alluredir / f"u{i}-result.json").write_text(json.dumps(data))
    return alluredir


def test_allure_annotation_and_categories(tmp_path: Path) -> None:
    alluredir = _allure_results(tmp_path)
    results = _results(copy.deepcopy(ROWS))
    assert allure_mod.annotate(alluredir, results) == 2
    allure_mod.annotate(alluredir, results)  # idempotent
    failed = json.loads((alluredir / "u0-result.json").read_text())
    assert failed["statusDetails"]["message"] == (
        "[cause: device_fault | domain: streaming | STREAM-FPS-01] AssertionError: 12.5 fps"
    )
    assert failed["parameters"][0]["value"] == "cam-1"
    assert (
        failed["historyId"] == json.loads((alluredir / "u1-result.json").read_text())["historyId"]
    )
    cats = allure_mod.categories(results)
    message = failed["statusDetails"]["message"]
    first = next(
        c for c in cats if "messageRegex" in c and re.fullmatch(c["messageRegex"], message)
    )  # Allure uses the first category that matches
    assert first["name"] == "Device fault (does not meet the requirement) — streaming"
    assert first["matchedStatuses"] == ["failed"]
    assert any(c["name"].startswith("Unreachable or timed out") for c in cats)
    assert any(c["name"].startswith("Suite error") for c in cats)


def test_allure_absent_prints_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ALLURE_BIN", str(tmp_path / "none"))
    _allure_results(tmp_path)
    assert allure_mod.build_allure_report(tmp_path, _results(copy.deepcopy(ROWS))) is None
    assert capsys.readouterr().out.strip() == allure_mod.INSTALL_HINT
    assert (tmp_path / "allure-results" / "categories.json").is_file()


def test_harness_can_skip_the_allure_report(tmp_path: Path, capsys, monkeypatch) -> None:
    """The self-test judges results.json only: with CCTV_NO_ALLURE_REPORT its runs start no
    Allure process (not even the binary asked for) and print nothing."""
    calls = tmp_path / "allure-called"
    fake = tmp_path / "allure"
    fake.write_text(f"#!/bin/sh\ntouch {calls}\n")
    fake.chmod(0o755)
    monkeypatch.setenv(allure_mod.NO_REPORT_ENV, "1")
    _allure_results(tmp_path)
    results = _results(copy.deepcopy(ROWS))
    assert allure_mod.build_allure_report(tmp_path, results, allure_bin=str(fake)) is None
    assert capsys.readouterr().out == "" and not calls.exists()
    assert not (tmp_path / "allure-report").exists()


@pytest.mark.skipif(allure_mod.find_allure() is None, reason=allure_mod.INSTALL_HINT)
def test_allure_single_file_offline_with_history(tmp_path: Path) -> None:
    _allure_results(tmp_path)
    previous = tmp_path / "previous-history"
    previous.mkdir()
    (previous / "history-trend.json").write_text(
        json.dumps([{"buildOrder": 1, "data": {"failed": 0, "passed": 2, "total": 2}}])
    )
    index = allure_mod.build_allure_report(
        tmp_path, _results(copy.deepcopy(ROWS)), history=previous
    )
    assert index is not None and sorted(p.name for p in index.parent.iterdir()) == [
        "history",
        "index.html",
    ]
    assert external_loads(index.read_text(encoding="utf-8")) == []
    trend = json.loads((index.parent / "history" / "history-trend.json").read_text())
    assert len(trend) == 2  # this run plus the one before
