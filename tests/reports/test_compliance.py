"""The compliance statement: what procurement reads, so it must be complete, inert and offline.

It is rendered from results.json, which carries values the device chose (identity strings,
URIs, error texts): a hostile camera must not be able to inject markup into a council's report,
and the page must open on an air-gapped machine without fetching anything.
"""

from __future__ import annotations

import copy
import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from reports.claims import NOT_DECLARED
from reports.compliance import render_compliance, write_compliance
from reports.declaration import combined_declaration

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


# -- first screen: decision, root causes per device, scope -------------------------------------
def _first_screen(page: str) -> str:
    start = page.index("<section id=decision")
    return page[start : page.index("</section>", start)]


def test_first_screen_comes_before_everything_else(results: dict[str, Any]) -> None:
    page = render_compliance(results)
    order = [page.index(s) for s in ("<h1>", "id=verdict", "Why:", "id=scope", "What was tested")]
    assert order == sorted(order)


def test_root_causes_grouped_per_device(results: dict[str, Any]) -> None:
    first = _first_screen(render_compliance(results))
    assert "Why: 3 root causes" in first
    cam1, cam2 = first.index("<h3 class=dev>cam-1"), first.index("<h3 class=dev>cam-2")
    # cam-1: the fail first, then the mandatory requirement not tested; cam-2: the inconclusive.
    assert cam1 < first.index("FirmwareVersion is empty") < cam2
    assert cam1 < first.index("no test implements this requirement yet") < cam2
    assert first.index("OnvifTimeout: timed out") > cam2
    assert "href='#cam-1-ONVIF-DEV-INFO-01'" in first  # its matrix row
    assert "href='evidence/cam-1/ONVIF-DEV-INFO-01/01-soap-transcript.txt'" in first
    assert "Not claimed" not in first  # a legal outcome is no cause


def test_blocked_checks_counted_under_their_cause(results: dict[str, Any]) -> None:
    results = copy.deepcopy(results)
    rows = results["devices"][0]["requirements"]
    rows[2].update(outcome="inconclusive", blocked_by="ONVIF-DEV-INFO-01", reason="blocked by x")
    first = _first_screen(render_compliance(results))
    assert "It blocked 1 other verdict." in first
    assert "blocked by x" not in first  # the blocked check is not a root cause of its own


def test_more_than_eight_causes_are_counted(results: dict[str, Any]) -> None:
    results = copy.deepcopy(results)
    results["devices"] = results["devices"][:1]
    results["devices"][0]["requirements"] = [
        _row(f"STREAM-X{i:02d}-01", "fail", reason=f"reason number {i}") for i in range(11)
    ]
    first = _first_screen(render_compliance(results))
    assert first.count("<li class=cause>") == 8
    assert "and 3 more" in first


def test_conforming_run_shows_scope_beside_verdict(results: dict[str, Any]) -> None:
    results = copy.deepcopy(results)
    results["verdict"] = "conforms"
    results["verdict_meaning"] = "Every mandatory requirement passed."
    for device in results["devices"]:
        device["requirements"] = [r for r in device["requirements"] if r["outcome"] == "pass"]
    first = _first_screen(render_compliance(results))
    assert "Why:" not in first
    assert first.index("Conforms") < first.index("Every mandatory requirement passed.")
    assert "id=scope" in first and "Scope:" in first


def test_scope_names_catalogue_domains_the_profile_leaves_out(results: dict[str, Any]) -> None:
    """Derived from the catalogue: the fixture's rows touch no security requirement."""
    first = _first_screen(render_compliance(results))
    assert "Security not assessed: the profile does not include secure-by-default" in first
    assert "Events not assessed" in first


