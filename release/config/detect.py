"""What a project already uses, read from its pyproject.toml (pure).

Two users: without configuration the built-in `tests` check installs the project's own test
dependencies, so a pytest plugin its `addopts` names is there; and `init` writes what it found.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release.config.settings import BUILTIN, CheckSpec

TEST_NAMES = ("test", "tests", "testing")  # the names projects give their test dependencies


@dataclass(frozen=True)
class Dependencies:
    """Where a project pins something: a PEP 735 dependency group or an extra, as written; or
    the requirements of a PDM dev-dependencies group, which uv.lock does not pin."""

    groups: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups or self.extras or self.requires)


def dependencies_for_tests(pyproject: Mapping[str, Any]) -> Dependencies:
    """The project's test group (PEP 735) if it has one, else PDM's test group of
    `[tool.pdm.dev-dependencies]`, else its test extra, else nothing."""
    group = _first_test_name(pyproject.get("dependency-groups"))
    if group:
        return Dependencies(groups=(group,))
    pdm = _pdm_groups(pyproject)
    group = _first_test_name(pdm)
    if group:
        return Dependencies(requires=_requirements(pdm[group]))
    extra = _first_test_name(_extras(pyproject))
    return Dependencies(extras=(extra,)) if extra else Dependencies()


def builtin_checks(pyproject: Mapping[str, Any]) -> dict[str, CheckSpec]:
    """The built-in checks fitted to the project: `tests` gets its test dependencies."""
    found = dependencies_for_tests(pyproject)
    requires = tuple(dict.fromkeys((*BUILTIN["tests"].requires, *found.requires)))
    tests = dataclasses.replace(
        BUILTIN["tests"], groups=found.groups, extras=found.extras, requires=requires
    )
    return {**BUILTIN, "tests": tests}


def _pdm_groups(pyproject: Mapping[str, Any]) -> dict[str, Any]:
    """PDM's own dependency groups: uv does not read them, so uv.lock pins none of them."""
    tables = pyproject.get("tool")
    pdm = tables.get("pdm") if isinstance(tables, dict) else None
    groups = pdm.get("dev-dependencies") if isinstance(pdm, dict) else None
    return groups if isinstance(groups, dict) else {}


def _requirements(entries: object) -> tuple[str, ...]:
    """The PEP 508 requirements of a PDM group, as written; its editable and local-path
    entries (`-e .`, `pkg @ file:///...`: the project itself, mostly) are left out: the
    package under test is the installed wheel."""
    if not isinstance(entries, list):
        return ()
    found = []
    for text in entries:
        with contextlib.suppress(InvalidRequirement, TypeError):
            if Requirement(text).url is None:
                found.append(str(text))
    return tuple(found)


def _first_test_name(table: object) -> str | None:
    """The first of TEST_NAMES among the table's keys (compared normalized), as written."""
    if not isinstance(table, dict):
        return None
    written: dict[str, str] = {canonicalize_name(str(key)): str(key) for key in table}
    return next((written[name] for name in TEST_NAMES if name in written), None)


@dataclass(frozen=True)
class ToolCheck:
    """A check `init` writes for a tool the project already uses."""

    name: str  # the check's name: the tool's
    package: str  # what provides the tool
    run: tuple[str, ...]
    config_files: tuple[str, ...]  # where the project may keep its own file for it


# Each runs on {sources}, from the root of the cell's mirror of the project: the tool finds the
# project's configuration there (pyproject.toml, its own file) as it does in the project's CI.
TOOL_CHECKS = (
    ToolCheck("ruff", "ruff", ("ruff", "check", "--no-cache", "{sources}"),
              ("ruff.toml", ".ruff.toml")),
    ToolCheck("mypy", "mypy", ("mypy", "--cache-dir", "{tmp}/mypy", "{sources}"),
              ("mypy.ini", ".mypy.ini")),
    ToolCheck("pyright", "pyright", ("pyright", "{sources}"), ("pyrightconfig.json",)),
    ToolCheck("ty", "ty", ("ty", "check", "{sources}"), ("ty.toml",)),
)  # fmt: skip


def tools_used(pyproject: Mapping[str, Any], files: frozenset[str]) -> list[ToolCheck]:
    """The tools the project configures ([tool.X] or its own file) or names in its
    dependency groups or extras, in TOOL_CHECKS order."""
    return [t for t in TOOL_CHECKS if _uses(pyproject, files, t.name, t.config_files)]


def provider(pyproject: Mapping[str, Any], package: str) -> Dependencies:
    """The dependency group (first) or extra of the project that names `package`, if any."""
    group = _naming(pyproject.get("dependency-groups"), package)
    if group:
        return Dependencies(groups=(group,))
    extra = _naming(_extras(pyproject), package)
    return Dependencies(extras=(extra,)) if extra else Dependencies()


def _uses(
    pyproject: Mapping[str, Any], files: frozenset[str], tool: str, own: tuple[str, ...]
) -> bool:
    return (
        bool(_tool_table(pyproject, tool))
        or bool(files & set(own))
        or bool(provider(pyproject, tool))
    )


def _tool_table(pyproject: Mapping[str, Any], tool: str) -> bool:
    tables = pyproject.get("tool")
    return isinstance(tables, dict) and tool in tables


def _extras(pyproject: Mapping[str, Any]) -> object:
    project = pyproject.get("project")
    return project.get("optional-dependencies") if isinstance(project, dict) else None


def _naming(table: object, package: str) -> str | None:
    if not isinstance(table, dict):
        return None
    return next((str(n) for n, wanted in table.items() if package in _names(wanted)), None)


def _names(requirements: object) -> set[str]:
    """The normalized project names a list of requirements asks for (unreadable ones skipped)."""
    if not isinstance(requirements, list):
        return set()
    names: set[str] = set()
    for text in requirements:
        with contextlib.suppress(InvalidRequirement, TypeError):
            names.add(canonicalize_name(Requirement(text).name))
    return names


PRE_COMMIT = ".pre-commit-config.yaml"
_HOOK_REPOS = {"astral-sh/ruff-pre-commit": "ruff"}  # hooks that run a tool at the version pinned


def hook_pins(text: str) -> dict[str, str]:
    """The tool versions a pre-commit configuration pins: {"ruff": "0.15.16"}."""
    pins = {}
    for repo in _hook_repos(text):
        url, rev = str(repo.get("repo", "")), str(repo.get("rev", ""))
        tool = next((t for suffix, t in _HOOK_REPOS.items() if url.endswith(suffix)), None)
        if tool and rev:
            pins[tool] = rev.removeprefix("v")
    return pins


def _hook_repos(text: str) -> list[dict[str, Any]]:
    import yaml  # here: only init reads pre-commit's configuration

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []  # pre-commit itself will say what is wrong with it
    repos = data.get("repos") if isinstance(data, dict) else None
    return [r for r in repos if isinstance(r, dict)] if isinstance(repos, list) else []
