"""The one place where staged-release starts a process.

It logs the command with secrets redacted, streams the output live to a log file when asked,
captures it, and raises a typed error with the command, exit code and the tail of the output.
Every command runs in a process group of its own, under a time budget; on expiry or when the run
is cancelled (a signal) the whole group is stopped: SIGTERM, then SIGKILL after a short grace.
Nothing outlives a command: what it left running when it exited, in its group or below it (see
release.core._leftovers), is stopped the same way, and its log and result name each process.
Nothing else in `release/` calls subprocess.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from release.core import _leftovers
from release.core._kept import keep
from release.core._streams import Sink, Streams
from release.core.errors import CommandFailed, CommandTimedOut, Interrupted, ToolMissing
from release.core.text import plain, redact, secret_values

log = logging.getLogger("release")

_TAIL_LINES = 20
_PR_SET_PDEATHSIG = 1
DEFAULT_BUDGET = 600.0  # seconds; callers that may take longer (builds, installs) say so
GRACE = 5.0  # seconds between SIGTERM and SIGKILL when a process group is stopped
_POLL = 0.2  # how often a waiting command looks at its budget and at cancellation
_DRAIN = 2.0  # seconds to read what is left once a command has exited


def python_module(module: str) -> list[str]:
    """`python -P -m MODULE` with staged-release's own interpreter. Commands run in the
    project's directory, and plain `-m` puts it first on sys.path, where a project's own
    `release/`, `release.py` or `build.py` would run instead of the module: -P leaves it off."""
    return [sys.executable, "-P", "-m", module]


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    leftovers: tuple[str, ...] = ()  # command lines of what it left running (all stopped)


class _Cancellation:
    """Set once by the signal handler; every running command sees it within _POLL seconds."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.signum: int | None = None
        self.hurry = False  # a second signal: no more grace

    def set(self, signum: int) -> bool:
        """Record the signal; True the first time (the caller then raises Interrupted)."""
        if self.signum is not None:
            self.hurry = True
            return False
        self.signum = signum
        return True

    def check(self) -> None:
        if self.signum is not None:
            raise Interrupted(self.signum)


CANCEL = _Cancellation()


def cancel(signum: int) -> bool:
    """Stop the run: commands running in any thread stop their process groups, none start."""
    return CANCEL.set(signum)


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    unset: Iterable[str] = (),
    check: bool = True,
    timeout: float = DEFAULT_BUDGET,
    log_to: Path | None = None,
) -> Completed:
    """Run `argv` (never through a shell) and return its captured output.

    `env` is added to our environment and names in `unset` are removed from the child's. With
    `log_to`, the output is also appended to that file as it arrives (secrets redacted).
    """
    dropped = set(unset)
    full_env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in dropped}
    secrets = secret_values(full_env)
    shown = redact(" ".join(argv), secrets)
    log.info("$ %s", shown)
    CANCEL.check()
    mark = full_env[_leftovers.MARKER] = _leftovers.token()  # inherited by all it starts
    with Sink(log_to, secrets, shown) as sink:
        proc = _spawn(argv, cwd, full_env)
        try:
            stdout, stderr, found = _collect(proc, sink, time.monotonic() + timeout, mark)
        except _OverBudget as over:
            _left(sink, _stop_group(proc, mark), secrets)
            tail = redact(_tail(over.stderr or over.stdout), secrets)
            raise CommandTimedOut([shown], timeout, tail) from None
        except BaseException:
            _left(sink, _stop_group(proc, mark), secrets)  # interrupted: a signal, a cancel
            raise
        left = _left(sink, found, secrets)
    done = Completed(tuple(argv), proc.returncode, stdout, stderr, left)
    if check and done.returncode != 0:
        raise failure(done, secrets, log_to)
    return done


