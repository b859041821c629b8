"""Record real security answers of fake_vms for the security check unit tests.

Run from the repository root (re-runnable; it overwrites what it recorded before)::

    /work/venv/bin/python tests/checks/security/record_security.py

It starts the simulator in-process (the known-good camera and one camera per security persona),
makes the same requests the security suite makes, and saves what the device answered as plain
JSON (answer kinds, HTTP statuses, challenges, TLS versions and certificate facts, open ports),
in ``fixtures/<device>.json``. Ports and moments (nonces, certificate dates and serials) differ
between recordings and are dropped or normalised, so a re-recording shows only real changes.
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from requests.auth import HTTPBasicAuth

from conformance.answers import answer_of
from conformance.clients.onvif import OnvifClient
from conformance.clients.portscan import scan
from conformance.clients.tls_probe import probe_tls

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
PERSONAS = (
    "default-credentials",
    "basic-auth",
    "nonce-replay-accepted",
    "stale-created-accepted",
    "tls10-only",
    "undeclared-open-port",
    "no-lockout",
    "operator-can-admin",
)
PROBE = ("devicemgmt", "GetDeviceInformation")
ENVELOPE = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    b'<tds:GetDeviceInformation xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/>'
    b"</s:Body></s:Envelope>"
)


def _answer(call) -> dict[str, Any]:
    a = answer_of(call)
    return {
        "kind": a.kind,
        "http_status": a.http_status,
        "code": a.code,
        "subcodes": list(a.subcodes),
        "www_authenticate": [re.sub(r'nonce="[^"]*"', 'nonce="N"', h) for h in a.www_authenticate],
    }


def record_device(entry: dict[str, Any]) -> dict[str, Any]:
    url = entry["onvif_url"]
    admin = OnvifClient(url, entry["username"], entry["password"], timeout=5.0)
    admin.sync_clock()
    out: dict[str, Any] = {}
    defaults = {}
    for pair in ("admin:admin", "root:pass"):
        user, _, password = pair.partition(":")
        client = OnvifClient(url, user, password, timeout=5.0, clock_offset=admin.clock_offset)
        defaults[pair] = _answer(lambda c=client: c.call(*PROBE, auth="wsse"))
    out["default_credentials"] = defaults
    anonymous = OnvifClient(url, None, None, timeout=5.0)
    out["anonymous"] = _answer(lambda: anonymous.call(*PROBE, auth="none"))
    raw = admin.post_raw(url, ENVELOPE, auth=HTTPBasicAuth(entry["username"], entry["password"]))
    out["basic_status"] = raw.status
    header = admin.wsse_header(nonce=os.urandom(16))
    replay = copy.deepcopy(header)
    out["nonce_first"] = _answer(lambda: admin.call(*PROBE, security_header=header))
    out["nonce_replay"] = _answer(lambda: admin.call(*PROBE, security_header=replay))
    stale = admin.wsse_header(created=admin.device_now() - timedelta(hours=1))
    out["stale_created"] = _answer(lambda: admin.call(*PROBE, security_header=stale))
    operator = OnvifClient(
        url,
        entry["operator_username"],
        entry["operator_password"],
        timeout=5.0,
        clock_offset=admin.clock_offset,
    )
    out["operator_GetUsers"] = _answer(lambda: operator.call("devicemgmt", "GetUsers"))
    wrong = OnvifClient(
        url, entry["operator_username"], "wrong", timeout=5.0, clock_offset=admin.clock_offset
    )
    for _ in range(6):
        answer_of(lambda: wrong.call(*PROBE))
    out["operator_after_failures"] = _answer(lambda: operator.call(*PROBE))
    tls = probe_tls("127.0.0.1", entry["https_port"], 5.0)
    cert = tls["certificate"] or {}
    for moment in ("not_before", "not_after", "serial_number"):
        cert.pop(moment, None)
    out["tls"] = {"accepted": tls["accepted"], "certificate": cert}
    ports = {"http": entry["http_port"], "https": entry["https_port"], "rtsp": entry["rtsp_port"]}
    found = scan("127.0.0.1", [*ports.values(), entry["aux_port"]], timeout=1.0)
    names = {v: k for k, v in ports.items()} | {entry["aux_port"]: "aux"}
    out["open_ports"] = sorted(names[p] for p in found.open)
    return out


def main() -> None:
    from fake_vms.host import SimulatorThread
    from fake_vms.personas import PERSONAS as ALL
    from fake_vms.site import CameraConfig, Site, apply_persona

    cameras = [CameraConfig(name="good")] + [
        apply_persona(CameraConfig(name=name), ALL[name]) for name in PERSONAS
    ]
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with SimulatorThread(Site("security-fixtures", tuple(cameras))) as sim:
        for entry in sim.host.ready()["devices"]:
            recorded = record_device(entry)
            path = FIXTURES / f"{entry['name']}.json"
            path.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            print("recorded", path.relative_to(HERE))


if __name__ == "__main__":
    main()
