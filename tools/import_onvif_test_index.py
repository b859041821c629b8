"""Import the ONVIF device test-case index into ``profiles/onvif/device-tests.yaml``.

Why: the traceability report needs, for every ONVIF Device Test Tool case of the services that
Profiles S, T and G use, whether the case applies to those profiles and which ONVIF operations
its procedure exercises, so that suite checks can be matched to DTT cases by operation. The
index (research notes derived from onvif/testspecs) gives only IDs and titles; this script turns
them into data with two layers of judgement, both reviewable:

* rules: spec -> profiles and applicability here, title keywords -> operations in
  ``tools/onvif_test_operations.py``;
* ``profiles/onvif/device-tests-overrides.yaml``: hand-reviewed per-case corrections, which win.

The output is deterministic (index order, fixed key order), so re-running the script must
reproduce the committed YAML byte for byte; ``tests/coverage/test_device_test_catalogue.py``
checks that.

Usage: ``python tools/import_onvif_test_index.py [--index PATH] [--out PATH] [--overrides PATH]``
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its title rules lie beside it
from onvif_test_operations import rule_ops  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX = ROOT.parent / "shared" / "research" / "onvif-device-test-index.md"
DEFAULT_OUT = ROOT / "profiles" / "onvif" / "device-tests.yaml"
DEFAULT_OVERRIDES = ROOT / "profiles" / "onvif" / "device-tests-overrides.yaml"
UPSTREAM = {"repository": "https://github.com/onvif/testspecs", "commit": "c7b7b65"}

# -- specs in scope: the profiles each concerns, M(andatory) or C(onditional) ------------------
# From onvif-profiles-streaming-quirks.md §1.2 and the §1.5 feature tables.
SPECS: dict[str, tuple[dict[str, str], str]] = {
    "Analytics_Engine": ({"T": "C"}, "T: Motion Region Detector rule only; the rest is Profile M"),
    "Base": ({"S": "M", "T": "M", "G": "M"}, "discovery, network, system, users, auth"),
    "DeviceIO": ({"T": "C"}, "T: relay outputs, digital inputs, audio I/O (conditional)"),
    "Event_Handling": ({"S": "M", "T": "M", "G": "M"}, "S: base notification and pull point"),
    "Export_File_Format": ({"G": "C"}, "export of recorded data, only where a G device offers it"),
    "Imaging": ({"T": "M"}, "imaging settings M; focus move and tampering events per feature"),
    "Media2_Configuration": ({"T": "M"}, "Media2 (ver20) profiles and configurations"),
    "Media_Configuration": ({"S": "M", "G": "C"}, "G: on-board media as a recording source"),
    "PTZ": ({"S": "C", "T": "C"}, "PTZ-* with Media1 profiles (S), MEDIA2_PTZ-* with Media2 (T)"),
    "Real_Time_Streaming": ({"S": "M"}, "Media1 streaming; audio, multicast, MPEG4 conditional"),
    "Real_Time_Streaming_using_Media2": ({"T": "M"}, "Media2 streaming; audio, HTTPS, WS, mcast C"),
    "Receiver": ({"G": "C"}, "G needs on-board media or a receiver as the recording source"),
    "Recording_Control": ({"G": "M"}, "dynamic recordings/tracks conditional"),
    "Recording_Search": ({"G": "M"}, "metadata and PTZ position search conditional"),
    "Replay_Control": ({"G": "M"}, "reverse replay conditional"),
    "Security_Configuration": ({"T": "C"}, "keystore and TLS server for HTTPS (T: conditional)"),
}
HEADING = re.compile(r"^## ONVIF_(?P<name>\w+?)_Device_Test_Specification \((?P<n>\d+) tests\)$")
ROW = re.compile(r"^\| (?P<id>[A-Z0-9_]+(?:-\d+)+) \| (?P<title>.+?) \| [^|]* \|$")


def parse_index(text: str) -> list[tuple[str, str, str]]:
    """(spec, id, title) for every row of the in-scope sections, in index order."""
    rows: list[tuple[str, str, str]] = []
    spec: str | None = None
    counts: dict[str, tuple[int, int]] = {}
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            spec = heading["name"] if heading["name"] in SPECS else None
            if spec:
                counts[spec] = (int(heading["n"]), 0)
            continue
        if line.startswith("## "):
            spec = None
        row = ROW.match(line)
        if spec and row:
            rows.append((spec, row["id"], row["title"].strip()))
            counts[spec] = (counts[spec][0], counts[spec][1] + 1)
    for name, (declared, found) in counts.items():
        if declared != found:
            raise SystemExit(f"index: {name} declares {declared} tests, table has {found}")
    if set(counts) != set(SPECS):
        raise SystemExit(f"index: sections missing: {sorted(set(SPECS) - set(counts))}")
    return rows


# -- applicability and per-case profiles -------------------------------------------------------
# (id regex, title regex, profiles or None to keep the spec's, applicable, reason)
Scope = tuple[str, str, tuple[str, ...] | None, bool, str]
CAD = "service of the access-control family (Profiles C/A/D), not part of S/T/G"
SCOPE_RULES: list[Scope] = [
    (r"^DEVICE-1-1-2[4-9]$", r"ACCESS|DOOR|CREDENTIAL|SCHEDULE", None, False, CAD),
    (
        r"^DEVICE-3-1-1[3-7]$",
        r"",
        None,
        False,
        "system backup/restore and firmware upload are Profile Q features, not part of S/T/G",
    ),
    (
        r"^DEVICE-9-",
        r"",
        None,
        False,
        "device monitoring events (tns1:Monitoring/*) are not a feature of Profiles S/T/G",
    ),
    (r"^DEVICE-5-1-", r"", ("S",), True, ""),  # relays via Device Management: S (T uses DeviceIO)
    (r"^EVENT-7-", r"", None, False, "MQTT event broker is a Profile M feature, not part of S/T/G"),
    (r"^EVENT-(2-1|4-1)-", r"", ("S",), True, ""),  # WS-BaseNotification: mandatory for S only
    (r"^MEDIA2-1-1-9$", r"", None, False, "Profile M variant of the ready-to-use profile test"),
    (r"^MEDIA2-10-", r"", None, False, "privacy masks (Media2 masks) are not a Profile T feature"),
    (r"^MEDIA-(3-4|4-1)-", r"", ("S",), True, ""),  # audio output and PTZ: S features
    (r"^PTZ-(1|2|8)-", r"", ("S", "T"), True, ""),  # nodes, configurations: no media profile
    (r"^PTZ-", r"", ("S",), True, ""),  # moves with a Media1 profile
    (r"^MEDIA2_PTZ-", r"", ("T",), True, ""),
    (r"^DEVICEIO-6-", r"", None, False, "serial ports are not a Profile T feature"),
    (r"^ANALYTICS-(1-1|2-1-1$|3-1)", r"", None, True, ""),
    (
        r"^ANALYTICS-",
        r"",
        None,
        False,
        "Profile M analytics (modules, rules, metadata descriptors, recognition); T has only the "
        "Motion Region Detector rule (ANALYTICS-1-1-x, ANALYTICS-2-1-1)",
    ),
    (
        r"^ADVANCED_SECURITY-(3-3|8-1)-",
        r"",
        None,
        False,
        "TLS client authentication (CRLs, certification path validation) is not part of S/T/G",
    ),
]


def scope(case_id: str, title: str, spec: str) -> tuple[tuple[str, ...], bool, str]:
    """Profiles the case concerns, whether it applies to S/T/G, and why not."""
    for id_re, title_re, profiles, applicable, reason in SCOPE_RULES:
        if re.search(id_re, case_id) and re.search(title_re, title):
            return profiles or tuple(SPECS[spec][0]), applicable, reason
    return tuple(SPECS[spec][0]), True, ""


# -- overrides and output ------------------------------------------------------------------------
OVERRIDE_KEYS = {"operations", "applicable", "reason", "profiles"}
UNKNOWN = "undetermined: the title does not name the operations and no override gives them"


def load_overrides(path: Path, known: set[str]) -> dict[str, dict[str, Any]]:
    """Per-case overrides, checked: known IDs and keys only, so a typo cannot pass silently."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = raw.get("cases") or {}
    problems = [f"{path}: {cid}: not in the index" for cid in cases if cid not in known]
    problems += [
        f"{path}: {cid}: unknown key {key!r}"
        for cid, entry in cases.items()
        for key in entry
        if key not in OVERRIDE_KEYS
    ]
    if problems:
        raise SystemExit("\n".join(problems))
    return cases


