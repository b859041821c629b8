"""``cctv-conformance worker``: audit devices of the queues it listens to, as Celery workers.

Run one inside each authority's network, with that authority's credentials in its environment
(the target file names the variables) and ``--queue`` set to the authority's queue, so it takes
only devices it can reach. ``--concurrency`` is how many devices it audits at once (one process
each). A worker killed mid-audit loses nothing: its devices go back to the queue once the
redelivery delay has passed (``--redeliver-after``, the same on every worker of a broker).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from conformance.distributed import archive
from conformance.distributed.app import DEFAULT_REDELIVER_AFTER_S
from conformance.errors import InputError, raise_all


def add_worker_parser(sub: argparse._SubParsersAction, func: Callable) -> None:
    worker = sub.add_parser(
        "worker", help="audit devices sent by `run --broker` (one per authority network)"
    )
    worker.add_argument("--broker", required=True, metavar="URL", help="redis://HOST:PORT/N")
    worker.add_argument(
        "--queue",
        action="append",
        default=[],
        metavar="NAME",
        help="a queue to take devices from (repeatable; default: default). A device's queue "
        "is its `queue:` in the target file, else its `site:`",
    )
    worker.add_argument(
        "--concurrency", type=int, default=4, help="devices audited at once (default 4)"
    )
    worker.add_argument(
        "--name", default=None, help="worker name in the reports (default: its queues@host)"
    )
    worker.add_argument(
        "--spool",
        default=None,
        help="folder for work in progress and evidence kept here (default: a folder in /tmp)",
    )
    worker.add_argument(
        "--evidence-cap-mb",
        type=float,
        default=archive.DEFAULT_CAP_BYTES / 1024 / 1024,
        help="a device's evidence above this size stays on this worker, referenced by host, "
        "path and SHA-256 (default 50)",
    )
    worker.add_argument(
        "--redeliver-after",
        type=float,
        default=DEFAULT_REDELIVER_AFTER_S,
        metavar="SECONDS",
        help="how long a dead worker's device waits before another worker takes it "
        "(default 600; a copy handed out while the first still runs waits for it)",
    )
    worker.set_defaults(func=func, validate=_validate)


def _validate(args: argparse.Namespace) -> None:
    found = []
    if not args.broker.startswith(("redis://", "rediss://")):
        found.append(
            InputError("--broker", None, f"must be redis://HOST:PORT/N, got {args.broker!r}")
        )
    if args.concurrency < 1:
        found.append(
            InputError("--concurrency", None, f"must be at least 1, got {args.concurrency}")
        )
    if args.evidence_cap_mb <= 0:
        found.append(InputError("--evidence-cap-mb", None, "must be positive"))
    if args.redeliver_after <= 0:
        found.append(InputError("--redeliver-after", None, "must be positive"))
    raise_all(found)


def run_worker(args: argparse.Namespace) -> int:
    from conformance.distributed import task
    from conformance.distributed.app import make_app
    from conformance.distributed.coordinator import connect, safe_broker

    connect(args.broker)  # a clear message now, rather than Celery's retries for ever
    queues = args.queue or ["default"]
    task.SETTINGS.spool = Path(args.spool or task.SETTINGS.spool).resolve()
    task.SETTINGS.cap_bytes = int(args.evidence_cap_mb * 1024 * 1024)
    name = args.name or "+".join(queues)
    name = name if "@" in name else f"{name}@{socket.gethostname()}"
    app = make_app(args.broker, args.redeliver_after)
    task.warm_up()
    print(
        f"worker {name}: queues {', '.join(queues)} on {safe_broker(args.broker)}, "
        f"{args.concurrency} at once; credentials from this environment",
        flush=True,
    )
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app.worker_main(
        [
            "--quiet",
            "worker",
            "--queues",
            ",".join(queues),
            "--concurrency",
            str(args.concurrency),
            "--pool",
            "prefork",
            "--hostname",
            name,
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
    return 0 if sys.exc_info()[0] is None else 3
