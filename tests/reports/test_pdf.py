"""The PDFs as a tender file holds them: written by `demo` and `compare`, read back with poppler.

Every printed page must say whose device it judged and the verdict (a loose sheet of matrix rows
is otherwise worthless), carry "Page N of M", and never split a requirement ID across lines (a
reader searches the PDF for "STREAM-FPS-01"). The one-page summary must stay one page however
many devices and failures a run has. Skipped (with the reason) without Chromium or poppler-utils;
CI installs both (.ci/run).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import audit, cli
from reports.compare import load_columns
from reports.html import VERDICT_LABELS, page
from reports.pdf import (
    INSTALL_HINT,
    NO_PDF_ENV,
    PdfError,
    compare_header,
    compliance_header,
    mark_ids,
    print_pdf,
    write_pdfs,
)
from reports.print_css import RunningHeader, css_string
from reports.summary import cause_lines, render_summary, write_summary

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdftoppm"))
needs_tools = pytest.mark.skipif(
    CHROMIUM is None or not POPPLER,
    reason="needs headless Chromium and poppler-utils (apt-get install -y chromium poppler-utils)",
)


@pytest.fixture(autouse=True)
def _pdfs_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests call the CLI in-process: PDFs on even where tox turns them off."""
    monkeypatch.delenv(NO_PDF_ENV, raising=False)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def _text(pdf: Path, page_no: int | None = None, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if page_no is not None:
        args += ["-f", str(page_no), "-l", str(page_no)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _results(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compare_pdf(demo_runs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """compare.pdf as `cctv-conformance compare` writes it."""
    out = tmp_path_factory.mktemp("compare-pdf")
    folders = [demo_runs["good"], demo_runs["persona"]]
    with pytest.MonkeyPatch.context() as patch:  # module scope: before the autouse fixture
        patch.delenv(NO_PDF_ENV, raising=False)
        assert cli.main(["compare", *map(str, folders), "--out", str(out)]) == 0
    return out / "compare.pdf"


@needs_tools
@pytest.mark.parametrize("run", ["good", "persona"])
def test_demo_writes_the_pdfs(run: str, demo_runs: dict[str, Path]) -> None:
    folder = demo_runs[run]
    output = (folder / "demo-output.txt").read_text(encoding="utf-8")
    assert f"pdf: {folder / 'compliance.pdf'}, {folder / 'summary.pdf'}" in output, output
    assert (folder / "summary.html").is_file()
    for name in ("compliance.pdf", "summary.pdf"):
        assert (folder / name).read_bytes()[:5] == b"%PDF-"
    assert not list(folder.glob(".*.print.html")), "the print copy is left behind"


@needs_tools
@pytest.mark.parametrize("run", ["good", "persona"])
def test_every_page_has_the_header_and_page_n_of_m(run: str, demo_runs: dict[str, Path]) -> None:
    folder = demo_runs[run]
    results = _results(folder)
    verdict = VERDICT_LABELS[results["verdict"]].split(" (")[0]
    pdf = folder / "compliance.pdf"
    total = _pages(pdf)
    # 37 requirements: the statement used to print 15 pages, 7 of them matrix at ~3 rows/page.
    assert 3 <= total <= 12, total
    for n in range(1, total + 1):
        text = " ".join(_text(pdf, n).split())
        assert results["target"]["supplier"] in text, (n, text[:300])
        assert results["target"]["product"] in text, n
        assert verdict in text, n
        assert f"Page {n} of {total}" in text, n


@needs_tools
def test_summary_is_one_page_with_the_verdict(demo_runs: dict[str, Path]) -> None:
    folder = demo_runs["persona"]
    pdf = folder / "summary.pdf"
    assert _pages(pdf) == 1
    text = " ".join(_text(pdf).split())
    results = _results(folder)
    for expected in (
        "Conformance test summary",
        results["target"]["supplier"],
        results["target"]["product"],
        results["profile"]["digest"],
        "Does not conform",
        "STREAM-FPS-01 Fail: Frame rate",  # the root cause, one line
        "Tested by (name, signature)",
        "Page 1 of 1",
    ):
        assert expected in text, expected


@needs_tools
def test_no_requirement_id_is_split(demo_runs: dict[str, Path], compare_pdf: Path) -> None:
    """Every ID of results.json appears whole in the text of the PDFs (layout and raw)."""
    folder = demo_runs["persona"]
    ids = {r["id"] for d in _results(folder)["devices"] for r in d["requirements"]}
    assert len(ids) >= 20
    for pdf in (folder / "compliance.pdf", compare_pdf):
        for layout in (True, False):
            text = _text(pdf, layout=layout)
            missing = sorted(i for i in ids if not re.search(rf"(?<![\w-]){i}(?![\w-])", text))
            assert not missing, (pdf.name, layout, missing)


@needs_tools
def test_compare_pdf_pages_and_header(compare_pdf: Path) -> None:
    total = _pages(compare_pdf)
    assert 1 <= total <= 6, total
    for n in range(1, total + 1):
        text = " ".join(_text(compare_pdf, n).split())
        assert "Supplier comparison: #1 FakeVMS Ltd" in text, n
        assert "#1 Conforms · #2 Does not conform" in text, n
        assert f"Page {n} of {total}" in text, n


@needs_tools
def test_every_page_renders(demo_runs: dict[str, Path], compare_pdf: Path, tmp_path: Path) -> None:
    """pdftoppm draws each page of each PDF (a broken PDF or page fails here)."""
    folder = demo_runs["persona"]
    for pdf in (folder / "compliance.pdf", folder / "summary.pdf", compare_pdf):
        out = tmp_path / pdf.stem
        out.mkdir()
        proc = subprocess.run(
            ["pdftoppm", "-r", "20", "-png", str(pdf), str(out / "p")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
        pngs = sorted(out.glob("p-*.png"))
        assert len(pngs) == _pages(pdf)
        assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


@needs_tools
def test_print_rules_keep_an_id_whole_where_the_page_alone_splits_it(tmp_path: Path) -> None:
    """The control: a narrow cell splits the ID when printed as is; with the print rules not.

    The cell's ID is a bare ``<code>`` in a requirement row (pages that mark it ``code.rid`` keep
    it whole on screen already), and one ID runs through prose."""
    rid = "VMS-EXPORT-EVIDENCE-01"
    cell = f"<code>{rid}</code>"
    body = "<table class=matrix style='width:40mm;table-layout:fixed'>" + (
        f"<tr class=req><td style='width:14mm'>{cell}</td><td>x</td></tr>" * 3 + "</table>"
    )
    body += f"<p style='width:30mm'>Inconclusive, blocked by {rid}.</p>"  # an ID in prose
    html_path = tmp_path / "narrow.html"
    html_path.write_text(page("narrow", body), encoding="utf-8")
    plain = tmp_path / "plain.pdf"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={plain}",
            "--no-pdf-header-footer",
            html_path.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=False,
    )
    assert rid not in _text(plain), "the control no longer splits the ID: make the cell narrower"
    printed = print_pdf(html_path, tmp_path / "printed.pdf", RunningHeader("left", "right"))
    assert _text(printed).count(rid) == 4


def test_ids_in_prose_are_marked_but_never_attributes_scripts_or_svg() -> None:
    marked = mark_ids(
        "<title>STREAM-FPS-01</title><a href='#cam-STREAM-FPS-01'>blocked by STREAM-FPS-01."
        "</a><script>x='ONVIF-DEV-INFO-01'</script><svg><text>EXPORT-PLAY-01</text></svg>"
        "<p>demo-cam-01 SIM-HW-1 <code>VMS-EXPORT-EVIDENCE-01</code></p>"
    )
    assert marked == (
        "<title>STREAM-FPS-01</title><a href='#cam-STREAM-FPS-01'>blocked by "
        "<span class=rid>STREAM-FPS-01</span>.</a><script>x='ONVIF-DEV-INFO-01'</script>"
        "<svg><text>EXPORT-PLAY-01</text></svg><p>demo-cam-01 SIM-HW-1 "
        "<code><span class=rid>VMS-EXPORT-EVIDENCE-01</span></code></p>"
    )


@needs_tools
def test_summary_stays_one_page_for_a_crowded_run(
    demo_runs: dict[str, Path], tmp_path: Path
) -> None:
    """Twelve devices and fifteen distinct failures with long reasons: still one sheet."""
    results = _results(demo_runs["persona"])
    device = results["devices"][0]
    devices = []
    for i in range(12):
        d = copy.deepcopy(device)
        d["name"] = f"camera-{i:02d}-on-a-long-site-name"
        for row in d["requirements"][:15]:
            row["outcome"] = "fail"
            row["reason"] = "a long reason the device gave. " * 12
        devices.append(d)
    results["devices"] = devices
    results["vms"] = {"name": "vms-1", "product": "Some VMS", "version": "9.1", "address": "x"}
    (tmp_path / "results.json").write_text(json.dumps(results), encoding="utf-8")
    summary = write_summary(results, tmp_path)
    pdf = print_pdf(summary, tmp_path / "summary.pdf", compliance_header(results))
    assert _pages(pdf) == 1
    text = " ".join(_text(pdf).split())
    assert "and 4 more device(s)" in text, text
    assert re.search(r"and [56] more: see the compliance statement", text), text
    assert "VMS used for exports vms-1 Some VMS 9.1" in text
    assert "Firmware reported 1.0.0 (12 devices)" in text


def test_without_chromium_one_line_and_the_rest_is_written(
    demo_runs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHROMIUM_BIN", "")
    shutil.copy2(demo_runs["good"] / "compliance.html", tmp_path / "compliance.html")
    shutil.copy2(demo_runs["good"] / "results.json", tmp_path / "results.json")
    audit.write_pdfs(_results(tmp_path), tmp_path)
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        f"cctv-conformance: PDF not written: {INSTALL_HINT}"
    ]
    assert INSTALL_HINT == "headless Chromium not installed (apt-get install -y chromium)"
    assert (tmp_path / "summary.html").is_file()
    assert not list(tmp_path.glob("*.pdf"))
    assert write_pdfs([tmp_path / "summary.html"], RunningHeader("a", "b"))[0] == []


def test_header_text_cannot_break_out_of_the_css_string() -> None:
    """Supplier and product come from the target file: quotes, '<' and newlines are escaped."""
    hostile = 'Acme"; } body{display:none} </style><script>x()</script>\n'
    css = RunningHeader(hostile, "Conforms").css()
    assert "<" not in css and "Acme\\22 ; }" in css
    literal = css_string(hostile)
    assert "<" not in literal and "\n" not in literal and literal.count('"') == 2


def test_compare_header_numbers_columns_like_the_page(demo_runs: dict[str, Path]) -> None:
    columns = load_columns([demo_runs["good"], demo_runs["persona"]])
    header = compare_header(columns)
    assert header.left.startswith("Supplier comparison: #1 FakeVMS Ltd")
    assert header.right == "#1 Conforms · #2 Does not conform"


@needs_tools
def test_an_estate_prints_only_the_summary(
    demo_runs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Above MAX_STATEMENT_DEVICES the statement would be hundreds of pages: one line says so."""
    monkeypatch.setattr("reports.pdf.MAX_STATEMENT_DEVICES", 0)
    shutil.copy2(demo_runs["good"] / "compliance.html", tmp_path / "compliance.html")
    shutil.copy2(demo_runs["good"] / "results.json", tmp_path / "results.json")
    audit.write_pdfs(_results(tmp_path), tmp_path)
    captured = capsys.readouterr()
    assert f"pdf: {tmp_path / 'summary.pdf'}" in captured.out
    assert "compliance.pdf not written: 1 devices would print hundreds" in captured.err
    assert not (tmp_path / "compliance.pdf").exists() and _pages(tmp_path / "summary.pdf") == 1


def test_root_causes_one_line_each() -> None:
    """A fail that blocked others, a blocker outside the profile, and nothing for the symptoms."""

    def row(rid: str, outcome: str, blocked_by: str = "", reason: str = "") -> dict:
        return {
            "id": rid,
            "title": f"title of {rid}",
            "outcome": outcome,
            "reason": reason,
            "blocked_by": blocked_by,
        }

    device = {
        "name": "cam-1",
        "requirements": [
            row("ONVIF-DEV-SVC-01", "fail", reason="ONVIF-DEV-SVC-01: GetServices refused"),
            row("ONVIF-DEV-XADDR-01", "inconclusive", "ONVIF-DEV-SVC-01"),
            row("ONVIF-MEDIA-PROF-01", "inconclusive", "ONVIF-DEV-SVC-01"),
            row("STREAM-SDP-01", "inconclusive", "ONVIF-MEDIA-URI-09"),
            row("STREAM-FPS-01", "pass"),
        ],
    }
    assert cause_lines({"devices": [device, {**device, "name": "cam-2"}]}) == [
        (
            "ONVIF-DEV-SVC-01",
            "Fail: title of ONVIF-DEV-SVC-01 — GetServices refused (blocked 4 other check(s)) "
            "[cam-1, cam-2]",
        ),
        (
            "ONVIF-MEDIA-URI-09",
            "not in this profile, but it blocked checks that are (blocked 2 other check(s)) "
            "[cam-1, cam-2]",
        ),
    ]


def test_summary_escapes_what_the_device_and_target_say(demo_runs: dict[str, Path]) -> None:
    """Supplier, model and reasons come from the target file and the device: shown as text."""
    injected = "<script>alert('pwn')</script>"
    results = copy.deepcopy(_results(demo_runs["persona"]))
    results["target"]["supplier"] = injected
    for row in results["devices"][0]["requirements"]:
        if row["id"] == "ONVIF-DEV-INFO-01":
            row["measured"]["identity"]["Model"] = injected
        if row["outcome"] == "fail":
            row["reason"] = injected
    page = render_summary(results)
    assert "<script" not in page.lower()
    assert page.count("&lt;script&gt;alert(&#x27;pwn&#x27;)&lt;/script&gt;") >= 3
    for forbidden in ("<link", "<img", "@import", "url("):
        assert forbidden not in page.lower(), forbidden


def test_a_hung_or_failing_chromium_is_one_line_not_a_crash(tmp_path: Path) -> None:
    """Bounded in time: a Chromium that hangs is killed (with its children) after the limit."""
    page_path = tmp_path / "p.html"
    page_path.write_text(page("p", "<p>x</p>"), encoding="utf-8")
    hung = tmp_path / "hung-chromium"
    hung.write_text("#!/bin/sh\nsleep 60 &\nsleep 60\n", encoding="utf-8")
    broken = tmp_path / "broken-chromium"
    broken.write_text("#!/bin/sh\necho 'Trace/breakpoint trap' >&2\nexit 133\n", encoding="utf-8")
    for script in (hung, broken):
        script.chmod(0o755)
    header = RunningHeader("a", "b")
    with pytest.raises(PdfError, match="did not finish within 1 s"):
        print_pdf(page_path, tmp_path / "p.pdf", header, chromium=str(hung), timeout=1)
    with pytest.raises(PdfError, match=r"exited 133 without a PDF \(Trace/breakpoint trap\)"):
        print_pdf(page_path, tmp_path / "p.pdf", header, chromium=str(broken))
    assert not list(tmp_path.glob(".*.print.html"))


def test_compare_without_chromium_writes_the_page_and_says_so(
    demo_runs: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHROMIUM_BIN", "")
    folders = [str(demo_runs["good"]), str(demo_runs["persona"])]
    assert cli.main(["compare", *folders, "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == f"cctv-conformance: PDF not written: {INSTALL_HINT}"
    assert (tmp_path / "compare.html").is_file() and not (tmp_path / "compare.pdf").exists()


def test_harnesses_turn_pdfs_off_silently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CCTV_NO_PDF (the self-test, the CLI tests): no Chromium started, no PDF, no line."""
    monkeypatch.setenv(NO_PDF_ENV, "1")
    monkeypatch.setenv("CHROMIUM_BIN", str(tmp_path / "must-not-run"))
    page_path = tmp_path / "p.html"
    page_path.write_text(page("p", "<p>x</p>"), encoding="utf-8")
    assert write_pdfs([page_path], RunningHeader("a", "b")) == ([], [])


SUBREAPER_PRINT = r"""
import ctypes, json, os, sys
from pathlib import Path
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans become ours
from reports.pdf import print_pdf
from reports.print_css import RunningHeader
html = Path(sys.argv[1])
html.write_text("<html><head></head><body><p>ONVIF-DEV-INFO-01</p></body></html>")
print_pdf(html, html.with_suffix(".pdf"), RunningHeader("left", "right"))
children = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        name, rest = open(f"/proc/{pid}/stat").read().split("(", 1)[1].rsplit(")", 1)
    except OSError:
        continue
    if int(rest.split()[1]) == os.getpid():
        children.append(f"{pid} {name} {rest.split()[0]}")
print(json.dumps(children))
"""


@needs_tools
def test_printing_leaves_no_chromium_helper_behind_a_subreaper(tmp_path: Path) -> None:
    """Chromium's crash handlers and zygotes can outlive the browser; where the suite is a
    subreaper (a supervisor, the run-cleanup test) they become its children: print_pdf reaps
    them, so no process or zombie of a print is left (Chromium 156 left four per print)."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", SUBREAPER_PRINT, str(tmp_path / "page.html")],
        capture_output=True, text=True, timeout=120, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
