"""The disruption rules over every mix of camera verdicts (hypothesis): a camera that must not go
dark is never in a step with dark time or a site visit, the score is the documented weighted
sum, and unknown cameras cost their worst case in the ranking score."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.planner.assess import Assessment, CameraFacts
from conformance.planner.changes import FIRMWARE, SET_NTP
from conformance.planner.disruption import camera_cost, order_of_work, totals

WEIGHTS = SimpleNamespace(
    site_visit=5.0, replacement=10.0, reconfiguration=1.0, camera_hour_dark=0.5
)
DURATIONS = SimpleNamespace(switchover_h=0.25, firmware_upgrade_h=0.5, replacement_h=4.0)


@st.composite
def assessments(draw) -> Assessment:
    facts = CameraFacts(
        name=f"cam-{draw(st.integers(0, 10_000))}",
        authority=draw(st.sampled_from(["north", "south"])),
        make="Acme", model="X", firmware="1",
        must_not_go_dark=draw(st.booleans()),
        location=draw(st.sampled_from(["", "High Street", "Car Park"])),
    )  # fmt: skip
    a = Assessment(facts, index=None, vms=None)  # type: ignore[arg-type]
    kind = draw(st.sampled_from(["works", "change", "firmware", "replace", "unknown"]))
    if kind == "change":
        a.change(SET_NTP, ["ONVIF-DEV-TIME-02"])
    elif kind == "firmware":
        a.change(FIRMWARE, ["STREAM-FPS-01"])
    elif kind == "replace":
        a.replace.append("its video fails STREAM-FPS-01")
    elif kind == "unknown":
        a.unknown = "no camera evidence"
    a.parallel = draw(st.booleans())
    return a


@settings(max_examples=200, deadline=None)
@given(st.lists(assessments(), min_size=1, max_size=30, unique_by=lambda a: a.facts.name))
def test_must_not_go_dark_cameras_are_never_scheduled_dark(cameras):
    assessed = [(a, camera_cost(a, DURATIONS)) for a in cameras]
    work = order_of_work(assessed, ["north", "south"], DURATIONS)
    keep_lit = {a.facts.name for a, _ in assessed if a.facts.must_not_go_dark}
    for step in work:
        if step["camera_hours_dark"] > 0 or step["site_visit"]:
            assert not keep_lit & set(step["cameras"])
    for a, cost in assessed:
        scheduled = [s for s in work if a.facts.name in s["cameras"]]
        assert scheduled, a.facts.name  # every camera appears in the order of work
        if a.facts.must_not_go_dark and cost["dark_h"] > 0:
            assert [s["kind"] for s in scheduled] == ["window"]
        if a.facts.must_not_go_dark and a.parallel and a.status == "works":
            assert [s["kind"] for s in scheduled] == ["parallel"]  # moved, never dark


@settings(max_examples=100, deadline=None)
@given(st.lists(assessments(), min_size=1, max_size=30, unique_by=lambda a: a.facts.name))
def test_score_is_the_documented_weighted_sum(cameras):
    assessed = [(a, camera_cost(a, DURATIONS)) for a in cameras]
    d = totals(assessed, WEIGHTS, DURATIONS)["disruption"]
    expected = (
        5.0 * d["site_visits"] + 10.0 * d["replacements"] + 1.0 * d["reconfigurations"]
        + 0.5 * d["camera_hours_dark"]
    )  # fmt: skip
    assert abs(d["score"] - expected) < 0.01
    unknown = sum(1 for a in cameras if a.status == "unknown")
    assert abs(d["worst_case_score"] - (d["score"] + unknown * (5.0 + 10.0 + 0.5 * 4.0))) < 0.01
    visits = {
        (a.facts.authority, a.facts.location or a.facts.name)
        for a in cameras
        if a.replace and not a.unknown
    }
    assert d["site_visits"] == len(visits)
