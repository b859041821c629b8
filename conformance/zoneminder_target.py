"""The target file ``cctv-conformance zm up --state DIR`` writes beside its ready file.

Why: the shipped target (``fixtures/targets/zoneminder.yaml``) names the default ready file
(``/var/lib/cctv-zm/ready.json``); with another state folder the user had to know to pass
``--ready-file`` as well. ``up`` therefore writes ``DIR/zoneminder.yaml``: the shipped target
with its ``ready_file`` pointing at ``DIR/ready.json``, comments kept, so
``run --target DIR/zoneminder.yaml`` finds the ZoneMinder that ``up`` started. It holds no
secret (the password stays in the 0600 ready file).
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "fixtures" / "targets" / "zoneminder.yaml"
READY_LINE = re.compile(r"(?m)^(\s*ready_file:\s*).*$")


def target_text(ready_file: Path, template: Path = TEMPLATE) -> str:
    """The shipped ZoneMinder target, reading the VMS from ``ready_file``."""
    try:
        text = template.read_text(encoding="utf-8")
    except OSError:  # an install without the fixtures: the minimal target
        text = (
            'supplier: ZoneMinder (open source)\nproduct: ZoneMinder\nfirmware: "1.36"\n'
            "lab: loopback (cctv-conformance zm up)\nsimulator:\n  ready_file: x\n"
            "claims:\n  codecs: [H264, H265]\n"
        )
    if not READY_LINE.search(text):
        raise ValueError(f"{template}: no simulator.ready_file line to point at {ready_file}")
    return READY_LINE.sub(lambda m: m.group(1) + str(ready_file), text, count=1)


def write_target(state: Path) -> Path:
    """Write ``STATE/zoneminder.yaml`` naming ``STATE/ready.json``; return its path."""
    path = state / "zoneminder.yaml"
    path.write_text(target_text((state / "ready.json").resolve()), encoding="utf-8")
    return path