def build(index_text: str, overrides: dict[str, dict[str, Any]] | None, index_name: str) -> dict:
    """The document written to device-tests.yaml."""
    rows = parse_index(index_text)
    overrides = overrides or {}
    cases = []
    for spec, case_id, title in rows:
        profiles, applicable, reason = scope(case_id, title, spec)
        ops = rule_ops(spec, title)
        extra = overrides.get(case_id, {})
        profiles = tuple(extra.get("profiles", profiles))
        applicable = bool(extra.get("applicable", applicable))
        reason = str(extra.get("reason", reason))
        ops = tuple(dict.fromkeys(extra.get("operations", ops)))  # each operation once
        if not ops and not reason:
            reason = UNKNOWN
        cases.append(
            {
                "id": case_id,
                "title": title,
                "spec": spec,
                "profiles": list(profiles),
                "applicable": applicable,
                "reason": reason,
                "operations": list(ops),
            }
        )
    return {
        "source": {
            "index": index_name,
            "index_sha256": hashlib.sha256(index_text.encode()).hexdigest(),
            "upstream": dict(UPSTREAM),
            "generator": "tools/import_onvif_test_index.py",
            "overrides": "profiles/onvif/device-tests-overrides.yaml",
        },
        "specs": {
            name: {"profiles": dict(levels), "note": note}
            for name, (levels, note) in sorted(SPECS.items())
        },
        "cases": cases,
    }


class _Dumper(yaml.SafeDumper):
    """Block style, except lists of scalars in flow style (``operations: [A, B]``)."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(item, str) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)
HEADER = (
    "# Generated by tools/import_onvif_test_index.py from the ONVIF device test index; do not\n"
    "# edit by hand: correct profiles/onvif/device-tests-overrides.yaml and re-run the script.\n"
)


def render(document: dict) -> str:
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--overrides", type=Path, default=DEFAULT_OVERRIDES)
    args = parser.parse_args(list(argv) if argv is not None else None)
    text = args.index.read_text(encoding="utf-8")
    known = {case_id for _, case_id, _ in parse_index(text)}
    overrides = load_overrides(args.overrides, known) if args.overrides.exists() else {}
    document = build(text, overrides, args.index.name)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(document), encoding="utf-8")
    cases = document["cases"]
    applicable = [c for c in cases if c["applicable"]]
    per_profile = {p: sum(p in c["profiles"] for c in applicable) for p in ("S", "T", "G")}
    undetermined = sum(not c["operations"] for c in cases)
    print(
        f"{args.out}: {len(cases)} cases, {len(applicable)} applicable {per_profile}, "
        f"{undetermined} with undetermined operations",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
