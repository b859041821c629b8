"""Media2 (ver20) configurations: their options and their listings (ONVIF-OPT-MEDIA2-01,
ONVIF-CONS-MEDIA2-01; ONVIF's Media2 Configuration device test cases on video source, video
encoder and metadata configurations, video source modes and encoder instances).

A Media2 device describes the same configuration in two places (a profile from GetProfiles and
the GetXxxConfigurations listing) and says what it can do in a third (GetXxxOptions). A client
reads one view and writes back another, so the views must agree and the configurations must lie
within the options. Extractors turn zeep replies into plain dicts (absent optional fields left
out, so they bound nothing); checks return problems naming the field, its value and its range.
Video source options have Media1's type (tt:VideoSourceConfigurationOptions), so their Bounds
check is :mod:`conformance.checks.options`'s; encoder options are Media2's own (one element per
encoding) and are judged with :mod:`conformance.checks.media2`'s encoder check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from conformance.checks.options import BOUNDS_RANGES, source_options_view, source_view

COMPARED = ("Name", "UseCount", "SourceToken", "Bounds", "Analytics")
"""Fields a profile's copy of a configuration and the listing's copy must both give alike."""


def _range(value: Any) -> list[float] | None:
    low, high = getattr(value, "Min", None), getattr(value, "Max", None)
    return None if low is None or high is None else [float(low), float(high)]


def configuration_view(configuration: Any) -> dict[str, Any]:
    """A tt:ConfigurationEntity (video source or metadata configuration) -> token, Name,
    UseCount and, where the type has them, SourceToken, Bounds and Analytics."""
    view = source_view(configuration)
    for name in ("Name", "SourceToken"):
        if getattr(configuration, name, None) is not None:
            view[name] = str(getattr(configuration, name))
    if getattr(configuration, "UseCount", None) is not None:
        view["UseCount"] = int(configuration.UseCount)
    if getattr(configuration, "Analytics", None) is not None:
        view["Analytics"] = bool(configuration.Analytics)
    return view


def check_source_configurations(listed: list[dict[str, Any]]) -> list[str]:
    """GetVideoSourceConfigurations (MEDIA2-2-2-2): at least one configuration, each with a
    token, the video source it takes from and Bounds of positive size."""
    if not listed:
        return ["GetVideoSourceConfigurations listed no video source configuration"]
    problems = []
    for view in listed:
        name = f"video source configuration {view.get('token') or '(no token)'}"
        if not view.get("token"):
            problems.append(f"{name}: no token")
        if not view.get("SourceToken"):
            problems.append(f"{name}: no SourceToken")
        bounds = view.get("Bounds")
        if bounds is None:
            problems.append(f"{name}: no Bounds")
        elif bounds["width"] <= 0 or bounds["height"] <= 0:
            problems.append(f"{name}: Bounds {bounds['width']}x{bounds['height']} is empty")
    return problems


def source_options_full_view(options: Any) -> dict[str, Any]:
    """tt:VideoSourceConfigurationOptions -> BoundsRange and VideoSourceTokensAvailable."""
    view = source_options_view(options)
    view["VideoSourceTokensAvailable"] = [
        str(t) for t in getattr(options, "VideoSourceTokensAvailable", None) or []
    ]
    return view


def check_source_options(view: dict[str, Any]) -> list[str]:
    """GetVideoSourceConfigurationOptions (MEDIA2-2-2-1): a BoundsRange with all four ranges
    (each Min <= Max) and at least one video source token (both required by the schema)."""
    problems = []
    ranges = view.get("BoundsRange")
    if ranges is None:
        problems.append("the options give no BoundsRange")
    else:
        for name in BOUNDS_RANGES.values():
            bounds = ranges.get(name)
            if bounds is None:
                problems.append(f"BoundsRange gives no {name}")
            elif bounds[0] > bounds[1]:
                problems.append(f"BoundsRange {name} Min {bounds[0]:g} > Max {bounds[1]:g}")
    if not view.get("VideoSourceTokensAvailable"):
        problems.append("the options list no VideoSourceTokensAvailable")
    return problems


def encoder_options_ranges(options: Any) -> dict[str, Any]:
    """tt:VideoEncoder2ConfigurationOptions -> encoding, sizes, frame rates and the ranges
    (QualityRange, BitrateRange, GovLengthRange as Min/Max)."""
    view: dict[str, Any] = {
        "Encoding": str(getattr(options, "Encoding", "") or ""),
        "ResolutionsAvailable": [
            [int(r.Width), int(r.Height)]
            for r in getattr(options, "ResolutionsAvailable", None) or []
        ],
    }
    for name in ("QualityRange", "BitrateRange"):
        bounds = _range(getattr(options, name, None))
        if bounds is not None:
            view[name] = bounds
    gov = [float(g) for g in getattr(options, "GovLengthRange", None) or []]
    if gov:
        view["GovLengthRange"] = [gov[0], gov[-1]]
    rates = getattr(options, "FrameRatesSupported", None)
    if rates:
        view["FrameRatesSupported"] = [float(r) for r in rates]
    return view


def check_encoder_options(options: list[dict[str, Any]], encoding: str) -> list[str]:
    """GetVideoEncoderConfigurationOptions (MEDIA2-2-3-5): options for the configuration's
    own ``encoding``, and every options element well formed: an Encoding, at least one
    resolution of positive size, QualityRange present, every range Min <= Max and frame rates
    positive."""
    if not options:
        return ["GetVideoEncoderConfigurationOptions returned no options"]
    problems = []
    if encoding not in {o["Encoding"] for o in options}:
        offered = ", ".join(o["Encoding"] for o in options)
        problems.append(f"no options for the configuration's encoding {encoding} ({offered})")
    for view in options:
        name = f"{view['Encoding'] or '(no Encoding)'} options"
        sizes = view["ResolutionsAvailable"]
        if not sizes:
            problems.append(f"{name}: no ResolutionsAvailable")
        problems += [f"{name}: resolution {w}x{h} is empty" for w, h in sizes if w <= 0 or h <= 0]
        if "QualityRange" not in view:
            problems.append(f"{name}: no QualityRange")
        for field in ("QualityRange", "BitrateRange", "GovLengthRange"):
            bounds = view.get(field)
            if bounds is not None and bounds[0] > bounds[1]:
                problems.append(f"{name}: {field} Min {bounds[0]:g} > Max {bounds[1]:g}")
        rates = view.get("FrameRatesSupported") or []
        problems += [f"{name}: frame rate {r:g} is not positive" for r in rates if r <= 0]
    return problems


def check_profiles_agree_with_listing(
    kind: str, held: Mapping[str, dict[str, Any]], listed: list[dict[str, Any]]
) -> list[str]:
    """MEDIA2-2-2-4, MEDIA2-8-1-3: every configuration a profile holds (profile token ->
    configuration view) is in the listing with the same fields, listing tokens are unique, and
    a listed configuration's UseCount is at least the number of profiles holding it."""
    if not held and not listed:
        return [f"no {kind} configuration in the profiles or the listing to compare"]
    problems = []
    by_token: dict[str, dict[str, Any]] = {}
    for view in listed:
        if view["token"] in by_token:
            problems.append(f"{kind} configuration token {view['token']} listed twice")
        by_token[view["token"]] = view
    holders: dict[str, int] = {}
    for profile, view in held.items():
        holders[view["token"]] = holders.get(view["token"], 0) + 1
        twin = by_token.get(view["token"])
        if twin is None:
            problems.append(
                f"profile {profile}'s {kind} configuration {view['token']} is not in the listing"
            )
            continue
        for field in COMPARED:
            if field in view and field in twin and view[field] != twin[field]:
                problems.append(
                    f"{kind} configuration {view['token']}: {field} {view[field]} in profile "
                    f"{profile}, {twin[field]} in the listing"
                )
    for token, count in holders.items():
        use = by_token.get(token, {}).get("UseCount")
        if use is not None and use < count:
            problems.append(
                f"{kind} configuration {token}: listed UseCount {use}, but {count} profiles hold it"
            )
    return problems


