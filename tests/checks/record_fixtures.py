"""Record real ONVIF replies and stream statistics from fake_vms for the check unit tests.

Run from the repository root (re-runnable; it overwrites what it recorded before)::

    /work/venv/bin/python tests/checks/record_fixtures.py

Why recordings rather than hand-built objects: the checks must be judged on the very zeep objects
and statistics the suites see, so this script starts the simulator in-process (the known-good
camera plus one camera per persona), sends each operation as raw HTTP (a zeep-built envelope,
the WS-Security header from ``OnvifClient.wsse_header()``, sent with ``OnvifClient.post_raw``) and
saves the *unparsed* reply. ``tests/checks/zeep_replay.py`` turns them back into zeep objects
offline, through the same code path as a live call.

Output, under ``tests/checks/fixtures/``:

- ``onvif/<device>/<Operation>[.<variant>].xml``: the reply body exactly as sent, except for the
  port normalisation below; ``<same name>.meta.json``: HTTP status, Content-Type,
  WWW-Authenticate, the request (service, operation, auth, parameters) and, for
  GetSystemDateAndTime, the local send/receive times needed to compute the clock offset.
  Variants: ``anonymous`` (no credentials), ``wrong-password`` (WS-Security, wrong password).
- ``onvif/<device>/snapshot.json``: status, Content-Type, size and decoded size of the JPEG at
  the GetSnapshotUri address (the JPEG itself is not kept: only its properties are checked).
- ``streams/<device>.json``: ``StreamStats.to_dict()`` of a 2 s RTSP capture over TCP, plus the
  capture's ``rtp_seq_lost`` and the encoder configuration of the main profile.

Port normalisation: the simulator listens on free ephemeral ports, which would make every
re-recording differ. In saved bodies and metadata the device's HTTP port becomes 8080 and its
RTSP port 8554, whatever the host (so ``127.0.0.1:<http>`` reads ``127.0.0.1:8080``), and a
persona's ``xaddr_port_offset`` is kept as the same offset from those (the xaddr-wrong-port
camera advertises ``:9080``). A port the script cannot attribute makes it fail rather than save
an unstable fixture. Device names are ``good`` and the persona names.

What depends on the moment differs between recordings: GetSystemDateAndTime and its local
times, the Digest nonces in WWW-Authenticate, the snapshot's byte count and the stream timings.
Everything else is byte-stable, so a re-recording shows only real changes of the simulator.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from conformance.checks.media import EncoderView
from conformance.clients.onvif import OnvifClient, RawResponse
from conformance.clients.wsdl import get_client, service_spec
from conformance.dut import NS_MEDIA, STREAM_SETUP_UDP, same_authority, with_host

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
HTTP_PORT = 8080
RTSP_PORT = 8554
CAPTURE_S = 2.0
SHORT_CAPTURE_S = 0.2
WRONG_SUFFIX = "-wrong-password"


RECORDED_WITH = "tests/checks/record_fixtures.py"
"""Named in every fixture's meta, so a reader knows how to re-record it."""


@dataclass(frozen=True)
class Op:
    """One request to record: which operation, with which credentials and parameters."""

    service: str
    operation: str
    auth: str = "wsse"  # "wsse", "none" (variant "anonymous"), "wrong" (variant "wrong-password")
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        variant = {"none": ".anonymous", "wrong": ".wrong-password"}.get(self.auth, "")
        # PRE_AUTH operations are asked without credentials by the suites too: no variant name.
        if self.operation in PRE_AUTH and self.auth == "none":
            variant = ""
        return f"{self.operation}{variant}"


PRE_AUTH = {"GetSystemDateAndTime", "GetCapabilities", "GetServices"}

TIME = Op("devicemgmt", "GetSystemDateAndTime", "none")
INFO = Op("devicemgmt", "GetDeviceInformation")
CAPS = Op("devicemgmt", "GetCapabilities", "none", {"Category": ["All"]})
SERVICES = Op("devicemgmt", "GetServices", "none", {"IncludeCapability": False})
SCOPES = Op("devicemgmt", "GetScopes")
PROFILES = Op("media", "GetProfiles")
ENCODERS = Op("media", "GetVideoEncoderConfigurations")
MEDIA_CAPS = Op("media", "GetServiceCapabilities")
STREAM_URI = Op(
    "media", "GetStreamUri", params={"StreamSetup": STREAM_SETUP_UDP, "ProfileToken": None}
)
SNAPSHOT_URI = Op("media", "GetSnapshotUri", params={"ProfileToken": None})
# The protected operations of ONVIF-DEV-AUTH-01/02, as the access-control suite asks them.
ANON = [
    Op("devicemgmt", "GetUsers", "none"),
    Op("devicemgmt", "GetNetworkInterfaces", "none"),
    Op("media", "GetProfiles", "none"),
]
WRONG = Op("devicemgmt", "GetDeviceInformation", "wrong")

ALL_OPS = [
    TIME,
    INFO,
    CAPS,
    SERVICES,
    SCOPES,
    PROFILES,
    ENCODERS,
    MEDIA_CAPS,
    STREAM_URI,
    SNAPSHOT_URI,
    *ANON,
    WRONG,
]

