"""The stand-ins' clock: this machine's time, moved on by a fixed step at every read of an index
through a front. A real upload spends minutes between the reads it makes (the listing, the
versions) and its POST: looking up, signing, a slow link. Here those minutes pass without
anyone waiting, so a short token lifetime (`--token-lifetime`) runs out exactly where it would
on a slow runner, every time: the same requests age a token by the same amount."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SteppingClock:
    def __init__(self, step: float = 0.0, base: Callable[[], float] = time.time) -> None:
        self._step, self._base = step, base
        self._offset = 0.0
        self._lock = threading.Lock()  # the fronts answer each request in a thread of its own

    def __call__(self) -> float:
        with self._lock:
            return self._base() + self._offset

    def read(self) -> None:
        """An index was read: `step` seconds pass."""
        with self._lock:
            self._offset += self._step
