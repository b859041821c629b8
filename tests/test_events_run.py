"""The event checks run as a user runs them (``cctv-conformance run``, events only) against
simulated cameras on loopback: quiet cameras with and without a stimulus (issue 13.3), a device
that needs a routable consumer (12.4), no Event service (12 + 14.1), a malformed UtcTime (14.5)
and whole-second timers, whose verdicts must not change over 10 runs (12.6).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from simulated_target import write_simulated_target

from conformance.catalogue import load_catalogue
from conformance.clients.events import NotificationConsumer, local_address_towards
from conformance.suites.events.stimulus import NoStimulus, Stimulus
from fake_vms.host import SimulatorThread
from fake_vms.onvif.event_stimulus import HOLD_S, Stimuli
from fake_vms.personas import PERSONAS
from fake_vms.site import CameraConfig, Site, apply_persona

SELECT = "test_topics or test_pull_point or test_notification or test_filters"
EVENT_IDS = tuple(r.id for r in load_catalogue().requirements.values() if r.domain == "events")
"""Every Event requirement of the catalogue (a new one is judged here without being listed)."""
JITTER_RUNS = 10


def quiet(camera: CameraConfig) -> CameraConfig:
    """The camera with its instrumentation off: no spontaneous motion or tampering.

    The site flag ``instrumentation`` (fake_vms.site) is read defensively by the simulator;
    before it exists on CameraConfig the attribute is set directly on the frozen instance.
    """
    if "instrumentation" in {f.name for f in dataclasses.fields(camera)}:
        return dataclasses.replace(camera, instrumentation=False)
    object.__setattr__(camera, "instrumentation", False)
    return camera


def camera(name: str, persona: str | None = None, *, instrumented: bool = True) -> CameraConfig:
    config = CameraConfig(name=name)
    if persona:
        config = apply_persona(config, PERSONAS[persona])
    return config if instrumented else quiet(config)


def stimulus_command(ready_file: Path) -> str:
    return (
        f'"{sys.executable}" -m fake_vms.stimulate --ready-file "{ready_file}" '
        '--device "$CCTV_STIMULUS_DEVICE" --kind "$CCTV_STIMULUS_KIND"'
    )


def run_events(
    folder: Path, ready: dict, devices: list[str], *extra: str
) -> dict[str, dict[str, dict]]:
    """Run the event checks once; ``{device: {requirement: row}}`` for the EVENT rows."""
    target = write_simulated_target(folder / "target", ready, "h5", devices, ["events"])
    out = folder / "out"
    cmd = [sys.executable, "-m", "conformance.cli", "run", "--target", str(target)]
    cmd += ["--profile", "all-requirements", "--out", str(out), "-k", SELECT]
    cmd += ["--workers", str(len(devices)), "--timeout", "10", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=400, env=dict(os.environ))
    results = out / "results.json"
    assert results.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(results.read_text(encoding="utf-8"))
    return {
        unit["name"]: {r["id"]: r for r in unit["requirements"] if r["id"] in EVENT_IDS}
        for unit in data["devices"]
    }


def outcomes(rows: dict[str, dict]) -> dict[str, str]:
    return {req: row["outcome"] for req, row in rows.items()}


# -- passive: no stimulus ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def passive(tmp_path_factory) -> dict[str, dict[str, dict]]:
    cameras = [
        camera("quiet", instrumented=False),
        camera("routable", "notify-needs-routable"),
        camera("no-events", "no-event-service"),
        camera("bad-time", "bad-utctime"),
    ]
    with SimulatorThread(Site("h5-passive", tuple(cameras))) as simulator:
        folder = tmp_path_factory.mktemp("passive")
        return run_events(folder, simulator.host.ready(), [c.name for c in cameras])


def test_quiet_camera_without_stimulus_is_not_tested(passive):
    rows = passive["quiet"]
    for req in ("EVENT-MOTION-01", "EVENT-TAMPER-01"):
        assert rows[req]["outcome"] == "not_tested", rows[req]
        assert rows[req]["reason"].startswith("no stimulus: "), rows[req]["reason"]
        assert "Initialized state seen" in rows[req]["reason"]
    others = {
        r: o for r, o in outcomes(rows).items() if r not in ("EVENT-MOTION-01", "EVENT-TAMPER-01")
    }
    assert set(others.values()) == {"pass"}, others  # passive checks need no scene change


def test_routable_consumer_refusal_is_the_environment(passive):
    row = passive["routable"]["EVENT-NOTIFY-01"]
    assert row["outcome"] == "not_tested"
    assert row["reason"].startswith("environment: ")
    assert "is not routable" in row["reason"]  # the fault Detail, quoted
    rest = {r: o for r, o in outcomes(passive["routable"]).items() if r != "EVENT-NOTIFY-01"}
    assert set(rest.values()) == {"pass"}, rest


def test_missing_event_service_fails_every_mandatory_event_requirement(passive):
    rows = passive["no-events"]
    assert outcomes(rows) == dict.fromkeys(EVENT_IDS, "fail")
    for row in rows.values():
        assert "requires the Event service; the device offers none" in row["reason"]
        assert "HTTP 404" in row["reason"]  # the probe's answer, at the conventional path


def test_bad_utctime_fails_only_the_typed_values(passive):
    rows = passive["bad-time"]
    assert {r for r, o in outcomes(rows).items() if o != "pass"} == {"EVENT-TOPIC-01"}
    reason = rows["EVENT-TOPIC-01"]["reason"]
    assert "UtcTime '2026-13-01T00:00:00Z'" in reason and "month 13" in reason


# -- with a stimulus ----------------------------------------------------------------------------
def test_stimulus_makes_the_change_and_a_dead_detector_fails(tmp_path):
    cameras = [
        camera("quiet", instrumented=False),
        camera("no-motion", "no-motion-events", instrumented=False),
    ]
    with SimulatorThread(Site("h5-stimulus", tuple(cameras))) as simulator:
        ready = simulator.host.ready()
        ready_file = tmp_path / "stimulus-ready.json"
        ready_file.write_text(json.dumps(ready), encoding="utf-8")
        rows = run_events(
            tmp_path, ready, ["quiet", "no-motion"], "--stimulus", stimulus_command(ready_file)
        )
    assert rows["quiet"]["EVENT-MOTION-01"]["outcome"] == "pass"
    assert rows["quiet"]["EVENT-TAMPER-01"]["outcome"] == "pass"
    assert rows["no-motion"]["EVENT-MOTION-01"]["outcome"] == "fail"
    assert "after the stimulus" in rows["no-motion"]["EVENT-MOTION-01"]["reason"]
    assert rows["no-motion"]["EVENT-TAMPER-01"]["outcome"] == "pass"


# -- whole-second timers: the same verdicts every run --------------------------------------------
def test_timer_jitter_verdicts_are_stable(tmp_path):
    """Ten runs of the event checks against whole-second timers (each run on its own camera of
    one simulator, so they overlap in time instead of queueing): identical, all pass."""
    names = [f"jitter-{i}" for i in range(JITTER_RUNS)]
    cameras = [camera(name, "timer-jitter") for name in names]
    with SimulatorThread(Site("h5-jitter", tuple(cameras))) as simulator:
        ready = simulator.host.ready()
        with ThreadPoolExecutor(max_workers=JITTER_RUNS) as pool:
            runs = list(
                pool.map(lambda name: run_events(tmp_path / name, ready, [name])[name], names)
            )
    verdicts = [outcomes(rows) for rows in runs]
    assert all(v == verdicts[0] for v in verdicts), [
        (name, req, row["outcome"], row.get("reason"))
        for name, rows in zip(names, runs, strict=True)
        for req, row in rows.items()
        if row["outcome"] != verdicts[0].get(req)
    ]
    assert verdicts[0] == dict.fromkeys(EVENT_IDS, "pass"), [
        (r, row["reason"]) for r, row in runs[0].items() if row["outcome"] != "pass"
    ]


# -- pieces -------------------------------------------------------------------------------------
def test_stimuli_hold_and_ignore_repeats():
    stimuli = Stimuli()
    assert stimuli.add("motion", 100.0)
    assert not stimuli.add("motion", 100.5)  # still on
    assert stimuli.state("motion", 100.2) and not stimuli.state("motion", 100.0 + HOLD_S)
    assert stimuli.changes("motion", 99.0, 102.0) == [(100.0, True), (100.0 + HOLD_S, False)]
    assert stimuli.next_after("motion", 100.0) == 100.0 + HOLD_S
    assert stimuli.changes("tamper", 0, 1e12) == []


def test_stimulus_command_failure_is_no_stimulus(tmp_path):
    with pytest.raises(NoStimulus, match="exited 3"):
        Stimulus("echo nope >&2; exit 3").make("cam", "motion")
    with pytest.raises(NoStimulus, match="no --stimulus"):
        Stimulus(None).make("cam", "motion")
    marker = tmp_path / "made"
    made = Stimulus(f'echo "$CCTV_STIMULUS_DEVICE $CCTV_STIMULUS_KIND" > "{marker}"').make(
        "cam-1", "tamper"
    )
    assert marker.read_text().strip() == "cam-1 tamper" and "exited 0" in made


def test_prompt_needs_a_terminal():
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", "--device", "http://127.0.0.1:9/x"]
        + ["--profile", "onvif-profile-t", "--stimulus", "prompt"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "--stimulus" in proc.stderr and "terminal" in proc.stderr


def test_fake_vms_stimulate_unknown_device(tmp_path):
    ready = tmp_path / "ready.json"
    ready.write_text(json.dumps({"devices": [{"name": "a"}]}), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "fake_vms.cli", "stimulate", "--ready-file", str(ready)]
        + ["--device", "b", "--kind", "motion"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "no device 'b'" in proc.stderr


def test_consumer_listens_where_the_device_routes():
    assert local_address_towards("http://127.0.0.1:8080/onvif/device_service") == "127.0.0.1"
    with NotificationConsumer.towards("http://127.0.0.1:8080/x") as consumer:
        assert consumer.url.startswith("http://127.0.0.1:")
    with NotificationConsumer.towards("http://127.0.0.1:8080/x", "localhost") as consumer:
        assert consumer.url.startswith("http://localhost:")
    # An address that is not ours (NAT) is advertised while listening on the route's address.
    with NotificationConsumer.towards("http://127.0.0.1:8080/x", "192.0.2.7") as consumer:
        assert consumer.url.startswith("http://192.0.2.7:")
        assert consumer._server.server_address[0] == "127.0.0.1"
