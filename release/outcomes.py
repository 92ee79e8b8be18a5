"""Outcomes are data: each stage or cell yields one, and a run collects them into one summary
table and one JSON report."""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from release.errors import ReleaseError


class Status(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    stage: str
    cell: str  # the Python of a per-Python stage, "-" otherwise
    status: Status
    duration: float
    reason: str = ""
    exit_code: int = 0  # of the error that failed it


@dataclass
class Report:
    title: str
    outcomes: list[Outcome] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # e.g. version, indexes, timings

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    @property
    def exit_code(self) -> int:
        """2 when any stage failed on bad input, else 1 when any failed, else 0."""
        return max((o.exit_code for o in self.outcomes if o.status is Status.FAILED), default=0)

    def table(self) -> str:
        rows = [("stage", "cell", "status", "duration", "reason")]
        rows += [
            (o.stage, o.cell, str(o.status), f"{o.duration:.1f} s", o.reason) for o in self.outcomes
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = ("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)
        return "\n".join(line.rstrip() for line in lines)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"title": self.title, "passed": self.passed, **self.facts}
        data["outcomes"] = [asdict(o) for o in self.outcomes]
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


@contextmanager
def timed(record: Callable[[Outcome], None], stage: str, cell: str = "-") -> Iterator[None]:
    """Record the block as one outcome; a ReleaseError is recorded as failed, then re-raised."""
    started = time.monotonic()
    try:
        yield
    except ReleaseError as exc:
        took = time.monotonic() - started
        record(Outcome(stage, cell, Status.FAILED, took, exc.message, exc.exit_code))
        raise
    record(Outcome(stage, cell, Status.PASSED, time.monotonic() - started))
