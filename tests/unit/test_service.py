"""Waiting for a local server, on a fake clock: it answers, it exits, it never answers, the run
is cancelled — and the free port a server is started on."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice, pairwise
from pathlib import Path

import pytest

from release.core import runner
from release.core.errors import IndexUnavailable, Interrupted
from release.core.service import (
    QUICK_MAX,
    GaveUp,
    free_port,
    nap,
    quick_delays,
    shared,
    wait_until,
)
from tests.unit.fake_clock import FakeTime


class Unready(Exception):
    """The caller's own error, carrying why the wait gave up."""

    def __init__(self, stop: GaveUp) -> None:
        super().__init__(stop)
        self.stop = stop


@pytest.fixture(autouse=True)
def uncancelled() -> Iterator[None]:
    runner.CANCEL.clear()
    yield
    runner.CANCEL.clear()


class Replies:
    """A server's answers to the looks at it, in turn (the last repeats); it counts the looks."""

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.looks = 0

    def __call__(self) -> bool:
        self.looks += 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def test_a_free_port_can_be_bound_on_loopback() -> None:
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        assert server.getsockname() == ("127.0.0.1", port)


def test_a_server_answering_at_once_is_not_waited_for() -> None:
    fake = FakeTime()
    waited = wait_until(Replies(True), budget=30, fail=Unready, clock=fake.clock)
    assert (waited, fake.slept) == (0, [])


def test_the_wait_ends_at_the_first_answer() -> None:
    fake, answers = FakeTime(), Replies(False, False, False, True)
    waited = wait_until(answers, budget=30, fail=Unready, clock=fake.clock)
    assert answers.looks == 4
    assert len(fake.slept) == 3
    assert waited == pytest.approx(sum(fake.slept))


def test_pauses_start_short_and_grow_to_a_small_cap() -> None:
    pauses = list(islice(quick_delays(), 30))
    assert pauses[0] < pauses[1]
    assert all(b >= a for a, b in pairwise(pauses))
    assert pauses[-1] == QUICK_MAX <= 1


@pytest.mark.parametrize("budget", [0.01, 1.0, 30.0])
def test_it_gives_up_when_the_budget_is_spent_and_never_sleeps_past_it(budget: float) -> None:
    fake = FakeTime()
    with pytest.raises(Unready) as caught:
        wait_until(Replies(False), budget=budget, fail=Unready, clock=fake.clock)
    assert caught.value.stop.exited is None
    assert caught.value.stop.waited == pytest.approx(budget)
    assert sum(fake.slept) <= budget + 1e-9


def test_a_server_that_exits_ends_the_wait_at_once_with_the_callers_error() -> None:
    fake, answers = FakeTime(), Replies(False)
    states = iter([None, None, "exited with 3"])

    def fail(stop: GaveUp) -> IndexUnavailable:
        return IndexUnavailable(f"devpi-server {stop.exited} while starting", hint="see its log")

    with pytest.raises(IndexUnavailable) as caught:
        wait_until(answers, budget=60, fail=fail, exited=lambda: next(states), clock=fake.clock)
    assert caught.value.message == "devpi-server exited with 3 while starting"
    assert answers.looks == 2
    assert sum(fake.slept) < 60


def test_a_cancelled_run_does_not_wait() -> None:
    answers = Replies(True)
    runner.cancel(signal.SIGTERM)
    with pytest.raises(Interrupted) as caught:
        wait_until(answers, budget=60, fail=Unready, clock=FakeTime().clock)
    assert caught.value.exit_code == 143
    assert answers.looks == 0


def test_a_signal_during_the_wait_stops_it_before_the_next_look() -> None:
    looks = 0

    def answers() -> bool:
        nonlocal looks
        looks += 1
        runner.cancel(signal.SIGINT)  # arrives while this look is under way
        return False

    with pytest.raises(Interrupted):
        wait_until(answers, budget=60, fail=Unready, clock=FakeTime().clock)
    assert looks == 1


def test_a_pause_of_the_real_clock_sees_a_cancellation() -> None:
    runner.cancel(signal.SIGTERM)
    with pytest.raises(Interrupted):
        nap(3600)


def test_a_nested_block_shares_the_running_stand_in_and_a_later_one_starts_anew(
    tmp_path: Path,
) -> None:
    """A whole-machine rehearsal keeps its indexes up across its lanes: a lane's own block on the
    same state finds them running instead of starting a second server."""
    started: list[str] = []

    @contextmanager
    def start() -> Iterator[str]:
        started.append(f"server-{len(started)}")
        yield started[-1]

    with shared("devpi", tmp_path, start) as outer:
        with shared("devpi", tmp_path / "sub" / "..", start) as inner:
            assert inner == outer
        with shared("registry", tmp_path, start) as other:  # another kind: its own
            assert other != outer
    with shared("devpi", tmp_path, start) as later:
        assert later not in (outer, other)
    assert len(started) == 3
