"""Record real Event-service replies from fake_vms for the event check unit tests.

Run from the repository root (re-runnable; it overwrites what it recorded before)::

    /work/venv/bin/python tests/checks/events/record_events.py [DEVICE ...]

It starts the simulator in-process (the known-good camera and one camera per event persona) and
drives each through the suite's own client helpers (``conformance.clients.events``), saving the
SOAP Body child of each reply as the suite parsed it (``last_reply``), so the checks are tested
on exactly what the suites judge. Output, under ``tests/checks/fixtures/events/<device>/``:

- ``GetEventProperties.xml``, ``GetServiceCapabilities.xml``;
- ``CreatePullPointSubscription.relative.xml`` (PT60S; a SOAP fault if the device refuses it);
- ``PullMessages.initial.xml`` (right after creation), ``PullMessages.after-sync.xml`` (after
  SetSynchronizationPoint), ``PullMessages.keepalive.xml`` (Timeout PT6S on a pull point created
  with a 3 s absolute lifetime), ``Messages.sample.xml`` (every NotificationMessage pulled until a
  motion and a tampering change arrived, at most 4 s, wrapped in one ``<sample>`` element);
- ``Renew.relative.xml`` (Renew PT30S) and ``Notify.xml`` (the first Notify body, if any).

Ports are normalised to 8080 and subscription identifiers to ``0000000000000000``, so a
re-recording differs only where the simulator changed (and in times).
"""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path

from lxml import etree

from conformance.checks.events import MOTION_TOPIC, TAMPERING_TOPICS, is_event, messages_of
from conformance.clients.events import (
    EventSession,
    NotificationConsumer,
    absolute_in,
    last_reply,
)
from conformance.clients.onvif import OnvifFault
from conformance.dut import DeviceUnderTest
from conformance.redaction import Redactor
from conformance.targets import Claims, Device

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "events"
EVENT_PERSONAS = (
    "relative-termination-rejected",
    "termination-time-is-now",
    "pullmessages-no-keepalive",
    "renew-relative-misread",
    "unsubscribe-kills-all",
    "max-one-pullpoint",
    "no-initialized-on-sync",
    "state-as-active",
    "undeclared-topic",
    "misspelt-motion-topic",
    "no-motion-events",
    "no-tamper-events",
    "no-tampering-topics",
    "notify-never-sent",
    "bad-utctime",
)


def _normalise(text: str, port: int) -> str:
    text = text.replace(f":{port}/", ":8080/")
    return re.sub(r"/(pullpoint|subscription)/[0-9a-f]{16}", r"/\1/0000000000000000", text)


def _save(folder: Path, name: str, element: etree._Element, port: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = etree.tostring(element, pretty_print=True, encoding="unicode")
    (folder / f"{name}.xml").write_text(_normalise(text, port), encoding="utf-8")


def _fault_body(device: DeviceUnderTest) -> etree._Element:
    return last_reply(device)


def record_device(entry: dict) -> None:
    port = int(entry["http_port"])
    device = DeviceUnderTest(
        Device(
            name=entry["name"],
            onvif_url=entry["onvif_url"],
            username=entry["username"],
            password=entry["password"],
            role="camera",
            claims=Claims(),
        ),
        timeout=10.0,
        redactor=Redactor(),
    )
    folder = FIXTURES / entry["name"]
    with EventSession(device) as session:
        _save(folder, "GetEventProperties", session.call_events("GetEventProperties"), port)
        _save(folder, "GetServiceCapabilities", session.call_events("GetServiceCapabilities"), port)
        try:
            relative = session.create_pull_point("PT60S")
            _save(folder, "CreatePullPointSubscription.relative", relative.reply, port)
        except OnvifFault:
            _save(folder, "CreatePullPointSubscription.relative", _fault_body(device), port)
        session.close()

    with EventSession(device) as session:
        pull_point = session.create_pull_point(absolute_in(device, 60))
        _save(folder, "PullMessages.initial", session.pull(pull_point, 1, 100).reply, port)
        session.sync_point(pull_point)
        _save(folder, "PullMessages.after-sync", session.pull(pull_point, 1, 100).reply, port)

        def done(raw: list[etree._Element]) -> bool:
            views = messages_of(raw)
            return any(is_event(m, (MOTION_TOPIC,)) for m in views) and any(
                is_event(m, TAMPERING_TOPICS) for m in views
            )

        sample = etree.Element("sample")
        sample.extend(session.pull_until(pull_point, done, 4.0))
        _save(folder, "Messages.sample", sample, port)
        with contextlib.suppress(OnvifFault):
            session.renew(pull_point, "PT30S")
        _save(folder, "Renew.relative", last_reply(device), port)

    with EventSession(device) as session:
        short = session.create_pull_point(absolute_in(device, 3))
        _save(folder, "PullMessages.keepalive", session.pull(short, 6, 1).reply, port)

    with EventSession(device) as session, NotificationConsumer() as consumer:
        session.subscribe(consumer.url, absolute_in(device, 30))
        messages = consumer.wait(bool, 2.0)
        notify = next((m.getparent() for m in messages), None)
        if notify is not None:
            _save(folder, "Notify", notify, port)
        elif (folder / "Notify.xml").exists():
            (folder / "Notify.xml").unlink()


def main(only: list[str]) -> int:
    """Record every device, or only those named on the command line (e.g. ``bad-utctime``)."""
    from fake_vms.host import SimulatorThread
    from fake_vms.personas import PERSONAS
    from fake_vms.site import CameraConfig, Site, apply_persona

    cameras = [CameraConfig(name="good")] + [
        apply_persona(CameraConfig(name=name), PERSONAS[name]) for name in EVENT_PERSONAS
    ]
    cameras = [c for c in cameras if not only or c.name in only]
    with SimulatorThread(Site("record-events", tuple(cameras))) as simulator:
        for entry in simulator.host.ready()["devices"]:
            record_device(entry)
            print(f"recorded {entry['name']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
