"""Cells side by side: results in input order, at most `jobs` at once, bugs not swallowed."""

from __future__ import annotations

import threading
import time

import pytest

from release.core.parallel import in_order, overlapping


def test_results_come_back_in_input_order_whatever_finishes_first() -> None:
    finished: list[str] = []

    def work(python: str) -> str:
        time.sleep({"3.11": 0.3, "3.12": 0.0, "3.13": 0.1}[python])
        finished.append(python)
        return f"cell {python}"

    results = in_order(work, ["3.11", "3.12", "3.13"], jobs=3)
    assert finished[0] == "3.12"  # 3.11 really did finish after the others
    assert results == ["cell 3.11", "cell 3.12", "cell 3.13"]


def test_no_more_than_jobs_run_at_once() -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def work(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return n

    assert in_order(work, list(range(6)), jobs=2) == list(range(6))
    assert most == 2


def test_a_bug_in_a_cell_is_raised_in_the_caller() -> None:
    def work(n: int) -> int:
        if n == 1:
            raise KeyError("bug")
        return n

    with pytest.raises(KeyError):
        in_order(work, [0, 1, 2], jobs=2)


def test_the_workers_are_daemons() -> None:
    kinds: list[bool] = []
    in_order(lambda _: kinds.append(threading.current_thread().daemon), [0, 1], jobs=2)
    assert kinds == [True, True]


def test_overlapping_says_which_work_ran_beside_other_work() -> None:
    spans = [(0.0, 2.0), (1.0, 3.0), (3.0, 4.0), None, (5.0, 6.0)]
    # touching ends (3.0) do not overlap; a cell that never ran (None) overlaps nothing
    assert overlapping(spans) == [True, True, False, False, False]
    assert overlapping([(0.0, 1.0)]) == [False]
