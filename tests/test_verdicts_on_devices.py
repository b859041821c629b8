"""Verdicts that hold on real devices (issue 12): addressing what the device advertises, blame on
the requirement that judges a cause, ``incomplete`` runs, and evidence behind every verdict.

The end-to-end runs use the real CLI against simulated cameras on loopback; the gateway case puts
a small HTTP forwarder in front of the simulator so its services really live on another port and
path than its device service, as behind the gateways seen in the field.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conformance.results import verdict_of
from fake_vms.host import SimulatorThread, write_ready_file
from fake_vms.personas import get_persona
from fake_vms.site import CameraConfig, Site, apply_persona
from reports.root_causes import render_root_causes, root_causes

PREFIX = "/gateway"


# -- the overall verdict ------------------------------------------------------------------------
def _row(rid: str, outcome: str, level: str = "mandatory", reason: str = "", cause: str = ""):
    return {"id": rid, "level": level, "outcome": outcome, "reason": reason, "cause": cause}


def test_environment_only_gap_is_incomplete() -> None:
    rows = [
        _row("A", "pass"),
        _row("B", "not_tested", reason="environment: multicast cannot be tested on loopback"),
        _row("C", "not_tested", reason="no stimulus: no scene change could be made"),
        _row("D", "fail", level="optional"),
    ]
    verdict, meaning = verdict_of(rows)
    assert verdict == "incomplete"
    assert "B, C" in meaning


def test_a_fail_beats_incomplete() -> None:
    rows = [
        _row("A", "fail"),
        _row("B", "not_tested", reason="environment: multicast cannot be tested on loopback"),
    ]
    assert verdict_of(rows)[0] == "does_not_conform"


def test_other_not_tested_is_not_incomplete() -> None:
    rows = [
        _row("A", "not_tested", reason="environment: no routable address"),
        _row("B", "not_tested", reason="A changes device settings; run with --mode lab"),
    ]
    assert verdict_of(rows)[0] == "does_not_conform"


def test_conditional_environment_gap_still_conforms() -> None:
    rows = [_row("A", "pass"), _row("B", "not_tested", "conditional", "environment: multicast")]
    assert verdict_of(rows)[0] == "conforms"


# -- blocked verdicts grouped under their root cause --------------------------------------------
def test_root_causes_group_blocked_rows() -> None:
    device = {
        "name": "cam",
        "requirements": [
            {**_row("ONVIF-MEDIA-PROF-01", "fail", reason="GetProfiles fault"), "title": "P"},
            {
                **_row("STREAM-FPS-01", "inconclusive"),
                "title": "F",
                "blocked_by": "ONVIF-MEDIA-PROF-01",
            },
            {
                **_row("STREAM-TS-01", "inconclusive"),
                "title": "T",
                "blocked_by": "ONVIF-MEDIA-PROF-01",
            },
            {
                **_row("STREAM-CONT-01", "inconclusive"),
                "title": "C",
                "blocked_by": "ONVIF-DEV-SCHEMA-01",
            },
        ],
    }
    groups = root_causes(device)
    assert list(groups) == ["ONVIF-DEV-SCHEMA-01", "ONVIF-MEDIA-PROF-01"]
    assert [r["id"] for r in groups["ONVIF-MEDIA-PROF-01"]] == ["STREAM-FPS-01", "STREAM-TS-01"]
    html = render_root_causes(device)
    assert "Root causes of blocked checks" in html
    assert "not in this profile" in html  # SCHEMA-01 has no row of its own here
    assert html.count("<tr>") == 3  # header + one row per root cause


# -- end to end ---------------------------------------------------------------------------------
class _Gateway:
    """Forwards ``/gateway/<path>`` on its own port to ``<path>`` on the simulator's port,
    optionally rewriting each reply body (a vendor quirk put on the wire)."""

    def __init__(self, rewrite=None, refuse=None) -> None:
        self.target_port = 0
        self.rewrite = rewrite or (lambda body: body)
        self.refuse = refuse or (lambda body, headers: False)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if not self.path.startswith(PREFIX + "/"):
                    self.send_error(404)
                    return
                if gateway.refuse(body, self.headers):
                    self.send_response(401)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "12")
                    self.end_headers()
                    self.wfile.write(b"unauthorized")
                    return
                conn = http.client.HTTPConnection("127.0.0.1", gateway.target_port, timeout=10)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                conn.request("POST", self.path[len(PREFIX) :], body, headers)
                reply = conn.getresponse()
                data = gateway.rewrite(reply.read())
                self.send_response(reply.status)
                for name, value in reply.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{PREFIX}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A known-good camera, one behind a gateway (services on another port and path) and the
    xaddr-wrong-port persona (services advertised where nothing listens)."""
    gateway = _Gateway()
    # In front of a device service: GetServices/GetCapabilities (PRE_AUTH) demand credentials.
    strict = _Gateway(
        refuse=lambda body, headers: (
            (b"GetServices" in body or b"GetCapabilities" in body)
            and b"UsernameToken" not in body
            and "Authorization" not in headers
        )
    )
    # As the field camera of issue 12: GetProfiles without the configurations' UseCount.
    quirky = _Gateway(lambda body: re.sub(rb"<tt:UseCount>\d+</tt:UseCount>", b"", body))
    cameras = (
        CameraConfig(name="good"),
        _behind(CameraConfig(name="gatewayed"), gateway),
        _behind(CameraConfig(name="no-usecount"), quirky),
        apply_persona(CameraConfig(name="deadport"), get_persona("xaddr-wrong-port")),
    )
    ready = tmp_path_factory.mktemp("sim") / "ready.json"
    with SimulatorThread(Site("verdicts", cameras)) as thread:
        ports = {d["name"]: d["onvif_url"] for d in thread.host.ready()["devices"]}
        gateway.target_port = _port(ports["gatewayed"])
        quirky.target_port = _port(ports["no-usecount"])
        strict.target_port = _port(ports["good"])
        write_ready_file(ready, thread.host.ready())
        (ready.parent / "strict-device.url").write_text(f"{strict.base}/onvif/device_service")
        yield ready
    for server in (gateway, quirky, strict):
        server.server.shutdown()


