"""Per-host pacing: at most one request start per interval on each host.

Each caller reserves the next free slot of its host under a lock and then
sleeps outside it, so threads working on different hosts never wait for one
another, and two threads on one host start at least ``interval`` apart. A
429 or 503 pushes the host's next slot back for everyone (``defer``), not
only for the thread that got it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class HostThrottle:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float) -> float:
        """Block until this host may be asked again; returns the time waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + interval
        if start > now:
            self._sleep(start - now)
        return start - now

    def defer(self, host: str, seconds: float) -> None:
        """Ask nothing of this host for the next ``seconds``."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), self._clock() + seconds)
