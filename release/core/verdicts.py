"""The verdict of one check (lint, tests, ...) in a cell: a leaf, so that the error a failed
cell raises and the report that lists its checks share it without importing each other."""

from __future__ import annotations

import enum
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
