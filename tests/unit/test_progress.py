"""Progress lines: start and end of each activity, a "still running" line every interval."""

from __future__ import annotations

import pytest

from release.core.errors import CheckFailed
from release.core.progress import Progress, span


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def progress(clock: Clock, *, quiet: bool = False) -> tuple[Progress, list[str]]:
    lines: list[str] = []
    return Progress(lines.append, quiet=quiet, clock=clock, background=False), lines


def test_an_activity_says_when_it_starts_and_ends_with_its_time() -> None:
    clock = Clock()
    shown, lines = progress(clock)
    with shown.activity("build"):
        clock.now = 2.5
    assert lines == ["[    0.0 s] build started", "[    2.5 s] build passed in 2.5 s"]


def test_a_failing_activity_ends_as_failed_and_the_error_goes_on() -> None:
    clock = Clock()
    shown, lines = progress(clock)
    with pytest.raises(CheckFailed), shown.activity("validate_rc-3.12"):
        raise CheckFailed("boom")
    assert lines[-1].endswith("validate_rc-3.12 failed in 0.0 s")


def test_a_long_activity_gets_a_line_every_interval_naming_its_step() -> None:
    clock = Clock()
    shown, lines = progress(clock)
    with shown.activity("validate_rc-3.12"):
        clock.now = 10.0
        shown.doing("check tests")
        for now in (29.0, 31.0, 45.0, 61.0, 62.0):
            clock.now = now
            shown.beat()
    still = [line for line in lines if "still running" in line]
    assert still == [
        "[   31.0 s] still running: validate_rc-3.12 for 31.0 s (check tests, 21.0 s)",
        "[   61.0 s] still running: validate_rc-3.12 for 61.0 s (check tests, 51.0 s)",
    ]


def test_quiet_silences_progress_but_not_warnings() -> None:
    clock = Clock()
    shown, lines = progress(clock, quiet=True)
    with shown.activity("build"):
        shown("a note")
    shown.warn("publishing without an rc")
    assert lines == ["[    0.0 s] WARNING: publishing without an rc"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.04, "0.0 s"), (12.34, "12.3 s"), (119.9, "119.9 s"), (245, "4 min 05 s")],
)
def test_span(seconds: float, text: str) -> None:
    assert span(seconds) == text
