"""The tools every job of the release workflow installs, at exact versions (pure).

A job holding an identity token must not resolve its tools at run time: nox and staged-release
are pinned `==` — the versions the project's uv.lock holds when it locks them from an index,
else nox's from actions.toml and staged-release's own (the one that generated the workflow).
nox comes with its `uv` extra because the noxfile's script header asks for `nox[uv]`: with all
the header names already installed, nox runs the sessions in the tool's own environment and
installs nothing more. uv installs tools without checking hashes (`uv tool install` has no
--require-hashes), so the pin is by version.
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from release.github import _emit

SUITE = "staged-release"
NEWEST = "3.13"  # the newest Python staged-release is tested on (its CI's last cell)


def of_project(root: Path, name: str) -> tuple[str, ...]:
    """The pins for the project at `root` named `name`: its uv.lock's, else ours."""
    lock = root / "uv.lock"
    text = lock.read_text(encoding="utf-8") if lock.is_file() else None
    defaults = {"nox": _emit.tools()["nox"], SUITE: importlib.metadata.version(SUITE)}
    return requirements(text, name, defaults)


def install(pins: tuple[str, ...], python: str) -> str:
    """The job's step: nox, with staged-release in its environment, at exact versions, on the
    tools' Python (see tool_python)."""
    nox, *others = pins or (f"nox[uv]=={_emit.tools()['nox']}",)
    tool = [f"--python {python}", f"'{nox}'", *(f"--with '{o}'" for o in others)]
    return " ".join(["uv tool install", *tool])


def tool_python(pythons: tuple[str, ...]) -> str:
    """The Python every job installs the tools on: the newest of the lane's that staged-release
    supports, else the newest it is tested on. One for all jobs: a cell's job sets up its own
    Python too (3.10, say), which staged-release may not support, and uv must not pick it."""
    supported = SpecifierSet(importlib.metadata.metadata(SUITE)["Requires-Python"])
    found = [p for p in pythons if supported.contains(f"{p}.0")]
    return max(found, key=Version) if found else NEWEST


def requirements(lock: str | None, project: str, defaults: Mapping[str, str]) -> tuple[str, ...]:
    """`nox[uv]==X` and `staged-release==Y` (none for staged-release's own repository, whose
    noxfile runs its own tree). `lock` is uv.lock's text (None: no lock); `defaults` the
    versions to use where it holds none, by name."""
    locked = _registry_versions(lock)
    nox = f"nox[uv]=={locked.get('nox', defaults['nox'])}"
    if canonicalize_name(project) == SUITE:
        return (nox,)
    return nox, f"{SUITE}=={locked.get(SUITE, defaults[SUITE])}"


def _registry_versions(lock: str | None) -> dict[str, str]:
    """name -> version of the packages uv.lock takes from an index (a path, a git URL or the
    project itself are no version anyone can install by name)."""
    try:
        packages: Any = tomllib.loads(lock or "").get("package", [])
    except tomllib.TOMLDecodeError:
        return {}
    found: dict[str, str] = {}
    for package in packages if isinstance(packages, list) else []:
        source = package.get("source") if isinstance(package, dict) else None
        if isinstance(source, dict) and "registry" in source and "version" in package:
            found[canonicalize_name(str(package["name"]))] = str(package["version"])
    return found
