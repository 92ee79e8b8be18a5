"""The import check on a CLI library laid out as click is: its Windows-only console module is
skipped on Linux with its guard as the reason, and the rc lane is green on every installed
Python it declares (3.9 among them); one typo in another module turns it red, naming that
module."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from release.cli import main
from release.core import interpreters
from tests.conftest import PROJECTS

DECLARED = ["3.9", "3.13"]  # the fixture's classifiers
PYTHONS = list(interpreters.installed(DECLARED, os.environ))


def rehearse(root: Path) -> tuple[int, list[tuple[str, str, str]]]:
    report = root / "report.json"
    code = main([
        "-q", "rehearse", "rc", "--project", str(root), "--report", str(report),
        "--dependency-index", "local",
    ])  # fmt: skip
    outcomes = json.loads(report.read_text())["outcomes"]
    return code, [
        (o["cell"], o["status"], o["reason"]) for o in outcomes if o["stage"] == "validate_rc"
    ]


def import_log(root: Path, python: str) -> str:
    return (root / ".staged-release" / "logs" / f"validate_rc-{python}" / "import.log").read_text()


@pytest.fixture
def winclick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    return Path(shutil.copytree(PROJECTS / "cli-platform-modules", tmp_path / "winclick"))


def test_a_module_that_refuses_this_platform_is_skipped_and_the_lane_is_green(
    winclick: Path,
) -> None:
    code, cells = rehearse(winclick)
    assert code == 0, cells
    assert [(c, s) for c, s, _ in cells] == [
        (p, "passed" if p in PYTHONS else "skipped") for p in DECLARED
    ]
    for python in PYTHONS:
        log = import_log(winclick, python)
        assert "imported 3 modules" in log  # winclick, winclick._compat, winclick.core
        assert (
            "# skipped: winclick._winconsole: refuses this platform: "
            "`assert sys.platform == 'win32'` (winclick/_winconsole.py:6)"
        ) in log.splitlines()


def test_a_module_with_a_real_defect_fails_the_lane_by_name(winclick: Path) -> None:
    (winclick / "src" / "winclick" / "termui.py").write_text(
        "def prompt(text):\n    return input(text)\n\n\nDEFAULT = prompt_default  # a typo\n"
    )
    code, cells = rehearse(winclick)
    assert code == 1
    assert [(c, s) for c, s, _ in cells] == [
        (p, "failed" if p in PYTHONS else "skipped") for p in DECLARED
    ]
    failed = {python: reason for python, status, reason in cells if status == "failed"}
    for python in PYTHONS:
        assert failed[python].startswith(
            "check 'import' failed: 1 of the package's modules did not import: "
            "winclick.termui (NameError(\"name 'prompt_default' is not defined\"))"
        )
        assert "# skipped: winclick._winconsole" in import_log(winclick, python)
