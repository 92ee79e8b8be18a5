"""The one subprocess runner: captured output, typed failures, secrets never shown."""

from __future__ import annotations

import logging
import sys

import pytest

from release import runner
from release.errors import CommandFailed, ToolMissing

CANARY = "canary-s3cr3t-7f1d"


def test_captures_output() -> None:
    done = runner.run([sys.executable, "-c", "print('hello')"])
    assert (done.returncode, done.stdout) == (0, "hello\n")


def test_failure_carries_command_exit_code_and_tail() -> None:
    script = "import sys; print('line1'); print('boom', file=sys.stderr); sys.exit(3)"
    with pytest.raises(CommandFailed) as caught:
        runner.run([sys.executable, "-c", script])
    assert (caught.value.returncode, caught.value.tail) == (3, "boom")
    assert caught.value.exit_code == 1


def test_secrets_are_redacted_from_log_and_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TWINE_PASSWORD", CANARY)
    caplog.set_level(logging.INFO, logger="release")
    script = f"import sys; print('token={CANARY}', file=sys.stderr); sys.exit(1)"
    with pytest.raises(CommandFailed) as caught:
        runner.run([sys.executable, "-c", script])
    shown = f"{caught.value.message} {caplog.text}"
    assert CANARY not in shown
    assert runner.REDACTED in caught.value.tail


def test_secret_from_env_argument_is_redacted_too() -> None:
    with pytest.raises(CommandFailed) as caught:
        runner.run(
            [sys.executable, "-c", "import os,sys; sys.exit(os.environ['PYPI_TOKEN'])"],
            env={"PYPI_TOKEN": CANARY},
        )
    assert CANARY not in caught.value.message


def test_missing_program_is_a_user_error() -> None:
    with pytest.raises(ToolMissing):
        runner.run(["definitely-not-installed-program-xyz"])
