"""Finding installed Pythons past pyenv's shims (on a made-up directory tree)."""

from __future__ import annotations

import os
from pathlib import Path

from release.core import interpreters


def make_exe(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_finds_newest_pyenv_version_and_skips_shims(tmp_path: Path) -> None:
    root = tmp_path / "pyenv"
    make_exe(root / "shims/python3.12")
    make_exe(root / "versions/3.12.1/bin/python3.12")
    newest = make_exe(root / "versions/3.12.10/bin/python3.12")
    assert interpreters.find("3.12", str(root / "shims"), root) == newest


def test_prefers_an_interpreter_on_path(tmp_path: Path) -> None:
    root = tmp_path / "pyenv"
    make_exe(root / "versions/3.13.0/bin/python3.13")
    system = make_exe(tmp_path / "usr/bin/python3.13")
    assert interpreters.find("3.13", str(system.parent), root) == system


def test_expose_puts_found_dirs_first_and_reports_missing(tmp_path: Path) -> None:
    root = tmp_path / "pyenv"
    found = make_exe(root / "versions/3.12.1/bin/python3.12")
    env = {"PATH": "/usr/bin", "PYENV_ROOT": str(root)}
    missing = interpreters.expose(["3.12", "3.99"], env)
    assert missing == ["3.99"]
    assert env["PATH"].split(os.pathsep) == [str(found.parent), "/usr/bin"]
