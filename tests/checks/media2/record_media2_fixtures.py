"""Record real Media2 replies and codec probes from fake_vms for the Media2/codec check tests.

Run from the repository root (re-runnable; it overwrites what it recorded before)::

    /work/venv/bin/python tests/checks/media2/record_media2_fixtures.py

Same method as tests/checks/record_fixtures.py (whose request builder, port normaliser and
writer it reuses): an in-process simulator with the known-good H.265 camera and one camera per
Media2 persona; each request is a zeep-built envelope with WS-Security sent raw, and the reply is
saved unparsed, so ``test_media2_checks.py`` replays it through the client's own parsing path.

Output, under ``tests/checks/media2/fixtures/``:

- ``onvif/<device>/<Operation>[.<token>].xml`` + ``.meta.json``: Media2 GetProfiles (Type All),
  GetStreamUri and GetSnapshotUri per profile, GetVideoEncoderConfigurationOptions per encoder,
  and Media (ver10) GetProfiles.
- ``streams/<device>.json``: per profile of both services, the reported encoding, the URI and
  what a 1 s capture of it showed (SDP codec, decoded frames, key frames, size).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from record_fixtures import Op, PortNormaliser, _envelope, _save, reply_meta  # noqa: E402

RECORDED_WITH = "tests/checks/media2/record_media2_fixtures.py"
"""Named in every fixture's meta, so a reader knows how to re-record it."""

from conformance.clients.onvif import OnvifClient, RawResponse  # noqa: E402
from conformance.dut import STREAM_SETUP_UDP, same_authority, with_host  # noqa: E402

FIXTURES = HERE / "fixtures"
NS_MEDIA = "http://www.onvif.org/ver10/media/wsdl"
NS_MEDIA2 = "http://www.onvif.org/ver20/media/wsdl"
DEVICES = [
    "good",
    "h265-reported-as-h264",
    "media2-broken",
    "media2-encoder-outside-options",
    "media2-private-stream-uri",
]
STREAM_DEVICES = ["good", "h265-reported-as-h264"]
CAPTURE_S = 1.0


def _urls(client: OnvifClient, device_url: str) -> dict[str, str]:
    services = client.call("devicemgmt", "GetServices", IncludeCapability=False)
    return {s.Namespace: same_authority(s.XAddr, device_url) for s in services}


def _record(name: str, entry: dict[str, Any]) -> None:
    normalise = PortNormaliser(entry["http_port"], entry["rtsp_port"], 0)
    device_url = entry["onvif_url"]
    client = OnvifClient(device_url, entry["username"], entry["password"], timeout=10)
    client.sync_clock()
    urls = _urls(client, device_url)
    ops: list[tuple[Op, str, str]] = [
        (Op("media2", "GetProfiles", params={"Type": ["All"]}), "GetProfiles", NS_MEDIA2),
        (Op("media", "GetProfiles"), "Media1.GetProfiles", NS_MEDIA),
    ]
    for index in (1, 2):
        token, vec = f"m2_profile_{index}", f"vec2_{index}"
        ops += [
            (
                Op("media2", "GetStreamUri",
                   params={"Protocol": "RtspUnicast", "ProfileToken": token}),
                f"GetStreamUri.{token}",
                NS_MEDIA2,
            ),
            (
                Op("media2", "GetVideoEncoderConfigurationOptions",
                   params={"ConfigurationToken": vec, "ProfileToken": token}),
                f"GetVideoEncoderConfigurationOptions.{vec}",
                NS_MEDIA2,
            ),
        ]  # fmt: skip
    ops.append(
        (
            Op("media2", "GetSnapshotUri", params={"ProfileToken": "m2_profile_1"}),
            "GetSnapshotUri.m2_profile_1",
            NS_MEDIA2,
        )
    )
    out = FIXTURES / "onvif" / name
    for op, file_name, namespace in ops:
        url = urls[namespace]
        body, headers = _envelope(client, op, url, None)
        raw: RawResponse = client.post_raw(url, body, headers)
        meta = reply_meta(name, op, url, raw, device_url, RECORDED_WITH)
        _save(out / f"{file_name}.xml", raw.body, meta, normalise)
    if name in STREAM_DEVICES:
        _record_streams(name, entry, client, urls, normalise)
    print(f"  {name}: {len(ops)} replies", flush=True)


def _record_streams(
    name: str,
    entry: dict[str, Any],
    client: OnvifClient,
    urls: dict[str, str],
    normalise: PortNormaliser,
) -> None:
    from conformance.clients.rtsp import capture
    from conformance.clients.stream import analyse

    rows: list[tuple[str, str, str, str]] = []
    for profile in client.call("media", "GetProfiles", url=urls[NS_MEDIA]):
        uri = client.call(
            "media", "GetStreamUri", url=urls[NS_MEDIA], StreamSetup=STREAM_SETUP_UDP,
            ProfileToken=profile.token,
        ).Uri  # fmt: skip
        rows.append(
            ("media", str(profile.token), str(profile.VideoEncoderConfiguration.Encoding), str(uri))
        )  # noqa: E501
    for profile in client.call("media2", "GetProfiles", url=urls[NS_MEDIA2], Type=["All"]):
        uri = client.call(
            "media2", "GetStreamUri", url=urls[NS_MEDIA2], Protocol="RtspUnicast",
            ProfileToken=profile.token,
        )  # fmt: skip
        encoding = str(profile.Configurations.VideoEncoder.Encoding)
        rows.append(("media2", str(profile.token), encoding, str(uri)))
    probes = []
    for service, token, reported, uri in rows:
        cap = capture(
            with_host(uri, "127.0.0.1"), entry["username"], entry["password"],
            transport="tcp", duration=CAPTURE_S, timeout=10,
        )  # fmt: skip
        stats = analyse(cap)
        probes.append(
            {
                "service": service,
                "profile": token,
                "reported": reported,
                "uri": uri,
                "sdp_codec": cap.codec,
                "decoded_frames": stats.decoded_frames,
                "keyframes": stats.keyframes,
                "size": [stats.width, stats.height] if stats.width else None,
            }
        )
    data = {"device": name, "capture_s": CAPTURE_S, "probes": probes,
            "recorded_with": "tests/checks/media2/record_media2_fixtures.py"}  # fmt: skip
    path = FIXTURES / "streams" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(normalise(json.dumps(data, indent=2, sort_keys=True)) + "\n", encoding="utf-8")


def main() -> int:
    from fake_vms.host import SimulatorThread
    from fake_vms.personas import PERSONAS
    from fake_vms.site import CameraConfig, Site, apply_persona

    base = dict(width=1280, height=720, fps=25, codec="H265", gop=25)
    cameras = [
        apply_persona(CameraConfig(name=n, **base), PERSONAS.get(n) if n != "good" else None)
        for n in DEVICES
    ]
    started = time.monotonic()
    with SimulatorThread(Site("media2-fixtures", tuple(cameras))) as simulator:
        ready = {d["name"]: d for d in simulator.host.ready()["devices"]}
        for name in DEVICES:
            _record(name, ready[name])
    print(f"fixtures written under {FIXTURES} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
