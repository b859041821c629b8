"""The simulated camera's remote focus (Imaging ver20): what GetMoveOptions offers and what
GetStatus reports. The lens does not really move: the suite's imaging checks are read-only, so
a fixed, idle focus position is all a client can observe here.

Imaging "GetMoveOptions": "the response shall include all supported Move Operations", and a
device with remote focus control signalled there "shall support" GetStatus; a persona may
offer focus moves yet refuse GetStatus (``imaging_focus_status_unsupported``).
"""

from __future__ import annotations

from lxml import etree

from fake_vms.onvif.soap import SoapFault, element, sub
from fake_vms.site import CameraConfig

FOCUS_POSITION = (0.0, 1.0)
"""The unitless absolute focus range GetMoveOptions offers."""
FOCUS_SPEED = (-1.0, 1.0)
"""The continuous focus speed range (negative: towards near)."""
FOCUS_AT = 0.5


def move_options(camera: CameraConfig) -> etree._Element:
    """timg:GetMoveOptionsResponse: absolute and continuous focus moves."""
    del camera  # every simulated camera has the same lens
    response = element("timg:GetMoveOptionsResponse")
    options = sub(response, "timg:MoveOptions")
    absolute = sub(options, "tt:Absolute")
    _range(sub(absolute, "tt:Position"), *FOCUS_POSITION)
    _range(sub(absolute, "tt:Speed"), 0.0, 1.0)
    _range(sub(sub(options, "tt:Continuous"), "tt:Speed"), *FOCUS_SPEED)
    return response


def status(camera: CameraConfig) -> etree._Element:
    """timg:GetStatusResponse: the focus position, idle."""
    if camera.knobs.imaging_focus_status_unsupported:
        raise SoapFault("Receiver", ("ActionNotSupported",), "Optional Action Not Implemented")
    response = element("timg:GetStatusResponse")
    focus = sub(sub(response, "timg:Status"), "tt:FocusStatus20")
    sub(focus, "tt:Position", FOCUS_AT)
    sub(focus, "tt:MoveStatus", "IDLE")
    return response


def _range(parent: etree._Element, low: float, high: float) -> None:
    sub(parent, "tt:Min", float(low))
    sub(parent, "tt:Max", float(high))
