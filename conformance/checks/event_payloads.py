"""What notification messages carry: declared topics, typed values, Initialized state.

Why apart from :mod:`conformance.checks.events`: these judge message *contents* against
GetEventProperties (item names and their schema types), which a device sends whether or not
anything happens in front of it, so they are the passive half of the event checks (issue 13.3).
Every typed value is judged by its schema type's full lexical rules (``conformance.xsd_types``)
and every problem quotes the value the device sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.checks.events import MessageView, TopicDescription
from conformance.xsd_types import type_problem, utc_datetime_problem


@dataclass(frozen=True)
class TypedValue:
    """One value of a message judged by its type, for the evidence."""

    topic: str
    item: str
    type: str
    value: str | None
    problem: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "item": self.item,
            "type": self.type,
            "value": self.value,
            "valid": self.problem is None,
            "problem": self.problem,
        }


def typed_values(
    messages: list[MessageView], declared: dict[str, TopicDescription]
) -> list[TypedValue]:
    """Every UtcTime and every SimpleItem whose type the topic's MessageDescription declares."""
    found = []
    for message in messages:
        found.append(
            TypedValue(
                message.topic,
                "@UtcTime",
                "xs:dateTime (UTC, Z)",
                message.utc_time,
                utc_datetime_problem(message.utc_time),
            )
        )
        description = declared.get(message.topic)
        if description is None:
            continue
        for part, values, types in (
            ("Source", message.source, description.source),
            ("Data", message.data, description.data),
        ):
            for name, value in values.items():
                kind = types.get(name)
                if kind is not None:
                    problem = type_problem(value, kind)
                    found.append(TypedValue(message.topic, f"{part}/{name}", kind, value, problem))
    return found


def check_topics(messages: list[MessageView], declared: dict[str, TopicDescription]) -> list[str]:
    """EVENT-TOPIC-01 (Q24): every topic is declared and every typed value fits its type.

    Each distinct problem is reported once (a device repeats the same fault in every message).
    """
    if not messages:
        return ["no message arrived, so no topic or value could be judged"]
    problems: list[str] = []
    seen: set[str] = set()

    def once(key: str, text: str) -> None:
        if key not in seen:
            seen.add(key)
            problems.append(text)

    for message in messages:
        description = declared.get(message.topic)
        if description is None:
            once(message.topic, f"{message.topic} is received but not declared")
            continue
        for part, values, types in (
            ("Source", message.source, description.source),
            ("Data", message.data, description.data),
        ):
            for name in values:
                if name not in types:
                    issue = f"{message.topic} {part}/{name}"
                    once(issue, f"{issue} is not in the topic's MessageDescription")
    for value in typed_values(messages, declared):
        if value.problem is None:
            continue
        if value.item == "@UtcTime":
            once(
                f"{value.topic} UtcTime",
                f"{value.topic}: UtcTime {value.value!r} is not an xs:dateTime in UTC with 'Z' "
                f"({value.problem})",
            )
        else:
            once(
                f"{value.topic} {value.item}",
                f"{value.topic} {value.item} = {value.value!r} is not a valid {value.type} "
                f"({value.problem})",
            )
    return problems


def property_topics(declared: dict[str, TopicDescription]) -> list[str]:
    """Declared topics whose MessageDescription says IsProperty="true"."""
    return sorted(name for name, d in declared.items() if d.is_property)


def check_initialized(
    messages: list[MessageView], declared: dict[str, TopicDescription], when: str
) -> list[str]:
    """EVENT-SYNC-01 (Core 9.4.2): Initialized messages give each property's current state.

    At least one Initialized message must arrive when the device declares property topics (a
    subscriber is sent the state of every live property instance), and each one of a declared
    property topic carries its instance (a Source item, if the description names any) and its
    state (a Data item the description names). Item names come from GetEventProperties; the
    spec lets optional items be missing, so only "at least one of each part" is required.
    """
    initialized = [m for m in messages if m.operation == "Initialized"]
    if not initialized:
        return [
            f"no Initialized message arrived {when}, although GetEventProperties declares "
            "property topics (" + ", ".join(property_topics(declared)) + ")"
        ]
    problems: list[str] = []
    for message in initialized:
        description = declared.get(message.topic)
        if description is None or not description.is_property:
            continue  # undeclared topics are EVENT-TOPIC-01's to judge
        if description.source and not set(message.source) & set(description.source):
            problems.append(
                f"Initialized {message.topic} {when} names no Source item of its "
                f"MessageDescription ({', '.join(description.source)}): which instance?"
            )
        if description.data and not set(message.data) & set(description.data):
            problems.append(
                f"Initialized {message.topic} {when} carries no Data item of its "
                f"MessageDescription ({', '.join(description.data)}): no current state"
            )
    return sorted(set(problems))
