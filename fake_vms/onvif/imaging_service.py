"""The ONVIF Imaging service (ver20, timg) of one simulated camera: one video source's settings.

Settings are state of the camera (what SetImagingSettings changed stays changed until changed
back), validated against the same ranges GetOptions reports, so a client that stays within the
options never gets a fault and one that does not gets ter:InvalidArgVal/ter:SettingsInvalid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from fake_vms.onvif import imaging_focus
from fake_vms.onvif.media_service import VIDEO_SOURCE_TOKEN
from fake_vms.onvif.soap import (
    Operation,
    SoapFault,
    child_text,
    element,
    invalid_arg_val,
    sub,
)
from fake_vms.site import CameraConfig

RANGES: dict[str, tuple[float, float]] = {
    "Brightness": (0.0, 100.0),
    "ColorSaturation": (0.0, 100.0),
    "Contrast": (0.0, 100.0),
    "Sharpness": (0.0, 100.0),
}
"""The ranges the device really enforces (schema order of ImagingSettings20)."""
IR_CUT_MODES = ("ON", "OFF", "AUTO")


@dataclass
class ImagingService:
    """Imaging operations; ``settings`` is the camera's current state."""

    camera: CameraConfig
    settings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(RANGES, 50.0))
    ir_cut: str = "AUTO"

    def operations(self) -> dict[str, Operation]:
        return {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetImagingSettings": self.get_imaging_settings,
            "GetOptions": self.get_options,
            "SetImagingSettings": self.set_imaging_settings,
            "GetMoveOptions": self.get_move_options,
            "GetStatus": self.get_status,
            "Move": self.move,
            "Stop": self.stop,
        }

    def capabilities(self) -> etree._Element:
        return element("timg:Capabilities", ImageStabilization=False, Presets=False)

    def legacy_capabilities(self, imaging: etree._Element, xaddr: str) -> None:
        """tt:Imaging of GetCapabilities."""
        sub(imaging, "tt:XAddr", xaddr)

    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("timg:GetServiceCapabilitiesResponse")
        response.append(self.capabilities())
        return response

    def get_imaging_settings(self, request: etree._Element) -> etree._Element:
        _require_source(request, self.camera)
        response = element("timg:GetImagingSettingsResponse")
        settings = sub(response, "timg:ImagingSettings")
        for name in ("Brightness", "ColorSaturation", "Contrast"):
            sub(settings, f"tt:{name}", self.settings[name])
        sub(settings, "tt:IrCutFilter", self.ir_cut)
        sub(settings, "tt:Sharpness", self.settings["Sharpness"])
        return response

    def advertised_range(self, name: str) -> tuple[float, float]:
        """What GetOptions says (a persona may advertise a range the device does not use)."""
        if name == "Brightness" and self.camera.knobs.imaging_options_brightness:
            return self.camera.knobs.imaging_options_brightness
        return RANGES[name]

    def get_options(self, request: etree._Element) -> etree._Element:
        _require_source(request, self.camera)
        response = element("timg:GetOptionsResponse")
        options = sub(response, "timg:ImagingOptions")
        for name in ("Brightness", "ColorSaturation", "Contrast"):
            _range(sub(options, f"tt:{name}"), *self.advertised_range(name))
        for mode in IR_CUT_MODES:
            sub(options, "tt:IrCutFilterModes", mode)
        _range(sub(options, "tt:Sharpness"), *self.advertised_range("Sharpness"))
        return response

    def set_imaging_settings(self, request: etree._Element) -> etree._Element:
        """Only the settings present change; all are validated before any is applied."""
        _require_source(request, self.camera)
        settings = next(
            (
                c
                for c in request
                if isinstance(c.tag, str) and etree.QName(c).localname == "ImagingSettings"
            ),
            None,
        )
        if settings is None:
            raise invalid_arg_val("SettingsInvalid", "ImagingSettings is missing")
        changes: dict[str, float] = {}
        ir_cut = None
        for child in settings:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            text = (child.text or "").strip()
            if name in RANGES:
                low, high = RANGES[name]
                try:
                    value = float(text)
                except ValueError:
                    raise invalid_arg_val("SettingsInvalid", f"{name} is not a number") from None
                if not low <= value <= high:
                    raise invalid_arg_val(
                        "SettingsInvalid", f"{name} {value} is outside [{low}, {high}]"
                    )
                changes[name] = value
            elif name == "IrCutFilter":
                if text not in IR_CUT_MODES:
                    raise invalid_arg_val("SettingsInvalid", f"IrCutFilter {text} not supported")
                ir_cut = text
            else:
                raise invalid_arg_val("SettingsInvalid", f"{name} cannot be set on this device")
        if not self.camera.knobs.imaging_settings_not_applied:
            self.settings.update(changes)
            self.ir_cut = ir_cut or self.ir_cut
        return element("timg:SetImagingSettingsResponse")

    def get_move_options(self, request: etree._Element) -> etree._Element:
        """Remote focus: absolute and continuous moves (fake_vms.onvif.imaging_focus)."""
        _require_source(request, self.camera)
        return imaging_focus.move_options(self.camera)

    def move(self, request: etree._Element) -> etree._Element:
        """Focus Move: accepted for the real source; the simulated lens does not travel."""
        _require_source(request, self.camera)
        return element("timg:MoveResponse")

    def stop(self, request: etree._Element) -> etree._Element:
        """Focus Stop: the simulated lens never moves, so there is nothing to stop."""
        _require_source(request, self.camera)
        return element("timg:StopResponse")

    def get_status(self, request: etree._Element) -> etree._Element:
        """The focus status GetMoveOptions' focus control makes mandatory."""
        _require_source(request, self.camera)
        return imaging_focus.status(self.camera)


def _require_source(request: etree._Element, camera: CameraConfig) -> None:
    if child_text(request, "VideoSourceToken") != VIDEO_SOURCE_TOKEN:
        if camera.knobs.imaging_wrong_fault:
            raise SoapFault("Receiver", ("ActionNotSupported",), "Optional Action Not Implemented")
        raise invalid_arg_val("NoSource", "The requested video source does not exist")


def _range(parent: etree._Element, low: float, high: float) -> None:
    sub(parent, "tt:Min", float(low))
    sub(parent, "tt:Max", float(high))
