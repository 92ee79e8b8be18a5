"""Local services: a free loopback port to start one on, and the wait until it answers.

The suite starts its own stand-ins (devpi-server, docker-registry, a private dockerd, an image
under its smoke test) and waits for each the same way: a look at once, then looks after short
growing pauses (0.05 s, x1.5, at most 0.1 s: they answer within 0.1-5 s, and a look at a
loopback server costs about a millisecond, so each is seen within a tenth of a second of
answering: devpi-server's start is on every validation cell's path), until it answers, it exits,
or the budget runs out. A signal cancels the wait: runner.CANCEL is seen before every look and while
pausing. The caller says what giving up means to the user: its own error, its own message.

The slower schedule of the longer waits (an index listing an upload, an E2E service's readiness
gate: 0.5 s, x1.6, at most 15 s) lives here too, with the clock they are tested on.
"""

from __future__ import annotations

import functools
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from release.core import loopback, runner

HOST = "127.0.0.1"
T = TypeVar("T")
FIRST_DELAY = 0.5  # seconds; the longer waits' schedule
GROWTH = 1.6
MAX_DELAY = 15.0
QUICK_FIRST = 0.05  # seconds; a local server's schedule
QUICK_GROWTH = 1.5
QUICK_MAX = 0.1
_NAP = 0.2  # seconds between looks at the cancellation while pausing


@dataclass(frozen=True)
class Clock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def nap(seconds: float) -> None:
    """Sleep, seeing a cancellation within _NAP seconds (a worker thread gets no signal)."""
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        runner.CANCEL.check()
        time.sleep(min(_NAP, left))


CANCELLABLE = Clock(time.monotonic, nap)


@dataclass(frozen=True)
class GaveUp:
    """Why a wait ended without an answer."""

    waited: float  # seconds
    exited: str | None = None  # how the service ended; None when the budget ran out


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a server about to be started on it."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def delays(
    first: float = FIRST_DELAY, growth: float = GROWTH, most: float = MAX_DELAY
) -> Iterator[float]:
    """Pauses between looks: 0.5, 0.8, 1.28, ... growing to at most 15 s (unless told)."""
    delay = first
    while True:
        yield min(delay, most)
        delay *= growth


def quick_delays() -> Iterator[float]:
    """A local server's pauses: 0.05, 0.075, 0.1125, ... growing to at most 0.5 s."""
    return delays(QUICK_FIRST, QUICK_GROWTH, QUICK_MAX)


def _never_exits() -> str | None:
    """The `exited` of a wait with no process to watch: nothing ends it early."""
    return None


def process_exit(service: runner.Service) -> str | None:
    """How a started server ended (its exit status), None while it runs."""
    code = service.proc.poll()
    return None if code is None else f"exited with {code}"


def wait_until(
    answers: Callable[[], bool],
    *,
    budget: float,
    fail: Callable[[GaveUp], Exception],
    exited: Callable[[], str | None] = _never_exits,
    clock: Clock = CANCELLABLE,
) -> float:
    """Look until `answers()` is true; return the seconds it took.

    `exited()` says why the server can never answer (None while it runs): the wait then ends at
    once. Ending without an answer raises `fail(GaveUp(...))`, the caller's own error; a
    cancelled run raises Interrupted before the next look.
    """
    started, pauses = clock.now(), quick_delays()
    deadline = started + budget  # not elapsed >= budget: float sums can fall short of it forever
    while True:
        runner.CANCEL.check()
        why = exited()
        if why is None and answers():
            return clock.now() - started
        now = clock.now()
        if why is not None or now >= deadline:
            raise fail(GaveUp(now - started, why))
        clock.sleep(min(next(pauses), deadline - now))


def wait_started(
    service: runner.Service,
    url: str,
    *,
    name: str,
    budget: float,
    log: Path,
    error: Callable[[str, str], Exception],
) -> float:
    """Wait until a server we started answers 200 at `url`; `error(message, hint)` when it exits
    first or does not answer within the budget."""

    def gave_up(stop: GaveUp) -> Exception:
        what = "exited while starting" if stop.exited else f"did not answer within {budget:.0f} s"
        return error(f"{name} {what}", f"see its log: {log}")

    ok = lambda: http_ok(url)  # noqa: E731 - one look, named for the reader
    return wait_until(ok, budget=budget, fail=gave_up, exited=lambda: process_exit(service))


def http_ok(url: str) -> bool:
    """Whether `url` answers 200 now; a refused or slow connection is "not yet". The servers
    we start answer on the loopback, asked without httpx (see release.core.loopback)."""
    if loopback.is_loopback(url):
        try:
            return loopback.request("GET", url, timeout=2.0).status == 200
        except loopback.NoAnswer:
            return False
    import httpx  # here: 0.2 s to import, and starting a server must not wait for it

    try:
        return httpx.get(url, timeout=2.0, verify=tls()).status_code == 200
    except httpx.HTTPError:
        return False


@functools.cache
def tls() -> ssl.SSLContext:
    """The TLS settings every HTTP client of a run shares (`verify=tls()`): httpx's own default
    (certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR), read once. A client made without it
    reads the CA bundle anew, about 40 ms each time: a readiness wait making a client per look
    spent more reading certificates than waiting for the server."""
    import httpx

    return httpx.create_ssl_context()


# The stand-ins a block of this process runs, by kind and state directory (resolved).
_SHARED: dict[tuple[str, Path], object] = {}


@contextmanager
def shared(kind: str, state: Path, start: Callable[[], AbstractContextManager[T]]) -> Iterator[T]:
    """The `kind` stand-in on `state` for the block: the one a block around this one already
    runs (a whole-machine rehearsal keeps its indexes and registry up across its lanes, instead
    of a start and a stop per lane and stage), else one `start` makes for this block only."""
    key = (kind, state.resolve())
    if key in _SHARED:
        yield cast(T, _SHARED[key])
        return
    with start() as value:
        _SHARED[key] = value
        try:
            yield value
        finally:
            del _SHARED[key]
