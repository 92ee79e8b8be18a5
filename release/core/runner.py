"""The one place where staged-release starts a process.

It logs the command with secrets redacted, streams the output live to a log file when asked,
captures it, and raises a typed error with the command, exit code and the tail of the output.
Every command runs in a process group of its own, under a time budget; on expiry or when the run
is cancelled (a signal) the whole group is stopped: SIGTERM, then SIGKILL after a short grace.
Nothing else in `release/` calls subprocess.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Self

from release.core._kept import keep
from release.core.errors import CommandFailed, CommandTimedOut, Interrupted, ToolMissing
from release.core.text import plain, redact, secret_values

log = logging.getLogger("release")

_TAIL_LINES = 20
_PR_SET_PDEATHSIG = 1
DEFAULT_BUDGET = 600.0  # seconds; callers that may take longer (builds, installs) say so
GRACE = 5.0  # seconds between SIGTERM and SIGKILL when a process group is stopped
_POLL = 0.2  # how often a waiting command looks at its budget and at cancellation
_DRAIN = 2.0  # seconds to read what is left once a command has exited


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


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
    with _Sink(log_to, secrets, shown) as sink:
        proc = _spawn(argv, cwd, full_env)
        try:
            stdout, stderr = _collect(proc, sink, time.monotonic() + timeout)
        except _OverBudget as over:
            _stop_group(proc)
            tail = redact(_tail(over.stderr or over.stdout), secrets)
            raise CommandTimedOut([shown], timeout, tail) from None
        except BaseException:
            _stop_group(proc)  # interrupted: the signal handler or the cancellation
            raise
    done = Completed(tuple(argv), proc.returncode, stdout, stderr)
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


def _collect(proc: subprocess.Popen[bytes], sink: _Sink, deadline: float) -> tuple[str, str]:
    """Read both pipes until they close, feeding the sink; stop at the deadline or on cancel."""
    with _Streams(proc, sink) as streams:
        return _read_all(proc, streams, deadline)


def _read_all(proc: subprocess.Popen[bytes], streams: _Streams, deadline: float) -> tuple[str, str]:
    drained = float("inf")
    while streams.open() and time.monotonic() < drained:
        streams.read(_POLL)
        CANCEL.check()
        if time.monotonic() > deadline:
            raise _OverBudget(*streams.text())
        if proc.poll() is not None and drained == float("inf"):
            # The command is done: whatever it left running in its group (a server a test
            # started, say) must not outlive it; a process that left the group may keep the
            # pipes open, so read what is left for a moment only.
            _signal_group(proc.pid, signal.SIGKILL)
            drained = time.monotonic() + _DRAIN
    proc.wait()
    return streams.text()


class _Streams:
    """stdout and stderr of one child, read as they come."""

    def __init__(self, proc: subprocess.Popen[bytes], sink: _Sink) -> None:
        self.proc = proc
        self.selector = selectors.DefaultSelector()
        self.chunks: dict[int, list[bytes]] = {}
        self.sink = sink
        for pipe in (proc.stdout, proc.stderr):
            assert pipe is not None  # both are PIPEs
            self.selector.register(pipe, selectors.EVENT_READ)
            self.chunks[pipe.fileno()] = []
        self.order = list(self.chunks)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        for key in list(self.selector.get_map().values()):
            self.selector.unregister(key.fileobj)
        self.selector.close()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()

    def open(self) -> bool:
        return bool(self.selector.get_map())

    def read(self, wait: float) -> None:
        for key, _ in self.selector.select(wait):
            data = os.read(key.fd, 65536)
            if not data:
                self.selector.unregister(key.fileobj)
                continue
            self.chunks[key.fd].append(data)
            self.sink.feed(key.fd, data)

    def text(self) -> tuple[str, str]:
        out, err = (b"".join(self.chunks[fd]).decode(errors="replace") for fd in self.order)
        return out, err


class _Sink:
    """The command's live log: whole lines, secrets redacted, flushed as they arrive."""

    def __init__(self, path: Path | None, secrets: frozenset[str], shown: str) -> None:
        self.path, self.secrets, self.shown = path, secrets, shown
        self.file: BinaryIO | None = None
        self.partial: dict[int, bytes] = {}

    def __enter__(self) -> Self:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.path.open("ab")
            self._write(f"$ {self.shown}\n".encode())
        return self

    def feed(self, fd: int, data: bytes) -> None:
        if self.file is None:
            return
        lines = (self.partial.pop(fd, b"") + data).split(b"\n")
        self.partial[fd] = lines.pop()  # keep the unfinished line: a secret may span chunks
        if lines:
            self._write(b"".join(line + b"\n" for line in lines))

    def __exit__(self, *exc: object) -> None:
        if self.file is None:
            return
        self._write(b"".join(p + b"\n" for p in self.partial.values() if p))
        self.file.close()

    def _write(self, data: bytes) -> None:
        assert self.file is not None
        if self.secrets:
            data = redact(data.decode(errors="replace"), self.secrets).encode()
        self.file.write(data)
        self.file.flush()


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the command's whole process group, SIGKILL to what is left after the grace."""
    _signal_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(0 if CANCEL.hurry else GRACE)
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


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
