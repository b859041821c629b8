"""``fake-vms``: serve a simulated site, or list the personas.

fake-vms serve --site fixtures/sites/demo.yaml [--persona NAME] [--ready-file PATH]
    [--recordings DIR] [--no-instrumentation]
fake-vms personas [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

from fake_vms.personas import PERSONAS
from fake_vms.site import SiteError, load_site


def _serve(args: argparse.Namespace) -> int:
    try:
        site = load_site(
            args.site,
            persona=args.persona,
            instrumentation=False if args.no_instrumentation else None,
        )
    except SiteError as exc:
        print(f"fake-vms: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_serve_site(site, args.ready_file, args.discovery_port, args.recordings))


async def _serve_site(
    site, ready_file: str | None, discovery_port: int = 0, recordings: str | None = None
) -> int:
    from pathlib import Path

    from fake_vms.host import SiteHost, write_ready_file

    root = Path(recordings) if recordings else None
    host = SiteHost(site, discovery_port=discovery_port, recordings=root)
    print(
        f"fake-vms: starting {len(site.cameras)} camera(s) of site {site.name!r}...",
        file=sys.stderr,
        flush=True,
    )
    await host.start()
    ready = host.ready()
    if ready_file:
        write_ready_file(ready_file, ready)
    for device in ready["devices"]:
        persona = f" (persona {device['persona']})" if device["persona"] else ""
        print(
            f"  {device['name']}: {device['onvif_url']}  rtsp port {device['rtsp_port']}{persona}",
            file=sys.stderr,
        )
    print(
        f"  WS-Discovery: udp 127.0.0.1:{ready['discovery_port']} (unicast Probe only)",
        file=sys.stderr,
    )
    vms = ready.get("vms")
    if vms:
        # The URL and user only: the operator's password is in the ready file (mode 0600).
        role = "ingests cameras it is given" if site.vms is not None else "records the cameras"
        persona = f", persona {site.vms.persona}" if site.vms and site.vms.persona else ""
        print(
            f"  VMS API: {vms['url']}  user {vms['username']} ({role}{persona})",
            file=sys.stderr,
        )
    if not site.instrumentation:
        print("  instrumentation off: no frame-counter SEI, no spontaneous events", file=sys.stderr)
    print("fake-vms: ready; Ctrl-C to stop", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await host.stop()
    print("fake-vms: stopped", file=sys.stderr)
    return 0


def _personas(args: argparse.Namespace) -> int:
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": p.name,
                        "description": p.description,
                        "breaks": list(p.breaks),
                        "expects": dict(p.expects),
                        "legal": p.legal,
                        "applies_to": p.applies_to,
                        "provenance": p.provenance,
                    }
                    for p in PERSONAS.values()
                ],
                indent=2,
            )
        )
        return 0
    width = max(len(name) for name in PERSONAS)
    for persona in PERSONAS.values():
        print(f"{persona.name:<{width}}  {persona.description}")
        where = "the VMS (a site's vms.persona)" if persona.applies_to == "vms" else "a camera"
        breaks = (
            ", ".join(persona.breaks)
            if persona.breaks
            else "nothing (a legal oddity: must pass every requirement)"
        )
        print(f"{'':<{width}}  breaks: {breaks}; applies to {where}")
        if persona.expects:
            expects = ", ".join(f"{k} {v}" for k, v in persona.expects.items())
            print(f"{'':<{width}}  must not fail: {expects}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fake-vms", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the cameras of a site file on loopback")
    serve.add_argument("--site", required=True, help="site file (YAML)")
    serve.add_argument("--persona", help="apply this persona to every camera without one")
    serve.add_argument("--ready-file", help="write this JSON file once every service is up")
    serve.add_argument(
        "--discovery-port",
        type=int,
        default=0,
        help="UDP port of the WS-Discovery responder on 127.0.0.1 (default: a free port)",
    )
    serve.add_argument(
        "--no-instrumentation",
        action="store_true",
        help="send only what a real camera sends: no frame-counter SEI (live, recordings, "
        "exports) and no spontaneous motion or tampering events",
    )
    serve.add_argument(
        "--recordings",
        help="directory for recording cameras' segments (default: a temporary directory)",
    )
    serve.set_defaults(func=_serve)
    personas = sub.add_parser("personas", help="list personas and the requirements they break")
    personas.add_argument("--json", action="store_true", help="machine-readable output")
    personas.set_defaults(func=_personas)
    from fake_vms import stimulate  # a lab's scene change, for run --stimulus (see its doc)

    scene = sub.add_parser("stimulate", help="make motion or tampering on a simulated camera")
    stimulate.add_arguments(scene)
    scene.set_defaults(func=stimulate.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
