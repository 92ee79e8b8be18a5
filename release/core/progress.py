"""Progress on stderr while a lane runs: one line when a stage or cell starts and one when it
ends, and for anything running longer than 30 s a line every 30 s saying what runs where and for
how long, so a hung test suite is visible long before its time budget runs out.

Activities are tracked per thread: the cells of a stage run in threads of their own, and
`doing()` names the step (a check, an install) of the activity of the calling thread.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from release.core.errors import Interrupted, ReleaseError

EVERY = 30.0  # seconds between "still running" lines for one activity


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Activity:
    label: str  # a stage, or a stage's cell: "<stage>-3.12"
    since: float
    status: str = "passed"
    step: str = ""  # what it is doing now: "check tests"
    step_since: float = 0.0
    beats: int = field(default=0)


class Progress:
    """Callable like a plain `progress(message)`; -q (`quiet`) silences all but warnings."""

    def __init__(
        self,
        write: Callable[[str], None] = _to_stderr,
        *,
        quiet: bool = False,
        every: float = EVERY,
        clock: Callable[[], float] = time.monotonic,
        background: bool = True,  # False: the caller calls beat() (tests)
    ) -> None:
        self._write, self.quiet, self.every, self._clock = write, quiet, every, clock
        self._background = background
        self._began = clock()
        self._running: list[Activity] = []
        self._lock = threading.Lock()
        self._mine = threading.local()
        self._ticker: threading.Thread | None = None

    def __call__(self, message: str) -> None:
        if not self.quiet:
            self._line(message)

    def warn(self, message: str) -> None:
        self._line(f"WARNING: {message}")

    @contextmanager
    def activity(self, label: str) -> Iterator[Activity]:
        """One stage or cell: announced, timed, and watched while it runs."""
        act = Activity(label, self._clock())
        self._enter(act)
        try:
            yield act
        except Interrupted:
            act.status = "interrupted"
            raise
        except ReleaseError:
            act.status = "failed"
            raise
        finally:
            self._leave(act)

    def doing(self, step: str) -> None:
        """Name what the calling thread's activity does now (shown by the heartbeat)."""
        act: Activity | None = getattr(self._mine, "current", None)
        if act is not None:
            act.step, act.step_since = step, self._clock()

    def beat(self) -> None:
        """A line for each activity that has run for another `every` seconds."""
        now = self._clock()
        with self._lock:
            due = [a for a in self._running if now - a.since >= self.every * (a.beats + 1)]
            for act in due:
                act.beats = int((now - act.since) // self.every)
        for act in due:
            self(f"still running: {act.label} for {span(now - act.since)}{_step(act, now)}")

    def _enter(self, act: Activity) -> None:
        self._mine.current = act
        with self._lock:
            self._running.append(act)
            self._start_ticker()
        self(f"{act.label} started")

    def _leave(self, act: Activity) -> None:
        self._mine.current = None
        with self._lock:
            self._running.remove(act)
        self(f"{act.label} {act.status} in {span(self._clock() - act.since)}")

    def _start_ticker(self) -> None:
        if self._ticker is None and self._background and not self.quiet:
            # A daemon: it must never keep the process alive after the lane has ended.
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while True:
            time.sleep(min(1.0, self.every / 4))
            self.beat()

    def _line(self, text: str) -> None:
        self._write(f"[{span(self._clock() - self._began):>9}] {text}")


def span(seconds: float) -> str:
    """12.3 s, or 4 min 05 s once it is long enough for minutes to matter."""
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _step(act: Activity, now: float) -> str:
    return f" ({act.step}, {span(now - act.step_since)})" if act.step else ""
