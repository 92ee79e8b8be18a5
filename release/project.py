"""Read a project: the typed, frozen Config and the version held by uv.lock.

Config comes from `[tool.staged-release]` with defaults taken from `[project]`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from release.errors import ConfigError
from release.settings import Settings, parse_settings

DEFAULT_PYTHONS = ("3.11", "3.12", "3.13")
_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (3\.\d+)$")


@dataclass(frozen=True)
class Config:
    root: Path
    name: str  # [project].name as written
    version: str  # [project].version as written
    pythons: tuple[str, ...]
    settings: Settings = field(default_factory=Settings)


def load_config(root: Path) -> Config:
    project = _load_toml(root / "pyproject.toml", "run from the project root or pass --project")
    table = _table(project, "project")
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError("pyproject.toml has no [project].name", hint="add name = '...'")
    ours = _table(_table(project, "tool"), "staged-release")
    settings = parse_settings(ours)
    return Config(root.resolve(), name, _static_version(table), _pythons(ours, table), settings)


def read_lock_version(root: Path, name: str) -> str:
    """The version uv.lock records for the project itself (names compared per PEP 503)."""
    lock = _load_toml(root / "uv.lock", "run `uv lock` and commit uv.lock")
    wanted = canonicalize_name(name)
    for package in lock.get("package", []):
        if canonicalize_name(str(package.get("name", ""))) == wanted and "version" in package:
            return str(package["version"])
    raise ConfigError(
        f"uv.lock has no entry for {wanted}", hint="run `uv lock` in the project and commit it"
    )


def _static_version(table: dict[str, Any]) -> str:
    if "version" in table.get("dynamic", []):
        raise ConfigError(
            "[project].version is dynamic; staged-release needs a static version for now",
            hint="write the version into pyproject.toml ([project].version = 'X.Y.Z')",
        )
    version = table.get("version")
    if not isinstance(version, str):
        raise ConfigError("pyproject.toml has no [project].version", hint="add version = 'X.Y.Z'")
    return version


def _pythons(ours: dict[str, Any], table: dict[str, Any]) -> tuple[str, ...]:
    """[tool.staged-release].pythons (schema-checked), else the classifiers, else 3.11-3.13."""
    if "pythons" in ours:
        return tuple(ours["pythons"])
    found = (_CLASSIFIER.match(str(c)) for c in table.get("classifiers", []))
    return tuple(m.group(1) for m in found if m) or DEFAULT_PYTHONS


def _load_toml(path: Path, hint: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist", hint=hint) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", hint="fix the file and retry") from None


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table", hint=f"fix [{key}] in pyproject.toml")
    return value
