"""The reports as the demo writes them: complete, offline, comparable across two suppliers."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from reports.allure import INSTALL_HINT
from reports.offline import scan_file


def test_demo_without_allure_says_how_to_install(demo_runs: dict[str, Path]) -> None:
    """No Allure tool: one clear line, and every other report is still written."""
    output = (demo_runs["good"] / "demo-output.txt").read_text(encoding="utf-8")
    assert output.count(INSTALL_HINT) == 1
    for name in ("results.json", "compliance.html", "compliance.csv", "junit.xml"):
        assert (demo_runs["good"] / name).is_file(), name
    assert not (demo_runs["good"] / "allure-report").exists()


def test_statement_has_every_section(demo_runs: dict[str, Path]) -> None:
    page = (demo_runs["persona"] / "compliance.html").read_text(encoding="utf-8")
    for heading in (
        "Why: 1 root cause",
        "Scope:",
        "What the verdict and outcomes mean",
        "Summary by domain",
        "Contradictions between claims",
        "Supplier declaration",
        "Claims against measurements",
        "Streams and exports",
        "Requirement matrix",
        "Limitations and measurement tolerances",
        "Evidence manifest",
    ):
        assert heading in page, heading
    assert "Firmware reported by the device" in page and "demo-cam-01: 1.0.0" in page
    assert "claimed vs measured frame rate" in page  # the persona's contradiction
    assert "fps_tolerance_pct" in page and "max_clock_skew_s" in page
    assert "declared, not verified" in page and "evidenced" in page
    assert page.count("class='chart fps'") >= 2  # UDP and TCP captures
    assert "src='data:image/png;base64," in page  # thumbnails travel with the page
    assert "class='st-ok'" in page and "st-changed" not in page.split("<table class=manifest>")[1]
    results = json.loads((demo_runs["persona"] / "results.json").read_text(encoding="utf-8"))
    for row in results["devices"][0]["requirements"]:
        assert f"id='demo-cam-01-{row['id']}'" in page
        for f in row["evidence"]:
            assert f["sha256"] in page


def test_pages_load_nothing_from_the_network(demo_runs: dict[str, Path], tmp_path: Path) -> None:
    from reports.compare import write_compare

    html_path, _ = write_compare(list(demo_runs.values()), tmp_path / "cmp")
    for path in (demo_runs["good"] / "compliance.html", demo_runs["persona"] / "compliance.html"):
        assert scan_file(path) == [], path
    assert scan_file(html_path) == []


def test_compare_two_personas(demo_runs: dict[str, Path], tmp_path: Path) -> None:
    """The CLI builds the comparison; the persona's broken requirement is the highlighted row."""
    out = tmp_path / "compare"
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "compare", *map(str, demo_runs.values())]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert "class='req diff' id='STREAM-FPS-01'" in page
    assert page.count("class='req diff'") == 1
    # Relative links into each supplier's folder: the page works wherever the folders go.
    assert "/good/compliance.html#demo-cam-01-STREAM-FPS-01'" in page
    assert "href='/" not in page and "file:" not in page
    with (out / "compare.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["requirement"]: r for r in csv.DictReader(handle)}
    assert rows["STREAM-FPS-01"]["differs"] == "yes"
    assert rows["ONVIF-DEV-TIME-01"]["differs"] == "no"


def test_compare_bad_folder_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "compare", str(tmp_path), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "results.json" in proc.stderr and "Traceback" not in proc.stderr