# Device -> what to record: the known-good camera answers everything; each persona only what
# its broken requirement reads (keeps the fixture set small and each bad file meaningful).
ONVIF_PLAN: dict[str, tuple[list[Op], bool]] = {
    "good": (ALL_OPS, True),
    "clock-skew": ([TIME], False),
    "time-needs-auth": ([TIME], False),
    "blank-identity": ([INFO], False),
    "capabilities-mismatch": ([CAPS, SERVICES], False),
    "xaddr-wrong-port": ([CAPS, SERVICES], False),
    "open-protected-ops": ([*ANON, WRONG], False),
    "html-auth-fault": ([WRONG], False),
    "missing-profile-scope": ([SCOPES], False),
    "hidden-snapshot": ([MEDIA_CAPS], False),
    "profiles-without-vsc": ([PROFILES], False),
    "encoder-list-mismatch": ([PROFILES, ENCODERS], False),
    "foreign-stream-uri": ([STREAM_URI, SNAPSHOT_URI], False),
    "snapshot-wrong-size": ([PROFILES, SNAPSHOT_URI], True),
    "faults-http-200": ([WRONG], False),
    "placeholder-snapshot": ([PROFILES, SNAPSHOT_URI], True),
}
"""Device -> (operations, whether to fetch the snapshot too)."""

STREAM_PLAN = [
    "good",
    "half-frame-rate",
    "timestamp-jumps",
    "dropped-frames",
    "stream-resolution-mismatch",
]


