"""Media2 OSD operations (CreateOSD, DeleteOSD, GetOSDs, GetOSDOptions, SetOSD).

They live in the Media2 namespace; the Media2 service merges :func:`operations` into its own.
Profile T makes text overlays mandatory, so the camera starts with one date-and-time overlay and
lets clients add plain-text ones; the OSDs are state of the camera, shared through
``context.shared`` so every build of the Media2 service for this camera sees the same list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from fake_vms.onvif.media_service import VSC_TOKEN as MEDIA1_VSC_TOKEN
from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.soap import Operation, SoapFault, child_text, element, invalid_arg_val, sub
from fake_vms.site import CameraConfig

POSITIONS = ("UpperLeft", "UpperRight", "LowerLeft", "LowerRight", "Custom")
TEXT_TYPES = ("Plain", "Date", "Time", "DateAndTime")
DATE_FORMATS = ("yyyy-MM-dd", "dd/MM/yyyy")
TIME_FORMATS = ("HH:mm:ss",)
MAX_OSDS = 4
FONT_SIZES = (8, 64)


def vsc_tokens() -> tuple[str, ...]:
    """Video source configurations an OSD may name: Media2's first (OSDs live in Media2)."""
    from fake_vms.onvif.media2_service import VSC_TOKEN  # media2_service imports this module

    return (VSC_TOKEN, MEDIA1_VSC_TOKEN)


@dataclass
class Osd:
    """One text overlay (the only kind this camera offers)."""

    token: str
    vsc: str
    position: str
    text_type: str
    plain_text: str = ""
    font_size: int = 16
    pos: tuple[float, float] | None = None


@dataclass
class OsdState:
    camera: CameraConfig
    osds: dict[str, Osd] = field(default_factory=dict)
    next_token: int = 2

    def __post_init__(self) -> None:
        self.osds.setdefault("osd_1", Osd("osd_1", vsc_tokens()[0], "UpperLeft", "DateAndTime"))


def operations(context: ServiceContext) -> dict[str, Operation]:
    """OSD operations for one camera."""
    state = context.shared.setdefault("osd", OsdState(context.camera))
    return {
        "GetOSDs": lambda request: get_osds(state, request),
        "GetOSDOptions": lambda request: get_osd_options(state, request),
        "CreateOSD": lambda request: create_osd(state, request),
        "SetOSD": lambda request: set_osd(state, request),
        "DeleteOSD": lambda request: delete_osd(state, request),
    }


def get_osds(state: OsdState, request: etree._Element) -> etree._Element:
    token = child_text(request, "OSDToken") or None
    configuration = child_text(request, "ConfigurationToken") or None
    if token is not None and token not in state.osds:
        raise invalid_arg_val("NoConfig", f"No OSD with token {token}")
    if configuration not in (None, *vsc_tokens()):
        raise invalid_arg_val("NoConfig", f"No video source configuration {configuration}")
    response = element("tr2:GetOSDsResponse")
    for osd in state.osds.values():
        if token in (None, osd.token) and configuration in (None, osd.vsc):
            _osd_configuration(sub(response, "tr2:OSDs", token=osd.token), osd)
    return response


def get_osd_options(state: OsdState, request: etree._Element) -> etree._Element:
    if state.camera.knobs.osd_options_unsupported:
        raise SoapFault(
            "Receiver", ("ActionNotSupported",), "Optional Action Not Implemented: GetOSDOptions"
        )
    if child_text(request, "ConfigurationToken") not in vsc_tokens():
        raise invalid_arg_val("NoConfig", "No such video source configuration")
    response = element("tr2:GetOSDOptionsResponse")
    options = sub(response, "tr2:OSDOptions")
    sub(options, "tt:MaximumNumberOfOSDs", Total=MAX_OSDS, PlainText=MAX_OSDS, DateAndTime=1)
    sub(options, "tt:Type", "Text")
    for position in POSITIONS:
        sub(options, "tt:PositionOption", position)
    text = sub(options, "tt:TextOption")
    for text_type in TEXT_TYPES:
        sub(text, "tt:Type", text_type)
    sizes = sub(text, "tt:FontSizeRange")
    sub(sizes, "tt:Min", FONT_SIZES[0])
    sub(sizes, "tt:Max", FONT_SIZES[1])
    for date_format in DATE_FORMATS:
        sub(text, "tt:DateFormat", date_format)
    for time_format in TIME_FORMATS:
        sub(text, "tt:TimeFormat", time_format)
    return response