def source_mode_view(mode: Any) -> dict[str, Any]:
    """tr2:VideoSourceMode -> token, Enabled (absent means false), MaxFramerate,
    MaxResolution, Encodings and Reboot."""
    resolution = getattr(mode, "MaxResolution", None)
    return {
        "token": str(getattr(mode, "token", "") or ""),
        "Enabled": bool(getattr(mode, "Enabled", False)),
        "MaxFramerate": float(getattr(mode, "MaxFramerate", 0) or 0),
        "MaxResolution": (
            [int(resolution.Width), int(resolution.Height)] if resolution is not None else None
        ),
        "Encodings": [str(e) for e in getattr(mode, "Encodings", None) or []],
        "Reboot": getattr(mode, "Reboot", None),
    }


def check_source_modes(source: str, modes: Iterable[dict[str, Any]]) -> list[str]:
    """GetVideoSourceModes (MEDIA2-2-4-1): at least one mode; "The value of true shall be had
    by only one video source mode"; each with a token, a positive frame rate and resolution,
    at least one encoding and the Reboot flag."""
    modes = list(modes)
    if not modes:
        return [f"video source {source}: GetVideoSourceModes returned no mode"]
    problems = []
    enabled = [m["token"] for m in modes if m["Enabled"]]
    if len(enabled) > 1:
        problems.append(f"{len(enabled)} modes Enabled ({', '.join(enabled)}); at most one may be")
    for mode in modes:
        name = f"mode {mode['token'] or '(no token)'}"
        if not mode["token"]:
            problems.append(f"{name}: no token")
        if mode["MaxFramerate"] <= 0:
            problems.append(f"{name}: MaxFramerate {mode['MaxFramerate']:g} is not positive")
        size = mode["MaxResolution"]
        if size is None or size[0] <= 0 or size[1] <= 0:
            problems.append(f"{name}: MaxResolution {size} is not a positive size")
        if not mode["Encodings"]:
            problems.append(f"{name}: no Encodings")
        if mode["Reboot"] is None:
            problems.append(f"{name}: no Reboot flag")
    return [f"video source {source}: {p}" for p in problems]


def encoder_instances_view(info: Any) -> dict[str, Any]:
    """tr2:EncoderInstanceInfo -> Total and the Number per codec."""
    return {
        "Total": int(getattr(info, "Total", 0) or 0),
        "Codec": {str(c.Encoding): int(c.Number) for c in getattr(info, "Codec", None) or []},
    }


def check_encoder_instances(configuration: str, view: dict[str, Any]) -> list[str]:
    """GetVideoEncoderInstances (MEDIA2-5-1-2): Total, "the minimum guaranteed total number of
    encoder instances", is at least one, and no codec guarantees more instances than Total."""
    total = view.get("Total", 0)
    problems = []
    if total < 1:
        problems.append(f"Total {total}: no encoder instance guaranteed")
    for encoding, number in view.get("Codec", {}).items():
        if number < 0 or number > total:
            problems.append(f"{encoding} Number {number} outside 0..Total {total}")
    return [f"video source configuration {configuration}: {p}" for p in problems]
