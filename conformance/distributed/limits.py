"""Per-queue limits, shared by every worker of a queue through Redis.

A live estate must not be swamped: an authority may allow, say, four cameras audited at once
and two video sessions at once on its network, however many workers listen to its queue. Each
limit is a counting semaphore in Redis: a sorted set of holders scored by when their hold lapses.
A holder renews its hold while it works (a background thread), so a worker killed with SIGKILL
frees its room within one lease instead of blocking the queue for ever.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LEASE_S = 30.0
"""How long a hold lasts without renewal (renewed every third of it while held)."""
POLL_S = 0.25

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  return 1
end
return 0
"""


def limit_key(run_id: str, queue: str, kind: str) -> str:
    return f"cctv:limit:{run_id}:{queue}:{kind}"


class RedisSemaphore:
    """At most ``limit`` holders of ``key`` at once across processes and machines."""

    def __init__(self, client: Any, key: str, limit: int, lease_s: float = LEASE_S) -> None:
        self.client = client
        self.key = key
        self.limit = limit
        self.lease_s = lease_s
        self._acquire = client.register_script(_ACQUIRE)

    def _now(self) -> float:
        seconds, micros = self.client.time()
        return seconds + micros / 1e6

    def try_acquire(self, token: str) -> bool:
        now = self._now()
        return bool(
            self._acquire(keys=[self.key], args=[now, self.limit, now + self.lease_s, token])
        )

    @contextmanager
    def hold(self) -> Iterator[str]:
        """Wait for room, hold it while the block runs (renewing the lease), then free it."""
        token = uuid.uuid4().hex
        while not self.try_acquire(token):
            time.sleep(POLL_S)
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.lease_s / 3):
                try:
                    self.client.zadd(self.key, {token: self._now() + self.lease_s}, xx=True)
                except Exception:  # noqa: BLE001 - broker away: the hold lapses, work goes on
                    continue

        renewer = threading.Thread(target=renew, name=f"lease {self.key}", daemon=True)
        renewer.start()
        try:
            yield token
        finally:
            stop.set()
            renewer.join()
            with contextlib.suppress(Exception):  # the lease lapses on its own
                self.client.zrem(self.key, token)

    def holders(self) -> int:
        """How many hold room now (for progress and tests)."""
        self.client.zremrangebyscore(self.key, "-inf", self._now())
        return int(self.client.zcard(self.key))
