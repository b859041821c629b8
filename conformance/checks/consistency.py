"""Media (ver10) views of one state that must agree (ONVIF-CONS-MEDIA-*: ONVIF's "... AND ...
CONSISTENCY" and "USE COUNT (CURRENT STATE)" device test cases of Media Configuration).

A device describes each profile and configuration several times: in GetProfiles, in
GetProfile(token), in the GetVideo*Configurations listings and in GetVideo*Configuration(token).
A client may read any of them, so they must describe the same thing. Extractors turn zeep
replies into plain nested dicts (:func:`plain`), compared field by field; the order of
profiles and listed configurations does not matter, vendor extensions are not compared, and
UseCount is judged once, against the profiles, rather than copy against copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

MAX_DIFFERENCES = 4
"""Differences named per compared pair: enough to locate the disagreement, short enough to read."""

ENCODINGS = ("JPEG", "H264", "MPEG4")
"""The encodings GetGuaranteedNumberOfVideoEncoderInstances gives a number for (Media WSDL)."""


def plain(value: Any) -> Any:
    """A zeep object (or any attribute bag) -> nested dicts, lists and scalars.

    Absent optional elements (None) and empty lists are left out, so a view never differs from
    another by how the client represents "absent". Vendor extensions (zeep's ``_attr_1`` for
    xs:anyAttribute, ``_value_1``/``_raw_elements`` for xs:any) are left out too: the schema
    lets a device put them on one reply's element and not another's, so they are no
    disagreement. Values without a plain form (durations, decimals) are compared as text."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, etree._Element):
        return etree.tostring(value, method="c14n").decode()
    if isinstance(value, Mapping):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif hasattr(value, "__values__"):
        items = value.__values__.items()
    elif isinstance(value, (list, tuple)) or type(value).__name__ == "deque":
        return [plain(v) for v in value]
    elif hasattr(value, "__dict__"):
        items = vars(value).items()
    else:
        return str(value)
    view = {}
    for key, item in items:
        if str(key).startswith("_"):
            continue
        converted = plain(item)
        if converted is None or converted == [] or converted == {}:
            continue
        view[str(key)] = converted
    return view


def differences(first: Any, second: Any, path: str = "") -> list[str]:
    """Where two plain views differ: ``path: first-value vs second-value`` each."""
    if isinstance(first, dict) and isinstance(second, dict):
        found: list[str] = []
        for key in sorted(set(first) | set(second)):
            where = f"{path}.{key}" if path else key
            if key not in first:
                found.append(f"{where}: absent vs {second[key]!r}")
            elif key not in second:
                found.append(f"{where}: {first[key]!r} vs absent")
            else:
                found += differences(first[key], second[key], where)
        return found
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        found = []
        for index, (a, b) in enumerate(zip(first, second, strict=True)):
            found += differences(a, b, f"{path}[{index}]")
        return found
    return [] if first == second else [f"{path or 'value'}: {first!r} vs {second!r}"]


def without_use_counts(view: Any) -> Any:
    """A plain view with every UseCount left out.

    Copies of a configuration inside profiles are compared without it: UseCount is a count the
    device keeps, judged once against the profiles that use the configuration; a profile copy
    leaving the required element out is a schema defect (ONVIF-DEV-SCHEMA-01), not a second
    disagreement."""
    if isinstance(view, dict):
        return {k: without_use_counts(v) for k, v in view.items() if k != "UseCount"}
    if isinstance(view, list):
        return [without_use_counts(v) for v in view]
    return view


def _disagree(label: str, first: Any, second: Any, names: tuple[str, str]) -> list[str]:
    found = differences(first, second)
    if not found:
        return []
    shown = "; ".join(found[:MAX_DIFFERENCES])
    more = f"; and {len(found) - MAX_DIFFERENCES} more" if len(found) > MAX_DIFFERENCES else ""
    return [f"{label}: {names[0]} and {names[1]} differ ({shown}{more})"]


def check_profile_gets(listed: Mapping[str, Any], single: Mapping[str, Any]) -> list[str]:
    """ONVIF-CONS-MEDIA-01: each profile GetProfiles lists is what GetProfile(token) returns.

    ``listed``/``single``: profile token -> :func:`plain` view of GetProfiles' entry and of
    GetProfile's reply (None where GetProfile gave nothing)."""
    if not listed:
        return ["GetProfiles returned no profile to compare with GetProfile"]
    problems = []
    for token, view in listed.items():
        other = single.get(token)
        if other is None:
            problems.append(f"profile {token}: GetProfile returned no profile")
            continue
        problems += _disagree(
            f"profile {token}",
            without_use_counts(view),
            without_use_counts(other),
            ("GetProfiles", "GetProfile"),
        )
    return problems


