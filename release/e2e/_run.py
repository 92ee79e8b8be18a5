"""One E2E stack while it runs (StackRun: what it started and what it learnt), and what it
leaves behind (StackResult: its timeline, ports and saved logs).

Every phase of the stack ends with a timeline entry: a service's image built, its container
started, its probe passed, a setup or verify step done. The entries are kept in the order they
happened, so a report shows the stack as it went.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docker.models.containers import Container

from release.config.e2e import Stack
from release.config.placeholders import service_values, setup_values
from release.containers.engine import Engine
from release.core.errors import CheckFailed
from release.core.progress import Progress


@dataclass(frozen=True)
class TimelineEntry:
    phase: str  # build, start, ready, setup, verify
    name: str  # the service or step
    at: float  # seconds since the stack began, when it ended
    seconds: float  # how long it took


@dataclass(frozen=True)
class StackResult:
    timeline: tuple[TimelineEntry, ...]  # in the order they happened
    seconds: float
    ports: Mapping[str, int]
    logs: Mapping[str, Path]  # service -> its saved log

    def order(self) -> list[tuple[str, str]]:
        return [(e.phase, e.name) for e in self.timeline]

    def phases(self) -> dict[str, float]:
        """Seconds per phase (build, start, ready, setup, verify: those that happened)."""
        totals: dict[str, float] = {}
        for entry in self.timeline:
            totals[entry.phase] = totals.get(entry.phase, 0.0) + entry.seconds
        return totals


@dataclass
class StackRun:
    """One stack while it runs: what it started and what it learnt."""

    engine: Engine
    stack: Stack
    project: Path
    version: str
    logs: Path
    label: str
    progress: Progress
    ports: dict[str, int]
    began: float = field(default_factory=time.monotonic)
    images: dict[str, str] = field(default_factory=dict)  # service -> image
    containers: dict[str, Container] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)
    made: dict[str, str] = field(default_factory=dict)  # setup step -> its value
    secrets: set[str] = field(default_factory=set)
    timeline: list[TimelineEntry] = field(default_factory=list)
    saved: dict[str, Path] = field(default_factory=dict)

    @property
    def deadline(self) -> float:
        return self.began + self.stack.budget

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def values(self, own: str | None = None) -> dict[str, str]:
        """Every placeholder's value at this point (the table was checked when parsed)."""
        found = {"project": str(self.project), "version": self.version}
        found |= service_values(self.ports) | setup_values(self.made)
        return found | ({"port": str(self.ports[own])} if own else {})

    def begin(self, what: str) -> float:
        """Say what the stack does now; refuse to begin it once the stack's budget is spent."""
        if self.left() <= 0:
            raise CheckFailed(
                f"the E2E stack's budget of {self.stack.budget:g} s ran out before {what}",
                hint="raise budget in [tool.staged-release.e2e] if the stack is only slow",
            )
        self.progress.doing(what)
        return time.monotonic()

    def record(self, phase: str, name: str, since: float) -> None:
        now = time.monotonic()
        self.timeline.append(TimelineEntry(phase, name, now - self.began, now - since))

    def result(self) -> StackResult:
        return StackResult(
            tuple(self.timeline), time.monotonic() - self.began, self.ports, self.saved
        )
