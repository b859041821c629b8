"""Safety classes (issue 5, point 5): a passive run sends nothing that changes device state.

Judged as ONVIF's client conformance judges a client: from the device's side. The simulator's
operation log (fake_vms.oplog) records every ONVIF operation, RTSP method and HTTP request each
camera served; after a passive run of the union of every shipped profile it may hold only
operations from the read-only allow-list below.

What counts as read-only (decided here, documented in the README):
- ONVIF ``Get*`` and ``Find*`` (and ``EndSearch``, which only frees the search session the
  client itself opened) read state.
- Event subscriptions (``CreatePullPointSubscription``, ``Subscribe``, ``PullMessages``,
  ``Renew``, ``Unsubscribe``, ``SetSynchronizationPoint``) create and end transient sessions
  that expire by themselves; they change no configuration, as a VMS watching the camera does.
- RTSP ``OPTIONS``, ``DESCRIBE``, ``SETUP``, ``PLAY``, ``PAUSE``, ``GET_PARAMETER`` and
  ``TEARDOWN`` watch a stream; nothing else (no ``SET_PARAMETER``, ``ANNOUNCE``, ``RECORD``).
- HTTP ``GET`` (snapshots) and the RTSP-over-HTTP tunnel (``GET`` and ``POST`` on
  /rtsp-over-http/): the POST only carries RTSP requests, each judged above as RTSP.
Everything else (``Set*``, ``Create*`` other than subscriptions, ``Delete*``, ``Add*``,
``Remove*``, ``SystemReboot``, PTZ moves, ...) is a state change and must not appear.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from simulated_target import write_simulated_target

from conformance.catalogue import load_catalogue
from fake_vms.host import SimulatorThread
from fake_vms.oplog import OperationLog
from fake_vms.site import CameraConfig, Site

UNION_PROFILE = "all-requirements"
VMS_INGEST_DOMAIN = "vms"
"""Profiles made only of this domain's requirements judge a VMS ingesting cameras (ZoneMinder, or
the simulated VMS: vms-ingest, its self-test and estate variants, vms-evidential), not a
camera's services: intrusive by nature, never passive, and not in the union profile."""

READ_ONLY_ONVIF = re.compile(
    r"^(Get\w*|Find\w*|EndSearch|CreatePullPointSubscription|Subscribe|PullMessages|Renew|"
    r"Unsubscribe|SetSynchronizationPoint)$"
)
TUNNEL_PREFIX = "/rtsp-over-http/"
READ_ONLY_RTSP = {"OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "GET_PARAMETER", "TEARDOWN"}


def is_read_only(protocol: str, operation: str) -> bool:
    """Whether an oplog entry is on the passive allow-list (see the module docstring)."""
    if protocol == "onvif":
        return bool(READ_ONLY_ONVIF.match(operation))
    if protocol == "rtsp":
        return operation in READ_ONLY_RTSP
    if protocol == "ws-discovery":  # a Probe answered; Hello and Bye would be the device's own
        return operation == "WS-Discovery Probe"
    return operation.startswith(("GET ", "HEAD ", f"POST {TUNNEL_PREFIX}"))


def test_allow_list_decisions() -> None:
    assert is_read_only("onvif", "GetProfiles") and is_read_only("onvif", "Renew")
    for changing in ("SetSystemDateAndTime", "CreateUsers", "AbsoluteMove", "SystemReboot"):
        assert not is_read_only("onvif", changing)
    assert not is_read_only("rtsp", "SET_PARAMETER") and not is_read_only("http", "POST /x")


def test_union_profile_covers_every_shipped_profile() -> None:
    catalogue = load_catalogue()
    union = {e.id for e in catalogue.resolve(UNION_PROFILE).requirements}
    for profile in catalogue.profiles():
        entries = catalogue.resolve(profile.id).requirements
        if profile.id == UNION_PROFILE or all(
            e.requirement.domain == VMS_INGEST_DOMAIN for e in entries
        ):
            continue
        ids = {e.id for e in entries}
        assert ids <= union, f"{profile.id}: {sorted(ids - union)} not in {UNION_PROFILE}"


@pytest.mark.slow
def test_passive_run_changes_nothing(tmp_path: Path) -> None:
    oplog = OperationLog()
    camera = CameraConfig(name="cam", width=1280, height=720, codec="H265", ptz=True)
    with SimulatorThread(Site("passive", (camera,)), oplog) as simulator:
        features = ["snapshot", "rtsp_udp", "rtsp_tcp", "ptz"]
        target = write_simulated_target(
            tmp_path, simulator.host.ready(), "Passive check", ["cam"], features
        )
        proc = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--target", str(target),
             "--profile", UNION_PROFILE, "--mode", "passive", "--out", str(tmp_path / "out"),
             "--timeout", "5"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    entries = oplog.entries("cam")
    assert any(e.protocol == "rtsp" for e in entries) and len(entries) > 20
    changing = sorted(
        {
            f"{e.protocol} {e.operation}"
            for e in entries
            if not is_read_only(e.protocol, e.operation)
        }
    )
    assert changing == [], f"a passive run changed device state: {changing}"
