"""Adopting the suite as a new project would: `init` on real-looking projects (setuptools with a
test extra and a pytest plugin in addopts; hatch-vcs and setuptools-scm versions from the tag; no
tests at all), then the rc rehearsal passes with no hand-written configuration. A second `init`
changes nothing, and nox lists the lane sessions of the noxfile `init` wrote. `init` tries the
tool checks it wrote on the source tree and says which already fail.

Dependencies and check tools come from PyPI (through uv's cache), as they would for the project.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from release.config.project import load_config
from release.config.settings import CheckSpec
from release.github.workflow import PATH as WORKFLOW
from release.init_try import try_checks
from tests.conftest import PROJECTS, cli, git_tag

TAGS = {  # fixture -> the tag at HEAD (a static version needs none)
    "adopt-setuptools-extra": None,
    "adopt-no-tests": None,
    "adopt-hatch-vcs": "v1.0.0rc1",
    "adopt-setuptools-scm": "v2.1.0rc1",
}
LANE_SESSIONS = ["version_check", "build",  # nox -l shows the stage table's order, then the tools
                 "upload_testpypi", "validate_rc-3.12", "e2e_rc",
                 "candidate_checks-3.12", "e2e_prepublish", "upload_pypi", "validate_final-3.12",
                 "images", "e2e_postpublish",
                 "plan", "github_release", "bump", "rehearse_rc", "rehearse_final",
                 "rehearse_workflow",
                 "status"]  # fmt: skip


@pytest.fixture(params=list(TAGS))
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The fixture project as a git repository, tagged when its version comes from the tag."""
    root = Path(shutil.copytree(PROJECTS / request.param, tmp_path / request.param))
    tag = TAGS[request.param]
    git_tag(root, *([tag] if tag else []))
    return root


def files(root: Path) -> dict[str, str]:
    names = ("pyproject.toml", "noxfile.py", str(WORKFLOW))
    return {name: (root / name).read_text() for name in names}


