"""PDFs of the report pages, printed by headless Chromium from Debian's archive.

A tender file wants a PDF: fixed pages, a header on each naming the supplier, product and
verdict, and "Page N of M". Chromium already renders the pages for the browser tests, and its
print engine lays out CSS margin boxes, so a PDF is the HTML page plus print rules
(:mod:`reports.print_css`) printed by the same engine a reader's browser uses; no second layout
to keep true. The print rules go into a temporary copy beside the page (relative evidence links
resolve the same), never into the page itself.

Chromium is optional: without it a run says so in one line and writes every other report.
Printing is bounded in time, uses a throw-away profile, and loads nothing (the pages' CSP
forbids it; the resolver is also told to answer nothing).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reports.html import VERDICT_LABELS
from reports.print_css import RunningHeader, print_css

if TYPE_CHECKING:
    from reports.compare import Column

TIMEOUT_S = 90.0
# An estate's statement (125 cameras: a 30 MB page, 450 pages, 90 s of Chromium) is no tender
# document; above this many devices only the one-page summary is printed.
MAX_STATEMENT_DEVICES = 20
# Set (to anything but "0") by harnesses that run the suite many times and judge only
# results.json: the self-test's 150-odd runs and the project's CLI tests would otherwise spend
# a few seconds of Chromium each on PDFs nobody reads.
NO_PDF_ENV = "CCTV_NO_PDF"
INSTALL_HINT = "headless Chromium not installed (apt-get install -y chromium)"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB; a long page needs more
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
]


class PdfError(RuntimeError):
    """Chromium ran but wrote no PDF (crash, timeout): the reason, for one line of output."""


def find_chromium() -> str | None:
    """The Chromium binary (``CHROMIUM_BIN`` first, for a lab with its own build), or None."""
    override = os.environ.get("CHROMIUM_BIN")
    if override is not None:
        return override if override and Path(override).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


# A requirement ID as the catalogue writes them (every one ends in a two-digit number):
# ONVIF-DEV-INFO-01, VMS-EXPORT-EVIDENCE-01. Chromium may break a line at any of its hyphens.
REQUIREMENT_ID = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{2}(?![\w-])")
_TAG = re.compile(r"(<[^>]*>)")
# Text a <span> must not enter: raw text elements, and SVG (whose <text> drops HTML children).
_RAW_TEXT = ("script", "style", "title", "textarea", "svg")


def mark_ids(html: str) -> str:
    """Wrap every requirement ID in the page's text in ``<span class=rid>`` (nowrap in print).

    Pages mark the IDs they render as cells (``code.rid``), but IDs also run through prose: a
    verdict's meaning lists every failed requirement, a reason says "blocked by ...". Only text
    between tags is touched, never an attribute (anchors, hrefs), a script, style, title or SVG.
    """
    parts = _TAG.split(html)
    raw: str | None = None
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            tag = name.group(1).lower() if name else ""
            if raw is None and tag in _RAW_TEXT and not part.startswith("</"):
                raw = tag
            elif raw == tag and part.startswith("</"):
                raw = None
        elif raw is None and part:
            parts[i] = REQUIREMENT_ID.sub(r"<span class=rid>\g<0></span>", part)
    return "".join(parts)


def _print_copy(html_path: Path, header: RunningHeader) -> Path:
    """A hidden copy of the page beside it: IDs marked, the print rules added to its <head>."""
    text = mark_ids(html_path.read_text(encoding="utf-8"))
    style = f"<style media=print>{print_css(header)}</style>"
    marker = text.lower().find("</head>")  # the first: any later one is escaped page text
    text = text[:marker] + style + text[marker:] if marker >= 0 else style + text
    copy = html_path.with_name(f".{html_path.stem}.print.html")
    copy.write_text(text, encoding="utf-8")
    return copy


_RUNNING: set[int] = set()
"""Chromium processes this process started and has not yet waited for (PDFs print in
parallel threads: one print's clean-up must leave the others' browsers alone)."""
_RUNNING_LOCK = threading.Lock()


def _chromium_children() -> list[tuple[int, str]]:
    """Our own child processes named like Chromium's (``chromium``, ``chrome_crashpad``...),
    running or defunct, as (pid, state), from /proc."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                name, rest = stat.read().split("(", 1)[1].rsplit(")", 1)
        except (OSError, IndexError, ValueError):
            continue
        fields = rest.split()
        if int(fields[1]) == me and name.startswith("chrom"):
            found.append((int(entry), fields[0]))
    return found


