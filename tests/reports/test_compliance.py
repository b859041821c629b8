"""The compliance statement: what procurement reads, so it must be complete, inert and offline.

It is rendered from results.json, which carries values the device chose (identity strings,
URIs, error texts): a hostile camera must not be able to inject markup into a council's report,
and the page must open on an air-gapped machine without fetching anything.
"""

from __future__ import annotations

import copy
import csv
import re
from pathlib import Path
from typing import Any

import pytest

from reports.compliance import render_compliance, write_compliance

INJECTED = "<script>alert('pwn')</script>"


def _row(req_id: str, outcome: str, **extra: Any) -> dict[str, Any]:
    """One requirement row, shaped as conformance.results.device_requirement writes it."""
    return {
        "id": req_id,
        "title": f"Title of {req_id}",
        "domain": req_id.split("-")[1].lower(),
        "level": "mandatory",
        "safety": "passive",
        "parameters": {},
        "source": {
            "spec": "ONVIF Core Specification",
            "clause": "8.3.1",
            "url": "https://github.com/onvif/specs/blob/development/doc/Core.xml",
        },
        "onvif_tests": [],
        "outcome": outcome,
        "cause": "passed" if outcome == "pass" else "device_fault",
        "reason": "",
        "claimed": {},
        "measured": {},
        "expected": {},
        "notes": [],
        "evidence": [],
        "tests": [],
        **extra,
    }


@pytest.fixture
def results() -> dict[str, Any]:
    cam1 = [
        _row(
            "ONVIF-DEV-INFO-01",
            "fail",
            reason="FirmwareVersion is empty",
            measured={"identity": {"Manufacturer": INJECTED, "Model": "M"}, "model": INJECTED},
            claimed={"firmware": "1.0 & <b>bold</b>"},
            evidence=[
                {
                    "name": "soap-transcript",
                    "path": "evidence/cam-1/ONVIF-DEV-INFO-01/01-soap-transcript.txt",
                    "sha256": "0" * 64,
                    "media_type": "text/plain",
                }
            ],
        ),
        _row("ONVIF-DEV-TIME-01", "pass", measured={"offset_s": 0.1}),
        _row("STREAM-FPS-01", "not_tested", reason="no test implements this requirement yet"),
    ]
    cam2 = [
        _row("ONVIF-DEV-INFO-01", "pass", measured={"identity": {"Manufacturer": "X"}}),
        _row("ONVIF-DEV-TIME-01", "inconclusive", reason="OnvifTimeout: timed out"),
        _row("STREAM-FPS-01", "not_claimed", level="conditional"),
    ]
    return {
        "schema": "cctv-conformance/results/1",
        "suite": {"name": "cctv-conformance", "version": "0.1.0", "python": "3.11"},
        "profile": {"id": "p", "version": "1", "title": "Profile P", "digest": "ab" * 32},
        "mode": "passive",
        "target": {"supplier": "Acme <Ltd>", "product": "Cam", "firmware": "1.0", "lab": ""},
        "started": "2025-01-01T00:00:00Z",
        "finished": "2025-01-01T00:01:00Z",
        "verdict": "does_not_conform",
        "verdict_meaning": "Not met, not tested or inconclusive: ONVIF-DEV-INFO-01.",
        "counts": {},
        "devices": [
            {
                "name": "cam-1",
                "onvif": "http://127.0.0.1/onvif/device_service",
                "verdict": "does_not_conform",
                "verdict_meaning": "m1",
                "notes": [f"note {INJECTED}"],
                "requirements": cam1,
            },
            {
                "name": "cam-2",
                "onvif": "http://127.0.0.2/onvif/device_service",
                "verdict": "does_not_conform",
                "verdict_meaning": "m2",
                "notes": [],
                "requirements": cam2,
            },
        ],
    }


def test_contains_verdict_and_every_requirement(results: dict[str, Any]) -> None:
    page = render_compliance(results)
    assert "Does not conform" in page
    assert results["verdict_meaning"] in page
    for device in results["devices"]:
        assert f"Device {device['name']}" in page
        for row in device["requirements"]:
            assert f"id='{device['name']}-{row['id']}'" in page
    for label in ("Fail", "Pass", "Not tested", "Inconclusive", "Not claimed"):
        assert f">{label}</span>" in page
    assert "no test implements this requirement yet" in page  # not_tested keeps its reason
    assert "evidence/cam-1/ONVIF-DEV-INFO-01/01-soap-transcript.txt" in page


@pytest.mark.parametrize(
    ("verdict", "label"),
    [("conforms", "Conforms"), ("error", "No valid result (suite error)")],
)
def test_other_verdicts(results: dict[str, Any], verdict: str, label: str) -> None:
    results = copy.deepcopy(results)
    results["verdict"] = verdict
    assert f"v-{verdict}'>{label}</span>" in render_compliance(results)


def test_device_values_are_escaped(results: dict[str, Any]) -> None:
    """Markup the device returned is shown as text, never interpreted."""
    page = render_compliance(results)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;pwn&#x27;)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page
    assert "Acme &lt;Ltd&gt;" in page


def test_self_contained(results: dict[str, Any]) -> None:
    """Nothing is fetched at open time: no scripts, stylesheets, images, imports or remote URLs."""
    page = render_compliance(results).lower()
    for forbidden in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url("):
        assert forbidden not in page, forbidden
    assert not re.search(r"\bsrc\s*=", page)
    # Any href is on a plain anchor, which a browser follows only when clicked.
    for tag in re.findall(r"<(\w+)[^>]*\bhref\s*=", page):
        assert tag == "a", tag


def test_csv_one_row_per_device_and_requirement(results: dict[str, Any], tmp_path: Path) -> None:
    html_path, csv_path = write_compliance(results, tmp_path / "out")
    assert html_path.read_text(encoding="utf-8") == render_compliance(results, tmp_path / "out")
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = {(d["name"], r["id"]) for d in results["devices"] for r in d["requirements"]}
    assert len(rows) == len(expected) == 6
    assert {(r["device"], r["requirement"]) for r in rows} == expected
    failing = next(r for r in rows if r["device"] == "cam-1" and r["outcome"] == "fail")
    assert failing["requirement"] == "ONVIF-DEV-INFO-01"
    assert failing["evidence"] == "evidence/cam-1/ONVIF-DEV-INFO-01/01-soap-transcript.txt"
    assert INJECTED in failing["measured"]  # the CSV keeps raw values; it is data, not markup
