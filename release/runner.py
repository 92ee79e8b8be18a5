"""The one place where staged-release starts a process.

It logs the command with secrets redacted, captures output, and raises CommandFailed with the
command, exit code and the tail of the output. Nothing else in `release/` calls subprocess.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import signal
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from release.errors import CommandFailed, ToolMissing

log = logging.getLogger("release")

# Environment variables whose values are secrets wherever they appear.
_SECRET_NAME = re.compile(r"(TOKEN|PASSWORD|SECRET|API_KEY)", re.IGNORECASE)
_MIN_SECRET_LEN = 4  # shorter values would blank out ordinary words
_TAIL_LINES = 20
REDACTED = "***"
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    unset: Iterable[str] = (),
    check: bool = True,
) -> Completed:
    """Run `argv` (never through a shell) and return its captured output.

    `env` is added to our environment and names in `unset` are removed from the child's.
    """
    dropped = set(unset)
    full_env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in dropped}
    secrets = secret_values(full_env)
    log.info("$ %s", redact(" ".join(argv), secrets))
    try:
        proc = subprocess.run(  # noqa: S603 - argv list, no shell
            list(argv), cwd=cwd, env=full_env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise ToolMissing(f"{argv[0]} is not installed", hint=f"install {argv[0]}") from None
    done = Completed(tuple(argv), proc.returncode, proc.stdout, proc.stderr)
    if check and done.returncode != 0:
        raise failure(done, secrets)
    return done


class Service:
    """A long-running child (a local index server) that must not outlive us."""

    def __init__(self, argv: Sequence[str], proc: subprocess.Popen[bytes]) -> None:
        self.argv = tuple(argv)
        self.proc = proc

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        if not self.alive():
            return
        self.proc.terminate()
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start(argv: Sequence[str], *, output: Path, env: Mapping[str, str] | None = None) -> Service:
    """Start `argv` in the background, output to `output`; it dies with us even on SIGKILL."""
    full_env = {**os.environ, **(env or {})}
    log.info("$ %s &", redact(" ".join(argv), secret_values(full_env)))
    with output.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - argv list, no shell
            list(argv), env=full_env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
    return Service(argv, proc)


def _die_with_parent() -> None:
    # Linux: the kernel sends SIGTERM to the child when the parent goes, however it goes.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def failure(done: Completed, secrets: Iterable[str] | None = None) -> CommandFailed:
    """The error for a finished command, redacted: for callers that inspect before raising."""
    secrets = secret_values(os.environ) if secrets is None else secrets
    tail = redact(_tail(done.stderr or done.stdout), secrets)
    return CommandFailed([redact(a, secrets) for a in done.argv], done.returncode, tail)


def secret_values(env: Mapping[str, str]) -> frozenset[str]:
    return frozenset(
        value
        for name, value in env.items()
        if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_LEN
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _tail(output: str) -> str:
    return " | ".join(output.strip().splitlines()[-_TAIL_LINES:])
