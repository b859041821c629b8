"""Record real PTZ, Imaging and OSD replies from fake_vms for the check unit tests.

Run from the repository root (re-runnable; it overwrites what it recorded before)::

    /work/venv/bin/python tests/checks/ptz/record_ptz_fixtures.py

It follows ``tests/checks/record_fixtures.py`` (same envelopes, same WS-Security header, same raw
HTTP, same port normalisation) and writes to the same place,
``tests/checks/fixtures/onvif/<device>/<Operation>.xml`` + ``.meta.json``, so
``zeep_replay.replay`` reads them back. Devices: ``ptz-good`` (the known-good camera with PTZ on)
and the PTZ, imaging and OSD personas, each with only the replies its broken requirement reads.
Moving replies are recorded with the camera idle at the home position, so they are byte-stable
apart from GetStatus's UtcTime.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from record_fixtures import FIXTURES, Op, PortNormaliser, _envelope, _save, reply_meta  # noqa: E402

RECORDED_WITH = "tests/checks/ptz/record_ptz_fixtures.py"
"""Named in every fixture's meta, so a reader knows how to re-record it."""

from conformance.clients.onvif import OnvifClient  # noqa: E402
from conformance.dut import SERVICE_NAMESPACES, same_authority  # noqa: E402

PROFILE = {"ProfileToken": "profile_1"}
SOURCE = {"VideoSourceToken": "video_source_1"}
NODES = Op("ptz", "GetNodes")
CONFIG_OPTIONS = Op("ptz", "GetConfigurationOptions", params={"ConfigurationToken": "ptz_config_1"})
STATUS = Op("ptz", "GetStatus", params=PROFILE)
PRESETS = Op("ptz", "GetPresets", params=PROFILE)
PTZ_CAPS = Op("ptz", "GetServiceCapabilities")
SETTINGS = Op("imaging", "GetImagingSettings", params=SOURCE)
OPTIONS = Op("imaging", "GetOptions", params=SOURCE)
OSDS = Op("media2", "GetOSDs", params={"ConfigurationToken": "vsc2_1"})
OSD_OPTIONS = Op("media2", "GetOSDOptions", params={"ConfigurationToken": "vsc2_1"})

PLAN: dict[str, list[Op]] = {
    "ptz-good": [
        NODES,
        CONFIG_OPTIONS,
        STATUS,
        PRESETS,
        PTZ_CAPS,
        SETTINGS,
        OPTIONS,
        OSDS,
        OSD_OPTIONS,
    ],
    "ptz-vendor-spaces-only": [NODES, CONFIG_OPTIONS],
    "ptz-no-movestatus": [STATUS],
    "ptz-status-optional-off": [PTZ_CAPS, STATUS, NODES],
    "ptz-node-no-spaces": [NODES, CONFIG_OPTIONS],
    "ptz-generic-0-360": [NODES, CONFIG_OPTIONS],
    "imaging-values-outside-options": [SETTINGS, OPTIONS],
    "osd-options-unsupported": [OSD_OPTIONS],
}


def _record(name: str, entry: dict[str, Any]) -> None:
    normalise = PortNormaliser(entry["http_port"], entry["rtsp_port"], 0)
    device_url = entry["onvif_url"]
    client = OnvifClient(device_url, entry["username"], entry["password"], timeout=10)
    client.sync_clock()
    services = client.call("devicemgmt", "GetServices", auth="both", IncludeCapability=False)
    urls = {s.Namespace: same_authority(s.XAddr, device_url) for s in services}
    for op in PLAN[name]:
        url = urls[SERVICE_NAMESPACES[op.service]]
        body, headers = _envelope(client, op, url, None)
        raw = client.post_raw(url, body, headers)
        meta = reply_meta(name, op, url, raw, device_url, RECORDED_WITH)
        _save(FIXTURES / "onvif" / name / f"{op.filename}.xml", raw.body, meta, normalise)
    print(f"  {name}: {len(PLAN[name])} replies")


def main(names: list[str]) -> int:
    """Record every device of PLAN, or only those named on the command line."""
    from fake_vms.host import SimulatorThread
    from fake_vms.personas import PERSONAS
    from fake_vms.site import CameraConfig, Site, apply_persona

    chosen = [n for n in PLAN if not names or n in names]
    cameras = [
        apply_persona(CameraConfig(name=n, ptz=True), PERSONAS.get(n) if n != "ptz-good" else None)
        for n in chosen
    ]
    with SimulatorThread(Site("fixtures", tuple(cameras))) as simulator:
        time.sleep(0.1)
        ready = {d["name"]: d for d in simulator.host.ready()["devices"]}
        for name in chosen:
            _record(name, ready[name])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
