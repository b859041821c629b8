"""The ONVIF PTZ service (ver20, tptz) of one simulated PTZ camera: one node, one configuration.

Positions live in the ONVIF generic spaces (pan/tilt [-1, 1], zoom [0, 1]) and move in time
(:mod:`fake_vms.onvif.ptz_motion`), so a client that polls GetStatus sees what a real dome would
show. Quirks of the Q29 family (PTZ gaps seen in the field) are switched on by ``ptz_*`` knobs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from fake_vms.clock import device_now
from fake_vms.onvif.media_service import PROFILE_TOKEN
from fake_vms.onvif.ptz_motion import PtzMechanics
from fake_vms.onvif.soap import (
    Operation,
    SoapFault,
    child_text,
    element,
    invalid_arg_val,
    sub,
)
from fake_vms.site import CameraConfig

NODE_TOKEN = "ptz_node_1"
CONFIG_TOKEN = "ptz_config_1"
MAX_PRESETS = 16
TIMEOUT_RANGE = (1.0, 60.0)
"""PTZTimeout range of GetConfigurationOptions, in seconds."""
DEFAULT_TIMEOUT_S = 10.0

_SPACES = "http://www.onvif.org/ver10/tptz/"
ABS_PT = _SPACES + "PanTiltSpaces/PositionGenericSpace"
ABS_ZOOM = _SPACES + "ZoomSpaces/PositionGenericSpace"
REL_PT = _SPACES + "PanTiltSpaces/TranslationGenericSpace"
REL_ZOOM = _SPACES + "ZoomSpaces/TranslationGenericSpace"
CONT_PT = _SPACES + "PanTiltSpaces/VelocityGenericSpace"
CONT_ZOOM = _SPACES + "ZoomSpaces/VelocityGenericSpace"
SPEED_PT = _SPACES + "PanTiltSpaces/GenericSpeedSpace"
SPEED_ZOOM = _SPACES + "ZoomSpaces/ZoomGenericSpeedSpace"
VENDOR_SPACE = "http://www.example.com/ptz/VendorSpace"
"""What a vendor-spaces-only node advertises instead of the generic velocity spaces."""


def ptz_configuration(
    configuration: etree._Element, node_token: str = NODE_TOKEN, vendor: bool = False
) -> None:
    """Fill a tt:PTZConfiguration (also used inside the Media profile); ``vendor``: the
    default continuous spaces are the vendor ones the node lists instead of the generic."""
    cont_pt, cont_zoom = CONT_PT, CONT_ZOOM
    if vendor:
        cont_pt = f"{VENDOR_SPACE}/ContinuousPanTiltVelocitySpace"
        cont_zoom = f"{VENDOR_SPACE}/ContinuousZoomVelocitySpace"
    sub(configuration, "tt:Name", "PTZ")
    sub(configuration, "tt:UseCount", 1)
    sub(configuration, "tt:NodeToken", node_token)
    sub(configuration, "tt:DefaultAbsolutePantTiltPositionSpace", ABS_PT)
    sub(configuration, "tt:DefaultAbsoluteZoomPositionSpace", ABS_ZOOM)
    sub(configuration, "tt:DefaultRelativePanTiltTranslationSpace", REL_PT)
    sub(configuration, "tt:DefaultRelativeZoomTranslationSpace", REL_ZOOM)
    sub(configuration, "tt:DefaultContinuousPanTiltVelocitySpace", cont_pt)
    sub(configuration, "tt:DefaultContinuousZoomVelocitySpace", cont_zoom)
    speed = sub(configuration, "tt:DefaultPTZSpeed")
    sub(speed, "tt:PanTilt", x=1.0, y=1.0, space=SPEED_PT)
    sub(speed, "tt:Zoom", x=1.0, space=SPEED_ZOOM)
    sub(configuration, "tt:DefaultPTZTimeout", f"PT{int(DEFAULT_TIMEOUT_S)}S")


_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float | None:
    """xs:duration of days/hours/minutes/seconds -> seconds (None if not of that form)."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def _child(parent: etree._Element | None, local: str) -> etree._Element | None:
    if parent is None:
        return None
    for child in parent:
        if isinstance(child.tag, str) and etree.QName(child).localname == local:
            return child
    return None


def _number(el: etree._Element, attribute: str) -> float:
    try:
        return float(el.get(attribute, ""))
    except ValueError:
        raise invalid_arg_val("InvalidArgs", f"{attribute} is not a number") from None


