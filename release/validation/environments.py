"""Fresh virtual environments made with uv, for validating an installed package.

Installs come from exactly one index: a stray UV_*/PIP_* index variable or uv.toml must never
add another, or TestPyPI (or anyone) could stand in for a dependency.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import uv
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release.core import interpreters, runner
from release.core.errors import ToolMissing
from release.index.profiles import Index

INSTALL_BUDGET = 1200.0  # seconds: resolving and downloading a large tree on a slow mirror
# What could point uv or pip at another index than the one named, or put the source tree on
# sys.path: unset for every install here and for the image wheelhouse's resolution.
INDEX_VARIABLES = (
    "UV_INDEX", "UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_EXTRA_INDEX_URL", "UV_FIND_LINKS",
    "UV_CONFIG_FILE", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PYTHONPATH",
)  # fmt: skip


@dataclass(frozen=True)
class Environment:
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def variables(self) -> dict[str, str]:
        """What a command needs to run inside this environment: its scripts first, then the
        machine's PATH without the suite's own environment, whose tools (our mypy, say) would
        otherwise answer for a tool the cell lacks and judge the package from outside the cell."""
        path = os.pathsep.join([str(self.bin), *outside_ours(os.environ.get("PATH", ""))])
        return {"VIRTUAL_ENV": str(self.root), "PATH": path}


def outside_ours(path: str) -> list[str]:
    """The entries of a PATH that are not the scripts of the environment running the suite."""
    ours = {str(Path(sys.prefix) / "bin")} if sys.prefix != sys.base_prefix else set()
    if os.environ.get("VIRTUAL_ENV"):
        ours.add(str(Path(os.environ["VIRTUAL_ENV"]) / "bin"))
    return [entry for entry in path.split(os.pathsep) if entry and entry not in ours]


def create(root: Path, version: str, log: Path | None = None) -> Environment:
    python = str(interpreter(version))
    _uv("venv", "--quiet", "--no-project", "--python", python, str(root), log=log)
    return Environment(root)


def interpreter(version: str) -> Path:
    """The installed interpreter of Python `version` (X.Y) that environments are made from."""
    found = interpreters.locate(version, os.environ)
    if found is None:
        raise ToolMissing(
            f"Python {version} is not installed here",
            hint=f"install python{version} (pyenv install {version}) or put it on PATH",
        )
    return found


def install_file(env: Environment, wheel: Path, log: Path | None = None) -> None:
    """Our own wheel, from the verified file only: no index, no dependencies, no cache."""
    python = str(env.python)
    _uv("pip", "install", "--quiet", "--python", python, "--no-deps", "--no-index", "--no-cache",
        str(wheel), log=log)  # fmt: skip


def install_from(
    env: Environment,
    index: Index,
    requirements: Sequence[str],
    label: str,
    log: Path | None = None,
    *,
    cached_pins: bool = False,
) -> None:
    """Requirements resolved from `index` alone (`label` names the requirements file kept).
    `cached_pins` (the check tools, which uv.lock pins): when every requirement is an exact pin,
    they come from uv's cache of `index` if it holds them all: a version's files on an index do
    not change, so asking the index again buys nothing but its round trips (and, on a lossy
    resolver, a 5 s DNS retry per lost query). Anything else goes to the index."""
    if not requirements:
        return
    argv = _install_argv(env, index, requirements, label)
    cached = cached_pins and exactly_pinned(requirements)
    if cached and _uv(*argv, "--offline", log=log, check=False).returncode == 0:
        return
    _uv(*argv, log=log, timeout=INSTALL_BUDGET)


def exactly_pinned(requirements: Sequence[str]) -> bool:
    """Every requirement names one exact version (`name==1.2`, markers allowed), or names a
    project pinned so on another line (a check's `pytest` beside the lock's pins) (pure)."""
    try:
        parsed = [Requirement(line) for line in requirements]
    except InvalidRequirement:
        return False
    pinned = {canonicalize_name(r.name) for r in parsed if _exact(r)}
    return all(r.url is None and canonicalize_name(r.name) in pinned for r in parsed)


def _exact(requirement: Requirement) -> bool:
    specs = list(requirement.specifier)
    return len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version


def _install_argv(
    env: Environment, index: Index, requirements: Sequence[str], label: str
) -> list[str]:
    """uv's install of `requirements` (kept as requirements-`label`.txt) from `index` alone."""
    listed = env.root.parent / f"requirements-{label}.txt"
    listed.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    return ["pip", "install", "--quiet", "--python", str(env.python), "--no-config",
            "--default-index", index.simple_url, "-r", str(listed)]  # fmt: skip


def check_consistent(env: Environment, log: Path | None = None) -> None:
    _uv("pip", "check", "--quiet", "--python", str(env.python), log=log)


def locked_group(project: Path, group: str) -> list[str]:
    """A dependency group as uv.lock pins it."""
    return _locked(project, "--only-group", group)


def locked_extra(project: Path, extra: str) -> list[str]:
    """An extra's dependencies as uv.lock pins them (with the project's own, pinned alike)."""
    return _locked(project, "--extra", extra, "--no-default-groups")


def _locked(project: Path, *selection: str) -> list[str]:
    # Read-only: --frozen never rewrites the lock.
    done = _uv(
        "export", "--quiet", "--frozen", "--no-emit-project", "--no-hashes", "--no-header",
        "--no-annotate", *selection, "--project", str(project),
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if line.strip() and not line.startswith("#")]


def _uv(
    *args: str,
    log: Path | None = None,
    timeout: float = runner.DEFAULT_BUDGET,
    check: bool = True,
) -> runner.Completed:
    argv = [uv.find_uv_bin(), *args]
    return runner.run(argv, unset=INDEX_VARIABLES, log_to=log, timeout=timeout, check=check)
