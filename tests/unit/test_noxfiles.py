"""This repository's noxfile and the one `init` writes follow the conventions sp-repo-review
checks (NOX101-103, NOX201-203): a minimum nox version, a venv backend, `default=` per session
instead of a session list, a PEP 723 script block with dependencies, a shebang, a main block."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest

from release.init_noxfile import IMPORT_LINE, NOXFILE_TEXT, REGISTER_LINE, requirement

# Absent where these tests run from a copy against the installed package (a validation cell of
# this repository's own rehearsal): the source tree's noxfile is then not beside them.
REPOSITORY_NOXFILE = Path(__file__).parents[2] / "noxfile.py"
SCRIPT = re.compile(r"(?m)^# /// script\n((?:^#(?: .*)?\n)+)^# ///$")


def assignments(module: ast.Module) -> set[str]:
    """Dotted names assigned at the top level: `nox.options.sessions`, ..."""
    return {ast.unparse(t) for s in module.body if isinstance(s, ast.Assign) for t in s.targets}


def has_main_block(module: ast.Module) -> bool:
    return any(
        isinstance(s, ast.If) and ast.unparse(s.test) == "__name__ == '__main__'"
        for s in module.body
    )


WRITTEN = NOXFILE_TEXT.format(
    requirement=requirement(), import_line=IMPORT_LINE, register_line=REGISTER_LINE
)
NOXFILES = [
    pytest.param(REPOSITORY_NOXFILE, id="this repository", marks=pytest.mark.skipif(
        not REPOSITORY_NOXFILE.is_file(), reason="the source tree is not beside these tests"
    )),
    pytest.param(WRITTEN, id="written by init"),
]  # fmt: skip


@pytest.mark.parametrize("noxfile", NOXFILES)
def test_a_noxfile_follows_the_conventions(noxfile: Path | str) -> None:
    text = noxfile.read_text() if isinstance(noxfile, Path) else noxfile
    module = ast.parse(text)
    block = SCRIPT.search(text)
    assert block is not None
    header = tomllib.loads("".join(line[2:] + "\n" for line in block.group(1).splitlines()))
    assert any(d.startswith("nox") for d in header["dependencies"])  # NOX201
    assert text.startswith("#!")  # NOX202
    assert has_main_block(module)  # NOX203
    assert {"nox.needs_version", "nox.options.default_venv_backend"} <= assignments(module)
    assert "nox.options.sessions" not in assignments(module)  # NOX103


def test_the_written_noxfile_names_staged_release_and_imports_the_sessions() -> None:
    text = WRITTEN
    # exact: the version it was written with, the one the release workflow's jobs install
    assert f'"staged-release=={importlib.metadata.version("staged-release")}"' in text
    # never `import release.sessions`: a project's own `release` would be found first
    assert "\nimport staged_release_sessions\n" in text
    assert "\nstaged_release_sessions.register()  # the lane sessions" in text
    compile(text, "noxfile.py", "exec")
