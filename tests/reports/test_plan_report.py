"""The interoperability plan's pages (reports/plan.py) from a realistic plan dict.

The plan comes from tests/reports/plan_sample.py: three options (one without evidence), three
authorities, twelve cameras in every status, with verdict and matrix-cell hrefs pointing at real
files beside the plan folder. The page must link every verdict and cell a camera's statement rests
on (and those files must exist relative to plan.html), show the dict's counts and shares, give an
option without evidence its reason and no score, load nothing, and escape what the inventory says.
In headless Chromium at 1440x900 the recommendation and the options table's header must be on the
first screen with no horizontal overflow; the PDF must carry the running header and "Page N of
M" on every page. Browser and PDF tests are skipped (with the reason) without Chromium/poppler.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from plan_sample import INJECTED, sample_plan
from test_browser import CHROMIUM, _browse

from reports.offline import external_loads
from reports.pdf import INSTALL_HINT, NO_PDF_ENV
from reports.plan import plan_header, render_plan, write_plan_reports
from reports.plan_csv import CSV_COLUMNS
from reports.plan_options import recommendation_sentence
from reports.plan_parts import (
    STATUS_ORDER,
    assessable_share_text,
    is_assessable,
    link,
    num,
    safe_href,
    status_label,
)

POPPLER = all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext"))
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)"
)
FOLD = 900


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The sample plan written as the planner will (PDF on, even where tox turns it off)."""
    root = tmp_path_factory.mktemp("plan")
    plan = sample_plan(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(NO_PDF_ENV, raising=False)
        write_plan_reports(plan, root / "plan")
    return plan, root / "plan"


def _page(written: tuple[dict[str, Any], Path]) -> str:
    return (written[1] / "plan.html").read_text(encoding="utf-8")


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _rows(table_html: str) -> list[list[str]]:
    """Each row of a table as the text of its cells (th and td)."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, re.S)
    return [[_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


def _table(page: str, table_id: str) -> str:
    match = re.search(rf"<table class=options id={table_id}>(.*?)</table>", page, re.S)
    assert match, table_id
    return match.group(1)


def _assessable(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in plan["options"] if is_assessable(o)]


def test_writes_html_csv_and_pdf(written: tuple[dict[str, Any], Path]) -> None:
    out = written[1]
    assert (out / "plan.html").is_file() and (out / "plan.csv").is_file()
    if CHROMIUM:
        assert (out / "plan.pdf").read_bytes()[:5] == b"%PDF-"
        assert not list(out.glob(".*.print.html")), "the print copy is left behind"


def test_every_camera_links_each_verdict_and_cell_it_rests_on(
    written: tuple[dict[str, Any], Path],
) -> None:
    plan, out = written
    page = _page(written)
    checked = 0
    for option in _assessable(plan):
        table = page.split(f"<table class=cameras id='cameras-{option['id']}'>", 1)[1]
        table = table.split("</table>", 1)[0]
        rows = table.split("<tr class=camera")[1:]
        assert len(rows) == len(option["cameras"])
        for camera, row in zip(option["cameras"], rows, strict=True):
            assert f"<td><b>{html.escape(camera['camera'])}</b>" in row
            hrefs = {html.unescape(h) for h in re.findall(r"href='([^']*)'", row)}
            wanted = {v["href"] for v in camera["verdicts"]} | {c["href"] for c in camera["cells"]}
            assert wanted <= hrefs, (camera["camera"], wanted - hrefs)
            for v in camera["verdicts"]:  # labelled with the requirement ID
                assert f"<a href='{html.escape(v['href'])}'><code class=rid>" in row
                assert f">{v['requirement']}</code></a>" in row
            for c in camera["cells"]:
                assert f"{c['vms']} · {c['camera']} {c['stage']}</a>" in row
            for href in hrefs:
                assert (out / href).resolve().is_file(), (camera["camera"], href)
            checked += len(wanted)
    assert checked > 40  # the sample's cameras rest on verdicts and cells


def test_evidence_used_links_each_results_folder(written: tuple[dict[str, Any], Path]) -> None:
    plan, out = written
    section = _page(written).split("<h2 id=evidence>", 1)[1]
    for ev in plan["evidence"]:
        assert f"<a href='{ev['href']}'>compliance statement</a>" in section
        assert (out / ev["href"]).resolve().is_file()


def test_recommendation_sentence_first(written: tuple[dict[str, Any], Path]) -> None:
    plan = written[0]
    page = _page(written)
    sentence = (
        "Recommended: Simulated VMS — 6 of 12 cameras work end to end, 2 after a change, "
        "1 need replacement, 3 unknown; disruption score 20.5"
    )
    assert recommendation_sentence(plan) == sentence
    assert f"<p id=recommendation>{html.escape(sentence)}</p>" in page
    order = [page.index(m) for m in ("id=recommendation", "id=options", "id=test-next")]
    order += [page.index(m) for m in ("id=per-authority", "id=order-of-work", "id=per-camera")]
    assert order == sorted(order)


def test_counts_share_and_disruption_equal_the_dict(written: tuple[dict[str, Any], Path]) -> None:
    plan = written[0]
    rows = {r[0]: r[1:] for r in _rows(_table(_page(written), "options"))}
    options = _assessable(plan)
    for i, option in enumerate(options):
        for status in STATUS_ORDER:
            assert rows[status_label(status)][i] == str(option["counts"][status])
        percent = round(option["assessable_share"] * 100)
        share = f"{option['assessable']} of 12 cameras assessable ({percent} %)"
        assert rows["Assessable"][i] == share == assessable_share_text(option)
        d = option["disruption"]
        assert rows["Site visits"][i] == str(d["site_visits"])
        assert rows["Camera-hours dark"][i] == num(d["camera_hours_dark"])
        assert rows["Disruption score"][i].startswith(f"{d['score']:g} = 5 x ")
        assert rows["Rank"][i] == f"#{option['rank']}"
    assert rows["Replacement budget"][1] == "over budget : 3 replacements, budget 2"
    assert rows["Replacement budget"][0] == "within budget (1 of 2 replacements)"
    assert rows["What it loses"][1].startswith("lost PTZ control: 2 cameras")
    page = _page(written)
    assert "score = site_visit x visits + replacement x replacements + reconfiguration x " in page
    assert "Weights: site_visit 5, replacement 10, reconfiguration 1, camera_hour_dark 0.5" in page


def test_per_authority_counts(written: tuple[dict[str, Any], Path]) -> None:
    plan = written[0]
    page = _page(written)
    for authority in plan["options"][0]["authorities"]:
        part = page.split(f"<h3 id='authority-{authority['id']}'>", 1)[1].split("</table>", 1)[0]
        assert html.escape(authority["name"]) in part
        rows = {r[0]: r[1:] for r in _rows(part)}
        for i, option in enumerate(_assessable(plan)):
            mine = next(a for a in option["authorities"] if a["id"] == authority["id"])
            assert rows["Cameras"][i] == str(mine["counts"]["total"])
            assert rows[status_label("works")][i] == str(mine["counts"]["works"])


def test_not_assessable_option_shows_its_reason_and_no_score(
    written: tuple[dict[str, Any], Path],
) -> None:
    plan = written[0]
    federation = plan["options"][2]
    table = _table(_page(written), "options")
    rows = {r[0]: r[1:] for r in _rows(table)}
    reason = federation["not_assessable_reason"]
    assert rows["Rank"][-1].startswith(f"not assessable: {reason} Test that would assess it:")
    assert federation["test"] in rows["Rank"][-1]
    # Its cell spans every row: no score, count or budget of its own.
    assert len(rows["Disruption score"]) == len(rows["Site visits"]) == 2
    assert f"rowspan={len(rows) - 1}" in table  # every row but the heading
    assert f"{federation['label']}: not assessable</summary>" in _page(written)


def test_order_of_work_and_test_next(written: tuple[dict[str, Any], Path]) -> None:
    plan = written[0]
    page = _page(written)
    work = page.split("<h2 id=order-of-work>", 1)[1].split("<h2", 1)[0]
    assert "<h3>Simulated VMS (recommended)</h3><table class=work id='work-fake-vms'>" in work
    assert "<details class=option><summary>ZoneMinder (Debian)</summary>" in work
    assert "Keep local VMSs" not in work
    nxt = page.split("<h2 id=test-next>", 1)[1].split("<h2", 1)[0]
    for row in plan["test_next"]:
        assert html.escape(row["test"]) in nxt
    assert "Simulated VMS: 2" in _text(nxt) and "ZoneMinder (Debian): 2" in _text(nxt)


def test_page_loads_nothing_and_escapes_the_inventory(written: tuple[dict[str, Any], Path]) -> None:
    page = _page(written)
    assert external_loads(page) == []
    assert "Content-Security-Policy" in page and "<script" not in page
    assert "<b>car park</b>" not in page and "&lt;b&gt;car park&lt;/b&gt;" in page
    assert "Eastvale District &lt;Council&gt; &amp; Partners" in page
    assert "<h1>Interoperability plan: three-authorities &lt;test&gt;</h1>" in page
    for warning in written[0]["warnings"]:
        assert f"<li>{html.escape(warning)}</li>" in page


def test_csv_one_row_per_option_and_camera(written: tuple[dict[str, Any], Path]) -> None:
    plan, out = written
    with (out / "plan.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == CSV_COLUMNS
    assessable = _assessable(plan)
    assert len(rows) == sum(len(o["cameras"]) for o in assessable) + 1
    for option in assessable:
        mine = [r for r in rows if r["option"] == option["id"]]
        assert [r["status"] for r in mine] == [c["status"] for c in option["cameras"]]
        assert {r["rank"] for r in mine} == {str(option["rank"])}
    injected = [r for r in rows if "SUM(1,2)" in r["camera"]]
    assert len(injected) == 2 and all(r["camera"] == "'" + INJECTED for r in injected)
    (federation,) = [r for r in rows if r["option"] == "federation"]
    assert federation["status"] == "not assessable"
    assert federation["summary"].startswith("not assessable: no evidence: no vms-ingest")
    changed = next(r for r in rows if r["status"] == "needs_change")
    assert changed["changes"] == "set NTP; upgrade firmware"
    assert changed["change_requirements"] == "ONVIF-DEV-TIME-02 STREAM-FORMAT-01 ONVIF-MEDIA-ENC-01"
    assert "fake-vms · h264-1080p25: connect pass" in changed["matrix_cells"]


def test_links_only_to_relative_paths() -> None:
    assert safe_href("../estate/compliance.html") == "../estate/compliance.html"
    for bad in ("javascript:alert(1)", "https://example.org/x", "//host/x", "file:///etc"):
        assert safe_href(bad) == ""
        assert link(bad, "x") == "x"


def test_no_recommendation_and_the_assessable_flag(tmp_path: Path) -> None:
    plan = sample_plan(tmp_path)
    plan["recommended"] = None
    assert recommendation_sentence(plan).startswith("No recommendation")
    assert "<p id=recommendation class=none>" in render_plan(plan)
    for option in plan["options"][:2]:
        option["assessable"] = True  # the flag where the note also puts the count
        option.pop("assessable_share")
        known = option["counts"]["total"] - option["counts"]["unknown"]
        assert assessable_share_text(option) == f"{known} of 12 cameras assessable (75 %)"
        option["not_assessable_reason"] = "no evidence"
    assert "no option could be assessed" in recommendation_sentence(plan)
    assert "not assessable: no evidence" in render_plan(plan)
    assert plan_header(plan).right.startswith("No recommendation")


def test_pdf_skipped_in_one_line_without_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = sample_plan(tmp_path)
    monkeypatch.delenv(NO_PDF_ENV, raising=False)
    monkeypatch.setenv("CHROMIUM_BIN", "")
    paths = write_plan_reports(plan, tmp_path / "plan")
    assert [p.name for p in paths] == ["plan.html", "plan.csv"]
    assert capsys.readouterr().err.splitlines() == [
        f"cctv-conformance: PDF not written: {INSTALL_HINT}"
    ]
    monkeypatch.setenv(NO_PDF_ENV, "1")  # harnesses: silently none
    monkeypatch.delenv("CHROMIUM_BIN")
    assert len(write_plan_reports(plan, tmp_path / "plan")) == 2
    assert capsys.readouterr().err == ""


# Marks the first screen's elements, then opens every <details> and records the overflow.
PROBE = (
    "<script>for (const el of document.querySelectorAll('#recommendation, #options thead th')) {"
    "const r = el.getBoundingClientRect();"
    f"el.setAttribute('data-fold', r.bottom <= {FOLD} && r.height > 0 ? 'above' : 'below');"
    "}"
    "document.querySelectorAll('details').forEach(d => d.open = true);"
    "const de = document.documentElement;"
    "document.body.setAttribute('data-overflow', String(de.scrollWidth - de.clientWidth));"
    "</script>"
)


@needs_chromium
def test_first_screen_at_1440x900(written: tuple[dict[str, Any], Path], tmp_path: Path) -> None:
    out = written[1]
    probe = out / "plan-first-screen-probe.html"  # beside plan.html: the same relative links
    probe.write_text(_page(written).replace("</body>", PROBE + "</body>"), encoding="utf-8")
    try:
        proc = _browse(tmp_path, "--window-size=1440,900", "--dump-dom", probe.as_uri())
    finally:
        probe.unlink()
    dom = proc.stdout.decode()
    assert "data-overflow=" in dom, proc.stderr.decode()[-2000:]
    assert re.search(r'<p id="recommendation" data-fold="above">Recommended: Simulated VMS', dom)
    heads = re.findall(r'<th class="opt[^"]*" data-fold="(\w+)"', dom)
    assert heads == ["above"] * 3, heads
    assert re.search(r'<th data-fold="above">Option</th>', dom)
    overflow = int(re.search(r'data-overflow="(-?\d+)"', dom).group(1))
    assert overflow <= 0, f"{overflow} px wider than a 1440 px window"


@needs_chromium
@pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")
def test_pdf_header_and_page_n_of_m_on_every_page(written: tuple[dict[str, Any], Path]) -> None:
    plan, out = written
    pdf = out / "plan.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    total = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    assert total >= 1
    header = plan_header(plan)
    for n in range(1, total + 1):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        text = " ".join(text.split())
        assert header.left in text, (n, text[:300])
        assert "Recommended: Simulated VMS" in text, n
        assert f"Page {n} of {total}" in text, n
    whole = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for rid in ("ONVIF-DEV-TIME-02", "STREAM-FORMAT-01", "ONVIF-MEDIA-ENC-01", "VMS-CONNECT-01"):
        assert rid in whole, f"{rid} split or missing in plan.pdf"