def _behind(camera: CameraConfig, gateway: _Gateway) -> CameraConfig:
    """The camera with its services advertised on the gateway (another port and path)."""
    return dataclasses.replace(
        camera, knobs=dataclasses.replace(camera.knobs, xaddr_base=gateway.base)
    )


def _port(url: str) -> int:
    return int(url.split(":")[2].split("/")[0])


def _run(tmp_path: Path, ready: Path, device: str, profile: str, **env: str):
    target = tmp_path / f"{device}.yaml"
    target.write_text(
        yaml.safe_dump(
            {
                "supplier": "Verdicts test",
                "product": "SimCam",
                "simulator": {"ready_file": str(ready), "devices": [device]},
                "claims": {"features": ["snapshot", "rtsp_udp", "rtsp_tcp"]},
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    environ = {k: v for k, v in os.environ.items() if k != "CCTV_CONFORMANCE_PROFILES"}
    environ.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", "--target", str(target),
         "--profile", profile, "--out", str(out)],
        capture_output=True, text=True, env=environ, timeout=300,
    )  # fmt: skip
    results_path = out / "results.json"
    assert results_path.exists(), proc.stdout[-3000:] + proc.stderr
    return proc, json.loads(results_path.read_text(encoding="utf-8"))


def _rows(results: dict) -> dict[str, dict]:
    (device,) = results["devices"]
    return {r["id"]: r for r in device["requirements"]}


@pytest.mark.slow
def test_services_on_another_port_and_path_pass(tmp_path: Path, site: Path) -> None:
    """Legal per ONVIF Core 8.1.2.2: every check calls the services where the device says."""
    proc, results = _run(tmp_path, site, "gatewayed", "onvif-s-core")
    rows = _rows(results)
    assert proc.returncode == 0, {k: r["reason"] for k, r in rows.items() if r["outcome"] != "pass"}
    assert {r["outcome"] for r in rows.values()} == {"pass"}
    assert PREFIX in json.dumps(rows["ONVIF-DEV-XADDR-01"]["measured"])
    assert not any("cannot be used" in n for n in results["devices"][0]["notes"])


@pytest.mark.slow
def test_missing_use_count_fails_only_the_schema_requirement(tmp_path: Path, site: Path) -> None:
    """Read leniently, judge strictly: the profiles are read and streamed as usual; only
    ONVIF-DEV-SCHEMA-01 fails, with the validation errors as evidence next to the reply."""
    proc, results = _run(tmp_path, site, "no-usecount", "onvif-s-core")
    rows = _rows(results)
    failing = sorted(k for k, r in rows.items() if r["outcome"] != "pass")
    assert failing == ["ONVIF-DEV-SCHEMA-01"], {k: rows[k]["reason"] for k in failing}
    assert proc.returncode == 1
    schema = rows["ONVIF-DEV-SCHEMA-01"]
    assert "GetProfiles: line " in schema["reason"] and "UseCount" in schema["reason"]
    assert schema["measured"]["invalid"] == ["GetProfiles"]
    names = [f["name"] for f in schema["evidence"]]
    assert "GetProfiles-reply" in names and "schema-errors" in names


@pytest.mark.slow
def test_dead_advertised_port_fails_only_xaddr(tmp_path: Path, site: Path) -> None:
    """The suite falls back to the device service's authority (with a note), so only
    ONVIF-DEV-XADDR-01 carries the fault, with the failed probe's transcript."""
    proc, results = _run(tmp_path, site, "deadport", "onvif-s-core")
    rows = _rows(results)
    assert proc.returncode == 1
    failing = sorted(k for k, r in rows.items() if r["outcome"] != "pass")
    assert failing == ["ONVIF-DEV-XADDR-01"], {k: rows[k]["reason"] for k in failing}
    assert "does not answer" in rows["ONVIF-DEV-XADDR-01"]["reason"]
    assert rows["ONVIF-DEV-XADDR-01"]["evidence"]
    notes = results["devices"][0]["notes"]
    assert any("cannot be used" in n and "ONVIF-DEV-XADDR-01" in n for n in notes), notes


@pytest.mark.slow
def test_environment_only_run_exits_4_incomplete(tmp_path: Path, site: Path) -> None:
    """A profile whose only mandatory requirement cannot be judged on loopback (multicast)."""
    profiles = tmp_path / "profiles"
    import shutil

    shutil.copytree(Path(__file__).resolve().parent.parent / "profiles", profiles)
    (profiles / "env-only.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "env-only",
                "version": "1",
                "title": "Only an environment-bound requirement",
                "requirements": [{"id": "STREAM-MCAST-01", "level": "mandatory"}],
            }
        ),
        encoding="utf-8",
    )
    proc, results = _run(
        tmp_path, site, "good", "env-only", CCTV_CONFORMANCE_PROFILES=str(profiles)
    )
    assert proc.returncode == 4, proc.stdout[-2000:] + proc.stderr
    assert results["verdict"] == "incomplete"
    assert _rows(results)["STREAM-MCAST-01"]["reason"].startswith("environment: ")
    assert "incomplete" in proc.stdout


