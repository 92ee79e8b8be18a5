"""Cells side by side: results in input order, at most `jobs` at once, bugs not swallowed."""

from __future__ import annotations

import threading

import pytest

from release.core.parallel import in_order, overlapping

PATIENCE = 30.0  # seconds: a deadline for a wait that a working pool ends at once


def test_results_come_back_in_input_order_whatever_finishes_first() -> None:
    """The cells finish in the order 3.12, 3.13, 3.11: each waits until those before it are done."""
    finished: list[str] = []
    done = {python: threading.Event() for python in ("3.11", "3.12", "3.13")}
    after = {"3.11": ("3.12", "3.13"), "3.12": (), "3.13": ("3.12",)}

    def work(python: str) -> str:
        for earlier in after[python]:
            assert done[earlier].wait(PATIENCE), f"{python} waited for {earlier} in vain"
        finished.append(python)
        done[python].set()
        return f"cell {python}"

    results = in_order(work, ["3.11", "3.12", "3.13"], jobs=3)
    assert finished == ["3.12", "3.13", "3.11"]  # 3.11 really did finish after the others
    assert results == ["cell 3.11", "cell 3.12", "cell 3.13"]


def test_no_more_than_jobs_run_at_once() -> None:
    running, most = 0, 0
    lock = threading.Lock()
    pair = threading.Barrier(2, timeout=PATIENCE)  # passes only when two cells run together

    def work(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        pair.wait()
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
