"""Where a project keeps what its checks need besides the package: its test directories, as its
pytest configuration names them, and the files its build backend writes into the package.

Real projects do not all keep their tests in tests/ (pluggy's are in testing/, named by
`testpaths` in tox.ini), and a version file that setuptools-scm or hatch-vcs writes at build time
is in the wheel but in no source tree, so the project's linters never saw it.
"""

from __future__ import annotations

import configparser
import tomllib
from collections.abc import Mapping
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any

# Where pytest looks for its configuration, in its order, and what marks its section there.
PYTEST_FILES = (
    ("pytest.ini", None), (".pytest.ini", None), ("pyproject.toml", "[tool.pytest"),
    ("tox.ini", "[pytest]"), ("setup.cfg", "[tool:pytest]"),
)  # fmt: skip
_SECTIONS = {"pytest.ini": "pytest", ".pytest.ini": "pytest", "tox.ini": "pytest"}
CONVENTIONAL = ("tests", "test", "testing")  # where tests are when no testpaths says
# Where each backend's configuration names the file it writes the version into.
_VERSION_FILES = (
    ("setuptools_scm", "version_file"), ("setuptools_scm", "write_to"),
    ("hatch", "build", "hooks", "vcs", "version-file"), ("pdm", "version", "write_to"),
    ("versioningit", "write", "file"),
)  # fmt: skip


def pytest_config(project: Path) -> Path | None:
    """The file pytest takes its configuration from in `project`, found as pytest finds it."""
    for name, marker in PYTEST_FILES:
        path = project / name
        if path.is_file() and (marker is None or marker in path.read_text(errors="replace")):
            return path
    return None


def test_directories(project: Path) -> list[Path]:
    """The directories `testpaths` names (globs allowed, inside the project only), else the
    first conventional one that exists; none: the project has no tests."""
    config = pytest_config(project)
    named = testpaths(config.name, config.read_text(errors="replace")) if config else []
    found = [d for pattern in named for d in _matches(project, pattern)]
    return found or [project / n for n in CONVENTIONAL if (project / n).is_dir()][:1]


def _matches(project: Path, pattern: str) -> list[Path]:
    """The directories inside the project that a testpaths entry names."""
    if pattern and PurePosixPath(pattern) == PurePosixPath():  # ".": glob takes no empty pattern
        return [project]
    try:
        found = sorted(project.glob(pattern))
    except (ValueError, NotImplementedError):  # empty or absolute: names nothing of the project
        return []
    inside = project.resolve()
    return [d for d in found if d.is_dir() and d.resolve().is_relative_to(inside)]


def untested(project: Path) -> str | None:
    """Why pytest would collect nothing in `project`: it has no test directory, or none holds a
    file that pytest's `python_files` takes for a test; None when some file is one."""
    directories = test_directories(project)
    if not directories:
        conventional = "/, ".join(CONVENTIONAL[:-1]) + f"/ or {CONVENTIONAL[-1]}/"
        return f"found no test directory (no testpaths, no {conventional})"
    patterns = _python_files(project)
    for directory in directories:
        if any(_is_test_file(path, patterns) for path in directory.rglob("*.py")):
            return None
    where = ", ".join(f"{d.relative_to(project).as_posix()}/" for d in directories)
    return f"found no test files ({' or '.join(patterns)}) in {where}"


PYTHON_FILES = ("test_*.py", "*_test.py")  # pytest's default python_files


def _python_files(project: Path) -> list[str]:
    config = pytest_config(project)
    named = (
        option(config.name, config.read_text(errors="replace"), "python_files") if config else []
    )
    return named or list(PYTHON_FILES)


def _is_test_file(path: Path, patterns: list[str]) -> bool:
    """As pytest matches `python_files`: a pattern without a slash against the file's name, one
    with a slash against the end of its path."""
    return any(
        fnmatch(path.as_posix(), f"*/{p}") if "/" in p else fnmatch(path.name, p) for p in patterns
    )


def testpaths(name: str, text: str) -> list[str]:
    """`testpaths` of one pytest configuration file's text (unreadable: none)."""
    return option(name, text, "testpaths")


def option(name: str, text: str, key: str) -> list[str]:
    """A list option (`testpaths`, `python_files`) of one pytest configuration file's text
    (unreadable: none)."""
    if name == "pyproject.toml":
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return []
        return _toml_option(document.get("tool"), key)
    return ini_value(text, _SECTIONS.get(name, "tool:pytest"), key).split()


def ini_value(text: str, section: str, key: str) -> str:
    """`key` of `section` in an INI file's text, as written; "" when absent or unreadable (a
    tool's file that another tool's parser chokes on is not ours to refuse)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return ""
    return parser.get(section, key, fallback="")


def _toml_option(tool: Any, key: str) -> list[str]:
    """[tool.pytest.ini_options] `key`, or pytest 9's [tool.pytest] `key`."""
    table = _table(tool, "pytest")
    value = _table(table, "ini_options").get(key, table.get(key, []))
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _table(parent: Any, key: str) -> Mapping[str, Any]:
    value = parent.get(key, {}) if isinstance(parent, Mapping) else {}
    return value if isinstance(value, Mapping) else {}


def generated_files(pyproject: Mapping[str, Any]) -> list[PurePosixPath]:
    """The files the build backend writes (a version file), as the configuration names them."""
    found = []
    for *tables, key in _VERSION_FILES:
        table = _table(pyproject, "tool")
        for name in tables:
            table = _table(table, name)
        value = table.get(key)
        if isinstance(value, str) and value:
            found.append(PurePosixPath(value))
    return found


def within(module: str, files: list[PurePosixPath]) -> set[PurePosixPath]:
    """Those of `files` that lie in the top-level package `module`, relative to it
    (src/pluggy/_version.py -> _version.py for pluggy)."""
    inside = set()
    for path in files:
        if module in path.parts[:-1]:
            at = path.parts.index(module)
            inside.add(PurePosixPath(*path.parts[at + 1 :]))
    return inside


# Where linters, type checkers and pytest read their settings, at a project's root: a copy of the
# sources keeps them beside it, so settings keyed by path apply as they do in the project's own CI.
TOOL_CONFIGS = (
    "pyproject.toml", "ruff.toml", ".ruff.toml", "setup.cfg", "tox.ini", "mypy.ini", ".mypy.ini",
    "pyrightconfig.json", "ty.toml", "pyrefly.toml", ".flake8", ".pylintrc", "pylintrc",
    ".isort.cfg", ".coveragerc", "pytest.ini", ".pytest.ini", "conftest.py",
)  # fmt: skip


def source_place(project: Path, name: str) -> PurePosixPath:
    """Where the project keeps the installed top-level package or module `name`, relative to its
    root: flat (`name`) or src layout (`src/name`); flat when neither exists."""
    for place in (PurePosixPath(name), PurePosixPath("src", name)):
        if (project / place).exists():
            return place
    return PurePosixPath(name)