def _spawn(argv: Sequence[str], cwd: Path | None, env: dict[str, str]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(  # noqa: S603 - argv list, no shell
            list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True,  # its own group: we stop its tree
        )  # fmt: skip
    except FileNotFoundError:
        raise ToolMissing(f"{argv[0]} is not installed", hint=f"install {argv[0]}") from None


class _OverBudget(Exception):
    def __init__(self, stdout: str, stderr: str) -> None:
        self.stdout, self.stderr = stdout, stderr


def _collect(
    proc: subprocess.Popen[bytes], sink: Sink, deadline: float, mark: str
) -> tuple[str, str, list[_leftovers.Leftover]]:
    """Read both pipes until the command exits (_OverBudget at the deadline, Interrupted on a
    cancel), stop what it left running, then read what is left for a moment only: a process
    that escaped both the group and the marker may keep the pipes open."""
    with Streams(proc, sink) as streams:
        _until_exit(proc, streams, deadline)
        found = _leftovers.stop(proc.pid, mark, _grace())
        drained = time.monotonic() + _DRAIN
        while streams.open() and time.monotonic() < drained:
            streams.read(_POLL)
        return (*streams.text(), found)


def _until_exit(proc: subprocess.Popen[bytes], streams: Streams, deadline: float) -> None:
    while proc.poll() is None:
        if streams.open():
            streams.read(_POLL)
        else:  # it closed its output and runs on
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(_POLL)
        CANCEL.check()
        if time.monotonic() > deadline:
            raise _OverBudget(*streams.text())


def _grace() -> float:
    return 0.0 if CANCEL.hurry else GRACE


def _left(
    sink: Sink, found: Sequence[_leftovers.Leftover], secrets: frozenset[str]
) -> tuple[str, ...]:
    """Say in the log what the command left running; their command lines, redacted."""
    if not found:
        return ()
    shown = [_leftovers.Leftover(f.pid, redact(f.command, secrets)) for f in found]
    text = _leftovers.describe(shown, _grace())
    log.info("%s", text.rstrip())
    sink.note(text)
    return tuple(f.command for f in shown)


def _stop_group(
    proc: subprocess.Popen[bytes], mark: str | None = None
) -> list[_leftovers.Leftover]:
    """SIGTERM to the command's whole process group, SIGKILL to what is left after the grace;
    then what carries its marker: what left its group. Returns those found after the command."""
    _signal_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(_grace())
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()
    if mark is None:
        return []
    _leftovers.gone(proc.pid)
    return _leftovers.stop(proc.pid, mark, _grace())


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(pgid, signum)


class Service:
    """A long-running child (a local index server) that must not outlive us."""

    def __init__(self, argv: Sequence[str], proc: subprocess.Popen[bytes]) -> None:
        self.argv = tuple(argv)
        self.proc = proc

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            _stop_group(self.proc)


def start(argv: Sequence[str], *, output: Path, env: Mapping[str, str] | None = None) -> Service:
    """Start `argv` in the background, output to `output`; it dies with us even on SIGKILL."""
    full_env = {**os.environ, **(env or {})}
    log.info("$ %s &", redact(" ".join(argv), secret_values(full_env)))
    CANCEL.check()
    with output.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - argv list, no shell
            list(argv), env=full_env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only the child can ask for its parent-death signal
        )  # fmt: skip
    return Service(argv, proc)


def _die_with_parent() -> None:
    # Linux: the kernel sends SIGTERM to the child when the parent goes, however it goes.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def failure(
    done: Completed, secrets: Iterable[str] | None = None, log: Path | None = None
) -> CommandFailed:
    """The error for a finished command, redacted: for callers that inspect before raising.
    `log`: the file that holds its whole output, named in the hint. Without one, an output
    longer than the message's tail is kept in a file of its own, and that is named."""
    secrets = frozenset(secret_values(os.environ) if secrets is None else secrets)
    tail = redact(_tail(done.stderr or done.stdout), secrets)
    if log is None and len(plain(done.stdout + done.stderr).strip().splitlines()) > _TAIL_LINES:
        log = keep(done.argv, done.stdout + done.stderr, secrets)
    return CommandFailed([redact(a, secrets) for a in done.argv], done.returncode, tail, log)


def _tail(output: str) -> str:
    return " | ".join(plain(output).strip().splitlines()[-_TAIL_LINES:])
