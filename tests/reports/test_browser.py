"""The reports as a person sees them: opened, screenshotted and printed by headless Chromium.

Skipped (with the reason) where Chromium is missing; CI installs it (.ci/run). Screenshots are
kept under the test's tmp dir and copied to out-tests/screenshots/ (gitignored) so a person can
look at them after the run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.compare import write_compare
from reports.pdf import FLAGS  # the flags the reports are printed with: offline, no first-run

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out-tests" / "screenshots"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)"
)


def _browse(tmp: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    profile = tmp / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def pages(demo_runs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("compare")
    compare, _ = write_compare([demo_runs["good"], demo_runs["persona"]], out)
    return {"compliance": demo_runs["persona"] / "compliance.html", "compare": compare}


@pytest.mark.parametrize("name", ["compliance", "compare"])
def test_screenshot(name: str, pages: dict[str, Path], tmp_path: Path) -> None:
    png = tmp_path / f"{name}.png"
    proc = _browse(tmp_path, f"--screenshot={png}", "--window-size=1280,2000", pages[name].as_uri())
    assert png.is_file() and png.stat().st_size > 20_000, proc.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy2(png, SCREENSHOTS / png.name)


def test_compliance_dom(pages: dict[str, Path], tmp_path: Path) -> None:
    """The verdict, every matrix row, the charts and the thumbnails survive rendering."""
    dom = _browse(tmp_path, "--dump-dom", pages["compliance"].as_uri()).stdout.decode()
    assert re.search(r"<span id=\"verdict\" class=\"verdict v-does_not_conform\">", dom)
    assert len(re.findall(r'<tr id="demo-cam-01-[A-Z0-9-]+" class="req', dom)) >= 20
    assert dom.count('<svg class="chart"') == 1  # outcome bars by domain
    assert dom.count('class="chart fps"') >= 2
    assert 'class="thumb" src="data:image/png;base64,' in dom


def test_compare_dom_and_filters(pages: dict[str, Path], tmp_path: Path) -> None:
    """The inline filter script ran (form shown) and the differing row is highlighted."""
    dom = _browse(tmp_path, "--dump-dom", pages["compare"].as_uri()).stdout.decode()
    assert '<form id="filters">' in dom  # "hidden" removed by the script: it ran
    assert 'class="req diff" id="STREAM-FPS-01"' in dom
    assert len(re.findall(r'<tr class="req', dom)) >= 20


@pytest.mark.parametrize(("name", "most"), [("compliance", 40), ("compare", 10)])
def test_prints_to_a_sane_number_of_a4_pages(
    name: str, most: int, pages: dict[str, Path], tmp_path: Path
) -> None:
    pdf = tmp_path / f"{name}.pdf"
    proc = _browse(
        tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", pages[name].as_uri()
    )
    assert pdf.is_file(), proc.stderr[-2000:]
    data = pdf.read_bytes()
    pages_count = len(re.findall(rb"/Type\s*/Page\b", data))
    assert 1 <= pages_count <= most, pages_count
    # A4 is 595 x 842 points.
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+59[45](?:\.\d+)?\s+84[12]", data)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pdf, SCREENSHOTS / pdf.name)