@dataclass(frozen=True)
class ConfigurationViews:
    """One kind of configuration (video source or video encoder) as every view shows it."""

    kind: str
    """``video source`` or ``video encoder``: names the operations in problems."""
    in_profiles: Mapping[str, Mapping[str, Any]]
    """Profile token -> the plain view of the configuration of this kind it holds (profiles
    without one left out)."""
    listed: Mapping[str, Any]
    """Configuration token -> plain view from GetVideo<Kind>Configurations."""
    single: Mapping[str, Any]
    """Configuration token -> plain view from GetVideo<Kind>Configuration(token)."""

    @property
    def operation(self) -> str:
        return "GetVideo" + "".join(w.title() for w in self.kind.split()[1:]) + "Configuration"


def check_profile_copies(
    kind: str, list_op: str, in_profiles: Mapping[str, Mapping[str, Any]], listed: Mapping[str, Any]
) -> list[str]:
    """ONVIF-CONS-MEDIA-01: the listing ``list_op`` holds every configuration of this ``kind`` a
    profile holds, equal to the profile's copy (UseCount aside). Also used for the PTZ
    configurations of the profiles against the PTZ service's GetConfigurations."""
    if not listed:
        return [f"{list_op} listed no {kind} configuration"]
    problems = []
    for profile, configuration in in_profiles.items():
        token = str(configuration.get("token", ""))
        if token not in listed:
            problems.append(
                f"{kind} configuration {token} of profile {profile} is not listed by {list_op}"
            )
            continue
        problems += _disagree(
            f"{kind} configuration {token}",
            without_use_counts(configuration),
            without_use_counts(listed[token]),
            (f"profile {profile}", list_op),
        )
    return problems


def check_configuration_views(views: ConfigurationViews) -> list[str]:
    """ONVIF-CONS-MEDIA-01: the listing holds every configuration a profile uses, equal to the
    profile's copy (UseCount aside); each listed configuration is what the single get returns;
    and its UseCount is the number of profiles using it."""
    single_op = views.operation
    list_op = single_op + "s"
    problems = check_profile_copies(views.kind, list_op, views.in_profiles, views.listed)
    if not views.listed:
        return problems
    users: dict[str, int] = {}
    for configuration in views.in_profiles.values():
        token = str(configuration.get("token", ""))
        users[token] = users.get(token, 0) + 1
    for token, configuration in views.listed.items():
        other = views.single.get(token)
        if other is None:
            problems.append(f"{views.kind} configuration {token}: {single_op} returned nothing")
        else:
            problems += _disagree(
                f"{views.kind} configuration {token}",
                configuration,
                other,
                (list_op, single_op),
            )
        count = configuration.get("UseCount") if isinstance(configuration, dict) else None
        used = users.get(token, 0)
        if count is None or str(count) != str(used):
            problems.append(
                f"{views.kind} configuration {token}: UseCount {count} but {used} profile(s) use it"
            )
    return problems


def check_source_tokens(source_tokens: Mapping[str, str], video_sources: list[str]) -> list[str]:
    """ONVIF-CONS-MEDIA-01: each video source configuration's SourceToken names a video source
    GetVideoSources lists. ``source_tokens``: configuration token -> its SourceToken."""
    if not source_tokens:
        return ["no video source configuration to look up in GetVideoSources"]
    known = ", ".join(video_sources) or "none"
    return [
        f"video source configuration {token}: SourceToken {source!r} is not among "
        f"GetVideoSources' tokens [{known}]"
        for token, source in source_tokens.items()
        if source not in video_sources
    ]


def guaranteed_view(reply: Any) -> dict[str, int]:
    """GetGuaranteedNumberOfVideoEncoderInstancesResponse -> TotalNumber and the per-encoding
    numbers it gives (absent ones left out)."""
    view: dict[str, int] = {}
    for name in ("TotalNumber", *ENCODINGS):
        value = getattr(reply, name, None)
        if value is not None:
            view[name] = int(value)
    return view


def check_guaranteed_instances(
    guaranteed: Mapping[str, Mapping[str, int]], offered: set[str]
) -> list[str]:
    """ONVIF-CONS-MEDIA-02: for each video source configuration the device guarantees at least
    one encoder instance, no per-encoding number is negative, and an encoding guaranteed
    instances is one the video encoder configuration options offer.

    ``guaranteed``: video source configuration token -> :func:`guaranteed_view`;
    ``offered``: the encodings (JPEG, H264, MPEG4) any video encoder configuration's options
    give options for."""
    if not guaranteed:
        return ["no video source configuration to ask for guaranteed encoder instances"]
    if not offered:
        return ["GetVideoEncoderConfigurationOptions offered no encoding to compare with"]
    problems = []
    for token, view in guaranteed.items():
        total = view.get("TotalNumber")
        if total is None or total < 1:
            problems.append(
                f"video source configuration {token}: TotalNumber {total}, expected at least 1"
            )
        for encoding in ENCODINGS:
            number = view.get(encoding)
            if number is None:
                continue
            if number < 0:
                problems.append(f"video source configuration {token}: {encoding} {number} < 0")
            elif number > 0 and encoding not in offered:
                problems.append(
                    f"video source configuration {token}: {number} {encoding} instance(s) "
                    f"guaranteed, but no GetVideoEncoderConfigurationOptions offers {encoding} "
                    f"(offered: {', '.join(sorted(offered))})"
                )
    return problems
