"""Personas: event service quirks (pull points, subscriptions, topics).

Each reproduces a quirk of Q21-Q24 in the research notes
(/work/shared/research/onvif-profiles-streaming-quirks.md), with the provenance given there.
"""

from __future__ import annotations

from fake_vms.personas.knobs import Knobs
from fake_vms.personas.model import Persona

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "relative-termination-rejected",
        "CreatePullPointSubscription faults on a relative InitialTerminationTime (PT60S)",
        ("EVENT-PULL-01",),
        "Q22: kerberos-io/onvif PR #5 (older Hikvision, some Dahua and Bosch firmware reject "
        "the relative form)",
        knobs=Knobs(relative_termination_rejected=True),
    ),
    Persona(
        "termination-time-is-now",
        "CreatePullPointSubscription reports a TerminationTime equal to CurrentTime",
        ("EVENT-PULL-01",),
        'Q22: agsh/onvif lib/events.js ("Vista returns a termination time with the time now")',
        knobs=Knobs(termination_time_is_now=True),
    ),
    Persona(
        "pullmessages-no-keepalive",
        "PullMessages does not extend the pull point's termination time",
        ("EVENT-PULL-02",),
        'Q22: agsh/onvif lib/events.js ("Axis does not increment the termination time. Use '
        'RENEW"); DTT EVENT-3-1-24',
        knobs=Knobs(pullmessages_extends_lifetime=False),
    ),
    Persona(
        "renew-relative-misread",
        "Renew reads a relative duration as an absolute time, so the subscription ends at once",
        ("EVENT-RENEW-01",),
        "Q22: python-onvif-zeep-async has_broken_relative_time (TerminationTime - CurrentTime "
        "wildly off after a relative time)",
        knobs=Knobs(renew_relative_as_absolute=True),
    ),
    Persona(
        "unsubscribe-kills-all",
        "Unsubscribe of one subscription ends every subscription of the device",
        ("EVENT-UNSUB-01",),
        'Q22: home-assistant/core components/onvif event.py ("some cameras will terminate all '
        'subscriptions if we unsubscribe")',
        knobs=Knobs(unsubscribe_kills_all=True),
    ),
    Persona(
        "max-one-pullpoint",
        "MaxPullPoints says 4 but a second concurrent pull point is refused",
        ("EVENT-MAXPP-01",),
        "Q21/Q22: agsh/onvif#200 (capabilities claim pull points, MaxPullPoints 5, then "
        "'Action Not Implemented'); home-assistant/core event.py (subscription limits)",
        knobs=Knobs(pull_point_limit=1),
    ),
    Persona(
        "no-initialized-on-sync",
        "SetSynchronizationPoint answers but re-sends no Initialized property state",
        ("EVENT-SYNC-01",),
        "Q24: property events need Initialized after subscription and after "
        "SetSynchronizationPoint (DTT EVENT-3-1-25)",
        knobs=Knobs(sync_point_resends=False),
    ),
    Persona(
        "state-as-active",
        "Boolean State items are sent as 'active'/'inactive' instead of xs:boolean",
        ("EVENT-TOPIC-01",),
        "Q24: Mi-Bee-Studio/MiBeeNvr PR #814 (State=active); home-assistant/core#37545 (Dahua "
        "NVR State '1')",
        knobs=Knobs(bool_encoding=("active", "inactive")),
    ),
    Persona(
        "undeclared-topic",
        "Emits tns1:RuleEngine/CellMotionDetector/Motion, which GetEventProperties omits",
        ("EVENT-TOPIC-01",),
        "Q24: home-assistant/core event.py (RuleEngine/CellMotionDetector/Motion topics, vendor "
        "topics under tns1); GetEventProperties must list all topics",
        knobs=Knobs(undeclared_topic="tns1:RuleEngine/CellMotionDetector/Motion"),
    ),
    Persona(
        "misspelt-motion-topic",
        "Motion is declared and sent as tns1:VideoSoure/MotionAlarm (misspelt)",
        ("EVENT-PROPS-01", "EVENT-MOTION-01"),
        "Q24: dmitrif/onvif2mqtt PR #34 (misspelt VideoSoure/MotionAlarm matched on purpose, "
        "tested on D-Link DCS-2103)",
        knobs=Knobs(motion_topic="tns1:VideoSoure/MotionAlarm"),
    ),
    Persona(
        "no-motion-events",
        "Motion is declared and its Initialized state sent, but no motion change is ever sent",
        ("EVENT-MOTION-01",),
        "Q21: home-assistant/core#90916 (IESS/TVT NVR: pull-point messages never retrieved)",
        knobs=Knobs(motion_events=False),
    ),
    Persona(
        "no-tamper-events",
        "Tampering topics are declared but no tampering change is ever sent",
        ("EVENT-TAMPER-01",),
        "Q21: home-assistant/core#90916 (events declared but never delivered); Profile T "
        "requires at least one tampering event",
        knobs=Knobs(tamper_events=False),
    ),
    Persona(
        "no-tampering-topics",
        "No tampering detection at all: no tampering topic declared or sent",
        ("EVENT-PROPS-01", "EVENT-TAMPER-01"),
        "Profile T support check: at least one of ImageTooBlurry/ImageTooDark/ImageTooBright/"
        "GlobalSceneChange is mandatory (research notes 1.5, Profile T table)",
        knobs=Knobs(tamper_topics_declared=False),
    ),
    Persona(
        "notify-never-sent",
        "Subscribe is accepted but no Notify ever reaches the consumer",
        ("EVENT-NOTIFY-01",),
        "Q21: home-assistant/core#90916 (events accepted but never delivered); HA falls back "
        "between webhook (base notification) and pull point for such devices",
        knobs=Knobs(notify_delivered=False),
    ),
    Persona(
        "bad-utctime",
        "Every notification's UtcTime is 2026-13-01T00:00:00Z (month 13: not an xs:dateTime)",
        ("EVENT-TOPIC-01",),
        "issue 14.5: UtcTime was accepted by checking only that it ends in Z; "
        "home-assistant/core#52991 (event times in a non-ISO order)",
        knobs=Knobs(bad_utc_time="2026-13-01T00:00:00Z"),
    ),
    Persona(
        "no-event-service",
        "No Event service: GetServices and GetCapabilities omit it and its path answers 404",
        (
            "EVENT-PROPS-01",
            "EVENT-PULL-01",
            "EVENT-PULL-02",
            "EVENT-RENEW-01",
            "EVENT-UNSUB-01",
            "EVENT-MAXPP-01",
            "EVENT-SYNC-01",
            "EVENT-TOPIC-01",
            "EVENT-MOTION-01",
            "EVENT-TAMPER-01",
            "EVENT-NOTIFY-01",
            "ONVIF-EVENT-FILTER-01",
            "ONVIF-EVENT-FAULT-01",
            "ONVIF-EVENT-TERMINATION-01",
        ),
        "issues 12 and 14.1: Node.js ONVIF camera servers without an Event service, "
        "CreatePullPointSubscription answering 'Action not supported' or HTTP 404; ONVIF Core "
        "5.1.2 makes the Event service mandatory for every device",
        knobs=Knobs(event_service_offered=False),
    ),
    Persona(
        "notify-needs-routable",
        "Subscribe refuses a loopback consumer, explaining in the fault Detail that it needs a "
        "routable address (legal: the lab, not the device, is at fault)",
        (),
        "issue 12.4: a vendor-quirk proxy refusing loopback consumers with 'Invalid argument' "
        "and the reason in env:Detail; expected not_tested with an environment: reason",
        knobs=Knobs(notify_needs_routable=True),
        legal=True,
    ),
    Persona(
        "timer-jitter",
        "Whole-second timers: every reply leaves on the next full second (up to 1 s late), so "
        "a 1 s PullMessages answers in 1-2 s (legal: must get the same verdicts every run)",
        (),
        "issue 12.6: a device answering 1 s PullMessages in 1.8-2.02 s passed EVENT-PULL-02 in "
        "three runs and failed it in the fourth",
        knobs=Knobs(whole_second_timers=True),
        legal=True,
        affects=("events",),
    ),
)
