"""Record real export packages from the simulator for the export check tests.

Run from the repository root: ``python tests/checks/export/record_export_fixtures.py``.
A small recording camera (320x180, low bitrate, a 1 s gap 2 s in) records for a few seconds into
the real recordings store; packages are then built by the VMS's own packager
(:func:`fake_vms.vms.package.build_package`, what /api/exports serves) with the conformant
knobs and with each export persona's knobs. Each fixture is a zip of the package plus
``recording.mp4`` (the recording over the same range, as /api/recordings/media serves it) and
``meta.json`` (requested range, camera identity, the VMS's public key, the store's gaps).
"""

from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from fake_vms.host import SimulatorThread  # noqa: E402
from fake_vms.personas import PERSONAS  # noqa: E402
from fake_vms.personas.knobs import Knobs  # noqa: E402
from fake_vms.recording.recorder import recording_token  # noqa: E402
from fake_vms.site import CameraConfig, Site  # noqa: E402
from fake_vms.vms.mp4 import remux  # noqa: E402
from fake_vms.vms.package import ExportSpec, build_package, iso  # noqa: E402
from fake_vms.vms.server import camera_source  # noqa: E402
from fake_vms.vms.signing import Signer  # noqa: E402

OUT = Path(__file__).resolve().parent / "fixtures"
CASES = {
    "good": Knobs(),
    "transcoded": PERSONAS["export-transcoded-half-rate"].knobs,
    "missing-hash": PERSONAS["export-missing-hash"].knobs,
    "unsigned": PERSONAS["export-unsigned"].knobs,
    "bst-as-utc": PERSONAS["export-bst-as-utc"].knobs,
    "gaps-papered": PERSONAS["export-gaps-papered"].knobs,
}


def main() -> None:
    camera = CameraConfig(
        name="fixture-cam", width=320, height=180, bitrate_kbps=150, record=True,
        recording_gaps=((2.0, 1.0),),
    )  # fmt: skip
    with SimulatorThread(Site("fixtures", (camera,))) as simulator:
        time.sleep(6.5)
        host = simulator.host
        device = host.devices[0]
        store = host.recordings.store
        recording = store.recording(recording_token(camera))
        start = recording.start_utc + timedelta(seconds=0.5)
        end = start + timedelta(seconds=4.5)  # spans the gap
        signer = Signer()
        source = camera_source(camera, device.onvif.device_url, recording_token(camera))
        units = [u for u in store.access_units(source.token, start, end) if u.time_utc < end]
        reference = remux(
            recording.codec, recording.width, recording.height, recording.fps, units,
            datetime.now(UTC),
        )  # fmt: skip
        OUT.mkdir(parents=True, exist_ok=True)
        for name, knobs in CASES.items():
            spec = ExportSpec(
                job_id=f"fixture-{name}", cameras=(replace(source, knobs=knobs),), start=start,
                end=end, operator="PC 1234 Example", reason="fixture",
                case_reference="FIX-1", exported_at=datetime.now(UTC),
            )  # fmt: skip
            files = build_package(spec, store, signer)
            meta = {
                "start": iso(start), "end": iso(end), "fps": recording.fps,
                "codec": recording.codec, "width": recording.width, "height": recording.height,
                "camera": source.identity(), "public_key": signer.public_pem().decode(),
                "gaps": [[iso(a), iso(b)] for a, b in recording.gaps],
            }  # fmt: skip
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path, data in files.items():
                    archive.writestr(f"package/{path}", data)
                archive.writestr("recording.mp4", reference)
                archive.writestr("meta.json", json.dumps(meta, indent=2))
            (OUT / f"{name}.zip").write_bytes(buffer.getvalue())
            print(f"{name}: {len(buffer.getvalue())} bytes")


if __name__ == "__main__":
    main()
