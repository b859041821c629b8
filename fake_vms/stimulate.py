"""Stimulate a simulated camera: ``python -m fake_vms.stimulate --ready-file F --device NAME
--kind motion|tamper`` (also ``fake-vms stimulate``).

Why: with its instrumentation off, a simulated camera raises motion or tampering only when
something happens in front of it. This is the lab's "something", written for the simulator:
a ``cctv-conformance run --stimulus`` command, e.g.::

    --stimulus 'python -m fake_vms.stimulate --ready-file ready.json \\
                --device "$CCTV_STIMULUS_DEVICE" --kind "$CCTV_STIMULUS_KIND"'

It POSTs ``/stimulus?kind=...`` on the camera's own HTTP port with HTTP Digest and the camera's
credentials from the ready file. It prints nothing secret. Exit 0 on success, 1 on a refusal,
2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from fake_vms.onvif.event_stimulus import KINDS, STIMULUS_PATH

TIMEOUT_S = 10.0


def stimulate(ready_file: str | Path, device: str, kind: str) -> str:
    """POST the stimulus; the camera's answer. Raises ValueError (input) or OSError (refused)."""
    if kind not in KINDS:
        raise ValueError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    ready = json.loads(Path(ready_file).read_text(encoding="utf-8"))
    entry = next((d for d in ready.get("devices", []) if d.get("name") == device), None)
    if entry is None:
        names = ", ".join(d.get("name", "?") for d in ready.get("devices", []))
        raise ValueError(f"no device {device!r} in {ready_file} (devices: {names or 'none'})")
    parts = urlsplit(entry["onvif_url"])
    url = f"{parts.scheme}://{parts.netloc}{STIMULUS_PATH}?kind={kind}"
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, entry["username"], entry["password"])
    opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
    request = urllib.request.Request(url, data=b"", method="POST")
    with opener.open(request, timeout=TIMEOUT_S) as reply:
        return reply.read().decode("utf-8", "replace").strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fake-vms stimulate", description="make a scene change on a simulated camera"
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ready-file", required=True, help="the simulator's ready file")
    parser.add_argument("--device", required=True, help="camera name (as in the ready file)")
    parser.add_argument("--kind", required=True, choices=KINDS, help="the scene change")


def run(args: argparse.Namespace) -> int:
    try:
        print(f"{args.device}: {stimulate(args.ready_file, args.device, args.kind)}")
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        print(f"fake-vms stimulate: {exc}", file=sys.stderr)
        return 2
    except (OSError, urllib.error.URLError) as exc:
        print(f"fake-vms stimulate: {args.device} refused or unreachable: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
