"""How an exception raised inside a check becomes an outcome.

A device that answers wrongly (a SOAP fault, an HTML error page, malformed XML, an RTSP error
status) has failed the requirement the test checks; a device that does not answer at all
(refused, reset, timed out) leaves the suite unable to decide. A check that could not run because
something another requirement judges is broken is ``blocked`` (inconclusive; that requirement
carries the fail). Anything else is a defect of the suite itself and is reported as such, never
blamed on the device.
"""

from __future__ import annotations

from conformance.outcomes import Blocked, Inconclusive, Outcome

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
    """Return the outcome and a cause label: device_fault, unreachable, blocked, undecidable or
    suite_error."""
    names = _names(exc)
    if isinstance(exc, Blocked):
        return Outcome.INCONCLUSIVE, "blocked"
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


def judged_by(exc: BaseException) -> str:
    """The requirement that judges the cause of ``exc`` ("" if none was named).

    The device-under-test object tags the failures it caches (GetProfiles failing, a dead
    service address, a reply no reader could use) with the requirement whose check judges them,
    so that every other check needing the same answer reports itself blocked, not failed.
    """
    if getattr(exc, "schema_violation", False):
        from conformance.schema import SCHEMA_OPERATIONS, SCHEMA_REQUIREMENT

        if getattr(exc, "operation", "") in SCHEMA_OPERATIONS:
            return SCHEMA_REQUIREMENT
    return str(getattr(exc, "judged_by", "") or "")
