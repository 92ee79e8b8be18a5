"""`[tool.staged-release]`: validated against the JSON Schema shipped with the package.

An unknown key is the commonest mistake, so it gets a "did you mean" answer rather than the
validator's raw message.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from release.errors import ConfigError

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

DEFAULT_WAIT_BUDGET = 900.0  # seconds: PyPI's CDN can take minutes to list a new file


@dataclass(frozen=True)
class CheckSpec:
    name: str
    run: tuple[str, ...] = ()  # empty for the built-in checks, which run in-process of the env
    groups: tuple[str, ...] = ()  # dependency groups, installed as uv.lock pins them
    requires: tuple[str, ...] = ()  # extra requirements


# compile and import run inside the environment (see release.checks); tests runs pytest on a copy
# of the project's tests/ against the installed package.
BUILTIN = {
    "compile": CheckSpec("compile"),
    "import": CheckSpec("import"),
    "tests": CheckSpec(
        "tests", ("pytest", "-q", "-p", "no:cacheprovider", "{tests}"), (), ("pytest",)
    ),
}


@dataclass(frozen=True)
class IndexSpec:
    name: str
    simple_url: str
    upload_url: str | None = None
    token_env: str | None = None


@dataclass(frozen=True)
class Settings:
    imports: tuple[str, ...] = ()  # empty: derive from the distribution name
    checks: tuple[CheckSpec, ...] = tuple(BUILTIN.values())
    dependency_index: str = "pypi"
    indexes: dict[str, IndexSpec] = field(default_factory=dict)
    wait_budget: float = DEFAULT_WAIT_BUDGET


@cache
def schema() -> dict[str, Any]:
    text = resources.files("release").joinpath("settings.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def parse_settings(table: dict[str, Any]) -> Settings:
    """Validate the table and turn it into typed settings (pythons are read by project.py)."""
    validate(table)
    defined = {name: _check(name, spec) for name, spec in table.get("check", {}).items()}
    # Without a `checks` list, the built-in checks run and then every defined one.
    names = table.get("checks", list(dict.fromkeys([*BUILTIN, *defined])))
    return Settings(
        imports=tuple(table.get("import", ())),
        checks=tuple(_resolve_check(n, defined) for n in names),
        dependency_index=table.get("dependency-index", "pypi"),
        indexes={n: _index(n, spec) for n, spec in table.get("indexes", {}).items()},
        wait_budget=float(table.get("wait-budget", DEFAULT_WAIT_BUDGET)),
    )


def validate(table: dict[str, Any]) -> None:
    if not table:
        return  # all defaults; spares importing jsonschema (a third of a second)
    from jsonschema.exceptions import best_match  # here for the same reason

    error = best_match(_validator().iter_errors(table))
    if error is None:
        return
    where = "[tool.staged-release" + "".join(f".{p}" for p in error.absolute_path) + "]"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        raise _unknown_key(where, error.instance, error.schema)
    raise ConfigError(f"{where}: {error.message}", hint="see the README's configuration section")


def _unknown_key(where: str, instance: dict[str, Any], schema: Any) -> ConfigError:
    known = sorted(schema.get("properties", {}))
    unknown = sorted(set(instance) - set(known))[0]
    close = difflib.get_close_matches(unknown, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    return ConfigError(f"{where}: unknown key {unknown!r}", hint=hint)


def _resolve_check(name: str, defined: dict[str, CheckSpec]) -> CheckSpec:
    if name in defined:
        return defined[name]
    if name in BUILTIN:
        return BUILTIN[name]
    known = sorted({*BUILTIN, *defined})
    close = difflib.get_close_matches(name, known, n=1)
    raise ConfigError(
        f"[tool.staged-release].checks names {name!r}, which is neither built in nor defined",
        hint=f"did you mean {close[0]!r}?"
        if close
        else f"define it under [tool.staged-release.check.{name}] with run = [...]",
    )


def _check(name: str, spec: dict[str, Any]) -> CheckSpec:
    return CheckSpec(
        name, tuple(spec["run"]), tuple(spec.get("groups", ())), tuple(spec.get("requires", ()))
    )


def _index(name: str, spec: dict[str, Any]) -> IndexSpec:
    return IndexSpec(name, spec["simple-url"], spec.get("upload-url"), spec.get("token-env"))


def check_schema() -> None:
    """Raise SchemaError unless the shipped schema is itself a valid JSON Schema."""
    _validator()


@cache
def _validator() -> Validator:
    from jsonschema.validators import validator_for

    cls = validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())
