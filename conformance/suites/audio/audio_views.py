"""Asking a device for its audio configurations, once per kind, as plain views.

Shared by the audio tests: a listing the device does not implement (env:Receiver/
ter:ActionNotSupported, ONVIF Core 5.1.2) is no audio of that kind, not a failure; any other
fault propagates and fails the test that asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.checks.device import Refusal
from conformance.checks.faults import is_not_implemented

OPERATION_KIND = {
    "source": "AudioSource",
    "encoder": "AudioEncoder",
    "output": "AudioOutput",
    "decoder": "AudioDecoder",
}
"""Audio kind -> the name in its operations (GetAudioSourceConfigurations ...)."""


def as_list(reply: Any) -> list[Any]:
    """A zeep reply of an unbounded element: a list, one object or nothing."""
    if reply is None:
        return []
    if isinstance(reply, list | tuple):
        return list(reply)
    return [reply]


def listing_or_none(call: Callable[[], Any]) -> list[Any] | None:
    """The listing, or ``None`` when the device says the operation is not implemented."""
    from conformance.clients.onvif import OnvifFault

    try:
        return as_list(call())
    except OnvifFault as fault:
        refusal = Refusal("fault", code=fault.code, subcodes=tuple(fault.subcodes))
        if is_not_implemented(refusal):
            return None
        raise
