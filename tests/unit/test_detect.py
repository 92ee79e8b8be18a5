"""What a project already uses: test dependencies, tools, and the table `init` writes for them."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from release.config.detect import (
    TOOL_CHECKS,
    Dependencies,
    builtin_checks,
    dependencies_for_tests,
    hook_pins,
    provider,
    tools_used,
)
from release.config.settings import BUILTIN, parse_settings
from release.core.errors import ConfigError
from release.init import Findings, settings_table, with_table

TEST_DEPENDENCIES = [
    ({}, Dependencies()),
    ({"dependency-groups": {"tests": ["pytest"]}}, Dependencies(groups=("tests",))),
    ({"dependency-groups": {"Testing": ["pytest"]}}, Dependencies(groups=("Testing",))),
    ({"project": {"optional-dependencies": {"test": ["pytest"]}}}, Dependencies(extras=("test",))),
    # a group wins over an extra, and "test" over "tests" over "testing"
    (
        {
            "dependency-groups": {"testing": ["a"], "test": ["b"]},
            "project": {"optional-dependencies": {"tests": ["c"]}},
        },
        Dependencies(groups=("test",)),
    ),
    ({"dependency-groups": {"docs": ["sphinx"]}}, Dependencies()),
    # PDM's groups: uv.lock pins none, so the requirements as written (not the project itself)
    (
        {
            "tool": {
                "pdm": {"dev-dependencies": {"Test": ["pytest>=8", "-e .", "me @ file:///x"]}}
            },
            "project": {"optional-dependencies": {"test": ["c"]}},
        },
        Dependencies(requires=("pytest>=8",)),
    ),
    (
        {
            "dependency-groups": {"test": ["a"]},
            "tool": {"pdm": {"dev-dependencies": {"test": ["b"]}}},
        },
        Dependencies(groups=("test",)),
    ),
    ({"dependency-groups": ["not", "a", "table"]}, Dependencies()),
]


@pytest.mark.parametrize(("pyproject", "found"), TEST_DEPENDENCIES)
def test_test_dependencies(pyproject: dict[str, Any], found: Dependencies) -> None:
    assert dependencies_for_tests(pyproject) == found


def test_without_configuration_the_tests_check_installs_the_test_extra() -> None:
    checks = builtin_checks({"project": {"optional-dependencies": {"test": ["pytest-xdist"]}}})
    assert (checks["tests"].extras, checks["tests"].requires) == (("test",), ("pytest",))
    assert checks["tests"].run == BUILTIN["tests"].run
    assert builtin_checks({})["tests"] == BUILTIN["tests"]  # pytest alone, as before


def test_the_tests_check_installs_pdms_test_group_like_a_dependency_group() -> None:
    pdm = {"dev-dependencies": {"testing": ["pytest>=8", "pytest-asyncio"], "lint": ["ruff"]}}
    checks = builtin_checks({"tool": {"pdm": pdm}})
    assert checks["tests"].requires == ("pytest", "pytest>=8", "pytest-asyncio")
    assert (checks["tests"].groups, checks["tests"].extras) == ((), ())


TOOLS = [
    ({"tool": {"ruff": {}}}, frozenset(), ["ruff"]),
    ({}, frozenset({"ruff.toml", "mypy.ini"}), ["ruff", "mypy"]),
    (
        {"dependency-groups": {"dev": ["pyright>=1.1", {"include-group": "x"}]}},
        frozenset(),
        ["pyright"],
    ),
    ({"project": {"optional-dependencies": {"typing": ["ty"]}}}, frozenset(), ["ty"]),
    ({"dependency-groups": {"dev": ["ruff-lsp", "not a requirement!"]}}, frozenset(), []),
    ({}, frozenset({"README.md"}), []),
]


@pytest.mark.parametrize(("pyproject", "files", "names"), TOOLS)
def test_tools_used(pyproject: dict[str, Any], files: frozenset[str], names: list[str]) -> None:
    assert [t.name for t in tools_used(pyproject, files)] == names


def test_a_tool_finds_its_configuration_where_it_runs() -> None:
    """From the mirror's root, as in the project's CI: no option points at the source tree."""
    for tool in TOOL_CHECKS:
        assert "{sources}" in tool.run
        assert not any("{project}" in arg or "config" in arg for arg in tool.run), tool.name


def test_a_tool_comes_from_the_group_that_pins_it_before_an_extra() -> None:
    pyproject = {
        "dependency-groups": {"lint": ["Ruff==0.6.1"]},
        "project": {"optional-dependencies": {"dev": ["ruff"]}},
    }
    assert provider(pyproject, "ruff") == Dependencies(groups=("lint",))
    assert provider({"project": pyproject["project"]}, "ruff") == Dependencies(extras=("dev",))
    assert provider({}, "ruff") == Dependencies()


NO_TESTS = "found no test directory (no testpaths, no tests/, test/ or testing/)"


def findings(
    pyproject: dict[str, Any], files: set[str], untested: str | None = None, **pins: str
) -> Findings:
    """What init finds in a uv-managed project (it has a uv.lock) with these files besides; its
    tests, unless `untested` says why it has none."""
    names = frozenset({*files, "uv.lock"})
    lane = ("3.11", "3.13", "3.12")
    return Findings(pyproject, names, ["inventory_api"], lane, pins, untested=untested)


def test_the_table_init_writes() -> None:
    pyproject = {
        "tool": {"ruff": {}, "mypy": {}},
        "dependency-groups": {"lint": ["ruff"], "typing": ["mypy", "types-requests"]},
        "project": {"optional-dependencies": {"test": ["pytest", "pytest-xdist"]}},
    }
    table, notes = settings_table(findings(pyproject, {"tests", "src"}))
    assert table["import"] == ["inventory_api"]
    assert table["checks"] == ["compile", "import", "ruff", "mypy", "tests"]
    assert table["check"]["ruff"] == {
        "groups": ["lint"],
        "pythons": ["3.13"],  # a tool's verdict comes from one cell: the newest Python's
        "run": ["ruff", "check", "--no-cache", "{sources}"],
    }
    assert table["check"]["mypy"]["groups"] == ["typing"]
    assert "tests" not in table["check"]  # the built-in check finds the test extra itself
    assert notes == []


def test_tool_checks_run_on_the_newest_python_of_the_lane_this_machine_has() -> None:
    pyproject = {"tool": {"ruff": {}, "mypy": {}}, "dependency-groups": {"lint": ["ruff", "mypy"]}}
    lane = ("3.11", "3.12", "3.13", "3.14")
    locked = frozenset({"uv.lock"})
    here = Findings(pyproject, locked, ["m"], lane, installed=("3.11", "3.12", "3.13"))
    table, notes = settings_table(here)
    assert [table["check"][t]["pythons"] for t in ("ruff", "mypy")] == [["3.13"], ["3.13"]]
    assert notes == [
        (
            "note: ruff, mypy run on Python 3.13, the newest of the lane (3.11, 3.12, 3.13, 3.14) "
            "this machine has; 3.14 is not installed here (install it and set their pythons to "
            "it if you want it)"
        )
    ]
    none_here = Findings(pyproject, locked, ["m"], lane, installed=())
    table, notes = settings_table(none_here)
    assert table["check"]["ruff"]["pythons"] == ["3.14"]
    assert notes[0].startswith("note: ruff, mypy run on Python 3.14, but none of the lane's")


def test_a_tool_pinned_nowhere_gets_a_note_instead_of_a_check() -> None:
    table, notes = settings_table(findings({"tool": {"ty": {}}}, set()))
    assert table["checks"] == ["compile", "import", "tests"]
    assert len(notes) == 1
    assert notes[0].startswith(
        "note: ty is configured, but no dependency group, extra or pre-commit"
    )


def test_a_project_without_uv_lock_is_told_what_the_lanes_need_of_it() -> None:
    found = findings({}, set())
    unlocked = Findings(found.pyproject, frozenset({"src"}), found.modules, found.pythons)
    _, notes = settings_table(unlocked)
    assert notes == [
        (
            "note: no uv.lock: the lanes' version check compares pyproject.toml, uv.lock and the "
            "tag, and their tools install what uv.lock pins; run `uv lock` and commit uv.lock"
        )
    ]
    assert settings_table(found)[1] == []


def test_a_tool_pinned_by_its_pre_commit_hook_is_installed_at_that_version() -> None:
    table, _ = settings_table(findings({"tool": {"ruff": {}}}, set(), ruff="0.15.16"))
    assert table["check"]["ruff"]["requires"] == ["ruff==0.15.16"]


HOOKS = """
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.15.16
    hooks: [{id: ruff-check}]
  - repo: https://github.com/codespell-project/codespell
    rev: v2.4.2
