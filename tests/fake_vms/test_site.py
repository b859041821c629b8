"""Site and estate files: loading, ``count`` expansion, and errors that name file and field."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from fake_vms.site import SiteError, load_site

SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"


def test_five_authority_estate_has_125_cameras_in_five_sites() -> None:
    estate = load_site(SITES / "five-authorities.yaml")
    assert estate.name == "five-authorities"
    assert Counter(c.site for c in estate.cameras) == {
        "northbridge": 25,
        "eastmoor": 25,
        "southvale": 25,
        "westholm": 25,
        "midcaster": 25,
    }
    assert len({(c.width, c.height) for c in estate.cameras}) >= 3
    assert len({c.fps for c in estate.cameras}) >= 3
    assert len({c.firmware for c in estate.cameras}) >= 10
    assert len({c.persona for c in estate.cameras if c.persona}) >= 10


def test_count_expands_names(tmp_path: Path) -> None:
    site = tmp_path / "s.yaml"
    site.write_text("site: s\ncameras:\n  - {name: 'cam-{n:02d}', count: 3}\n")
    assert [c.name for c in load_site(site).cameras] == ["cam-01", "cam-02", "cam-03"]


def test_instrumentation_flag(tmp_path: Path) -> None:
    """On by default (the demo); the site's top-level flag or --no-instrumentation turns it off
    for every camera, whatever a camera entry says."""
    site = tmp_path / "s.yaml"
    site.write_text("site: s\ncameras:\n  - {name: a}\n  - {name: b, instrumentation: true}\n")
    loaded = load_site(site)
    assert loaded.instrumentation and all(c.instrumentation for c in loaded.cameras)
    off = load_site(site, instrumentation=False)
    assert not off.instrumentation and not any(c.instrumentation for c in off.cameras)
    site.write_text("site: s\ninstrumentation: false\ncameras:\n  - {name: a}\n")
    assert not any(c.instrumentation for c in load_site(site).cameras)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("site: s\ncameras:\n  - {name: cam, count: 2}\n", "cameras[0].name"),
        ("site: s\ncameras:\n  - {name: 'c{n}', count: 0}\n", "cameras[0].count"),
        ("estate: e\nsites: [missing.yaml]\n", "missing.yaml"),
        ("estate: e\nsites: [5]\n", "sites[0]"),
        ("site: s\ncameras:\n  - {name: a}\n  - {name: a}\n", "duplicate camera name"),
        ("site: s\ncameras:\n  - {name: a, persona: nobody}\n", "cameras[0].persona"),
        ("site: s\ninstrumentation: no-thanks\ncameras:\n  - {name: a}\n", "instrumentation"),
    ],
)
def test_bad_site_files_name_the_field(tmp_path: Path, body: str, expected: str) -> None:
    site = tmp_path / "bad.yaml"
    site.write_text(body)
    with pytest.raises(SiteError) as caught:
        load_site(site)
    assert str(site.parent) in str(caught.value) or "missing.yaml" in str(caught.value)
    assert expected in str(caught.value)


def test_serve_no_instrumentation_flag() -> None:
    """``fake-vms serve --no-instrumentation`` reaches load_site as instrumentation=False."""
    from fake_vms.cli import build_parser

    args = build_parser().parse_args(["serve", "--site", "s.yaml", "--no-instrumentation"])
    assert args.no_instrumentation is True
    assert build_parser().parse_args(["serve", "--site", "s.yaml"]).no_instrumentation is False
