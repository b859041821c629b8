"""Record real Profile G answers from fake_vms for the recording/replay check unit tests.

Run from the repository root (re-runnable; it overwrites what it recorded before)::

    /work/venv/bin/python tests/checks/profile_g/record_profile_g_fixtures.py

SOAP replies (GetRecordingSummary, GetRecordingInformation, GetMediaAttributes) are recorded
raw, as ``tests/checks/record_fixtures.py`` does, under ``fixtures/onvif/<device>/`` so
``zeep_replay.replay`` reads them back; their metadata also carries the device's UTC time at
recording (``device_utc``) and the recording token. Event searches and replay captures are
recorded as the plain views the checks judge (``conformance.checks.recording``) under
``fixtures/profile_g/<device>/<name>.json``, with the requested window. Devices: ``g-good`` (a
recording camera with one 1 s gap 2 s in) and the recording personas.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from record_fixtures import FIXTURES, Op, PortNormaliser, _envelope, _save, reply_meta  # noqa: E402

RECORDED_WITH = "tests/checks/profile_g/record_profile_g_fixtures.py"
"""Named in every fixture's meta, so a reader knows how to re-record it."""

from conformance.checks.recording import event_view, replay_units_view  # noqa: E402
from conformance.clients.onvif import OnvifClient  # noqa: E402
from conformance.clients.replay import replay  # noqa: E402
from conformance.dut import SERVICE_NAMESPACES, same_authority  # noqa: E402

GOOD = "g-good"
SOAP = {
    GOOD: ("GetRecordingSummary", "GetRecordingInformation", "GetMediaAttributes"),
    "search-summary-local-time": ("GetRecordingSummary",),
    "search-info-local-time": ("GetRecordingInformation", "GetMediaAttributes"),
}
REPLAYS = {
    GOOD: ("forward", "reverse", "gap"),
    "replay-no-abac": ("forward",),
    "replay-abac-no-c-flag": ("forward",),
    "replay-ignores-range-end": ("forward",),
    "replay-range-ignored": ("forward",),
    "replay-no-reverse": ("reverse",),
    "replay-gap-papered-over": ("gap",),
    "replay-rate-control-ignored": ("forward",),
}
EVENTS = (GOOD, "search-events-outside-range")
RECORD_S = 9.0


def _iso(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _soap(name: str, entry: dict[str, Any], client: OnvifClient, urls: dict[str, str]) -> None:
    normalise = PortNormaliser(entry["http_port"], entry["rtsp_port"], 0)
    token = f"rec-{name}"
    middle = datetime.now(UTC) - timedelta(seconds=4)
    params = {
        "GetRecordingSummary": {},
        "GetRecordingInformation": {"RecordingToken": token},
        "GetMediaAttributes": {"RecordingTokens": [token], "Time": middle},
    }
    for operation in SOAP.get(name, ()):
        op = Op("search", operation, params=params[operation])
        url = urls[SERVICE_NAMESPACES["search"]]
        body, headers = _envelope(client, op, url, None)
        raw = client.post_raw(url, body, headers)
        params = {k: str(v) for k, v in op.params.items()}
        meta = reply_meta(
            name, op, url, raw, entry["onvif_url"], RECORDED_WITH, params,
            device_utc=time.time(), recording_token=token,
        )  # fmt: skip
        _save(FIXTURES / "onvif" / name / f"{operation}.xml", raw.body, meta, normalise)


def _save_json(name: str, file_name: str, data: dict[str, Any]) -> None:
    path = FIXTURES / "profile_g" / name / f"{file_name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _replays(name: str, entry: dict[str, Any], gap_start: float) -> None:
    url = f"rtsp://127.0.0.1:{entry['rtsp_port']}/replay/rec-{name}"
    now = time.time()
    windows = {
        "forward": (now - 6.0, now - 4.0, 1.0),
        "reverse": (now - 6.0, now - 3.0, -1.0),
        "gap": (gap_start - 2.0, gap_start + 3.0, 1.0),
    }
    for kind in REPLAYS.get(name, ()):
        start, end, scale = windows[kind]
        first, last = (end, start) if scale < 0 else (start, end)
        began = time.monotonic()
        capture = replay(
            url,
            entry["username"],
            entry["password"],
            start=_iso(first),
            end=_iso(last),
            scale=scale,
            rate_control=False,
            max_seconds=4.0,
        )
        units = replay_units_view(capture)
        _save_json(
            name,
            f"replay-{kind}",
            {
                "start": start,
                "end": end,
                "scale": scale,
                "play_cseq": capture.play_cseq,
                "tag_refused": capture.tag_refused,
                "sdp": capture.sdp.replace(str(entry["rtsp_port"]), "8554"),
                "elapsed_s": round(time.monotonic() - began, 3),
                "arrivals": [round(u.arrival - capture.started, 4) for u in capture.units],
                "units": units,
            },
        )


def _events(name: str, client: OnvifClient, urls: dict[str, str]) -> None:
    url = urls[SERVICE_NAMESPACES["search"]]
    now = datetime.now(UTC)
    high = now - timedelta(seconds=3)
    low = high - timedelta(seconds=4)
    found = {}
    for direction, (first, second) in (("forward", (low, high)), ("backward", (high, low))):
        reply = client.call(
            "search",
            "FindEvents",
            url=url,
            StartPoint=first,
            EndPoint=second,
            Scope={"IncludedRecordings": [f"rec-{name}"]},
            SearchFilter={},
            IncludeStartState=True,
            KeepAliveTime=timedelta(seconds=10),
        )
        results = client.call("search", "GetEventSearchResults", url=url, SearchToken=reply)
        found[direction] = [event_view(r) for r in (results.Result or [])]
    _save_json(name, "find-events", {"low": low.timestamp(), "high": high.timestamp(), **found})


def main() -> int:
    from fake_vms.host import SimulatorThread
    from fake_vms.personas import PERSONAS
    from fake_vms.site import CameraConfig, Site, apply_persona

    names = sorted(set(SOAP) | set(REPLAYS) | set(EVENTS))
    cameras = [
        apply_persona(
            CameraConfig(name=n, record=True, recording_gaps=((2.0, 1.0),)),
            PERSONAS.get(n) if n != GOOD else None,
        )
        for n in names
    ]
    with SimulatorThread(Site("fixtures", tuple(cameras))) as simulator:
        started = time.time()
        time.sleep(RECORD_S)
        ready = {d["name"]: d for d in simulator.host.ready()["devices"]}
        for name in names:
            entry = ready[name]
            client = OnvifClient(
                entry["onvif_url"], entry["username"], entry["password"], timeout=10
            )
            client.sync_clock()
            services = client.call(
                "devicemgmt", "GetServices", auth="both", IncludeCapability=False
            )
            urls = {s.Namespace: same_authority(s.XAddr, entry["onvif_url"]) for s in services}
            _soap(name, entry, client, urls)
            _replays(name, entry, started + 2.0)
            if name in EVENTS:
                _events(name, client, urls)
            print(f"  {name}: recorded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
