"""Configurations inside their own options (ONVIF-OPT-*: ONVIF's "... CONFIGURATIONS AND ...
CONFIGURATION OPTIONS CONSISTENCY" device test cases).

The options responses give "the available options (supported values and ranges ...)" of a
configuration (Media WSDL, GetVideoEncoderConfigurationOptions and
GetVideoSourceConfigurationOptions); a configuration the device reports must be one of them.
Extractors make plain views of zeep replies; checks compare a view of one configuration with a
view of its options and return the problems, each naming the field, the value and the range.
A field the options leave out bounds nothing; order and extra elements do not matter.
"""

from __future__ import annotations

from typing import Any

ENCODINGS = ("JPEG", "MPEG4", "H264")
"""tt:VideoEncoding of Media (ver10), and the options element of each."""


def _range(value: Any) -> list[float] | None:
    if value is None or getattr(value, "Min", None) is None or getattr(value, "Max", None) is None:
        return None
    return [float(value.Min), float(value.Max)]


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def encoder_view(configuration: Any) -> dict[str, Any]:
    """tt:VideoEncoderConfiguration -> the fields its options can bound (absent ones left out)."""
    view: dict[str, Any] = {"token": str(getattr(configuration, "token", "") or "")}
    encoding = getattr(configuration, "Encoding", None)
    if encoding is not None:
        view["Encoding"] = str(encoding)
    resolution = getattr(configuration, "Resolution", None)
    if resolution is not None:
        view["Resolution"] = [int(resolution.Width), int(resolution.Height)]
    if getattr(configuration, "Quality", None) is not None:
        view["Quality"] = float(configuration.Quality)
    rate = getattr(configuration, "RateControl", None)
    if rate is not None:
        for name in ("FrameRateLimit", "EncodingInterval"):
            if getattr(rate, name, None) is not None:
                view[name] = float(getattr(rate, name))
    for codec, profile in (("MPEG4", "Mpeg4Profile"), ("H264", "H264Profile")):
        part = getattr(configuration, codec, None)
        if part is not None and view.get("Encoding") == codec:
            if getattr(part, "GovLength", None) is not None:
                view["GovLength"] = float(part.GovLength)
            if getattr(part, profile, None) is not None:
                view["Profile"] = str(getattr(part, profile))
    return view


def encoder_options_view(options: Any) -> dict[str, Any]:
    """tt:VideoEncoderConfigurationOptions -> QualityRange and, per encoding offered, its
    resolutions, ranges and profiles."""
    view: dict[str, Any] = {}
    quality = _range(getattr(options, "QualityRange", None))
    if quality is not None:
        view["QualityRange"] = quality
    for codec in ENCODINGS:
        part = getattr(options, codec, None)
        if part is None:
            continue
        offered: dict[str, Any] = {
            "ResolutionsAvailable": [
                [int(r.Width), int(r.Height)]
                for r in getattr(part, "ResolutionsAvailable", []) or []
            ]
        }
        for name in ("FrameRateRange", "EncodingIntervalRange", "GovLengthRange"):
            bounds = _range(getattr(part, name, None))
            if bounds is not None:
                offered[name] = bounds
        profiles = getattr(part, "Mpeg4ProfilesSupported", None) or getattr(
            part, "H264ProfilesSupported", None
        )
        if profiles:
            offered["ProfilesSupported"] = [str(p) for p in profiles]
        view[codec] = offered
    return view


def _fmt(value: float) -> str:
    return f"{value:g}"


def _outside(name: str, value: float, bounds: list[float], range_name: str) -> str | None:
    low, high = bounds
    if low <= value <= high:
        return None
    return f"{name} {_fmt(value)} outside {range_name} [{_fmt(low)}, {_fmt(high)}]"


def check_encoder_within_options(
    configuration: dict[str, Any], options: dict[str, Any]
) -> list[str]:
    """ONVIF-OPT-MEDIA-01: the video encoder configuration's encoding is offered, its resolution
    is among ResolutionsAvailable and each value with a range in the options lies within it."""
    encoding = configuration.get("Encoding")
    if encoding is None:
        return ["the configuration names no Encoding to look up in its options"]
    offered = options.get(encoding)
    if offered is None:
        present = ", ".join(c for c in ENCODINGS if c in options) or "none"
        return [f"Encoding {encoding} has no {encoding} options (options given for: {present})"]
    problems = []
    resolution = configuration.get("Resolution")
    sizes = offered.get("ResolutionsAvailable") or []
    if resolution is None:
        problems.append("the configuration gives no Resolution to compare with its options")
    elif resolution not in sizes:
        listed = ", ".join(f"{w}x{h}" for w, h in sizes) or "none"
        problems.append(
            f"Resolution {resolution[0]}x{resolution[1]} not among {encoding} "
            f"ResolutionsAvailable [{listed}]"
        )
    bounded = [
        ("Quality", options.get("QualityRange"), "QualityRange"),
        ("FrameRateLimit", offered.get("FrameRateRange"), f"{encoding} FrameRateRange"),
        (
            "EncodingInterval",
            offered.get("EncodingIntervalRange"),
            f"{encoding} EncodingIntervalRange",
        ),
        ("GovLength", offered.get("GovLengthRange"), f"{encoding} GovLengthRange"),
    ]
    for name, bounds, range_name in bounded:
        if name in configuration and bounds is not None:
            problem = _outside(name, configuration[name], bounds, range_name)
            if problem:
                problems.append(problem)
    profiles = offered.get("ProfilesSupported")
    if "Profile" in configuration and profiles and configuration["Profile"] not in profiles:
        problems.append(
            f"{encoding} profile {configuration['Profile']} not among the profiles supported "
            f"[{', '.join(profiles)}]"
        )
    return problems


def source_view(configuration: Any) -> dict[str, Any]:
    """tt:VideoSourceConfiguration -> its token and Bounds (x, y, width, height)."""
    view: dict[str, Any] = {"token": str(getattr(configuration, "token", "") or "")}
    bounds = getattr(configuration, "Bounds", None)
    if bounds is not None:
        view["Bounds"] = {k: int(getattr(bounds, k)) for k in ("x", "y", "width", "height")}
    return view


BOUNDS_RANGES = {"x": "XRange", "y": "YRange", "width": "WidthRange", "height": "HeightRange"}


def source_options_view(options: Any) -> dict[str, Any]:
    """tt:VideoSourceConfigurationOptions -> BoundsRange's four ranges (absent ones left out)."""
    view: dict[str, Any] = {}
    bounds = getattr(options, "BoundsRange", None)
    if bounds is not None:
        view["BoundsRange"] = {
            name: r
            for name in BOUNDS_RANGES.values()
            if (r := _range(getattr(bounds, name, None))) is not None
        }
    return view


def check_source_within_options(
    configuration: dict[str, Any], options: dict[str, Any]
) -> list[str]:
    """ONVIF-OPT-MEDIA-01: the video source configuration's Bounds fit the options' BoundsRange."""
    bounds = configuration.get("Bounds")
    if bounds is None:
        return ["the configuration gives no Bounds to compare with its options"]
    ranges = options.get("BoundsRange")
    if not ranges:
        return [
            "GetVideoSourceConfigurationOptions gives no BoundsRange to compare the Bounds with"
        ]
    problems = []
    for field, range_name in BOUNDS_RANGES.items():
        if range_name in ranges:
            problem = _outside(f"Bounds {field}", bounds[field], ranges[range_name], range_name)
            if problem:
                problems.append(problem)
    return problems
