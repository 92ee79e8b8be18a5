"""Outcomes are data: each stage or cell yields one, and a run collects them into one summary
table and one JSON report, in lane order whatever order the work finished in."""

from __future__ import annotations

import enum
import json
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from release.core.errors import (
    CheckFailed,
    CommandFailed,
    Interrupted,
    ReleaseError,
    Unavailable,
)
from release.core.text import plain
from release.core.verdicts import CheckOutcome, CheckStatus, left_running

T = TypeVar("T")
_TABLE_REASON = 160  # characters of a reason the table shows; the report keeps it whole


class Status(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Outcome:
    stage: str
    cell: str  # the Python of a per-Python stage, "-" otherwise
    status: Status
    duration: float
    reason: str = ""
    exit_code: int = 0  # of the error that failed or interrupted it
    log: str = ""  # the log of what failed, when there is one
    checks: tuple[CheckOutcome, ...] = ()
    hint: str = ""  # what to do about a failure
    lane: str = ""  # testpypi or pypi, when a report holds more than one lane
    # A cell that failed while other cells ran beside it runs once more alone: this outcome is
    # then the solo run's (the verdict a CI runner of its own would give) and `beside` the first.
    beside: Outcome | None = None

    @property
    def label(self) -> str:
        return self.stage if self.cell == "-" else f"{self.stage}-{self.cell}"


LOAD_FLAKY = "failed beside other cells, passed alone"


def ran_alone(first: Outcome, solo: Outcome) -> Outcome:
    """The verdict of a cell that failed beside other cells and ran again alone: the solo
    run's, saying so when the two differ; the first run stays in the outcome."""
    reason = LOAD_FLAKY if solo.status is Status.PASSED else solo.reason
    return replace(solo, reason=reason, beside=first)


@dataclass
class Report:
    title: str
    outcomes: list[Outcome] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # e.g. version, indexes, timings
    interrupted: int | None = None  # the signal that stopped the run

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    @property
    def exit_code(self) -> int:
        """128+N when signal N interrupted it, else 2 for bad input, else 1 for a failure."""
        if self.interrupted:
            return 128 + self.interrupted
        stopped = (o for o in self.outcomes if o.status in (Status.FAILED, Status.INTERRUPTED))
        return max((o.exit_code for o in stopped), default=0)

    def table(self) -> str:
        """One row per outcome; a lane column when the report holds more than one lane."""
        lanes = len({o.lane for o in self.outcomes}) > 1
        rows = [("lane",) * lanes + ("stage", "cell", "status", "duration", "reason")]
        for o in self.outcomes:
            rows += [(o.lane,) * lanes + _row(o)]
            if o.beside is not None:  # the first run, under the verdict
                rows += [(o.lane,) * lanes + _row(o.beside, " (beside other cells)")]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)
        return "\n".join(line.rstrip() for line in lines)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"title": self.title, "passed": self.passed, **self.facts}
        if self.interrupted:
            data["interrupted"] = signal.Signals(self.interrupted).name
        data["outcomes"] = [asdict(o) for o in self.outcomes]
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _row(o: Outcome, aside: str = "") -> tuple[str, ...]:
    return (o.stage + aside, o.cell, str(o.status), f"{o.duration:.1f} s", _short(o))


def attempt(stage: str, cell: str, work: Callable[[], T]) -> tuple[Outcome, T | None]:
    """Run `work` and say how it went: passed, failed (a ReleaseError) or interrupted."""
    started = time.monotonic()
    try:
        result = work()
    except ReleaseError as exc:
        return failed(stage, cell, time.monotonic() - started, exc), None
    return Outcome(stage, cell, Status.PASSED, time.monotonic() - started), result


def failed(stage: str, cell: str, took: float, exc: ReleaseError) -> Outcome:
    if isinstance(exc, Unavailable):  # e.g. no Docker engine: skipped, with the reason and hint
        return Outcome(stage, cell, Status.SKIPPED, took, plain(exc.message), hint=exc.hint or "")
    status = Status.INTERRUPTED if isinstance(exc, Interrupted) else Status.FAILED
    checks = exc.checks if isinstance(exc, CheckFailed) else ()
    reason = plain(exc.message)
    return Outcome(
        stage, cell, status, took, reason, exc.exit_code, _log_of(exc), checks, exc.hint or ""
    )


def _log_of(exc: ReleaseError) -> str:
    """The file holding the failure's whole output: a check's, or a command's (an install)."""
    if isinstance(exc, CheckFailed):
        return exc.log
    return str(exc.log) if isinstance(exc, CommandFailed) and exc.log is not None else ""


def _short(outcome: Outcome) -> str:
    said = [outcome.reason or _skipped_checks(outcome), _left_behind(outcome)]
    reason = " ".join("; ".join(s for s in said if s).split())
    if len(reason) > _TABLE_REASON:
        reason = reason[: _TABLE_REASON - 1] + "…"
    return f"{reason} (log: {outcome.log})" if outcome.log else reason


def _left_behind(outcome: Outcome) -> str:
    """Which checks left processes running when their command exited (all stopped)."""
    return "; ".join(f"{c.name} {left_running(c.leftovers)}" for c in outcome.checks if c.leftovers)


def _skipped_checks(outcome: Outcome) -> str:
    """For a cell that passed: which of its checks did not run there, and why (a check pinned
    to one Python says which cell ran it), grouped by reason."""
    why: dict[str, list[str]] = {}
    for check in outcome.checks:
        if check.status is CheckStatus.SKIPPED:
            why.setdefault(check.reason, []).append(check.name)
    return "; ".join(f"{', '.join(names)} skipped: {reason}" for reason, names in why.items())
