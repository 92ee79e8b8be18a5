"""Checks see the installed package the way the project's CI sees its source, through the rc
rehearsal of a flat-layout fixture: ruff's per-file-ignores keyed by the project's paths apply to
the mirror, its tests import `tests.helpers` and still get the package from the environment, and
a lint of site-packages, which checks nothing, fails saying so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import PROJECTS, cli, git_tag


def test_checks_run_on_the_projects_layout_and_a_check_of_nothing_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = Path(shutil.copytree(PROJECTS / "faithful-flat", tmp_path / "faithful-flat"))
    git_tag(root)
    report = tmp_path / "report.json"
    code, out, _ = cli(capsys, "rehearse", "rc", "--project", str(root), "--report", str(report))
    cell = next(o for o in json.loads(report.read_text())["outcomes"] if o["cell"] == "3.12")
    checks = {c["name"]: c for c in cell["checks"]}
    assert code != 0, out
    assert {name: c["status"] for name, c in checks.items()} == {
        "compile": "passed", "import": "passed", "lint": "passed", "tests": "passed",
        "lint-site-packages": "failed",
    }  # fmt: skip
    reason = checks["lint-site-packages"]["reason"]
    assert "it checked nothing: ruff found no Python files to lint" in reason
    lint = Path(checks["lint"]["log"]).read_text()
    assert "# 2 Python files under flatsvc" in lint
    assert "#   flatsvc/__init__.py" in lint
    assert lint.splitlines()[-2:-1] == ["All checks passed!"]  # ruff's last word, then its time
    assert "4 passed" in Path(checks["tests"]["log"]).read_text()  # flatsvc.words' doctest too