# -- matrix values -----------------------------------------------------------------------------
class _Cells(HTMLParser):
    """Text of each claimed/measured cell of the matrix (columns 5 and 6)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_matrix = False
        self.column = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.in_matrix = ("class", "matrix") in attrs
        elif tag == "tr":
            self.column = 0
        elif tag == "td" and self.in_matrix:
            self.column += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_matrix = False

    def handle_data(self, data: str) -> None:
        if self.in_matrix and self.column in (5, 6) and data.strip():
            self.texts.append(data.strip())


def _matrix_values(page: str) -> list[str]:
    parser = _Cells()
    parser.feed(page)
    return parser.texts


def test_no_matrix_cell_shows_raw_json(demo_runs: dict[str, Path]) -> None:
    for run in demo_runs.values():
        texts = _matrix_values((run / "compliance.html").read_text(encoding="utf-8"))
        assert len(texts) > 50
        for text in texts:
            value = text.lstrip(": ")
            assert not value.startswith(('{"', "{'", "[")), value  # ({ns}Name QNames are fine)
            assert '{"' not in value and "['" not in value, value


def test_values_with_units_and_shared_blobs_once(demo_runs: dict[str, Path]) -> None:
    page = (demo_runs["persona"] / "compliance.html").read_text(encoding="utf-8")
    assert "frame rate (RTP)</span>: 12.5 fps" in page
    assert "tolerance</span>: 10 %" in page
    results = json.loads((demo_runs["persona"] / "results.json").read_text(encoding="utf-8"))
    device = results["devices"][0]
    # The export checks judge one export against one reference: its description is recorded on
    # each of their rows, shown in full on the first only; the others link there.
    judged = [r for r in device["requirements"] if (r.get("expected") or {}).get("reference")]
    assert len(judged) >= 3, [r["id"] for r in judged]
    assert len({json.dumps(r["expected"]["reference"], sort_keys=True) for r in judged}) == 1
    first = f"#{device['name']}-{judged[0]['id']}"
    assert page.count(f"reference</span>: same as <a href='{first}'>") == len(judged) - 1
    assert page.count("reference</span>: same as") == len(judged) - 1
    assert "<code class=rid>STREAM-FPS-01</code>" in page


def test_csv_keeps_full_values(demo_runs: dict[str, Path]) -> None:
    with (demo_runs["persona"] / "compliance.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["requirement"]: r for r in csv.DictReader(handle)}
    assert json.loads(rows["STREAM-FPS-01"]["measured"])["fps_rtp"] == 12.5


# -- declaration -------------------------------------------------------------------------------
def test_unanswered_questions_are_not_declared(demo_runs: dict[str, Path]) -> None:
    results = json.loads((demo_runs["good"] / "results.json").read_text(encoding="utf-8"))
    found = {f.subject: f for f in combined_declaration(results)}
    assert found["Current customers: police"].status == NOT_DECLARED  # the demo lists none
    assert found["Security: secure boot"].status == NOT_DECLARED
    assert found["Efficiency gains it brings"].status == "declared, not verified"
    interop = found["How it combines with other platforms with minimal disruption"]
    assert interop.status.startswith("evidenced") and "STREAM-RTSP-TCP-01" in interop.requirements
    page = (demo_runs["good"] / "compliance.html").read_text(encoding="utf-8")
    assert "(none given)" not in page
    assert "tag-notdeclared'>not declared</span>" in page
    assert "evidenced (in part), by</span>" in page


# -- the VMS that made the exports (results.json "vms", written by the export checks) -----------
def test_vms_rendered_when_present_and_tolerated_when_absent(results: dict[str, Any]) -> None:
    assert "VMS that made the exports" not in render_compliance(results)
    results = copy.deepcopy(results)
    results["vms"] = {
        "name": "vms-1",
        "product": "SimVMS",
        "version": "2.0",
        "address": "http://127.0.0.1:8080",
    }
    results["devices"][0]["requirements"][1]["vms"] = "vms-1"
    page = render_compliance(results)
    assert (
        "<td>VMS that made the exports</td><td>vms-1 (SimVMS 2.0) at http://127.0.0.1:8080" in page
    )
    assert "judged through the VMS vms-1" in page


def test_blocker_outside_the_profile_is_a_root_cause(results: dict[str, Any]) -> None:
    results = copy.deepcopy(results)
    rows = results["devices"][1]["requirements"]
    rows[1].update(blocked_by="ONVIF-MEDIA-PROF-01", reason="blocked by ONVIF-MEDIA-PROF-01: x")
    first = _first_screen(render_compliance(results))
    assert "<code class=rid>ONVIF-MEDIA-PROF-01</code> is not in this profile" in first
    assert "1 checks could not run" in first or "1 check could not run" in first


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("fps_rtp", 12.5, "frame rate (RTP): 12.5 fps"),
        ("clock_offset_s", 0.2797, "clock offset: 0.2797 s"),
        ("tolerance_pct", 10.0, "tolerance: 10 %"),
        ("bytes", 34516, "bytes: 34,516 bytes"),
        ("export_speed_x", 23.24, "export speed: 23.24 x realtime"),
        ("decoded_frames", 13, "decoded frames: 13"),
        ("arrival_ms", [1, 2], "arrival: 1 ms, 2 ms"),
        ("identity", {"Model": "M", "Serial": "S", "Mac": "m"}, "identity: Model M; Serial S; …"),
        ("profiles", [{"token": "a"}], "profiles: 1 item"),
    ],
)
def test_values_read_with_units(key: str, value: Any, text: str) -> None:
    from reports.values import inline_values

    assert inline_values({key: value}) == text
