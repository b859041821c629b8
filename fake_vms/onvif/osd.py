"""Media2 OSD operations (CreateOSD, DeleteOSD, GetOSDs, GetOSDOptions, SetOSD).

They live in the Media2 namespace; the Media2 service merges :func:`operations` into its own.
"""

from __future__ import annotations

from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.soap import Operation


def operations(context: ServiceContext) -> dict[str, Operation]:
    """OSD operations for one camera (none until OSD is implemented)."""
    return {}
