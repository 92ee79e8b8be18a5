"""Test requirements a project keeps outside anything uv.lock pins (reading files, deciding
nothing else).

Pallets-style projects list their test dependencies in pip-tools files (requirements/tests.in),
tox projects in tox.ini's `deps =`. The cells of a rehearsal install only the `tests` check's
own requirements and the group or extra uv.lock pins, so a package named only there is missing
at pytest collection; `init` says so when it writes the check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release.config.detect import dependencies_for_tests
from release.config.layout import ini_value
from release.config.settings import BUILTIN

# Where projects keep their test requirements, most specific first; the dev ones only when
# there is no test-specific file (a dev file lists the tools of every task, not only tests').
TEST_FILES = ("requirements/test*.in", "requirements/test*.txt", "requirements-test*.txt",
              "test-requirements.txt", "requirements/dev*.in", "requirements/dev*.txt")  # fmt: skip
TOX = "tox.ini"


@dataclass(frozen=True)
class Unpinned:
    """Packages a requirements file lists that the `tests` check would not install."""

    file: str  # relative to the project's root, as a user would type it
    names: tuple[str, ...]  # as the file writes them, in its order
    where: str  # `group NAME`, `extra NAME` or "" (no test group or extra at all)


def requirement_names(text: str) -> list[str]:
    """The project names in a pip requirements file (pure): its options (-r, -c, -e, --hash),
    comments and URL or path requirements are left out."""
    names = []
    for line in text.splitlines():
        entry = line.split(" #", 1)[0].strip().removesuffix("\\").strip()
        if not entry or entry.startswith(("#", "-")):
            continue
        with contextlib.suppress(InvalidRequirement):
            requirement = Requirement(entry)
            if requirement.url is None:
                names.append(requirement.name)
    return names


def tox_deps(text: str) -> list[str]:
    """The project names tox.ini's [testenv] `deps =` lists (pure); its -r includes, factor
    conditions (`py38: x`) and substitutions ({[base]deps}) are left out."""
    return requirement_names(ini_value(text, "testenv", "deps"))


def find_test_requirements(root: Path) -> tuple[str, list[str]] | None:
    """The first file in TEST_FILES order (then tox.ini) that names packages, and its names."""
    for pattern in TEST_FILES:
        for path in sorted(root.glob(pattern)):
            names = requirement_names(path.read_text(encoding="utf-8", errors="replace"))
            if names:
                return path.relative_to(root).as_posix(), names
    tox = root / TOX
    names = tox_deps(tox.read_text(encoding="utf-8", errors="replace")) if tox.is_file() else []
    return (TOX, names) if names else None


def unpinned(root: Path, pyproject: Mapping[str, Any]) -> Unpinned | None:
    """What the project's test requirements file lists that the `tests` check would not
    install; None when it installs all of them (pytest alone missing does not count: the check
    installs pytest itself)."""
    found = find_test_requirements(root)
    if found is None:
        return None
    file, names = found
    installed = _installed(pyproject)
    missing = tuple(n for n in dict.fromkeys(names) if canonicalize_name(n) not in installed)
    builtin = {canonicalize_name(r) for r in BUILTIN["tests"].requires}
    if all(canonicalize_name(n) in builtin for n in missing):
        return None
    return Unpinned(file, missing, _where(pyproject))


def _where(pyproject: Mapping[str, Any]) -> str:
    tests = dependencies_for_tests(pyproject)
    if tests.groups:
        return f"group {tests.groups[0]}"
    return f"extra {tests.extras[0]}" if tests.extras else ""


def _installed(pyproject: Mapping[str, Any]) -> set[str]:
    """The normalized names the `tests` check installs: the project, its dependencies, its test
    group (with the groups that group includes) or extra, or PDM's test requirements."""
    project = pyproject.get("project")
    project = project if isinstance(project, dict) else {}
    tests = dependencies_for_tests(pyproject)
    wanted = [*_strings(project.get("dependencies")), *tests.requires]
    groups = pyproject.get("dependency-groups")
    for group in tests.groups:
        wanted += _group(groups if isinstance(groups, dict) else {}, group, set())
    extras = project.get("optional-dependencies")
    for extra in tests.extras:
        wanted += _strings(extras.get(extra) if isinstance(extras, dict) else None)
    return {canonicalize_name(str(project.get("name", "")))} | _names(wanted)


def _group(groups: Mapping[str, Any], name: str, seen: set[str]) -> list[str]:
    """A PEP 735 group's requirements, those of the groups it includes with them."""
    seen.add(name)
    found = []
    for entry in groups.get(name) or []:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, dict) and entry.get("include-group") not in seen:
            found += _group(groups, str(entry.get("include-group")), seen)
    return found


def _strings(value: object) -> list[str]:
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _names(requirements: list[str]) -> set[str]:
    names: set[str] = set()
    for text in requirements:
        with contextlib.suppress(InvalidRequirement):
            names.add(canonicalize_name(Requirement(text).name))
    return names
