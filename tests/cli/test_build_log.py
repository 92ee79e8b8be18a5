"""A failing build keeps its whole output in `.staged-release/logs/build.log` (or, in a project
with no state directory yet, in a temporary folder: one made now would be packed into the sdist),
and the error names that file rather than asking for the command to be run again by hand."""

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


@pytest.mark.parametrize("state", [True, False])
def test_a_failing_build_names_the_log_that_holds_its_whole_output(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str], state: bool
) -> None:
    root = project("rc-agrees")
    if state:
        (root / ".staged-release").mkdir()
    pyproject = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        pyproject.replace(
            'requires = ["hatchling"]\nbuild-backend = "hatchling.build"',
            'requires = []\nbuild-backend = "backend"\nbackend-path = ["."]',
        )
    )
    (root / "backend.py").write_text(BACKEND)
    code, _, err = cli(capsys, "build", "--project", str(root))
    assert code == 1
    assert "the compiler gave up on part 59" in err.splitlines()[0]
    log = Path(err.split("hint: its whole output is in ", 1)[1].split()[0])
    if state:
        assert log == root / ".staged-release" / "logs" / "build.log"
    else:  # no state directory made: it would ride along in the sdist
        assert log.name == "build.log"
        assert not (root / ".staged-release").exists()
    kept = log.read_text()
    assert "compiling part 0\n" in kept  # from the first line, which the error's tail left out
    assert "compiling part 0" not in err
