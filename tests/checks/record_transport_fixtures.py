"""Record real WS-Discovery replies and RTSP keep-alive results from fake_vms for the checks.

Run from the repository root (re-runnable; it overwrites what it recorded before)::

    /work/venv/bin/python tests/checks/record_transport_fixtures.py

It starts the simulator in-process (the known-good camera plus the discovery and transport
personas) and, through the suite's own clients, saves:

- ``fixtures/discovery/<device>.xml``: the ProbeMatches datagram the device sent to an untyped
  unicast Probe, exactly as received except that the Probe's MessageID becomes
  ``urn:uuid:00000000-0000-0000-0000-000000000001``, the reply's own MessageID
  ``urn:uuid:00000000-0000-0000-0000-000000000002``, and the device's HTTP port 8080 (as in
  record_fixtures.py), so re-recordings are byte-stable; ``<device>.scopes.json``: its GetScopes.
- ``fixtures/transports/<device>.keepalive.json``: ``KeepaliveResult.to_dict()`` of a keep-alive
  probe (session ids and ports removed).

Only devices whose reply is interesting are recorded: wsd-silent sends nothing, so its fixture
is the absence of a file (checked by the unit tests as "no own match").
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
HTTP_PORT = 8080
PROBE_ID = "urn:uuid:00000000-0000-0000-0000-000000000001"
REPLY_ID = "urn:uuid:00000000-0000-0000-0000-000000000002"
DISCOVERY_PERSONAS = ("wsd-xaddr-zero", "wsd-wrong-types")
KEEPALIVE_PERSONAS = ("keepalive-ignored",)


def main() -> int:
    from conformance.checks.device import scopes_of
    from conformance.checks.discovery_ws import own_matches
    from conformance.clients.discovery import probe
    from conformance.clients.onvif import OnvifClient
    from conformance.clients.rtsp_keepalive import keepalive_probe
    from fake_vms.host import SimulatorThread
    from fake_vms.personas import PERSONAS
    from fake_vms.site import CameraConfig, Site, apply_persona

    names = ("good", *DISCOVERY_PERSONAS, *KEEPALIVE_PERSONAS)
    cameras = [
        CameraConfig(name=n) if n == "good" else apply_persona(CameraConfig(name=n), PERSONAS[n])
        for n in names
    ]
    (FIXTURES / "discovery").mkdir(parents=True, exist_ok=True)
    (FIXTURES / "transports").mkdir(parents=True, exist_ok=True)
    with SimulatorThread(Site("fixtures", tuple(cameras))) as simulator:
        ready = simulator.host.ready()
        address = ("127.0.0.1", ready["discovery_port"])
        for device in ready["devices"]:
            name, url, port = device["name"], device["onvif_url"], device["http_port"]
            if name in ("good", *DISCOVERY_PERSONAS):
                result = probe(
                    address, wait=1.0, done=lambda found, url=url: bool(own_matches(found, url))
                )
                own = [r for r in result.replies if f":{port}/" in r and result.message_id in r]
                if len(own) != 1:
                    print(f"{name}: expected one own reply, got {len(own)}", file=sys.stderr)
                    return 1
                text = own[0].replace(result.message_id, PROBE_ID)
                text = re.sub(r"<a:MessageID>[^<]*</a:MessageID>", f"<a:MessageID>{REPLY_ID}"
                              "</a:MessageID>", text)  # fmt: skip
                text = re.sub(r'MessageNumber="\d+"', 'MessageNumber="1"', text)
                (FIXTURES / "discovery" / f"{name}.xml").write_text(
                    text.replace(f":{port}/", f":{HTTP_PORT}/"), encoding="utf-8"
                )
                client = OnvifClient(url, device["username"], device["password"], timeout=5)
                scopes = scopes_of(client.call("devicemgmt", "GetScopes"))
                (FIXTURES / "discovery" / f"{name}.scopes.json").write_text(
                    json.dumps(scopes, indent=2) + "\n", encoding="utf-8"
                )
            if name in ("good", *KEEPALIVE_PERSONAS):
                rtsp = f"rtsp://127.0.0.1:{device['rtsp_port']}/stream1"
                result = keepalive_probe(
                    rtsp, device["username"], device["password"], after_s=0.5, timeout=5
                )
                data = result.to_dict()
                data["url"] = "rtsp://127.0.0.1:8554/stream1"
                data["session_header"] = re.sub(r"^[^;]+", "SESSION", data["session_header"])
                for step in data["steps"]:  # packet counts vary; only whether any arrived counts
                    step["packets_after"] = min(step["packets_after"], 1)
                data["packets_before"] = min(data["packets_before"], 1)
                (FIXTURES / "transports" / f"{name}.keepalive.json").write_text(
                    json.dumps(data, indent=2) + "\n", encoding="utf-8"
                )
            print(f"recorded {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
