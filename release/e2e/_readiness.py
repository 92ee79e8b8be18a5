"""Waiting at a service's readiness gate: look at once, then after growing pauses, until its
probe passes — within its own budget, counted from its start, and within the stack's.

Each change in what the service answers gets a progress line ("waiting for netbox: HTTP 503 ...
(12.3 s of 1200 s)"); between them Progress's heartbeat names the wait every 30 s. A container
that exits ends the wait at once: it will never be ready. The looks and the clock are given, so
the loop is tested without a service or real time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from release.core import runner
from release.core.errors import CheckFailed
from release.core.progress import Progress, span
from release.core.service import CANCELLABLE, Clock, delays
from release.e2e import _probes as e2e_probes
from release.e2e._probes import Answer

_LOOK_TIMEOUT = 10.0  # seconds one look may take (an HTTP request, a command in the container)


@dataclass(frozen=True)
class Gate:
    service: str
    what: str  # what is asked: "GET http://127.0.0.1:8080/api/status/"
    budget: float  # the service's own, counted from `started`
    started: float
    stack_deadline: float  # when the stack's budget runs out
    stack_budget: float
    look: Callable[[float], Answer]  # one look, given the seconds it may take
    exited: Callable[[], str | None]  # why it can never be ready (it exited); None while it runs

    @property
    def deadline(self) -> float:
        return min(self.started + self.budget, self.stack_deadline)


def wait_ready(gate: Gate, progress: Progress, clock: Clock = CANCELLABLE) -> float:
    """The seconds from its start until the probe passed; CheckFailed when it cannot pass."""
    progress.doing(f"waiting for {gate.service}: {gate.what} (budget {gate.budget:g} s)")
    pauses, last = delays(), ""
    while True:
        runner.CANCEL.check()
        answer = gate.look(max(0.5, min(_LOOK_TIMEOUT, gate.deadline - clock.now())))
        if answer.passed:
            progress(f"{gate.service} is ready: {gate.what} ({_waited(gate, clock)})")
            return clock.now() - gate.started
        _ensure_running(gate)
        if answer.summary != last:  # a line per change; the heartbeat says the rest
            progress(f"waiting for {gate.service}: {answer.summary} ({_waited(gate, clock)})")
            last = answer.summary
        if clock.now() >= gate.deadline:
            raise _not_ready(gate, answer.summary)
        clock.sleep(e2e_probes.pause(next(pauses), gate.deadline - clock.now()))


def _waited(gate: Gate, clock: Clock) -> str:
    return f"{span(clock.now() - gate.started)} of {gate.budget:g} s"


def _ensure_running(gate: Gate) -> None:
    why = gate.exited()
    if why is not None:
        raise CheckFailed(
            f"{gate.service} {why} before it was ready ({gate.what})",
            hint="its command or environment is wrong, or what it needs is not up",
        )


def _not_ready(gate: Gate, last: str) -> CheckFailed:
    if gate.stack_deadline < gate.started + gate.budget:
        return CheckFailed(
            f"the E2E stack's budget of {gate.stack_budget:g} s ran out while waiting for "
            f"{gate.service} ({gate.what}); its last answer: {last}",
            hint="raise budget in [tool.staged-release.e2e] if the stack is only slow",
        )
    return CheckFailed(
        f"{gate.service} was not ready within its budget of {gate.budget:g} s ({gate.what}); "
        f"its last answer: {last}",
        hint=f"raise budget for {gate.service!r} in [tool.staged-release.e2e] if it is only slow",
    )