def test_init_writes_the_table_and_noxfile_and_the_rehearsal_passes(
    fresh: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = cli(capsys, "init", "--project", str(fresh))
    assert code == 0
    assert out.startswith("wrote [tool.staged-release] to pyproject.toml: checks compile, import")
    assert "wrote noxfile.py" in out
    assert f"wrote {WORKFLOW}: jobs plan, build, upload_testpypi, validate_rc," in out
    report = tmp_path / "report.json"
    code, out, _ = cli(capsys, "rehearse", "rc", "--project", str(fresh), "--report", str(report))
    rows = [
        (o["stage"], o["cell"], o["status"]) for o in json.loads(report.read_text())["outcomes"]
    ]
    assert code == 0, out
    assert rows[-2:] == [("validate_rc", "3.12", "passed"), ("e2e_rc", "-", "skipped")]


def test_a_second_init_changes_nothing(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "init", "--no-try", "--project", str(fresh))
    before = files(fresh)
    code, out, _ = cli(capsys, "init", "--project", str(fresh))
    assert (code, files(fresh)) == (0, before)
    assert out.splitlines() == [
        "pyproject.toml already has [tool.staged-release]; left as it is (--force redoes it)",
        "noxfile.py already imports the lane sessions",
        f"{WORKFLOW} is what this staged-release generates",
        ".gitignore already ignores .staged-release/",
    ]


def test_nox_lists_the_lane_sessions_of_the_noxfile_init_wrote(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "init", "--no-try", "--project", str(fresh))
    # NOX_SCRIPT_MODE=none: this suite's environment has what the script header names.
    env = {**os.environ, "NOX_SCRIPT_MODE": "none"}
    done = subprocess.run(
        [sys.executable, "-m", "nox", "-l"],
        cwd=fresh, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("- ")]
    assert listed == LANE_SESSIONS  # and none selected by default ("- ", not "* ")
    # Every session the release workflow init wrote calls is one nox lists (a matrix job's
    # `nox -s "validate_rc-$CELL_PYTHON"` one of its cells).
    called = re.findall(r"nox -s \"?([a-z_]+)", (fresh / WORKFLOW).read_text())
    assert "plan" in called
    for name in called:
        assert any(s == name or s.startswith(f"{name}-3.") for s in listed), name


NO_TESTS_NOTE = (
    "note: no tests check was written: found no test directory (no testpaths, no tests/, test/ "
    'or testing/); a check that checks nothing fails, so add "tests" to checks once there are tests'
)
UNTESTED = {  # what is added to adopt-no-tests -> the checks init writes, and its note on tests
    "pytest configured, no tests": (
        {"pyproject.toml": '\n[tool.pytest.ini_options]\naddopts = "-q"\n'},
        "compile, import",
        [NO_TESTS_NOTE],
    ),
    "tests in testing/, pytest named nowhere": (
        {"testing/test_quiet.py": "import quiet_pkg\n\ndef test_it():\n    assert quiet_pkg\n"},
        "compile, import, tests",
        [],
    ),
}


@pytest.mark.parametrize("case", list(UNTESTED))
def test_init_writes_the_tests_check_where_it_finds_tests_and_says_when_it_did_not(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    added, checks, notes = UNTESTED[case]
    root = Path(shutil.copytree(PROJECTS / "adopt-no-tests", tmp_path / "p"))
    for name, text in added.items():
        (root / name).parent.mkdir(exist_ok=True)
        with (root / name).open("a") as file:
            file.write(text)
    git_tag(root)
    code, out, err = cli(capsys, "init", "--no-try", "--project", str(root))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"wrote [tool.staged-release] to pyproject.toml: checks {checks}"
    assert [line for line in lines if "tests check" in line] == notes


OUTSIDE_NOTE = (
    "note: requirements/tests.in lists pytest, freezegun, which no dependency group pins, and "
    "the tests check installs only what uv.lock pins: `uv add --group tests pytest freezegun` "
    "(the check then installs that group)"
)


def test_init_says_which_test_requirements_no_group_pins_and_is_quiet_once_one_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Pallets keep their test dependencies in pip-tools files: the cells would miss freezegun
    at collection. Once a `tests` group pins them, the note is gone and the check installs it."""
    root = Path(shutil.copytree(PROJECTS / "adopt-no-tests", tmp_path / "p"))
    (root / "testing").mkdir()
    (root / "testing/test_quiet.py").write_text("def test_it():\n    assert True\n")
    (root / "requirements").mkdir()
    (root / "requirements/tests.in").write_text("# pip-compile tests.in\npytest\nfreezegun\n")
    git_tag(root)
    code, out, _ = cli(capsys, "init", "--no-try", "--project", str(root))
    assert code == 0
    assert [line for line in out.splitlines() if "tests.in" in line] == [OUTSIDE_NOTE]
    with (root / "pyproject.toml").open("a") as file:
        file.write('\n[dependency-groups]\ntests = ["freezegun", "pytest"]\n')
    code, out, _ = cli(capsys, "init", "--no-try", "--force", "--project", str(root))
    assert code == 0
    assert [line for line in out.splitlines() if "tests.in" in line] == []
    tests = next(c for c in load_config(root).settings.checks if c.name == "tests")
    assert tests.groups == ("tests",)


def test_init_says_which_tool_check_already_fails_on_the_tree_and_writes_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    roots = []
    for name in ("tried", "untried"):
        root = Path(shutil.copytree(PROJECTS / "adopt-hatch-vcs", tmp_path / name))
        with (root / "src" / "tagged_lib" / "__init__.py").open("a") as module:
            module.write("import os\n")  # ruff's F401, with the ruff uv.lock pins
        pyproject = (root / "pyproject.toml").read_text()  # mypy configured, its group unlocked
        pyproject = pyproject.replace(
            'lint = ["ruff>=0.6"]', 'lint = ["ruff>=0.6"]\ntyping = ["mypy"]'
        )
        (root / "pyproject.toml").write_text(pyproject + "\n[tool.mypy]\nstrict = true\n")
        git_tag(root, "v1.0.0rc1")
        roots.append(root)
    code, out, err = cli(capsys, "init", "--project", str(roots[0]))
    assert (code, err) == (0, "")
    assert out.splitlines()[-3:] == [
        "tried the tool checks once on your tree, with uv.lock's pins (--no-try skips it):",
        "  ruff: 1 error on your tree today (see .staged-release/logs/init/ruff.log)",
        (
            "  mypy: could not run here: uv sync: error: Group `typing` is not defined in the "
            "project's `dependency-groups` table (see .staged-release/logs/init/mypy.log)"
        ),
    ]
    log = (roots[0] / ".staged-release" / "logs" / "init" / "ruff.log").read_text()
    assert "F401 `os` imported but unused" in log
    assert "# as `uv run --frozen --no-default-groups --group lint --python 3.12 ruff check" in log
    assert cli(capsys, "init", "--no-try", "--project", str(roots[1]))[0] == 0
    assert files(roots[0]) == files(roots[1])  # what init wrote is the same, tried or not


def test_a_tried_check_runs_inside_its_own_environment(tmp_path: Path) -> None:
    # ty and pyright find the packages through VIRTUAL_ENV: ours (`uv run pytest`) must not leak
    root = Path(shutil.copytree(PROJECTS / "adopt-hatch-vcs", tmp_path / "p"))
    probe = "import os, sys; sys.exit(os.environ['VIRTUAL_ENV'] != sys.prefix)"
    spec = CheckSpec("probe", ("python", "-c", probe, "{sources}"), groups=("lint",))
    assert try_checks(root, [spec], ["tagged_lib"])[1:] == ["  probe: passes on your tree today"]
