"""The Celery application: Redis as broker and result store, with the delivery guarantees an
estate audit needs.

- **Late acknowledgement** (``task_acks_late``, ``task_reject_on_worker_lost``): a task is
  acknowledged only when its device's audit has finished, so a worker killed mid-audit leaves
  the message unacknowledged and the broker hands it to another worker once the redelivery delay
  (``visibility_timeout``) has passed. A copy handed out while the first still runs waits for
  it and is dropped when it succeeded (a hold in Redis per task), so a device is not audited
  twice at once; and the coordinator keeps one result per device (the task id is the run and
  device), so nothing counts twice.
- **One task at a time per process** (``worker_prefetch_multiplier=1``): a worker does not hoard
  devices that idle workers could audit.
- **Results kept for a week** (``result_expires``): a coordinator can re-attach to a long run;
  with Redis persistence (``appendonly``) they also survive a broker restart.
- **JSON only**: payloads are data (no pickle), and readable by the secret scan of the tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from celery import Celery

TASK_NAME = "cctv.audit_device"
DEFAULT_REDELIVER_AFTER_S = 600.0
"""How long an unacknowledged audit waits before another worker takes it (a worker died).
Best longer than most devices' audits: a copy handed out while the first still runs only waits
for it (:mod:`conformance.distributed.task`), but holds a worker process meanwhile."""
RESULT_TTL_S = 7 * 24 * 3600


def make_app(broker_url: str, redeliver_after_s: float = DEFAULT_REDELIVER_AFTER_S) -> Celery:
    """A Celery application on ``broker_url`` (``redis://HOST:PORT/N``), also the result store.
    (Celery is imported here, not with the module: every other command starts without it.)"""
    from celery import Celery

    app = Celery("cctv_conformance", broker=broker_url, backend=broker_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=50,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        result_expires=RESULT_TTL_S,
        result_extended=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": redeliver_after_s,
            # Look for a dead worker's tasks every few seconds (Kombu's default sweep is about
            # every 100 s): one cheap sorted-set query per sweep.
            "unacked_restore_interval": max(1, min(10, int(redeliver_after_s / 3))),
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={"visibility_timeout": redeliver_after_s},
        task_default_queue="default",
        worker_send_task_events=False,
    )
    from conformance.distributed.task import register

    register(app)
    return app
