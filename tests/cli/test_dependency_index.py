"""A dependency index that is not pypi, local or a configured one is refused when the run opens,
also by a cell with nothing to install from it (no dependencies, no check tools): exit 2, one
line of error and one of hint, before any index is asked or any environment made."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli

Project = Callable[[str], Path]
HINT = "hint: TestPyPI is never trusted for dependencies; use pypi or a configured index"


@pytest.mark.parametrize(
    ("command", "setting", "flag"),
    [
        (["validate", "--index", "testpypi"], None, "testpypi"),
        (["validate", "--index", "pypi"], "nowhere", None),
        (["candidate-checks"], "testpypi", None),
    ],
)
def test_a_wrong_dependency_index_is_refused_before_anything_runs(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    setting: str | None,
    flag: str | None,
) -> None:
    root = project("rc-agrees")
    if setting is not None:
        with (root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
            pyproject.write(f'\n[tool.staged-release]\ndependency-index = "{setting}"\n')
    wrong = flag or setting
    argv = [*command, "--python", "3.11", "--project", str(root)]
    code, out, err = cli(capsys, *argv, *(["--dependency-index", flag] if flag else []))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: dependency index {wrong!r} is not pypi, local or a configured index",
        HINT,
    ]
    assert not (root / ".staged-release" / "cells").exists()
