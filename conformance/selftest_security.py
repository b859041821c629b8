"""What the self-test target needs for the secure-by-default requirements.

The simulator's ready file names, per device, its own TCP ports (ONVIF HTTP and HTTPS, RTSP),
its auxiliary port (bound and closed, or a persona's debug listener) and its Operator test
account. The self-test target declares the service ports as the supplier's open-port list, the
auxiliary port as the scan range and turns the well-known-port list off: every simulated device
shares 127.0.0.1, so only ports that belong to the device under test are ever probed and one
device is never blamed for another's listeners. The Operator password reaches the run through an
environment variable, as in any target file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

OPERATOR_ENV = "CCTV_SELFTEST_OPERATOR_PASSWORD"
DEFAULT_CREDENTIALS = ("admin:admin", "admin:12345", "root:pass")
"""Documented factory defaults of common makes (public knowledge, not secrets)."""


def _entry(ready_file: Path, device: str) -> dict[str, Any]:
    ready = json.loads(ready_file.read_text(encoding="utf-8"))
    return next(d for d in ready["devices"] if d["name"] == device)


def security_fields(ready_file: Path, device: str) -> dict[str, Any]:
    """``default_credentials`` and ``security`` sections of the self-test target."""
    entry = _entry(ready_file, device)
    return {
        "default_credentials": list(DEFAULT_CREDENTIALS),
        "security": {
            "operator": {"username": entry["operator_username"], "password_env": OPERATOR_ENV},
            "https_port": entry["https_port"],
            "open_ports": sorted({entry["http_port"], entry["https_port"], entry["rtsp_port"]}),
            "scan_range": [entry["aux_port"], entry["aux_port"]],
            "scan_well_known": False,
        },
    }


def run_environment(ready_file: Path, device: str) -> dict[str, str]:
    """The environment of one self-test run: the Operator password of that device."""
    return {**os.environ, OPERATOR_ENV: _entry(ready_file, device)["operator_password"]}