@pytest.mark.slow
def test_baseline_every_pass_and_fail_has_an_evidence_file(tmp_path: Path) -> None:
    """Issue 12 point 7: measured values alone are not evidence; every pass and fail of the
    baseline profile against the simulator carries at least one file of device bytes."""
    out = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "demo", "--out", str(out)],
        capture_output=True, text=True, timeout=420,
        env={k: v for k, v in os.environ.items() if k != "CCTV_CONFORMANCE_PROFILES"},
    )  # fmt: skip
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    judged = [
        (d["name"], r["id"], r["outcome"], r["evidence"])
        for d in results["devices"]
        for r in d["requirements"]
        if r["outcome"] in ("pass", "fail")
    ]
    assert judged, proc.stdout[-2000:]
    assert [j[:3] for j in judged if not j[3]] == []
    assert results["verdict"] == "conforms", proc.stdout[-2000:]


# -- cached answers carry the requirement that judges them --------------------------------------
def _dut():
    from conformance.dut import DeviceUnderTest
    from conformance.redaction import Redactor
    from conformance.targets import single_device_target

    target = single_device_target("http://127.0.0.1:9/onvif/device_service", None, None)
    return DeviceUnderTest(target.devices[0], timeout=1.0, redactor=Redactor())


def test_cached_device_fault_is_tagged_with_its_judge() -> None:
    from conformance.clients.onvif import OnvifFault
    from conformance.verdicts import judged_by

    dut = _dut()

    def refuse():
        raise OnvifFault("{e}Receiver", [], "no profiles", 500, "GetProfiles")

    with pytest.raises(OnvifFault) as first:
        dut.cached("profiles", refuse, judge="ONVIF-MEDIA-PROF-01")
    with pytest.raises(OnvifFault) as again:  # cached: the same failure, same judge
        dut.cached("main_profile", lambda: dut.cached("profiles", refuse), judge="OTHER-01")
    assert judged_by(first.value) == judged_by(again.value) == "ONVIF-MEDIA-PROF-01"


