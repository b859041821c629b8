"""ZoneMinder for the tests: brought up once per session (installed from Debian's packages where
missing), torn down at the end unless it was already up before the tests (then left as found).

On a machine where it cannot run (not Debian, not root, no apt) every test here skips with the
reason. ``CCTV_ZM_TESTS=0`` skips them on purpose (e.g. a quick local run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conformance import zoneminder as zm


@pytest.fixture(scope="session")
def zm_ready() -> Iterator[dict]:
    if os.environ.get("CCTV_ZM_TESTS", "1") == "0":
        pytest.skip("ZoneMinder tests switched off (CCTV_ZM_TESTS=0)")
    reason = zm.why_cannot_run()
    if reason:
        pytest.skip(f"ZoneMinder cannot run here: {reason}")
    before = zm.read_ready()
    was_up = False
    if before:
        try:
            was_up = bool(zm._login(before["url"], before["password"]).get("access_token"))
        except Exception:  # noqa: BLE001 - a stale ready file: bring it up afresh
            was_up = False
    try:
        ready = zm.up(quiet=True)
    except zm.BringUpError as exc:
        if exc.status == zm.EXIT_INSTALL_FAILED:
            pytest.skip(f"ZoneMinder could not be installed from Debian's packages: {exc}")
        raise
    try:
        yield ready
    finally:
        if not was_up:
            problems = zm.down(quiet=True)
            assert not problems, problems
