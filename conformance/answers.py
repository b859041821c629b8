"""Turn how a device answered (a result, a SOAP fault, an HTTP error) into a neutral record.

Checks judge :class:`~conformance.checks.device.Refusal` values rather than client exceptions,
so they can be unit-tested on recorded answers without a network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.checks.device import Refusal


def answer_of(call: Callable[[], Any]) -> Refusal:
    """Make the call; describe the answer. Unreachable devices still raise (inconclusive)."""
    from conformance.clients.onvif import OnvifFault, OnvifHttpError

    try:
        call()
    except OnvifFault as fault:
        return Refusal(
            "fault", http_status=fault.http_status, code=fault.code, subcodes=tuple(fault.subcodes)
        )
    except OnvifHttpError as err:
        return Refusal(
            "http",
            http_status=err.http_status,
            www_authenticate=tuple(err.www_authenticate),
            content_type=err.content_type or "",
        )
    return Refusal("answered", http_status=200)
