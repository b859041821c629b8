"""The suite's pytest command-line options: what a run is given (profile, target, mode, limits).

Kept apart from :mod:`conformance.plugin` so the option table reads as one list."""

from __future__ import annotations

import pytest


def add_options(parser: pytest.Parser) -> None:
    """The suite's command-line options (``cctv-conformance run`` passes them to pytest)."""
    group = parser.getgroup("cctv-conformance", "CCTV conformance suite")
    group.addoption("--profile", help="profile ID to run (see `cctv-conformance profiles`)")
    group.addoption("--target", help="target file (YAML) describing the system under test")
    group.addoption("--device-url", help="one ONVIF device service URL instead of a target file")
    group.addoption("--device-user", help="user name for --device-url")
    group.addoption("--device-password-env", help="environment variable holding the password")
    group.addoption("--ready-file", help="fake-vms ready file to take simulator devices from")
    group.addoption(
        "--only-device",
        action="append",
        default=[],
        help="check only this device of the target (repeatable)",
    )
    group.addoption(
        "--mode",
        choices=("passive", "lab"),
        default="passive",
        help="passive (read-only, default) or lab (may change and restore settings)",
    )
    group.addoption(
        "--allow-destructive",
        action="store_true",
        default=False,
        help="with --mode lab, also run destructive tests (reboot, factory reset, firmware)",
    )
    group.addoption("--results-dir", default="out", help="where results.json and evidence go")
    group.addoption(
        "--workers",
        type=int,
        default=4,
        help="devices whose live evidence is gathered at once (default 4)",
    )
    group.addoption(
        "--multicast-interface",
        metavar="NAME",
        help="network interface on which the device may send multicast and the suite may join "
        "its group (STREAM-MCAST-01); without it multicast is judged from the SDP only",
    )
    group.addoption(
        "--stimulus",
        help="how event checks make a scene change: a shell command run with "
        "CCTV_STIMULUS_DEVICE and CCTV_STIMULUS_KIND (motion|tamper), or 'prompt'",
    )
    group.addoption(
        "--consumer-address",
        help="host the device should send event notifications to (default: the local address "
        "that routes to the device)",
    )
    group.addoption(
        "--io-timeout",
        type=float,
        default=10.0,
        help="timeout in seconds for each network operation (default 10)",
    )
