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

from release.config import STATE_DIR as STATE_DIR  # what the suite owns in a project
from release.config import _checked
from release.config._held import held_version
from release.config.detect import builtin_checks
from release.config.settings import Settings, parse_settings
from release.core.errors import ConfigError
from release.versioning.check import VersionSources
from release.versioning.held import HeldVersion
from release.versioning.self_pins import Dependent
from release.versioning.versions import shorten

DEFAULT_PYTHONS = ("3.11", "3.12", "3.13")
_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (3\.[0-9]+)$")
_FIX = "fix the file and retry"
_RELOCK = "run `uv lock` to write uv.lock anew, and commit it"
# bool before int: True is an int to Python, a boolean to TOML
_TOML_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (list, "an array"),
    (dict, "a table"),
)


@dataclass(frozen=True)
class Config:
    root: Path
    name: str  # [project].name as written
    version: str | None  # [project].version or the file's (see `held`); None: the tag's
    pythons: tuple[str, ...]
    settings: Settings = field(default_factory=Settings)
    held: HeldVersion | None = None  # a dynamic version the build backend reads from a file

    @property
    def origin(self) -> str:
        """Where the version is written, for messages: pyproject.toml or the backend's file."""
        return self.held.file if self.held is not None else "pyproject.toml"


def load_config(root: Path) -> Config:
    project = load_toml(root / "pyproject.toml", "run from the project root or pass --project")
    table = _table(project, "project")
    name = _string(table, "name", "add name = '...'")
    ours = _table(project, "tool", "staged-release")
    state = root / STATE_DIR  # made by an earlier command: where a valid table is remembered
    record = state / _checked.RECORD if state.is_dir() else None
    settings = parse_settings(ours, builtin_checks(project), record)
    version = _version(table)
    held = held_version(root, project) if version is None else None
    if held is not None:
        version = held.value  # None when computed: the lanes then go by the tag, as before
    return Config(root.resolve(), name, version, _pythons(ours, table), settings, held)


def read_lock_version(root: Path, name: str) -> str | None:
    """The version uv.lock records for the project itself (names compared per PEP 503); None
    when its entry records none, as uv writes it for a dynamic version. The entry must exist."""
    lock = load_toml(root / "uv.lock", "run `uv lock` and commit uv.lock")
    wanted = canonicalize_name(name)
    for package in _lock_packages(lock):
        if canonicalize_name(_lock_string(package, "name")) == wanted:
            return _lock_string(package, "version") if "version" in package else None
    raise ConfigError(
        f"uv.lock has no entry for {shorten(wanted)}",
        hint="run `uv lock` in the project and commit it",
    )


def read_lock_dependents(root: Path, name: str) -> list[Dependent]:
    """The packages uv.lock pins that depend on the project itself, with what each asks of it
    when the lock records that (it does for local sources)."""
    lock = load_toml(root / "uv.lock", "run `uv lock` and commit uv.lock")
    wanted = canonicalize_name(name)
    return [
        Dependent(_lock_string(p, "name"), _lock_string(p, "version"), _asks(p, wanted))
        for p in _lock_packages(lock)
        if canonicalize_name(_lock_string(p, "name")) != wanted and wanted in _needs(p)
    ]


def _needs(package: dict[str, Any]) -> set[str]:
    """The names a locked package depends on, its extras' dependencies included."""
    extras = package.get("optional-dependencies")
    lists = [package.get("dependencies"), *(extras.values() if isinstance(extras, dict) else [])]
    entries = [e for entries in lists if isinstance(entries, list) for e in entries]
    return {canonicalize_name(str(e.get("name", ""))) for e in entries if isinstance(e, dict)}


def _asks(package: dict[str, Any], wanted: str) -> str | None:
    metadata = package.get("metadata")
    requires = metadata.get("requires-dist") if isinstance(metadata, dict) else None
    for entry in requires if isinstance(requires, list) else []:
        if isinstance(entry, dict) and canonicalize_name(str(entry.get("name", ""))) == wanted:
            specifier = entry.get("specifier")
            return str(specifier) if specifier else None
    return None