class PortNormaliser:
    """Rewrites the simulator's ephemeral ports to fixed ones (see the module docstring)."""

    _AUTHORITY = re.compile(r"(?P<prefix>://(?:\[[^\]]*\]|[^/:\"'<>\s]+)):(?P<port>\d+)")

    def __init__(self, http_port: int, rtsp_port: int, offset: int) -> None:
        self.mapping = {http_port: HTTP_PORT, rtsp_port: RTSP_PORT}
        if offset:
            self.mapping.update({http_port + offset: HTTP_PORT + offset})
            self.mapping.update({rtsp_port + offset: RTSP_PORT + offset})
        if len(self.mapping) != (4 if offset else 2):  # two ports collided
            raise RuntimeError(f"ambiguous port mapping {self.mapping}; run the recorder again")

    def __call__(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            port = int(match["port"])
            if port not in self.mapping:
                raise RuntimeError(f"port {port} in {match[0]!r} is not the device's; not saved")
            return f"{match['prefix']}:{self.mapping[port]}"

        return self._AUTHORITY.sub(replace, text)


def _envelope(client: OnvifClient, op: Op, url: str, token: str | None) -> tuple[bytes, dict]:
    """The request exactly as ``OnvifClient.call`` would build it (zeep envelope + WSSE)."""
    zeep_client = get_client(op.service)
    binding = zeep_client.wsdl.bindings[service_spec(op.service).binding]
    params = {k: (token if v is None and k == "ProfileToken" else v) for k, v in op.params.items()}
    envelope, headers = binding._create(
        op.operation, (), params, client=zeep_client, options={"address": url}
    )
    if op.auth in ("wsse", "wrong"):
        soap_ns = etree.QName(envelope).namespace
        header = envelope.find(f"{{{soap_ns}}}Header")
        if header is None:
            header = etree.Element(f"{{{soap_ns}}}Header")
            envelope.insert(0, header)
        header.append(client.wsse_header())
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8"), dict(headers)


def _save(path: Path, body: bytes, meta: dict[str, Any], normalise: PortNormaliser) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(normalise(body.decode("utf-8")), encoding="utf-8")
    meta_text = normalise(json.dumps(meta, indent=2, sort_keys=True))
    path.with_suffix(".meta.json").write_text(meta_text + "\n", encoding="utf-8")


def reply_meta(
    device: str,
    op: Op,
    url: str,
    raw: RawResponse,
    device_url: str,
    recorded_with: str,
    params: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The ``.meta.json`` beside a recorded reply: what was asked, of whom, and what came back
    on the HTTP level (the replay helpers rebuild the client-side answer from it)."""
    meta: dict[str, Any] = {
        "device": device,
        "service": op.service,
        "operation": op.operation,
        "auth": op.auth,
        "params": op.params if params is None else params,
        "url": url,
        "http_status": raw.status,
        "content_type": raw.headers.get("Content-Type", ""),
        "www_authenticate": list(raw.www_authenticate),
        "device_url": device_url,
        "recorded_with": recorded_with,
    }
    meta.update(extra)
    return meta


def _record_device(name: str, entry: dict[str, Any], camera: Any) -> None:
    ops, with_snapshot = ONVIF_PLAN[name]
    normalise = PortNormaliser(
        entry["http_port"], entry["rtsp_port"], camera.knobs.xaddr_port_offset
    )
    device_url = entry["onvif_url"]
    client = OnvifClient(device_url, entry["username"], entry["password"], timeout=10)
    client.sync_clock()
    wrong = OnvifClient(
        device_url,
        entry["username"],
        entry["password"] + WRONG_SUFFIX,
        timeout=10,
        clock_offset=client.clock_offset,
    )
    services = client.call("devicemgmt", "GetServices", auth="both", IncludeCapability=False)
    media_url = next(
        same_authority(s.XAddr, device_url) for s in services if s.Namespace == NS_MEDIA
    )
    token = str(client.call("media", "GetProfiles", url=media_url)[0].token)
    out = FIXTURES / "onvif" / name
    for op in ops:
        url = device_url if op.service == "devicemgmt" else media_url
        sender = wrong if op.auth == "wrong" else client
        body, headers = _envelope(sender, op, url, token)
        sent = time.time()
        raw: RawResponse = sender.post_raw(url, body, headers)
        received = time.time()
        params = {k: (token if v is None else v) for k, v in op.params.items()}
        meta = reply_meta(name, op, url, raw, device_url, RECORDED_WITH, params)
        if op.operation == "GetSystemDateAndTime":
            meta.update(sent=sent, received=received)
        _save(out / f"{op.filename}.xml", raw.body, meta, normalise)
    if with_snapshot:
        _record_snapshot(client, media_url, token, entry, out, normalise)
    print(f"  {name}: {len(ops)} replies{' + snapshot' if with_snapshot else ''}")


def _record_snapshot(
    client: OnvifClient,
    media_url: str,
    token: str,
    entry: dict[str, Any],
    out: Path,
    normalise: PortNormaliser,
) -> None:
    from conformance.clients.snapshot import fetch_snapshot, jpeg_size

    uri = str(client.call("media", "GetSnapshotUri", url=media_url, ProfileToken=token).Uri)
    snap = fetch_snapshot(
        with_host(uri, "127.0.0.1"), entry["username"], entry["password"], timeout=10
    )
    size = jpeg_size(snap.body) if snap.status == 200 else None
    meta = {
        "uri": uri,
        "http_status": snap.status,
        "content_type": snap.content_type,
        "bytes": len(snap.body),
        "size": list(size) if size else None,
    }
    text = normalise(json.dumps(meta, indent=2, sort_keys=True))
    (out / "snapshot.json").write_text(text + "\n", encoding="utf-8")


def _record_stream(name: str, entry: dict[str, Any], seconds: float, file_name: str) -> None:
    from conformance.clients.rtsp import capture
    from conformance.clients.stream import analyse

    client = OnvifClient(entry["onvif_url"], entry["username"], entry["password"], timeout=10)
    client.sync_clock()
    services = client.call("devicemgmt", "GetServices", IncludeCapability=False)
    media_url = next(
        same_authority(s.XAddr, entry["onvif_url"]) for s in services if s.Namespace == NS_MEDIA
    )
    profile = client.call("media", "GetProfiles", url=media_url)[0]
    uri = client.call(
        "media",
        "GetStreamUri",
        url=media_url,
        StreamSetup=STREAM_SETUP_UDP,
        ProfileToken=profile.token,
    ).Uri
    cap = capture(
        with_host(str(uri), "127.0.0.1"),
        entry["username"],
        entry["password"],
        transport="tcp",
        duration=seconds,
        timeout=10,
    )
    stats = analyse(cap)
    data = {
        "device": name,
        "capture_s": seconds,
        "transport": "tcp",
        "encoder": EncoderView.of(profile.VideoEncoderConfiguration).to_dict(),
        "stats": stats.to_dict(),
        "rtp_seq_lost": cap.rtp_seq_lost,
        "recorded_with": "tests/checks/record_fixtures.py",
    }
    path = FIXTURES / "streams" / f"{file_name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"  stream {file_name}: {stats.access_units} AUs, {stats.decoded_frames} decoded")


def main(only: list[str]) -> int:
    """Record every device of the plans, or only those named on the command line."""
    from fake_vms.host import SimulatorThread
    from fake_vms.personas import PERSONAS
    from fake_vms.site import CameraConfig, Site, apply_persona

    names = sorted(n for n in set(ONVIF_PLAN) | set(STREAM_PLAN) if not only or n in only)
    base = dict(width=1280, height=720, fps=25, codec="H264", gop=25)
    cameras = [
        apply_persona(CameraConfig(name=n, **base), PERSONAS.get(n) if n != "good" else None)
        for n in names
    ]
    print(f"starting the simulator ({len(cameras)} cameras)...", flush=True)
    with SimulatorThread(Site("fixtures", tuple(cameras))) as simulator:
        ready = {d["name"]: d for d in simulator.host.ready()["devices"]}
        config = {c.name: c for c in cameras}
        for name in ONVIF_PLAN:
            if name in names:
                _record_device(name, ready[name], config[name])
        for name in STREAM_PLAN:
            if name in names:
                _record_stream(name, ready[name], CAPTURE_S, name)
        if "good" in names:
            # A capture cut short after 0.2 s: what a stream that dies right after PLAY yields.
            _record_stream("good", ready["good"], SHORT_CAPTURE_S, "good-cut-short")
    print(f"fixtures written under {FIXTURES.relative_to(Path.cwd())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