def test_unreachable_is_not_blamed_on_a_requirement() -> None:
    from conformance.clients.onvif import OnvifTimeout
    from conformance.verdicts import judged_by

    dut = _dut()

    def silent():
        raise OnvifTimeout("no answer")

    with pytest.raises(OnvifTimeout) as caught:
        dut.cached("profiles", silent, judge="ONVIF-MEDIA-PROF-01")
    assert judged_by(caught.value) == ""


def test_blocked_reason_names_the_judge() -> None:
    from conformance.outcomes import Blocked, blocked_by_of

    inside = Blocked("ONVIF-MEDIA-PROF-01", "OnvifFault: GetProfiles: SOAP fault")
    outside = Blocked("ONVIF-DEV-SCHEMA-01", "unreadable", in_profile=False)
    assert str(inside) == "blocked by ONVIF-MEDIA-PROF-01: OnvifFault: GetProfiles: SOAP fault"
    assert str(outside) == "blocked by ONVIF-DEV-SCHEMA-01 (not in this profile): unreadable"
    assert blocked_by_of(str(inside)) == "ONVIF-MEDIA-PROF-01"
    assert blocked_by_of(str(outside)) == "ONVIF-DEV-SCHEMA-01"
    assert blocked_by_of("environment: multicast") == ""


@pytest.mark.slow
def test_services_check_goes_on_after_demanding_credentials(tmp_path: Path, site: Path) -> None:
    """ONVIF-DEV-SVC-01 records the PRE_AUTH finding and still compares what the replies
    advertise; nothing else fails for it. The device service here sits behind a gateway, so
    its service XAddrs are on another port than the device service: legal, no fail."""
    url = (site.parent / "strict-device.url").read_text()
    target = tmp_path / "strict.yaml"
    target.write_text(
        yaml.safe_dump(
            {
                "supplier": "Verdicts test",
                "product": "SimCam",
                "devices": [
                    {
                        "name": "strict",
                        "onvif": url,
                        "credentials": {"username": "admin", "password_env": "STRICT_PW"},
                    }
                ],
                "claims": {"features": ["snapshot", "rtsp_udp", "rtsp_tcp"]},
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    environ = {k: v for k, v in os.environ.items() if k != "CCTV_CONFORMANCE_PROFILES"}
    environ["STRICT_PW"] = CameraConfig(name="x").password
    proc = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", "--target", str(target),
         "--profile", "onvif-s-core", "--out", str(out)],
        capture_output=True, text=True, env=environ, timeout=300,
    )  # fmt: skip
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    rows = _rows(results)
    svc = rows["ONVIF-DEV-SVC-01"]
    assert svc["outcome"] == "fail", proc.stdout[-3000:]
    assert "GetServices without credentials (PRE_AUTH) was refused" in svc["reason"]
    assert "GetCapabilities without credentials (PRE_AUTH) was refused" in svc["reason"]
    assert svc["measured"]["services"] and svc["measured"]["capabilities"]  # it went on
    for rid in ("ONVIF-DEV-XADDR-01", "ONVIF-DEV-SCHEMA-01", "ONVIF-MEDIA-PROF-01"):
        assert rows[rid]["outcome"] == "pass", (rid, rows[rid]["reason"])
    assert rows["STREAM-RTSP-UDP-01"]["outcome"] == "pass", rows["STREAM-RTSP-UDP-01"]["reason"]