def create_osd(state: OsdState, request: etree._Element) -> etree._Element:
    if len(state.osds) >= MAX_OSDS:
        raise SoapFault("Receiver", ("Action", "MaxOSDs"), "The maximum number of OSDs exists")
    token = f"osd_{state.next_token}"
    state.next_token += 1
    osd = _parse_osd(_child(request, "OSD"), token)
    if not state.camera.knobs.osd_create_ignored:
        state.osds[token] = osd
    response = element("tr2:CreateOSDResponse")
    sub(response, "tr2:OSDToken", token)
    return response


def set_osd(state: OsdState, request: etree._Element) -> etree._Element:
    given = _child(request, "OSD")
    token = given.get("token", "") if given is not None else ""
    if token not in state.osds:
        raise invalid_arg_val("NoConfig", f"No OSD with token {token}")
    state.osds[token] = _parse_osd(given, token)
    return element("tr2:SetOSDResponse")


def delete_osd(state: OsdState, request: etree._Element) -> etree._Element:
    if state.osds.pop(child_text(request, "OSDToken") or "", None) is None:
        raise invalid_arg_val("NoConfig", "No such OSD")
    return element("tr2:DeleteOSDResponse")


def _child(parent: etree._Element | None, local: str) -> etree._Element | None:
    if parent is None:
        return None
    for child in parent:
        if isinstance(child.tag, str) and etree.QName(child).localname == local:
            return child
    return None


def _parse_osd(osd: etree._Element | None, token: str) -> Osd:
    """Validate a tt:OSDConfiguration against the options this camera advertises."""
    if osd is None:
        raise invalid_arg_val("InvalidArgs", "OSD is missing")
    vsc = child_text(osd, "VideoSourceConfigurationToken") or ""
    if vsc not in vsc_tokens():
        raise invalid_arg_val("NoConfig", "No such video source configuration")
    if child_text(osd, "Type") != "Text":
        raise invalid_arg_val("ConfigModify", "Only text OSDs are supported")
    position_el = _child(osd, "Position")
    position = child_text(position_el, "Type") if position_el is not None else None
    if position not in POSITIONS:
        raise invalid_arg_val("ConfigModify", f"Position {position} is not supported")
    pos = None
    pos_el = _child(position_el, "Pos")
    if position == "Custom":
        if pos_el is None:
            raise invalid_arg_val("ConfigModify", "A Custom position needs Pos")
        try:
            pos = (float(pos_el.get("x", "")), float(pos_el.get("y", "")))
        except ValueError:
            raise invalid_arg_val("ConfigModify", "Pos x/y are not numbers") from None
    text = _child(osd, "TextString")
    text_type = child_text(text, "Type") if text is not None else None
    if text_type not in TEXT_TYPES:
        raise invalid_arg_val("ConfigModify", f"Text type {text_type} is not supported")
    font_size = int(child_text(text, "FontSize") or 16)
    if not FONT_SIZES[0] <= font_size <= FONT_SIZES[1]:
        raise invalid_arg_val("ConfigModify", f"FontSize {font_size} is out of range")
    plain = child_text(text, "PlainText") or ""
    return Osd(token, vsc, position, text_type, plain, font_size, pos)


def _osd_configuration(configuration: etree._Element, osd: Osd) -> None:
    sub(configuration, "tt:VideoSourceConfigurationToken", osd.vsc)
    sub(configuration, "tt:Type", "Text")
    position = sub(configuration, "tt:Position")
    sub(position, "tt:Type", osd.position)
    if osd.pos is not None:
        sub(position, "tt:Pos", x=osd.pos[0], y=osd.pos[1])
    text = sub(configuration, "tt:TextString")
    sub(text, "tt:Type", osd.text_type)
    if osd.text_type in ("Date", "DateAndTime"):
        sub(text, "tt:DateFormat", DATE_FORMATS[0])
    if osd.text_type in ("Time", "DateAndTime"):
        sub(text, "tt:TimeFormat", TIME_FORMATS[0])
    sub(text, "tt:FontSize", osd.font_size)
    if osd.text_type == "Plain":
        sub(text, "tt:PlainText", osd.plain_text)