def reap_chromium_orphans(*, within_s: float = 2.0) -> None:
    """Reap the Chromium helpers that outlived their browser and became our children.

    Chromium's crash handlers (in sessions of their own) and zygotes can outlive the browser.
    Orphans go to the nearest subreaper: init normally, but the suite itself where it is one
    (a supervisor, or the test proving that a run leaves no child behind). Those are waited
    for (they end once their browser has), killed if still there after ``within_s``, and
    reaped, so no run leaves a process or a zombie behind. Browsers still printing are not
    touched."""
    deadline = time.monotonic() + within_s
    while True:
        with _RUNNING_LOCK:
            orphans = [(pid, st) for pid, st in _chromium_children() if pid not in _RUNNING]
        late = time.monotonic() > deadline
        for pid, state in orphans:
            if state == "Z" or late:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        if not orphans or late:
            return
        time.sleep(0.02)


def print_pdf(
    html_path: Path,
    pdf_path: Path,
    header: RunningHeader,
    *,
    chromium: str | None = None,
    timeout: float = TIMEOUT_S,
) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, running header, page numbers).

    Raises FileNotFoundError when there is no Chromium and PdfError when it writes nothing.
    """
    binary = chromium or find_chromium()
    if binary is None:
        raise FileNotFoundError(INSTALL_HINT)
    pdf_path.unlink(missing_ok=True)
    copy = _print_copy(html_path, header)
    try:
        with tempfile.TemporaryDirectory(prefix="cctv-pdf-") as profile:
            cmd = [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf_path.resolve()}",
                copy.resolve().as_uri(),
            ]
            # Its own process group: on timeout the renderer and GPU children die too. Started
            # under the lock, so another print's clean-up never sees it before it is known.
            with _RUNNING_LOCK:
                proc = subprocess.Popen(
                    cmd,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                )
                _RUNNING.add(proc.pid)
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise PdfError(f"Chromium did not finish within {timeout:.0f} s") from None
            finally:
                with _RUNNING_LOCK:
                    _RUNNING.discard(proc.pid)
                reap_chromium_orphans()
    finally:
        copy.unlink(missing_ok=True)
    if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise PdfError(f"Chromium exited {proc.returncode} without a PDF ({last[0][:200]})")
    return pdf_path


def write_pdf(
    html_path: Path, header: RunningHeader, *, chromium: str | None = None
) -> tuple[Path | None, str]:
    """Print ``x.html`` to ``x.pdf`` beside it; (path, "") or (None, the one-line reason)."""
    pdf_path = html_path.with_suffix(".pdf")
    try:
        return print_pdf(html_path, pdf_path, header, chromium=chromium), ""
    except FileNotFoundError:
        return None, f"{pdf_path.name} not written: {INSTALL_HINT}"
    except (PdfError, OSError) as exc:
        return None, f"{pdf_path.name} not written: {exc}"


def write_pdfs(pages: Sequence[Path], header: RunningHeader) -> tuple[list[Path], list[str]]:
    """Print each page beside itself, two at a time; (PDFs written, one line per failure).

    Without Chromium, one line for all of them: the run's other reports are written anyway.
    With ``CCTV_NO_PDF`` set, nothing and no line (the harness asked for that).
    """
    if os.environ.get(NO_PDF_ENV, "") not in ("", "0"):
        return [], []
    chromium = find_chromium()
    if chromium is None:
        return [], [f"PDF not written: {INSTALL_HINT}"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda p: write_pdf(p, header, chromium=chromium), pages))
    return [p for p, _ in outcomes if p], [why for p, why in outcomes if not p]


def _date(stamp: str) -> str:
    return (stamp or "")[:10]


def compliance_header(results: dict[str, Any]) -> RunningHeader:
    """Supplier and product left, the verdict and run date right, the profile in the footer."""
    target = results["target"]
    verdict = VERDICT_LABELS.get(results["verdict"], results["verdict"]).split(" (")[0]
    profile = results["profile"]
    suite = results.get("suite") or {}
    return RunningHeader(
        left=f"{target.get('supplier') or '(supplier not given)'} — "
        f"{target.get('product') or '(product not given)'}",
        right=f"{verdict} · run {_date(results.get('started', ''))}",
        footer=f"{profile['id']} v{profile['version']} · cctv-conformance "
        f"{suite.get('version', '')}",
    )


def compare_header(columns: Sequence[Column]) -> RunningHeader:
    """Every compared column (supplier, product, device) left, its verdict right, numbered as
    the comparison's columns are."""
    names = "; ".join(f"#{i} {c.label} ({c.device['name']})" for i, c in enumerate(columns, 1))
    verdicts = " · ".join(
        f"#{i} {VERDICT_LABELS.get(c.device['verdict'], c.device['verdict']).split(' (')[0]}"
        for i, c in enumerate(columns, 1)
    )
    dates = sorted(_date(c.results.get("started", "")) for c in columns) or [""]
    span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    return RunningHeader(
        left=f"Supplier comparison: {names}",
        right=verdicts,
        footer=f"runs of {span}" if span else "",
    )
