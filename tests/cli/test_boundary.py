"""The process boundary: exit codes and one-line messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Project = Callable[[str], Path]


def staged_release(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "release", *argv], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("check", "--project", "/nonexistent/project"),
        ("plan", "--event", "schedule"),
        ("next", "rc", "--base", "1.4"),
        ("next", "rc", "--consumed", "not-a-version!"),
    ],
)
def test_user_errors_exit_2_without_traceback(argv: tuple[str, ...]) -> None:
    done = staged_release(*argv)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ")


def test_success_exits_0(project: Project) -> None:
    done = staged_release("check", "--project", str(project("final-agrees")))
    assert (done.returncode, done.stderr) == (0, "")


def test_verbose_logs_the_commands_it_runs(project: Project) -> None:
    done = staged_release("-v", "check", "--project", str(project("final-agrees")))
    assert "$ git -C" in done.stderr
