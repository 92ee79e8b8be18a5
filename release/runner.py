"""The one place where staged-release starts a process.

It logs the command with secrets redacted, captures output, and raises CommandFailed with the
command, exit code and the tail of the output. Nothing else in `release/` calls subprocess.
"""

from __future__ import annotations

import logging
import os
import re
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
    check: bool = True,
) -> Completed:
    """Run `argv` (never through a shell) and return its captured output."""
    full_env = {**os.environ, **(env or {})}
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
