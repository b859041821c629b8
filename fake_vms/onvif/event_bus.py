"""What happens on a simulated camera, as ONVIF events: topics, their schedule, their states.

Events are a pure function of the device clock rather than a background producer: motion toggles
every MOTION_PERIOD_S and tampering every TAMPER_PERIOD_S, so the changes between any two instants
can be computed on demand. Each subscription then only keeps a cursor and a short queue, nothing
runs while nobody listens, and tests are fast and repeatable (a change is never more than a period
away). The periods are short so that a conformance run waits about a second for each event.
That schedule is the simulator's instrumentation: with it off (the site's ``instrumentation``
flag) motion and tampering change only when a lab stimulates the camera
(:mod:`fake_vms.onvif.event_stimulus`), as on a real camera in a quiet room.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fake_vms.onvif.event_stimulus import Stimuli, instrumented
from fake_vms.onvif.media_service import VIDEO_SOURCE_TOKEN
from fake_vms.site import CameraConfig

MOTION_PERIOD_S = 1.0
TAMPER_PERIOD_S = 1.5
TAMPER_PHASE_S = 0.25
CONCRETE_SET = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
WS_TOPIC_CONCRETE = "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete"


@dataclass(frozen=True)
class Topic:
    """One property topic: a source item naming the video source and one boolean data item."""

    name: str
    data_item: str
    period_s: float
    phase_s: float = 0.0
    declared: bool = True
    changes: bool = True
    """Whether its state ever changes (Initialized state is reported regardless)."""
    kind: str = ""
    """The scene change that moves it ("motion", "tamper"; "" for none)."""
    scheduled: bool = True
    """Changes on its own schedule (instrumentation on); else only when stimulated."""

    def state_at(self, t: float, stimuli: Stimuli | None = None) -> bool:
        """State at device time ``t`` (seconds since the epoch): off, on, off, ... per period,
        or, unscheduled, on while a stimulus of its kind holds."""
        if not self.scheduled:
            return bool(self.changes and stimuli and stimuli.state(self.kind, t))
        return math.floor((t - self.phase_s) / self.period_s) % 2 == 1


@dataclass(frozen=True)
class Event:
    topic: Topic
    at: float
    operation: str  # "Initialized" | "Changed"
    state: bool

    @property
    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)


def camera_topics(camera: CameraConfig) -> tuple[Topic, ...]:
    """Every topic the camera emits (declared or not), as its knobs shape them."""
    knobs = camera.knobs
    scheduled = instrumented(camera)
    topics = [
        Topic(
            knobs.motion_topic,
            "State",
            MOTION_PERIOD_S,
            changes=knobs.motion_events,
            kind="motion",
            scheduled=scheduled,
        )
    ]
    if knobs.tamper_topics_declared:
        topics.append(
            Topic(
                "tns1:VideoSource/GlobalSceneChange/ImagingService",
                "State",
                TAMPER_PERIOD_S,
                TAMPER_PHASE_S,
                changes=knobs.tamper_events,
                kind="tamper",
                scheduled=scheduled,
            )
        )
        topics.append(
            Topic(
                "tns1:VideoSource/ImageTooBlurry/ImagingService",
                "State",
                TAMPER_PERIOD_S,
                TAMPER_PHASE_S + TAMPER_PERIOD_S / 2,
                changes=knobs.tamper_events,
                scheduled=scheduled,  # no stimulus blurs the lens: it stays sharp
            )
        )
    if knobs.undeclared_topic:
        topics.append(
            Topic(
                knobs.undeclared_topic,
                "IsMotion",
                MOTION_PERIOD_S,
                declared=False,
                kind="motion",
                scheduled=scheduled,
            )
        )
    return tuple(topics)


SOURCE_ITEM = ("Source", "tt:ReferenceToken", VIDEO_SOURCE_TOKEN)
"""Every topic's Source SimpleItem: name, declared type, value (the one video source)."""


def initialized(topics: tuple[Topic, ...], t: float, stimuli: Stimuli | None = None) -> list[Event]:
    """The current state of every property, as a subscriber receives it on subscription."""
    return [Event(topic, t, "Initialized", topic.state_at(t, stimuli)) for topic in topics]


def changes_between(
    topics: tuple[Topic, ...], start: float, end: float, stimuli: Stimuli | None = None
) -> list[Event]:
    """State changes in (start, end], in time order."""
    events = []
    for topic in topics:
        if not topic.changes:
            continue
        if not topic.scheduled:
            if stimuli is not None:
                events += [
                    Event(topic, at, "Changed", state)
                    for at, state in stimuli.changes(topic.kind, start, end)
                ]
            continue
        first = math.floor((start - topic.phase_s) / topic.period_s) + 1
        last = math.floor((end - topic.phase_s) / topic.period_s)
        for k in range(first, min(last, first + 1000) + 1):
            at = topic.phase_s + k * topic.period_s
            events.append(Event(topic, at, "Changed", k % 2 == 1))
    return sorted(events, key=lambda e: e.at)


def next_change_after(
    topics: tuple[Topic, ...], t: float, stimuli: Stimuli | None = None
) -> float | None:
    """Device time of the next state change after ``t``, if any topic changes at all."""
    upcoming = [
        topic.phase_s + (math.floor((t - topic.phase_s) / topic.period_s) + 1) * topic.period_s
        for topic in topics
        if topic.changes and topic.scheduled
    ]
    if stimuli is not None:
        upcoming += [
            at
            for topic in topics
            if topic.changes and not topic.scheduled
            for at in [stimuli.next_after(topic.kind, t)]
            if at is not None
        ]
    return min(upcoming) if upcoming else None


@dataclass(frozen=True)
class TopicFilter:
    """A ConcreteSet topic expression: alternatives joined by "|", "//." meaning a subtree."""

    alternatives: tuple[str, ...] = ()

    @classmethod
    def parse(cls, expressions: list[str]) -> TopicFilter:
        parts = [p.strip() for e in expressions for p in e.split("|") if p.strip()]
        return cls(tuple(p.removesuffix("//.").rstrip("/") for p in parts))

    def matches(self, topic: str) -> bool:
        if not self.alternatives:
            return True
        return any(topic == a or topic.startswith(a + "/") for a in self.alternatives)


_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float | None:
    """Seconds of an xs:duration without years or months (``PT60S``, ``PT1M``), else None."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def parse_date_time(text: str) -> datetime | None:
    """An xs:dateTime; one without a zone is read as UTC (as ONVIF Core asks devices to use)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_utc(moment: datetime | float) -> str:
    """UTC with the "Z" designator (ONVIF Core asks for it in event times), in milliseconds."""
    if isinstance(moment, int | float):
        moment = datetime.fromtimestamp(moment, UTC)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def epoch_plus(seconds: float) -> datetime:
    """1970-01-01T00:00:00Z plus ``seconds`` (how a misread relative duration comes out)."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
