"""A passive run never sends more failed logins to a camera than its budget; lab mode is uncapped.

Judged from the device's side, as tests/test_passive_oplog.py judges state changes. The
simulator's operation log records, per ONVIF operation, whether it authenticated and how it
ended, but not whether the refused request carried credentials at all: an anonymous request and
a wrong HTTP Digest answer both end "401". So the run's ONVIF traffic passes through a small
recording proxy on loopback that notes, per request, whether credentials were presented
(an Authorization header or a WS-Security UsernameToken) and whether the device refused them;
each refusal it sees is cross-checked against the oplog's unauthenticated entries.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from simulated_target import write_simulated_target

from fake_vms.host import SimulatorThread
from fake_vms.oplog import OperationLog
from fake_vms.security import OPERATOR_PASSWORD, OPERATOR_USERNAME
from fake_vms.site import CameraConfig, Site

SELECT = "test_access_control or test_authentication"
"""Every check that sends failed logins in passive mode. SEC-PRIV-01 (test_privileges) is left
out of the passive run: its Operator is refused GetUsers with ter:NotAuthorized although its
password is right, which the proxy could not tell from a failed login."""
LAB_SELECT = SELECT + " or test_privileges"
SPENDERS = ("ONVIF-DEV-AUTH-02", "SEC-DEFCRED-01", "SEC-NOBASIC-01", "SEC-NONCE-01")
SPENDERS += ("SEC-CREATED-01",)
OPERATOR_ENV = "CCTV_TEST_BUDGET_OPERATOR_PASSWORD"


class RecordingProxy:
    """Forwards HTTP to one upstream and records (credentials presented, refused) per request."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.requests: list[tuple[bool, bool, int]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                conn = http.client.HTTPConnection(
                    proxy.upstream.hostname, proxy.upstream.port, timeout=10
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request("POST", self.path, body, headers)
                reply = conn.getresponse()
                data = reply.read()
                conn.close()
                presented = "authorization" in {k.lower() for k in headers} or (
                    b"UsernameToken" in body
                )
                refused = (
                    reply.status == 401
                    or b"NotAuthorized" in data
                    or (reply.status == 400 and b"<html" in data.lower())
                )
                with proxy._lock:
                    proxy.requests.append((presented, refused, reply.status))
                self.send_response(reply.status)
                for key, value in reply.getheaders():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def failed_logins(self) -> int:
        with self._lock:
            return sum(1 for presented, refused, _ in self.requests if presented and refused)

    def __enter__(self) -> RecordingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _run(
    tmp_path: Path, mode: str, lockout: dict | None, select: str = SELECT
) -> tuple[dict, RecordingProxy, list]:
    oplog = OperationLog()
    with SimulatorThread(Site("budget", (CameraConfig(name="cam"),)), oplog) as simulator:
        ready = simulator.host.ready()
        entry = ready["devices"][0]
        with RecordingProxy(entry["onvif_url"]) as proxy:
            path = urlsplit(entry["onvif_url"]).path
            entry["onvif_url"] = f"http://127.0.0.1:{proxy.port}{path}"
            extra: dict = {"lockout_policy": lockout} if lockout is not None else {}
            target = write_simulated_target(
                tmp_path / f"target-{mode}", ready, "Budget check", ["cam"],
                ["snapshot", "rtsp_udp", "rtsp_tcp"],
                default_credentials=["admin:admin"],
                security={"operator": {"username": OPERATOR_USERNAME,
                                       "password_env": OPERATOR_ENV}},
                **extra,
            )  # fmt: skip
            out = tmp_path / f"out-{mode}"
            proc = subprocess.run(
                [sys.executable, "-m", "conformance.cli", "run", "--target", str(target),
                 "--profile", "all-requirements", "--mode", mode, "--out", str(out),
                 "--timeout", "5", "--select", select],
                capture_output=True, text=True, timeout=120,
                env={**os.environ, OPERATOR_ENV: OPERATOR_PASSWORD},
            )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    records = {}
    for line in (out / "results.jsonl").read_text().splitlines():
        record = json.loads(line)
        records[record["requirement"]] = record
    return records, proxy, oplog.entries("cam")


@pytest.mark.slow
def test_passive_run_stays_within_a_declared_low_threshold(tmp_path: Path) -> None:
    # Threshold 4 -> budget 2: AUTH-02 (baseline, 1), then DEFCRED (2) does not fit, then
    # NOBASIC (1); NONCE and CREATED no longer fit.
    records, proxy, oplog = _run(tmp_path, "passive", {"max_failed_logins": 4, "min_interval_s": 0})
    outcomes = {req: records[req]["outcome"] for req in SPENDERS}
    assert outcomes == {
        "ONVIF-DEV-AUTH-02": "pass",
        "SEC-DEFCRED-01": "not_tested",
        "SEC-NOBASIC-01": "pass",
        "SEC-NONCE-01": "not_tested",
        "SEC-CREATED-01": "not_tested",
    }
    defcred = records["SEC-DEFCRED-01"]
    for part in ("would send 2 failed login(s)", "budget is 2", "--mode lab",
                 "lockout_policy.max_failed_logins", "ONVIF-DEV-AUTH-02"):  # fmt: skip
        assert part in defcred["reason"], defcred["reason"]
    ledger = records["SEC-CREATED-01"]["evidence"]["measured"]["failed_login_budget"]
    assert ledger["granted"] is False and ledger["remaining"] == 0 and ledger["budget"] == 2
    spent = records["SEC-NOBASIC-01"]["evidence"]["measured"]["failed_login_budget"]
    assert (spent["spent_by_this_check"], spent["spent_on_device"]) == (1, 2)

    # The device's side: at most the budget of refused credentialed requests, each one an
    # unauthenticated refusal in the simulator's log; the admin account was never the target
    # of a wrong password (only Basic, which a good device refuses whatever the password).
    assert proxy.failed_logins() <= 2, proxy.requests
    refusals = [e for e in oplog if e.protocol == "onvif" and not e.authenticated
                and e.outcome != "200"]  # fmt: skip
    assert len(refusals) >= proxy.failed_logins()
    not_authorized = [e for e in refusals if "NotAuthorized" in e.outcome]
    assert len(not_authorized) <= 2, not_authorized
    assert not [r for r in records.values() if r["outcome"] == "inconclusive"], records


@pytest.mark.slow
def test_lab_run_is_uncapped(tmp_path: Path) -> None:
    records, proxy, _ = _run(tmp_path, "lab", {"max_failed_logins": 4}, LAB_SELECT)
    assert {req: records[req]["outcome"] for req in SPENDERS} == dict.fromkeys(SPENDERS, "pass")
    assert records["SEC-LOCKOUT-01"]["outcome"] == "pass"
    ledger = records["SEC-LOCKOUT-01"]["evidence"]["measured"]["failed_login_budget"]
    assert ledger["budget"] is None and ledger["spent_by_this_check"] == 8
    # 1 + 2 + 1 + 1 + 1 + 8 failed logins on purpose, all of them sent.
    assert proxy.failed_logins() >= 14
