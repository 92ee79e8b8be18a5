"""The stage table is the one place a stage is named (issue 24): no module of release/ outside it
spells a stage's name, its command or its session as a string literal, so the next stage is one
row of the table plus its work. Docstrings and comments are prose and may name stages; code that
means a stage reads it from the table."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import release
from release.pipeline.stages import STAGES

ROOT = Path(release.__file__).parent
TABLE = ROOT / "pipeline" / "stages.py"

# (module, literal): a word that is a stage's name or command but, there, means something else.
ALLOWED = {
    # `python -m build` / `uv build`: pypa's build frontend and uv's command, not the stage
    ("artifacts/build.py", "build"),
    ("artifacts/compiled.py", "build"),
    ("init.py", "build"),
    ("rehearsals/workflow/stand_ins.py", "build"),
    # a `build/` directory of a project's tree (build output), never copied or mirrored
    ("artifacts/source.py", "build"),
    ("validation/mirror.py", "build"),
    # configuration keys: `[tool.hatch.build.hooks.vcs]`, `[tool.staged-release.images]`
    ("config/layout.py", "build"),
    ("config/settings.py", "images"),
    # `build = "DIR"` of an E2E service ([tool.staged-release.e2e]), and its phase in the timeline
    ("config/e2e.py", "build"),
    ("e2e/stack.py", "build"),
    # the folder of image builds, shared by the images stage and the E2E gates' candidate builds
    ("images/stage.py", "images"),
}


def _literals(tree: ast.Module) -> Iterator[str]:
    """Every str constant, f-string parts included, except docstrings."""
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.value


def _spells(literal: str) -> set[str]:
    """The stage names a literal spells: equal to one, a cell (`<name>-3.12`), a session in a
    command (`nox -s <name>`), or a name with an underscore anywhere (no English word has one).
    Commands (`check`, `upload`, `e2e`) are not counted: they come from the table too, but the same
    words name configuration tables and directories (`[tool.staged-release.check]`, `e2e/`)."""
    found = set()
    for name in STAGES:
        word = re.escape(name)
        if (
            literal == name
            or re.fullmatch(rf"{word}-\d+\.\d+", literal)
            or re.search(rf"nox -s [\"']?{word}\b", literal)
            or ("_" in name and re.search(rf"(?<![\w]){word}(?![\w])", literal))
        ):
            found.add(name)
    return found


def offences() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == TABLE:
            continue
        module = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for literal in _literals(tree):
            found += [
                f"{module}: {literal!r} spells {name}"
                for name in sorted(_spells(literal))
                if (module, name) not in ALLOWED
            ]
    return found


def test_no_module_outside_the_table_spells_a_stage() -> None:
    assert offences() == []


@pytest.mark.parametrize(
    "literal",
    ["validate_final", "validate_rc-3.12", "run `nox -s images`", "after upload_pypi passed",
     "build", 'nox -s "e2e_rc-3.12"'],
)  # fmt: skip
def test_each_way_of_spelling_a_stage_is_caught(literal: str) -> None:
    assert _spells(literal)


@pytest.mark.parametrize(
    "literal", ["images published", "builds", "rebuild: see the log", "e2e", "check"]
)
def test_ordinary_words_are_not_stage_names(literal: str) -> None:
    assert not _spells(literal)