"""


@pytest.mark.parametrize(
    ("text", "pins"),
    [(HOOKS, {"ruff": "0.15.16"}), ("repos: 5", {}), ("[unclosed", {}), ("", {}), ("- a", {})],
)
def test_hook_pins(text: str, pins: dict[str, str]) -> None:
    assert hook_pins(text) == pins


def test_a_project_with_nothing_gets_the_builtin_checks_only_and_is_told_why_not_tests() -> None:
    assert settings_table(findings({}, set(), NO_TESTS)) == (
        {"import": ["inventory_api"], "checks": ["compile", "import"]}, [NO_TESTS_NOTE]
    )  # fmt: skip


NO_TESTS_NOTE = (
    "note: no tests check was written: found no test directory (no testpaths, no tests/, test/ "
    'or testing/); a check that checks nothing fails, so add "tests" to checks once there are tests'
)


def test_the_tests_check_is_written_where_tests_were_found_and_only_there() -> None:
    """pytest configured and pinned, yet no tests: a tests check would check nothing. Tests
    found with no pytest named anywhere (iniconfig's testing/): the check installs pytest."""
    uses_pytest = {
        "tool": {"pytest": {"ini_options": {}}},
        "dependency-groups": {"dev": ["pytest"]},
    }
    table, notes = settings_table(findings(uses_pytest, {"conftest.py", "pytest.ini"}, NO_TESTS))
    assert (table["checks"], notes) == (["compile", "import"], [NO_TESTS_NOTE])
    table, notes = settings_table(findings({}, {"testing"}))
    assert (table["checks"], notes) == (["compile", "import", "tests"], [])
    parse_settings(table)  # what init writes is valid


PYPROJECT = """\
[project]
name = "x"  # the distribution

[tool.ruff]
line-length = 99   # wide

[tool.staged-release]
import = ["old"]

[tool.other]
a = 2
"""


def test_the_table_replaces_an_old_one_and_keeps_everything_else_as_written() -> None:
    table = {"import": ["new"], "checks": ["compile"]}
    written = with_table(PYPROJECT, table)
    assert tomllib.loads(written)["tool"]["staged-release"] == table
    assert 'name = "x"  # the distribution\n' in written
    assert "line-length = 99   # wide\n" in written
    assert "old" not in written
    assert with_table(written, table) == written  # the same table again: nothing moves


def test_the_old_mark_goes_when_a_table_came_between_it_and_ours() -> None:
    """`uv add --group` writes [dependency-groups] under init's mark, above its table."""
    table = {"import": ["x"]}
    written = with_table('[project]\nname = "x"\n', table)
    mark, ours = written.split("\n", 3)[3].split("\n", 1)
    added = written.replace(f"{mark}\n{ours}", f"{mark}\n[dependency-groups]\ntests = []\n\n{ours}")
    again = with_table(added, table)
    assert again.count(mark) == 1
    assert again.index("[dependency-groups]") < again.index(mark) < again.index("[tool.")


def test_an_inline_tool_table_cannot_take_ours() -> None:
    with pytest.raises(ConfigError, match="cannot take a"):
        with_table('tool = {ruff = {}}\n\n[project]\nname = "x"\n', {"import": ["x"]})
