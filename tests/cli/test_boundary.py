"""The process boundary: exit codes and one-line messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli

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


def _value_options() -> list[tuple[str, str]]:
    """(command, option) for every option of every command that takes a value."""
    import argparse

    from release.cli.arguments import parser

    found = []
    for action in parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                found += [
                    (command, option.option_strings[-1])
                    for option in sub._actions
                    if option.option_strings and option.nargs != 0 and option.dest != "help"
                ]
    return found


@pytest.mark.parametrize(("command", "option"), _value_options())
@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_option_value_is_refused_not_read_as_absent(
    command: str, option: str, blank: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, command, option, blank)
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith(f"error: argument {option}: an empty value")
    assert err.splitlines()[1].startswith("hint: see `staged-release ")


def test_the_empty_tag_of_an_unset_ci_variable_does_not_skip_the_tag_check(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "check", "--project", str(project("final-agrees")), "--tag", "")
    assert code == 2
    assert "--tag" in err


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf"])
def test_a_check_timeout_must_be_positive_seconds(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "rehearse", "rc", "--check-timeout", value)
    assert code == 2
    assert err.startswith("error: argument --check-timeout: ")
