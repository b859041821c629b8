"""How the project's tests share out over processes (pytest-xdist: ``tox`` runs ``-n``).

Most tests wait on sockets, streams and subprocesses far more than they compute, so several
processes finish sooner even on 2 cores. Tests go out a file at a time (a module's fixtures are
built once); the folders whose tests share expensive session fixtures (demo runs, a GStreamer
server, recorded captures) or drive one machine-wide service (ZoneMinder from Debian's packages:
one install, one database, one Apache) go to one process each.

The grouping is a scheduler of our own rather than ``--dist loadgroup``: with pytest 9 xdist's
``xdist_group`` marker no longer reaches the scheduler (it appends the group to
``item._nodeid``, which ``nodeid`` no longer reads), so marked tests were spread over processes
and two of them brought ZoneMinder up at once.
"""

from __future__ import annotations

from typing import Any

ONE_PROCESS_FOLDERS = ("vms_zoneminder", "reports", "gstreamer", "clients")
"""Folders under tests/ whose tests run in one process."""
OWN_PROCESS_FILES = (
    "tests/reports/test_evidence_everywhere.py",
    "tests/reports/test_plan_report.py",
)
"""Files of those folders that use none of the folder's shared fixtures (they make their own
runs, or build their input in memory as the plan's page tests do): they may go to another
process."""


def distribution_group(nodeid: str) -> str:
    """The unit a test is scheduled with: its folder (see above) or its file."""
    path = nodeid.split("::", 1)[0]
    parts = path.split("/")
    if (
        len(parts) > 2
        and parts[0] == "tests"
        and parts[1] in ONE_PROCESS_FOLDERS
        and path not in OWN_PROCESS_FILES
    ):
        return "/".join(parts[:2])
    return path


def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    """Schedule by :func:`distribution_group` (xdist's load-scope scheduler, our scopes)."""
    from xdist.scheduler import LoadScopeScheduling

    class FolderOrFileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return distribution_group(nodeid)

    return FolderOrFileScheduling(config, log)
