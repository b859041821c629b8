"""Record the replies the capability checks read, from the known-good simulated camera and the
capability personas, into ``fixtures/capabilities/<device>/<name>.xml`` (the SOAP envelopes as
the suite's client received them). Run from the repository root:

    python tests/checks/record_capabilities_fixtures.py
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from conformance.checks.capabilities import SERVICE_KEYS
from conformance.clients.onvif import OnvifClient, OnvifError
from conformance.redaction import Redactor
from fake_vms.host import SimulatorThread
from fake_vms.personas import get_persona
from fake_vms.site import CameraConfig, Site, apply_persona

OUT = Path(__file__).parent / "fixtures" / "capabilities"
DEVICES = {
    "good": None,
    "service-caps-fault": "service-caps-fault",
    "service-caps-inconsistent": "service-caps-inconsistent",
    "capabilities-category-missing": "capabilities-category-missing",
}


def _keep(client: OnvifClient, folder: Path, name: str, service: str, operation: str, **params):
    """Ask once and keep the reply as received (a fault is kept too: personas answer so)."""
    with contextlib.suppress(OnvifError):
        client.call(service, operation, **params)
    (folder / f"{name}.xml").write_text(client.exchanges[-1].response_xml + "\n")


def main() -> None:
    cameras = []
    for name, persona in DEVICES.items():
        camera = CameraConfig(name=name, ptz=True, record=True)
        cameras.append(apply_persona(camera, get_persona(persona)) if persona else camera)
    with SimulatorThread(Site("capabilities", cameras)) as thread:
        for device in thread.host.ready()["devices"]:
            client = OnvifClient(
                device["onvif_url"],
                device["username"],
                device["password"],
                timeout=10,
                redactor=Redactor([device["password"]]),
            )
            folder = OUT / device["name"]
            folder.mkdir(parents=True, exist_ok=True)

            _keep(
                client,
                folder,
                "GetServices-caps",
                "devicemgmt",
                "GetServices",
                IncludeCapability=True,
            )
            _keep(
                client,
                folder,
                "GetCapabilities-All",
                "devicemgmt",
                "GetCapabilities",
                Category=["All"],
            )
            _keep(
                client,
                folder,
                "GetCapabilities-Imaging",
                "devicemgmt",
                "GetCapabilities",
                Category=["Imaging"],
            )
            services = client.call("devicemgmt", "GetServices", IncludeCapability=False)
            for service in services:
                key = SERVICE_KEYS.get(str(service.Namespace))
                if key:
                    _keep(
                        client,
                        folder,
                        f"GetServiceCapabilities-{key}",
                        key,
                        "GetServiceCapabilities",
                        url=str(service.XAddr),
                    )


if __name__ == "__main__":
    main()
