"""The verdict of one check (lint, tests, ...) in a cell: a leaf, so that the error a failed
cell raises and the report that lists its checks share it without importing each other."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class CheckStatus(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    TIMED_OUT = "timed out"


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    status: CheckStatus
    seconds: float
    log: str = ""  # its live log file
    reason: str = ""  # why it failed or was skipped
    leftovers: tuple[str, ...] = ()  # what its command left running (stopped): command lines


def left_running(leftovers: Sequence[str]) -> str:
    """What the reports say of a check's leftovers ("" for none)."""
    if not leftovers:
        return ""
    what = f"{len(leftovers)} process{'es' if len(leftovers) != 1 else ''}"
    return f"left {what} running, stopped: {'; '.join(leftovers)}"


def note(reason: str, leftovers: Sequence[str]) -> str:
    """A check's reason and what it left running, as one line of a report."""
    return " · ".join(part for part in (reason, left_running(leftovers)) if part)
