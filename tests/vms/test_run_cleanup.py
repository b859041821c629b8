"""After a VMS run, nothing of it is left: no temp folders, no child process (running or defunct).

Why: every vms-ingest run used to leave a ~17 MB ``vms-ingest-*`` folder in the temp directory.
The run is a child of a small wrapper that makes itself the *subreaper* of everything the run
starts (``PR_SET_CHILD_SUBREAPER``), so even a grandchild orphaned by the run would show up as
the wrapper's child afterwards; the wrapper lists its children once ``main`` has returned.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fake_vms.host import SimulatorThread, write_ready_file
from fake_vms.site import Site, VmsSiteConfig

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = r"""
import ctypes, json, os, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
from conformance.cli import main
code = main(sys.argv[1:])
children = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        continue
    name, rest = stat.split("(", 1)[1].rsplit(")", 1)
    state, ppid = rest.split()[:2]
    if int(ppid) == os.getpid():
        children.append({"pid": int(pid), "name": name, "state": state})
print("CHILDREN " + json.dumps({"code": code, "children": children}))
"""
LEFTOVER_PREFIXES = ("vms-ingest-", "cctv-export-", "cctv-recording-", "fake-vms-rec-")


def test_vms_run_leaves_no_temp_folder_and_no_child(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    site = Site("cleanup-vms", (), VmsSiteConfig(ingest=True, clip_s=3.0))
    with SimulatorThread(site) as sim:
        ready = tmp_path / "ready.json"
        write_ready_file(ready, sim.host.ready())
        env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
        target = str(ROOT / "fixtures/targets/vms-sim.yaml")
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, "run", "--target", target, "--ready-file", str(ready),
             "--profile", "vms-ingest-selftest", "--mode", "lab", "--out", str(tmp_path / "out")],
            capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
        )  # fmt: skip
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("CHILDREN ")), None)
    assert line, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(line.split(" ", 1)[1])
    assert report["code"] in (0, 1), done.stdout[-2000:]
    assert report["children"] == [], report["children"]
    left = [p.name for p in temp.iterdir() if p.name.startswith(LEFTOVER_PREFIXES)]
    assert left == [], left
