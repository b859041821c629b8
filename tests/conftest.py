"""How the project's tests share out over processes (pytest-xdist, ``tox`` runs ``-n``).

Most tests wait on sockets, streams and subprocesses far more than they compute, so several
processes finish sooner even on 2 cores: measured on the 2-core development machine, 1444 tests
took 876 s in one process (while other work loaded it) and 307 s in three (343 s of CPU). Tests are handed out a file at a time, so a module's fixtures are built once;
the folders whose session fixtures are expensive (demo runs, a GStreamer server, recorded
captures) or that drive one machine-wide service (ZoneMinder from Debian's packages, one
install under /var/lib) go to a single process each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ONE_PROCESS_FOLDERS = ("vms_zoneminder", "reports", "gstreamer", "clients")
"""Folders under tests/ whose every test runs in the same process."""


def distribution_group(path: Path) -> str:
    """The xdist group of a test file: its folder for :data:`ONE_PROCESS_FOLDERS`, else the file."""
    relative = path.resolve().relative_to(TESTS)
    if len(relative.parts) > 1 and relative.parts[0] in ONE_PROCESS_FOLDERS:
        return relative.parts[0]
    return relative.as_posix()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        try:
            group = distribution_group(Path(str(item.path)))
        except ValueError:  # a test outside tests/ (pytester's own files)
            continue
        item.add_marker(pytest.mark.xdist_group(group))