def _version(table: dict[str, Any]) -> str | None:
    """[project].version, or None when it is dynamic (the release tag then gives it)."""
    if "version" not in _strings(table, "dynamic"):
        return _string(table, "version", "add version = 'X.Y.Z'")
    if "version" in table:  # PEP 621 forbids both; which one would the backend take?
        raise ConfigError(
            "[project].version in pyproject.toml is set and also listed in [project].dynamic",
            hint="remove one: the version, or 'version' from dynamic",
        )
    return None


def read_pythons(root: Path) -> tuple[str, ...]:
    """The Pythons alone, read leniently (the rest of the settings unchecked) for a noxfile,
    which must load even when they are wrong; its sessions then say what is wrong."""
    try:
        pyproject = load_toml(root / "pyproject.toml", "")
        found = _pythons(_table(pyproject, "tool", "staged-release"), _table(pyproject, "project"))
    except ConfigError:
        return DEFAULT_PYTHONS
    return found if all(isinstance(p, str) for p in found) else DEFAULT_PYTHONS


def _pythons(ours: dict[str, Any], table: dict[str, Any]) -> tuple[str, ...]:
    """[tool.staged-release].pythons (schema-checked), else the classifiers, else 3.11-3.13."""
    if "pythons" in ours:
        return tuple(ours["pythons"])
    found = (_CLASSIFIER.match(c) for c in _strings(table, "classifiers"))
    return tuple(m.group(1) for m in found if m) or DEFAULT_PYTHONS


def load_toml(path: Path, hint: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist", hint=hint) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"cannot read {path}: it nests too deeply", hint=_FIX) from None
    # ValueError covers TOMLDecodeError, UnicodeDecodeError and an integer past Python's limit
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {shorten(str(exc))}", hint=_FIX) from None


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The table at the dotted path `keys` ({} when absent)."""
    for depth, key in enumerate(keys, start=1):
        value: object = data.get(key, {})  # whatever the file holds there
        if not isinstance(value, dict):
            where = ".".join(keys[:depth])
            raise ConfigError(
                f"[{where}] in pyproject.toml is {_toml_type(value)}, not a table",
                hint=f"write [{where}] as a table of keys",
            )
        data = value
    return data


def _string(table: dict[str, Any], key: str, hint: str) -> str:
    """[project].`key`, which must be a non-empty string."""
    value = table.get(key)
    if value is None:
        raise ConfigError(f"pyproject.toml has no [project].{key}", hint=hint)
    if isinstance(value, str) and value:
        return value
    problem = "empty" if value == "" else f"{_toml_type(value)}, not a string"
    raise ConfigError(f"[project].{key} in pyproject.toml is {problem}", hint=hint)


def _strings(table: dict[str, Any], key: str) -> list[str]:
    """[project].`key`, which must be an array of strings (empty when absent)."""
    value = table.get(key, [])
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ConfigError(
        f"[project].{key} in pyproject.toml must be an array of strings",
        hint=f'write it as {key} = ["...", "..."]',
    )


def _lock_packages(lock: dict[str, Any]) -> list[dict[str, Any]]:
    packages = lock.get("package", [])
    if isinstance(packages, list) and all(isinstance(p, dict) for p in packages):
        return packages
    raise ConfigError("uv.lock is damaged: `package` is not an array of tables", hint=_RELOCK)


def _lock_string(package: dict[str, Any], key: str) -> str:
    value = package.get(key, "")
    if isinstance(value, str):
        return value
    raise ConfigError(
        f"uv.lock is damaged: a [[package]] {key} is {_toml_type(value)}, not a string",
        hint=_RELOCK,
    )


def _toml_type(value: object) -> str:
    """How TOML calls the type of `value`, with its article, for messages."""
    return next((name for kind, name in _TOML_TYPES if isinstance(value, kind)), "a date or time")


def version_sources(config: Config, tag: str | None, expected: str | None) -> VersionSources:
    """Everything that names the project's version, for the version check to compare."""
    lock = read_lock_version(config.root, config.name)
    return VersionSources(config.name, config.version, lock, tag, expected, config.origin)
