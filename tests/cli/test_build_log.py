"""A failing build keeps its whole output in `.staged-release/logs/build.log`, and the error
names that file rather than asking for the command to be run again by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli

# A backend in the tree, so no requirement is fetched: it talks for 60 lines, then fails.
BACKEND = """\
def build_sdist(directory, config_settings=None):
    for n in range(60):
        print(f"compiling part {n}")
    raise SystemExit("error: the compiler gave up on part 59")
"""


def test_a_failing_build_names_the_log_that_holds_its_whole_output(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    pyproject = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        pyproject.replace(
            'requires = ["hatchling"]\nbuild-backend = "hatchling.build"',
            'requires = []\nbuild-backend = "backend"\nbackend-path = ["."]',
        )
    )
    (root / "backend.py").write_text(BACKEND)
    code, _, err = cli(capsys, "build", "--project", str(root))
    log = root / ".staged-release" / "logs" / "build.log"
    assert code == 1
    assert "the compiler gave up on part 59" in err.splitlines()[0]
    assert f"hint: its whole output is in {log}" in err
    kept = log.read_text()
    assert "compiling part 0\n" in kept  # from the first line, which the error's tail left out
    assert "compiling part 0" not in err
