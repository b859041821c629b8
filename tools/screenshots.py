"""Regenerate the README's report images in docs/images/ from a fresh failing demo run.

    python tools/screenshots.py                 # runs `demo --persona half-frame-rate`
    python tools/screenshots.py --from out/     # or use an existing results folder
    python tools/screenshots.py --plan out/plan # only the plan's first screen (plan.html)

Writes docs/images/compliance-first-screen.png (compliance.html as a 1440x900 browser window
shows it) and docs/images/compliance-pdf-page1.png (the first page of compliance.pdf); with
``--plan DIR``, docs/images/plan-first-screen.png (DIR/plan.html of `cctv-conformance plan`,
at 1440x900), and the compliance images only when ``--from`` is given too. The pages change
as the reports do, so the images are regenerated, never edited by hand: a failing persona,
because the first screen of a failing run is what a reader must be able to act on.
Needs headless Chromium and poppler-utils (pdftoppm), as the tests do.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.pdf import FLAGS, find_chromium  # noqa: E402 - after the path is set

IMAGES = ROOT / "docs" / "images"
PERSONA = "half-frame-rate"


def _demo(out: Path) -> Path:
    """A failing demo run (no Allure step: the images do not need it)."""
    env = {**os.environ, "ALLURE_BIN": str(out / "no-allure"), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "conformance.cli", "demo", "--out", str(out)]
    subprocess.run([*cmd, "--persona", PERSONA], check=False, env=env, timeout=300)
    if not (out / "compliance.pdf").is_file():
        raise SystemExit(f"screenshots: the demo wrote no compliance.pdf in {out}")
    return out


def first_screen(html: Path, png: Path, chromium: str, size: str = "1440,900") -> None:
    """What a reader sees on opening the page in a laptop-sized window."""
    with tempfile.TemporaryDirectory(prefix="cctv-shot-") as profile:
        flags = [f for f in FLAGS if f != "--no-pdf-header-footer"]
        subprocess.run(
            [
                chromium,
                *flags,
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={size}",
                f"--screenshot={png}",
                html.resolve().as_uri(),
            ],
            check=False,
            capture_output=True,
            timeout=120,
        )
    if not png.is_file():
        raise SystemExit(f"screenshots: Chromium wrote no {png}")


def pdf_page(pdf: Path, png: Path, dpi: int = 80) -> None:
    """Page 1 of the PDF as a PNG (pdftoppm names the file itself: give it the stem)."""
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(png.with_suffix("")),
        ],
        check=True,
        timeout=120,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", help="an existing results folder (with PDFs)")
    parser.add_argument("--plan", help="a plan folder (plan.html): capture its first screen")
    parser.add_argument("--images", default=str(IMAGES), help="where the PNGs go")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("screenshots: headless Chromium not installed (apt-get install chromium)")
    images = Path(args.images)
    images.mkdir(parents=True, exist_ok=True)
    names = []
    if args.plan:
        plan_html = Path(args.plan) / "plan.html"
        if not plan_html.is_file():
            raise SystemExit(f"screenshots: no {plan_html}")
        first_screen(plan_html, images / "plan-first-screen.png", chromium)
        names.append("plan-first-screen.png")
    if args.source or not args.plan:
        with tempfile.TemporaryDirectory(prefix="cctv-demo-") as tmp:
            folder = Path(args.source) if args.source else _demo(Path(tmp) / "demo")
            first_screen(
                folder / "compliance.html", images / "compliance-first-screen.png", chromium
            )
            pdf_page(folder / "compliance.pdf", images / "compliance-pdf-page1.png")
        names += ["compliance-first-screen.png", "compliance-pdf-page1.png"]
    for name in names:
        print(f"screenshots: {images / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
