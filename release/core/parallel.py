"""Run the cells of a stage side by side; results come back in the order of the inputs.

The workers are daemon threads: one stuck in a call nothing can cancel (a slow download, say)
must never keep the process alive after an interrupt. An interrupt (raised in the main thread by
the signal handler) stops the waiting: the running cells stop their own commands when they see
the cancellation, we give them a moment to say how they ended, and cells not yet started stay
None.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from release.core.errors import Interrupted

T = TypeVar("T")
R = TypeVar("R")
DRAIN = 8.0  # seconds for running cells to stop after an interrupt (their commands get 5 s)


def in_order(work: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R | None]:
    """`work(item)` for every item, at most `jobs` at once; `work` must not raise on purpose."""
    results: list[R | None] = [None] * len(items)
    crashed: list[BaseException] = []
    # Workers say when they are done through a queue: an interrupted Thread.join() can mark a
    # thread that still runs as stopped (CPython 3.11), and we would stop waiting for it.
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()
    slots = threading.Semaphore(max(1, jobs))

    def worker(i: int) -> None:
        try:
            results[i] = work(items[i])
        except BaseException as exc:  # noqa: BLE001 - a bug: re-raised in the main thread below
            crashed.append(exc)
        finally:
            slots.release()
            finished.put(i)

    running: set[int] = set()
    try:
        for i in range(len(items)):
            slots.acquire()
            running.add(i)
            threading.Thread(target=worker, args=(i,), daemon=True).start()
        _wait(finished, running, float("inf"))
    except Interrupted:
        _wait(finished, running, time.monotonic() + DRAIN)
    if crashed:
        raise crashed[0]
    return results


def _wait(finished: queue.SimpleQueue[int], running: set[int], deadline: float) -> None:
    """Until every running worker has said it is done, or the deadline has passed."""
    while running:
        try:
            running.discard(finished.get(timeout=min(1.0, max(0.0, deadline - time.monotonic()))))
        except queue.Empty:
            if time.monotonic() >= deadline:
                return


def overlapping(spans: Sequence[tuple[float, float] | None]) -> list[bool]:
    """For each (start, end), whether another one overlaps it: whether that work ran beside
    other work (None: it never ran)."""
    return [
        mine is not None
        and any(o is not None and o[0] < mine[1] and mine[0] < o[1] for o in others)
        for mine, others in ((s, [*spans[:i], *spans[i + 1 :]]) for i, s in enumerate(spans))
    ]