def _vector(
    parent: etree._Element | None,
    pt_space: str,
    zoom_space: str,
    fault: str,
) -> tuple[tuple[float, float] | None, float | None]:
    """(pan/tilt, zoom) of a tt:PTZVector or tt:PTZSpeed; only generic spaces are accepted."""
    pan_tilt_el, zoom_el = _child(parent, "PanTilt"), _child(parent, "Zoom")
    for el, space in ((pan_tilt_el, pt_space), (zoom_el, zoom_space)):
        if el is not None and el.get("space") not in (None, space):
            raise invalid_arg_val("SpaceNotSupported", f"space {el.get('space')} not supported")
    pan_tilt = None
    if pan_tilt_el is not None:
        pan_tilt = (_number(pan_tilt_el, "x"), _number(pan_tilt_el, "y"))
    zoom = _number(zoom_el, "x") if zoom_el is not None else None
    values = list(pan_tilt or ()) + ([zoom] if zoom is not None else [])
    if any(not -1.0 <= v <= 1.0 for v in values):
        raise invalid_arg_val(fault, f"value outside the generic space: {values}")
    return pan_tilt, zoom


@dataclass
class Preset:
    token: str
    name: str
    position: tuple[float, float, float]


@dataclass
class PtzService:
    """PTZ operations of one camera; the mechanics and presets are its state."""

    camera: CameraConfig
    mechanics: PtzMechanics = field(default_factory=PtzMechanics)
    presets: dict[str, Preset] = field(default_factory=dict)
    home: tuple[float, float, float] = (0.0, 0.0, 0.0)
    _next_preset: int = 1

    def operations(self) -> dict[str, Operation]:
        return {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetNodes": self.get_nodes,
            "GetNode": self.get_node,
            "GetConfigurations": self.get_configurations,
            "GetConfiguration": self.get_configuration,
            "GetConfigurationOptions": self.get_configuration_options,
            "ContinuousMove": self.continuous_move,
            "AbsoluteMove": self.absolute_move,
            "RelativeMove": self.relative_move,
            "Stop": self.stop,
            "GetStatus": self.get_status,
            "GetPresets": self.get_presets,
            "SetPreset": self.set_preset,
            "GotoPreset": self.goto_preset,
            "RemovePreset": self.remove_preset,
            "GotoHomePosition": self.goto_home_position,
            "SetHomePosition": self.set_home_position,
        }

    def capabilities(self) -> etree._Element:
        return element(
            "tptz:Capabilities",
            EFlip=False,
            Reverse=False,
            GetCompatibleConfigurations=False,
            MoveStatus=not self.camera.knobs.ptz_status_optional_off,
            StatusPosition=not self.camera.knobs.ptz_status_optional_off,
        )

    def legacy_capabilities(self, ptz: etree._Element, xaddr: str) -> None:
        """tt:PTZ of GetCapabilities."""
        sub(ptz, "tt:XAddr", xaddr)

    # -- configuration ---------------------------------------------------------------------
    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("tptz:GetServiceCapabilitiesResponse")
        response.append(self.capabilities())
        return response

    def get_nodes(self, _request: etree._Element) -> etree._Element:
        response = element("tptz:GetNodesResponse")
        self._node(sub(response, "tptz:PTZNode", token=NODE_TOKEN, FixedHomePosition=False))
        return response

    def get_node(self, request: etree._Element) -> etree._Element:
        if (
            child_text(request, "NodeToken") != NODE_TOKEN
            and not self.camera.knobs.ptz_get_node_any_token
        ):
            raise invalid_arg_val("NoEntity", "No such PTZ node")
        response = element("tptz:GetNodeResponse")
        self._node(sub(response, "tptz:PTZNode", token=NODE_TOKEN, FixedHomePosition=False))
        return response

    def _node(self, node: etree._Element) -> None:
        sub(node, "tt:Name", "PTZ")
        spaces = sub(node, "tt:SupportedPTZSpaces")
        if not self.camera.knobs.ptz_node_no_spaces:
            self._spaces(spaces, self.camera.knobs.ptz_generic_pan_range)
        sub(node, "tt:MaximumNumberOfPresets", MAX_PRESETS)
        sub(node, "tt:HomeSupported", True)

    def _spaces(self, spaces: etree._Element, pan_range: tuple[float, float] | None = None) -> None:
        """The node's spaces; ``pan_range`` replaces the generic position space's XRange."""
        vendor = self.camera.knobs.ptz_vendor_spaces_only
        entries = (
            ("AbsolutePanTiltPositionSpace", ABS_PT, (-1, 1), (-1, 1)),
            ("AbsoluteZoomPositionSpace", ABS_ZOOM, (0, 1), None),
            ("RelativePanTiltTranslationSpace", REL_PT, (-1, 1), (-1, 1)),
            ("RelativeZoomTranslationSpace", REL_ZOOM, (-1, 1), None),
            ("ContinuousPanTiltVelocitySpace", CONT_PT, (-1, 1), (-1, 1)),
            ("ContinuousZoomVelocitySpace", CONT_ZOOM, (-1, 1), None),
            ("PanTiltSpeedSpace", SPEED_PT, (0, 1), None),
            ("ZoomSpeedSpace", SPEED_ZOOM, (0, 1), None),
        )
        for name, uri, x_range, y_range in entries:
            if vendor and name.startswith("Continuous"):
                uri = f"{VENDOR_SPACE}/{name}"
            if pan_range is not None and uri == ABS_PT:
                x_range = pan_range
            space = sub(spaces, f"tt:{name}")
            sub(space, "tt:URI", uri)
            _range(sub(space, "tt:XRange"), *x_range)
            if y_range is not None:
                _range(sub(space, "tt:YRange"), *y_range)

    def _configuration(self, configuration: etree._Element) -> None:
        knobs = self.camera.knobs
        node_token = knobs.ptz_config_node_token or NODE_TOKEN
        ptz_configuration(configuration, node_token, knobs.ptz_vendor_spaces_only)

    def get_configurations(self, _request: etree._Element) -> etree._Element:
        response = element("tptz:GetConfigurationsResponse")
        self._configuration(sub(response, "tptz:PTZConfiguration", token=CONFIG_TOKEN))
        return response

    def get_configuration(self, request: etree._Element) -> etree._Element:
        if child_text(request, "PTZConfigurationToken") != CONFIG_TOKEN:
            raise invalid_arg_val("NoEntity", "No such PTZ configuration")
        response = element("tptz:GetConfigurationResponse")
        self._configuration(sub(response, "tptz:PTZConfiguration", token=CONFIG_TOKEN))
        return response

    def get_configuration_options(self, request: etree._Element) -> etree._Element:
        if child_text(request, "ConfigurationToken") != CONFIG_TOKEN:
            raise invalid_arg_val("NoEntity", "No such PTZ configuration")
        response = element("tptz:GetConfigurationOptionsResponse")
        options = sub(response, "tptz:PTZConfigurationOptions")
        self._spaces(sub(options, "tt:Spaces"))
        timeout = sub(options, "tt:PTZTimeout")
        sub(timeout, "tt:Min", f"PT{int(TIMEOUT_RANGE[0])}S")
        sub(timeout, "tt:Max", f"PT{int(TIMEOUT_RANGE[1])}S")
        return response

    # -- movement --------------------------------------------------------------------------
    def continuous_move(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        pan_tilt, zoom = _vector(_child(request, "Velocity"), CONT_PT, CONT_ZOOM, "InvalidVelocity")
        timeout = DEFAULT_TIMEOUT_S
        text = child_text(request, "Timeout")
        if text and self.camera.knobs.ptz_timeout_rejected:
            raise invalid_arg_val("TimeoutNotSupported", "Timeout is an unsupported field")
        if text:
            parsed = parse_duration(text)
            if parsed is None or not TIMEOUT_RANGE[0] <= parsed <= TIMEOUT_RANGE[1]:
                raise invalid_arg_val("TimeoutNotSupported", f"Timeout {text} is out of range")
            timeout = parsed
        self.mechanics.continuous(pan_tilt, zoom, timeout)
        return element("tptz:ContinuousMoveResponse")

    def absolute_move(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        pan_tilt, zoom = _vector(_child(request, "Position"), ABS_PT, ABS_ZOOM, "InvalidPosition")
        if zoom is not None and zoom < 0.0:
            raise invalid_arg_val("InvalidPosition", "zoom position below 0")
        if self.camera.knobs.ptz_reject_combined_axes and pan_tilt is not None and zoom is not None:
            raise invalid_arg_val("InvalidPosition", "Pan/Tilt and Zoom cannot be moved together")
        self.mechanics.seek(pan_tilt, zoom, self._speed(request))
        return element("tptz:AbsoluteMoveResponse")

    def relative_move(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        pan_tilt, zoom = _vector(
            _child(request, "Translation"), REL_PT, REL_ZOOM, "InvalidTranslation"
        )
        pan, tilt, current_zoom = self.mechanics.position()
        target_pt = (pan + pan_tilt[0], tilt + pan_tilt[1]) if pan_tilt is not None else None
        target_zoom = current_zoom + zoom if zoom is not None else None
        self.mechanics.seek(target_pt, target_zoom, self._speed(request))
        return element("tptz:RelativeMoveResponse")

    def _speed(self, request: etree._Element) -> float:
        """Fraction of full speed from an optional tt:PTZSpeed (pan/tilt x; at least 0.1)."""
        speed = _child(request, "Speed")
        pan_tilt = _child(speed, "PanTilt")
        if pan_tilt is None:
            return 1.0
        return max(0.1, min(1.0, abs(_number(pan_tilt, "x")) or 1.0))

    def stop(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        pan_tilt = (child_text(request, "PanTilt") or "true") in ("true", "1")
        zoom = (child_text(request, "Zoom") or "true") in ("true", "1")
        if not self.camera.knobs.ptz_stop_ignored:
            self.mechanics.stop(pan_tilt, zoom)
        return element("tptz:StopResponse")

    def get_status(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        pan, tilt, zoom = self.mechanics.position()
        response = element("tptz:GetStatusResponse")
        status = sub(response, "tptz:PTZStatus")
        optional_off = self.camera.knobs.ptz_status_optional_off
        if not optional_off:
            _position(sub(status, "tt:Position"), (pan, tilt, zoom))
        if not self.camera.knobs.ptz_no_movestatus and not optional_off:
            pt_moving, zoom_moving = self.mechanics.moving()
            moves = sub(status, "tt:MoveStatus")
            sub(moves, "tt:PanTilt", "MOVING" if pt_moving else "IDLE")
            sub(moves, "tt:Zoom", "MOVING" if zoom_moving else "IDLE")
        utc = device_now(self.camera).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        sub(status, "tt:UtcTime", utc)
        return response

    # -- presets and home ------------------------------------------------------------------
    def get_presets(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        response = element("tptz:GetPresetsResponse")
        for preset in self.presets.values():
            entry = sub(response, "tptz:Preset", token=preset.token)
            sub(entry, "tt:Name", preset.name)
            _position(sub(entry, "tt:PTZPosition"), preset.position)
        return response

    def set_preset(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        token = child_text(request, "PresetToken") or None
        name = child_text(request, "PresetName") or None
        if token is not None and token not in self.presets:
            raise invalid_arg_val("NoToken", f"No preset with token {token}")
        if name is not None and any(
            p.name == name and p.token != token for p in self.presets.values()
        ):
            raise invalid_arg_val("PresetExist", f"A preset called {name} exists")
        if token is None:
            if len(self.presets) >= MAX_PRESETS:
                raise SoapFault("Receiver", ("Action", "TooManyPresets"), "No room for a preset")
            token = f"preset_{self._next_preset}"
            self._next_preset += 1
        preset = Preset(token, name or token, self.mechanics.position())
        if not self.camera.knobs.ptz_presets_not_saved:
            self.presets[token] = preset
        response = element("tptz:SetPresetResponse")
        sub(response, "tptz:PresetToken", token)
        return response

    def goto_preset(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        preset = self.presets.get(child_text(request, "PresetToken") or "")
        if preset is None:
            raise invalid_arg_val("NoToken", "No such preset")
        pan, tilt, zoom = preset.position
        self.mechanics.seek((pan, tilt), zoom, self._speed(request))
        return element("tptz:GotoPresetResponse")

    def remove_preset(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        if self.presets.pop(child_text(request, "PresetToken") or "", None) is None:
            raise invalid_arg_val("NoToken", "No such preset")
        return element("tptz:RemovePresetResponse")

    def goto_home_position(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        pan, tilt, zoom = self.home
        self.mechanics.seek((pan, tilt), zoom, self._speed(request))
        return element("tptz:GotoHomePositionResponse")

    def set_home_position(self, request: etree._Element) -> etree._Element:
        _require_profile(request)
        self.home = self.mechanics.position()
        return element("tptz:SetHomePositionResponse")


def _require_profile(request: etree._Element) -> None:
    if child_text(request, "ProfileToken") != PROFILE_TOKEN:
        raise invalid_arg_val("NoProfile", "The requested profile token does not exist")


def _range(parent: etree._Element, low: float, high: float) -> None:
    sub(parent, "tt:Min", float(low))
    sub(parent, "tt:Max", float(high))


def _position(parent: etree._Element, position: tuple[float, float, float]) -> None:
    pan, tilt, zoom = (round(v, 4) for v in position)
    sub(parent, "tt:PanTilt", x=pan, y=tilt, space=ABS_PT)
    sub(parent, "tt:Zoom", x=zoom, space=ABS_ZOOM)
