"""How an exception raised inside a check becomes an outcome.

A device that answers wrongly (a SOAP fault, an HTML error page, malformed XML, an RTSP error
status) has failed the requirement the test checks; a device that does not answer at all
(refused, reset, timed out) leaves the suite unable to decide. Anything else is a defect of the
suite itself and is reported as such, never blamed on the device.
"""

from __future__ import annotations

from conformance.outcomes import Inconclusive, Outcome

DEVICE_FAULT_TYPES = {
    "OnvifFault",
    "OnvifHttpError",
    "OnvifProtocolError",
    "RtspStatusError",
    "RtspProtocolError",
    "VmsApiError",
}
UNREACHABLE_TYPES = {
    "OnvifUnreachable",
    "OnvifTimeout",
    "RtspUnreachable",
    "RtspTimeout",
    "VmsUnreachable",
    "VmsTimeout",
}


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def classify(exc: BaseException) -> tuple[Outcome, str]:
    """Return the outcome and a cause label: device_fault, unreachable or suite_error."""
    names = _names(exc)
    if isinstance(exc, AssertionError):
        return Outcome.FAIL, "device_fault"
    if names & DEVICE_FAULT_TYPES:
        return Outcome.FAIL, "device_fault"
    if names & UNREACHABLE_TYPES or isinstance(exc, ConnectionError | TimeoutError):
        return Outcome.INCONCLUSIVE, "unreachable"
    if isinstance(exc, Inconclusive):
        return Outcome.INCONCLUSIVE, "undecidable"
    return Outcome.INCONCLUSIVE, "suite_error"


def is_device_fault(exc: BaseException) -> bool:
    return bool(_names(exc) & DEVICE_FAULT_TYPES)
