"""An unknown placeholder in a check's `run` stops every command that reads the settings: exit 2,
one line of error and one of hint, before anything runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli

Project = Callable[[str], Path]
TYPO = '\n[tool.staged-release.check.lint]\nrun = ["ruff", "check", "{instaled}"]\n'


@pytest.mark.parametrize("command", ["check", "schema"])
def test_an_unknown_placeholder_is_exit_2_with_one_line(
    project: Project, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    root = project("rc-agrees")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(TYPO)
    code, out, err = cli(capsys, command, "--project", str(root))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        (
            "error: [tool.staged-release.check.lint] run uses the placeholder {instaled}, which "
            "is not known there"
        ),
        (
            "hint: did you mean {installed}? known there: {installed}, {project}, "
            "{pytest-config}, {python}, {sources}, {tests}, {tmp}; write {{instaled}} for a "
            "literal {instaled}"
        ),
    ]
