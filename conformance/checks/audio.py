"""Audio configurations that agree with each other (ONVIF-AUDIO-*: ONVIF's audio "...
CONSISTENCY" and "GET AUDIO ..." device test cases of Media and Media2).

A device reports each audio configuration several ways: in its listing (GetAudio*Configurations),
alone (Media's GetAudio*Configuration, Media2's listing filtered by ConfigurationToken), inside
the media profiles that use it, and against its options (GetAudio*ConfigurationOptions). ONVIF's
test cases require these views to be one configuration. Extractors make plain views of zeep
objects; checks compare views and return the problems, each naming the configuration, the field
and both values. List order, extra elements and vendor extensions do not matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

KINDS = ("source", "encoder", "output", "decoder")
"""The four audio configuration kinds; each has its own fields (see :data:`FIELDS`)."""
FIELDS: dict[str, tuple[str, ...]] = {
    "source": ("Name", "UseCount", "SourceToken"),
    "encoder": ("Name", "UseCount", "Encoding", "Bitrate", "SampleRate"),
    "output": ("Name", "UseCount", "OutputToken", "SendPrimacy", "OutputLevel"),
    "decoder": ("Name", "UseCount"),
}
"""The fields compared between views: those of tt:ConfigurationEntity and each kind's own."""


def _scalar(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return text


def configuration_view(kind: str, configuration: Any, use_count: bool = True) -> dict[str, Any]:
    """An audio configuration -> its token and the compared fields present in it; without
    UseCount for Media2, whose WSDL deprecates it ("Deprecated for Media2 Service")."""
    view: dict[str, Any] = {"token": str(getattr(configuration, "token", "") or "")}
    for name in FIELDS[kind]:
        if name == "UseCount" and not use_count:
            continue
        value = getattr(configuration, name, None)
        if value is not None:
            view[name] = _scalar(value)
    return view


def _items(value: Any) -> list[int]:
    """tt:IntItems (zeep gives an object with Items, or the list itself) -> ints."""
    if value is None:
        return []
    items = getattr(value, "Items", value)
    if items is None:
        return []
    if not isinstance(items, list | tuple):
        items = [items]
    return [int(i) for i in items]


def options_view(kind: str, options: Any) -> dict[str, Any]:
    """An options reply's Options -> what can bound a configuration of ``kind``.

    source: InputTokensAvailable; output: OutputTokensAvailable, OutputLevelRange; encoder and
    decoder (Media2): a list of {Encoding, BitrateList, SampleRateList} per codec offered; Media's
    encoder options come wrapped in tt:AudioEncoderConfigurationOptions/Options."""
    if kind == "source":
        return {"tokens": [str(t) for t in getattr(options, "InputTokensAvailable", None) or []]}
    if kind == "output":
        view: dict[str, Any] = {
            "tokens": [str(t) for t in getattr(options, "OutputTokensAvailable", None) or []]
        }
        level = getattr(options, "OutputLevelRange", None)
        if level is not None and getattr(level, "Min", None) is not None:
            view["OutputLevelRange"] = [int(level.Min), int(level.Max)]
        return view
    entries = options if isinstance(options, list | tuple) else [options]
    codecs = []
    for entry in entries:
        if entry is None:
            continue
        nested = getattr(entry, "Options", None)  # Media ver10 wraps the per-codec options
        for option in nested if isinstance(nested, list | tuple) else [entry]:
            if getattr(option, "Encoding", None) is None:
                continue
            codecs.append(
                {
                    "Encoding": str(option.Encoding),
                    "BitrateList": _items(getattr(option, "BitrateList", None)),
                    "SampleRateList": _items(getattr(option, "SampleRateList", None)),
                }
            )
    return {"codecs": codecs}


def _differences(label: str, expected: Mapping[str, Any], seen: Mapping[str, Any]) -> list[str]:
    problems = []
    for name in sorted(set(expected) & set(seen)):  # a field one view leaves out is not judged
        if name == "token":
            continue
        if expected[name] != seen[name]:
            problems.append(
                f"{label}: {name} {seen.get(name)!r} where the listing says {expected.get(name)!r}"
            )
    return problems


def check_views_agree(
    kind: str,
    listing: Iterable[Mapping[str, Any]],
    others: Iterable[tuple[str, Mapping[str, Any] | None]],
) -> list[str]:
    """Each other view (labelled: a single get, a filtered listing, a profile's copy) names a
    configuration the listing holds, with the same value in every field both views give (an
    optional field one of them leaves out is not judged here). ``None`` is a view that came back
    empty where the configuration was asked for by its token."""
    listed = {view["token"]: view for view in listing}
    if not listed:
        return [f"the audio {kind} configuration listing is empty: nothing to compare"]
    problems = []
    judged = 0
    for label, view in others:
        judged += 1
        if view is None:
            problems.append(f"{label}: no configuration came back")
            continue
        token = view.get("token", "")
        if token not in listed:
            problems.append(
                f"{label}: configuration {token!r} is not in the listing "
                f"({', '.join(sorted(listed))})"
            )
            continue
        problems += _differences(f"{label} ({token})", listed[token], view)
    if not judged:
        problems.append(f"no other view of the audio {kind} configurations to compare")
    return problems


def check_use_counts(listing: Iterable[Mapping[str, Any]], holders: Mapping[str, int]) -> list[str]:
    """UseCount ("number of internal references currently using this configuration") is at
    least the number of media profiles (``holders``: token -> count) that hold it."""
    problems = []
    judged = 0
    for view in listing:
        judged += 1
        used = holders.get(view["token"], 0)
        count = view.get("UseCount")
        if not isinstance(count, int):
            problems.append(f"{view['token']}: UseCount {count!r} is not a number")
        elif count < used:
            problems.append(f"{view['token']}: UseCount {count} but {used} media profiles hold it")
    if not judged:
        problems.append("no configurations to judge the UseCount of")
    return problems


PHYSICAL = {
    "source": ("SourceToken", "GetAudioSources"),
    "output": ("OutputToken", "GetAudioOutputs"),
}
"""Kinds bound to a physical input or output: the field naming it and the operation listing them."""


def check_physical_tokens(
    kind: str, listing: Iterable[Mapping[str, Any]], tokens: list[str] | None
) -> list[str]:
    """Each source (output) configuration's SourceToken (OutputToken) is among the tokens
    GetAudioSources (GetAudioOutputs) lists; ``None``: that operation is not implemented."""
    field, operation = PHYSICAL[kind]
    views = list(listing)
    if not views:
        return [f"no audio {kind} configurations to compare with {operation}"]
    if tokens is None:
        return [f"{operation} is not implemented, yet audio {kind} configurations exist"]
    return [
        f"{view['token']}: {field} {view.get(field)!r} is not among {operation} "
        f"[{', '.join(tokens)}]"
        for view in views
        if view.get(field) not in tokens
    ]


def check_within_options(
    kind: str, configuration: Mapping[str, Any], options: Mapping[str, Any]
) -> list[str]:
    """The configuration is one its options allow: the source or output token among those
    available, the output level within its range, the encoding offered with its bitrate and
    sample rate among the listed ones (an empty list bounds nothing)."""
    label = f"{configuration.get('token', '?')}"
    if kind in ("source", "output"):
        field = "SourceToken" if kind == "source" else "OutputToken"
        listed_as = "InputTokensAvailable" if kind == "source" else "OutputTokensAvailable"
        problems = []
        token = configuration.get(field)
        tokens = options.get("tokens") or []
        if token is None:
            problems.append(f"{label}: the configuration names no {field}")
        elif token not in tokens:
            problems.append(
                f"{label}: {field} {token!r} not among {listed_as} [{', '.join(tokens)}]"
            )
        level, bounds = configuration.get("OutputLevel"), options.get("OutputLevelRange")
        if (
            kind == "output"
            and isinstance(level, int)
            and bounds is not None
            and not bounds[0] <= level <= bounds[1]
        ):
            problems.append(
                f"{label}: OutputLevel {level} outside OutputLevelRange [{bounds[0]}, {bounds[1]}]"
            )
        return problems
    encoding = configuration.get("Encoding")
    codecs = options.get("codecs") or []
    if encoding is None:
        return [f"{label}: the configuration names no Encoding"]
    matching = [c for c in codecs if str(c["Encoding"]).upper() == str(encoding).upper()]
    if not matching:
        offered = ", ".join(c["Encoding"] for c in codecs) or "none"
        return [f"{label}: Encoding {encoding} not among the options' encodings ({offered})"]
    problems = []
    for name, listed_in in (("Bitrate", "BitrateList"), ("SampleRate", "SampleRateList")):
        value = configuration.get(name)
        allowed = sorted({v for c in matching for v in c[listed_in]})
        if isinstance(value, int) and allowed and value not in allowed:
            problems.append(
                f"{label}: {name} {value} not in the {encoding} {listed_in} "
                f"[{', '.join(str(v) for v in allowed)}]"
            )
    return problems


def check_decoder_options(label: str, options: Mapping[str, Any]) -> list[str]:
    """Media2 GetAudioDecoderConfigurationOptions gives at least one codec with its encoding."""
    if options.get("codecs"):
        return []
    return [f"{label}: GetAudioDecoderConfigurationOptions offers no decoding format"]
