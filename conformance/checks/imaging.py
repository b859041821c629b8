"""Checks of the ONVIF Imaging service and of Media2 on-screen displays (OSD).

Extractors make plain views of zeep replies; checks compare views and return problems.
"""

from __future__ import annotations

from typing import Any

RANGED = ("Brightness", "ColorSaturation", "Contrast", "Sharpness")


def settings_summary(settings: Any) -> dict[str, Any]:
    """GetImagingSettings -> the scalar settings the options can bound (absent ones left out)."""
    view: dict[str, Any] = {}
    for name in RANGED:
        value = getattr(settings, name, None)
        if value is not None:
            view[name] = float(value)
    ir_cut = getattr(settings, "IrCutFilter", None)
    if ir_cut is not None:
        view["IrCutFilter"] = str(ir_cut)
    return view


def options_summary(options: Any) -> dict[str, Any]:
    """GetOptions -> name: [min, max] for ranges, IrCutFilterModes: [modes]."""
    view: dict[str, Any] = {}
    for name in RANGED:
        value = getattr(options, name, None)
        if value is not None:
            view[name] = [float(value.Min), float(value.Max)]
    modes = getattr(options, "IrCutFilterModes", None)
    if modes:
        view["IrCutFilterModes"] = [str(m) for m in modes]
    return view


def check_settings_within_options(settings: dict[str, Any], options: dict[str, Any]) -> list[str]:
    """IMAGING-GET-01: what the device says it is set to must be settable per its options."""
    problems = []
    compared = 0
    for name in RANGED:
        if name in settings and name in options:
            compared += 1
            low, high = options[name]
            if not low <= settings[name] <= high:
                problems.append(f"{name} is {settings[name]}, outside the options [{low}, {high}]")
    if "IrCutFilter" in settings and "IrCutFilterModes" in options:
        compared += 1
        if settings["IrCutFilter"] not in options["IrCutFilterModes"]:
            problems.append(
                f"IrCutFilter is {settings['IrCutFilter']}, not one of "
                f"{', '.join(options['IrCutFilterModes'])}"
            )
    if not compared:
        problems.append("no current setting has a range or list in GetOptions to compare with")
    return problems


def new_value(current: float, low: float, high: float) -> float:
    """A value inside [low, high] clearly different from ``current`` (a quarter of the range)."""
    span = high - low
    candidate = low + 0.25 * span if current > low + 0.5 * span else low + 0.75 * span
    return round(candidate, 1)


def check_value_applied(
    name: str, requested: float, read_back: float | None, tol: float
) -> list[str]:
    """IMAGING-SET-01: the setting reads back as set."""
    if read_back is None:
        return [f"GetImagingSettings no longer reports {name} after SetImagingSettings"]
    if abs(read_back - requested) > tol:
        return [
            f"{name} set to {requested} but reads back {read_back} (the change was not applied)"
        ]
    return []


# -- OSD ---------------------------------------------------------------------------------------


def osd_summary(osds: Any) -> list[dict[str, Any]]:
    """GetOSDs -> token, type, position type, text type and plain text of each OSD."""
    view = []
    for osd in osds or []:
        position = getattr(osd, "Position", None)
        text = getattr(osd, "TextString", None)
        view.append(
            {
                "token": str(osd.token),
                "type": str(getattr(osd, "Type", "")),
                "position": str(position.Type) if position is not None else None,
                "text_type": str(text.Type) if text is not None else None,
                "plain_text": getattr(text, "PlainText", None) if text is not None else None,
            }
        )
    return view


def osd_options_summary(options: Any) -> dict[str, Any]:
    """GetOSDOptions -> maximum total, types, positions and text types offered."""
    maximum = getattr(options, "MaximumNumberOfOSDs", None)
    text = getattr(options, "TextOption", None)
    return {
        "max_total": int(maximum.Total) if maximum is not None else None,
        "types": [str(t) for t in getattr(options, "Type", None) or []],
        "positions": [str(p) for p in getattr(options, "PositionOption", None) or []],
        "text_types": [str(t) for t in getattr(text, "Type", None) or []] if text else [],
    }


def check_osds_consistent(osds: list[dict[str, Any]], options: dict[str, Any]) -> list[str]:
    """OSD-GET-01: text OSDs offered, and every existing OSD is one the options allow."""
    problems = []
    if "Text" not in options["types"]:
        problems.append(f"GetOSDOptions offers no Text OSD (types: {options['types']})")
    if options["max_total"] is not None and len(osds) > options["max_total"]:
        problems.append(
            f"{len(osds)} OSDs exist; MaximumNumberOfOSDs Total is {options['max_total']}"
        )
    for osd in osds:
        if osd["type"] not in options["types"]:
            problems.append(f"OSD {osd['token']}: type {osd['type']} is not offered")
        if osd["position"] not in options["positions"]:
            problems.append(f"OSD {osd['token']}: position {osd['position']} is not offered")
        if osd["type"] == "Text" and osd["text_type"] not in options["text_types"]:
            problems.append(f"OSD {osd['token']}: text type {osd['text_type']} is not offered")
    return problems


def check_osd_created(token: str, text: str, listed: list[dict[str, Any]]) -> list[str]:
    """OSD-TEXT-01: the created OSD is listed with the text it was given."""
    for osd in listed:
        if osd["token"] == token:
            if osd["plain_text"] != text:
                return [f"OSD {token} shows {osd['plain_text']!r}, created with {text!r}"]
            return []
    return [f"CreateOSD returned {token!r} but GetOSDs does not list it"]


def check_osd_deleted(token: str, listed: list[dict[str, Any]]) -> list[str]:
    """OSD-TEXT-01: DeleteOSD removes the OSD."""
    if any(osd["token"] == token for osd in listed):
        return [f"OSD {token!r} is still listed after DeleteOSD"]
    return []
