"""The options of ``run`` for distributed runs, and what they must satisfy (checked with the
rest of ``run``'s input, so every problem is named at once, exit 2)."""

from __future__ import annotations

import argparse
from typing import Any

from conformance.distributed.manifest import parse_limits
from conformance.errors import InputError


def add_run_options(run: argparse.ArgumentParser) -> None:
    group = run.add_argument_group("distributed runs (docs/distributed.md)")
    group.add_argument(
        "--broker",
        metavar="URL",
        help="send each device to a worker through this Redis broker (redis://HOST:PORT/N) "
        "and collect the results here",
    )
    group.add_argument(
        "--attach", metavar="RUN_ID", help="with --broker: carry on collecting a run in progress"
    )
    group.add_argument(
        "--queue-limit",
        action="append",
        default=[],
        metavar="QUEUE=N",
        help="at most N devices of this queue audited at once, over all its workers",
    )
    group.add_argument(
        "--stream-limit",
        action="append",
        default=[],
        metavar="QUEUE=N",
        help="at most N live video sessions at once to the devices of this queue",
    )


def problems(args: argparse.Namespace) -> list[InputError]:
    """What ``--broker``/``--attach`` need: a broker, a target file, options workers can honour."""
    found = []
    if not args.broker:
        found.append(InputError("--attach", None, "needs --broker (the run's broker URL)"))
    elif not args.broker.startswith(("redis://", "rediss://")):
        found.append(
            InputError("--broker", None, f"must be redis://HOST:PORT/N, got {args.broker!r}")
        )
    if args.attach and (args.target or args.device or args.profile):
        found.append(
            InputError("--attach", None, "takes the run's own target and profile; drop them")
        )
    if args.broker and args.device:
        found.append(InputError("--device", None, "a distributed run needs --target FILE"))
    for option in ("stimulus", "multicast_interface", "consumer_address"):
        if args.broker and getattr(args, option, None):
            found.append(
                InputError(
                    "--" + option.replace("_", "-"),
                    None,
                    "not available with --broker (it belongs to the machine that runs the "
                    "checks); run those devices in one process",
                )
            )
    found += parse_limits(args.queue_limit, "--queue-limit")[1]
    found += parse_limits(args.stream_limit, "--stream-limit")[1]
    return found


def literal_user_names(source: str, target: Any) -> list[InputError]:
    """A distributed run sends the target file's text through the broker: user names must be
    named by environment variable there, like passwords, so no credential travels."""
    return [
        InputError(
            source,
            f"devices[{index}].credentials.username",
            "a distributed run keeps credentials with its workers: name the user with "
            "username_env (set on the workers) instead of writing it here",
        )
        for index, entry in enumerate(target.spec.devices)
        if entry.credentials.username
    ]
