"""A check that checked nothing has failed: each tool's words for it are recognised, and the
built-ins count what they touched."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from release.config.settings import CheckSpec
from release.core.verdicts import CheckStatus
from release.validation import _nothing, checks, environments

EMPTY = [  # (output, exit code) -> what the reason names
    ("warning: No Python files found under the given path(s)\nAll checks passed!\n", 0, "ruff"),
    ("There are no .py[i] files in directory 'x'\n", 2, "mypy"),
    ("No configuration file found.\nNo source files found.\n", 1, "pyright"),
    ("There are no files to check\n", 0, "flake8"),
    ("\nno tests ran in 0.01s\n", 5, "pytest"),
    ("compiled 0 modules\n", 0, "compile"),
    ("imported 0 modules\n", 0, "import"),
]
CHECKED = [
    ("All checks passed!\n", 0),
    ("Success: no issues found in 12 source files\n", 0),
    ("3 passed in 0.2s\n", 0),
    ("no tests ran in 0.01s\n", 0),  # exit 0: the words come from something else (a test's output)
    ("compiled 10 modules\n", 0),
    ("1 failed, 2 passed\n", 1),
]


@pytest.mark.parametrize(("output", "code", "named"), EMPTY)
def test_a_tool_that_says_it_checked_nothing_is_recognised(
    output: str, code: int, named: str
) -> None:
    reason = _nothing.checked_nothing(output, code)
    assert reason is not None
    assert reason.startswith("it checked nothing: ")
    assert named in reason


@pytest.mark.parametrize(("output", "code"), CHECKED)
def test_a_tool_that_checked_something_is_not_flagged(output: str, code: int) -> None:
    assert _nothing.checked_nothing(output, code) is None


def fake_tool(tmp_path: Path, output: str, code: int) -> checks.Place:
    """A cell whose environment has a `tool` printing `output` and exiting with `code`."""
    env = environments.Environment(tmp_path / "venv")
    env.bin.mkdir(parents=True)
    (env.bin / "tool").write_text(f"#!/bin/sh\nprintf '%s' '{output}'\nexit {code}\n")
    (env.bin / "tool").chmod(0o755)
    (tmp_path / "cell").mkdir()
    return checks.Place(env, tmp_path / "project", tmp_path / "cell", tmp_path / "logs")


def test_a_check_that_exits_0_having_checked_nothing_fails_with_that_reason(
    tmp_path: Path,
) -> None:
    place = fake_tool(tmp_path, "No Python files found\nAll checks passed!\n", 0)
    outcome = checks.run_check(
        place, CheckSpec("lint", ("tool",)), checks.Installed("1", {}), 60, "3.12"
    )
    assert outcome.status is CheckStatus.FAILED
    assert outcome.reason.startswith("check 'lint' failed: it checked nothing: ruff found no")


def test_a_check_that_checked_something_passes(tmp_path: Path) -> None:
    place = fake_tool(tmp_path, "All checks passed!\n", 0)
    outcome = checks.run_check(
        place, CheckSpec("lint", ("tool",)), checks.Installed("1", {}), 60, "3.12"
    )
    assert outcome.status is CheckStatus.PASSED


def test_a_failing_check_still_fails_with_its_exit_code(tmp_path: Path) -> None:
    place = fake_tool(tmp_path, "E501 line too long\n", 1)
    outcome = checks.run_check(
        place, CheckSpec("lint", ("tool",)), checks.Installed("1", {}), 60, "3.12"
    )
    assert outcome.status is CheckStatus.FAILED
    assert "exited with 1" in outcome.reason


@pytest.fixture
def python_cell(tmp_path: Path) -> checks.Place:
    """A cell whose environment's python is this interpreter."""
    env = environments.Environment(tmp_path / "venv")
    env.bin.mkdir(parents=True)
    env.python.symlink_to(sys.executable)
    (tmp_path / "cell").mkdir()
    return checks.Place(env, tmp_path / "project", tmp_path / "cell", tmp_path / "logs")


@pytest.mark.parametrize("builtin", ["compile", "import"])
def test_a_builtin_that_touched_no_module_fails(python_cell: checks.Place, builtin: str) -> None:
    outcome = checks.run_check(python_cell, CheckSpec(builtin), checks.Installed("1", {}), 60, "3")
    assert outcome.status is CheckStatus.FAILED
    assert f"there was no installed module to {builtin}" in outcome.reason


def test_the_builtin_compile_counts_the_modules_it_compiled(
    python_cell: checks.Place, tmp_path: Path
) -> None:
    (tmp_path / "site" / "pk" / "sub").mkdir(parents=True)
    for name in ("pk/__init__.py", "pk/sub/__init__.py", "pk/sub/m.py"):
        (tmp_path / "site" / name).write_text("X = 1\n")
    installed = checks.Installed("1", {"pk": tmp_path / "site" / "pk" / "__init__.py"})
    outcome = checks.run_check(python_cell, CheckSpec("compile"), installed, 60, "3")
    assert outcome.status is CheckStatus.PASSED, outcome.reason
    assert "compiled 3 modules" in python_cell.log("compile").read_text()
