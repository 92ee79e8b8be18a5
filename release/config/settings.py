"""`[tool.staged-release]`: validated against the JSON Schema shipped with the package.

An unknown key is the commonest mistake, so it gets a "did you mean" answer rather than the
validator's raw message.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from release.config import _checked, placeholders
from release.config.e2e import Stack, parse_e2e
from release.config.images import ImagesSpec, parse_images
from release.core.errors import ConfigError
from release.versioning.versions import quote, shorten

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

DEFAULT_WAIT_BUDGET = 900.0  # seconds: PyPI's CDN can take minutes to list a new file
DEFAULT_CHECK_TIMEOUT = 1800.0  # seconds: a hung test suite must not block a lane forever
_MESSAGE_LIMIT = 200  # characters: the validator quotes offending values, which may be huge


@dataclass(frozen=True)
class CheckSpec:
    name: str
    run: tuple[str, ...] = ()  # empty for the built-in checks, which run in-process of the env
    groups: tuple[str, ...] = ()  # dependency groups, installed as uv.lock pins them
    requires: tuple[str, ...] = ()  # extra requirements
    timeout: float = DEFAULT_CHECK_TIMEOUT  # seconds before its process tree is killed
    extras: tuple[str, ...] = ()  # the project's extras whose dependencies it needs (pinned)
    pythons: tuple[str, ...] = ()  # the cells it runs in (empty: all), e.g. a linter in one


# pytest runs from the root of the cell's mirror of the project, with its configuration and test
# directories there; the package itself is imported from the cell's environment.
PYTEST = ("pytest", "-q", "-p", "no:cacheprovider", "{pytest-config}", "{tests}")
# compile and import run inside the environment (see release.validation.checks); tests runs
# pytest on a copy of the project's test directories against the installed package.
BUILTIN = {
    "compile": CheckSpec("compile"),
    "import": CheckSpec("import"),
    "tests": CheckSpec("tests", PYTEST, (), ("pytest",)),
}


@dataclass(frozen=True)
class IndexSpec:
    name: str
    simple_url: str
    upload_url: str | None = None
    token_env: str | None = None
    trusted_publishing: bool = False  # the index mints upload tokens for CI identity tokens
    attestations: bool = True  # a trusted upload carries PEP 740 attestations (false: none)


@dataclass(frozen=True)
class Settings:
    imports: tuple[str, ...] = ()  # empty: derive from the distribution name
    import_skip: tuple[str, ...] = ()  # modules the import check leaves alone
    checks: tuple[CheckSpec, ...] = tuple(BUILTIN.values())
    dependency_index: str = "pypi"
    indexes: dict[str, IndexSpec] = field(default_factory=dict)
    wait_budget: float = DEFAULT_WAIT_BUDGET
    images: ImagesSpec | None = None  # None: the project builds no images
    e2e: Stack | None = None  # None: the project declares no E2E stack
    github_prereleases: bool = False  # an rc lane's workflow run ends with a pre-release


@cache
def schema() -> dict[str, Any]:
    text = resources.files("release.config").joinpath("settings.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def parse_settings(
    table: dict[str, Any], builtin: Mapping[str, CheckSpec] = BUILTIN, record: Path | None = None
) -> Settings:
    """Validate the table and turn it into typed settings (pythons are read by project.py).

    `builtin` is BUILTIN as fitted to the project (its `tests` check installs the project's
    test dependencies, see release.config.detect)."""
    validate(table, record)
    checks = table.get("check", {})
    defined = {name: _check(name, spec, builtin) for name, spec in checks.items()}
    # Without a `checks` list, the built-in checks run and then every defined one.
    names = table.get("checks", list(dict.fromkeys([*builtin, *defined])))
    return Settings(
        imports=tuple(table.get("import", ())),
        import_skip=tuple(table.get("import-skip", ())),
        checks=tuple(_resolve_check(n, {**builtin, **defined}) for n in names),
        dependency_index=table.get("dependency-index", "pypi"),
        indexes={n: _index(n, spec) for n, spec in table.get("indexes", {}).items()},
        wait_budget=float(table.get("wait-budget", DEFAULT_WAIT_BUDGET)),
        images=parse_images(table.get("images")),
        e2e=parse_e2e(table.get("e2e")),
        github_prereleases=bool(table.get("github-prereleases", False)),
    )


def validate(table: dict[str, Any], record: Path | None = None) -> None:
    """ConfigError unless `table` fits the schema. `record`: where a valid table's digest is
    kept, so the same table against the same schema is not checked twice (see _checked)."""
    if not table:
        return  # all defaults; spares importing jsonschema (a third of a second)
    _ensure_usable_numbers(table)
    found = _checked.digest(schema(), table)
    if _checked.known_valid(record, found):
        return
    from jsonschema.exceptions import best_match  # here for the same reason

    error = best_match(_validator().iter_errors(table))
    if error is None:
        _checked.remember(record, found)
        return
    where = _where(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        raise _unknown_key(where, error.instance, error.schema)
    raise ConfigError(
        f"{where}: {shorten(error.message, _MESSAGE_LIMIT)}",
        hint="see the README's configuration section",
    )


def _ensure_usable_numbers(table: dict[str, Any]) -> None:
    """Refuse NaN, infinities and integers beyond any float, wherever they are: the schema lets
    NaN pass, float() overflows, and a huge integer breaks the validator's own message."""
    pending: list[tuple[list[str | int], object]] = [([], table)]
    while pending:  # a loop, not recursion: the table may nest as deeply as its source allows
        path, value = pending.pop()
        if isinstance(value, dict):
            pending += [([*path, key], item) for key, item in value.items()]
        elif isinstance(value, list):
            pending += [([*path, index], item) for index, item in enumerate(value)]
        elif isinstance(value, int | float) and not isinstance(value, bool) and not _fits(value):
            raise ConfigError(
                f"{_where(path)} is not a usable number",
                hint="write a plain number, such as 900",
            )


def _fits(number: float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer beyond any float
        return False


def _where(path: Iterable[str | int]) -> str:
    """`[tool.staged-release.a.b]`; a key with a newline in it is quoted, to keep one line."""
    keys = "".join(f".{p}" if str(p).isprintable() else f".{p!r}" for p in path)
    return shorten(f"[tool.staged-release{keys}]", _MESSAGE_LIMIT)


def _unknown_key(where: str, instance: dict[str, Any], schema: Any) -> ConfigError:
    known = sorted(schema.get("properties", {}))
    unknown = min(set(instance) - set(known))
    close = difflib.get_close_matches(unknown, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    return ConfigError(f"{where}: unknown key {quote(unknown)}", hint=hint)


def _resolve_check(name: str, known_checks: dict[str, CheckSpec]) -> CheckSpec:
    if name in known_checks:
        return known_checks[name]
    known = sorted(known_checks)
    close = difflib.get_close_matches(name, known, n=1)
    raise ConfigError(
        f"[tool.staged-release].checks names {quote(name)}, which is neither built in nor defined",
        hint=f"did you mean {close[0]!r}?"
        if close
        else f"define it under {_where(['check', name])} with run = [...]",
    )


def _check(name: str, spec: dict[str, Any], builtin: Mapping[str, CheckSpec]) -> CheckSpec:
    """A defined check; what it does not say it keeps from the built-in check of that name, so
    a built-in one may be given a timeout (or tools) without a `run`."""
    base = builtin.get(name)
    if "run" not in spec and base is None:
        raise ConfigError(
            f"{_where(['check', name])} has no run, and is not a built-in check",
            hint=f'say what it runs: run = ["..."] (built in: {", ".join(builtin)})',
        )
    base = base or CheckSpec(name)
    run = tuple(spec.get("run", base.run))
    placeholders.check_run(run, f"{_where(['check', name])} run")  # before anything runs
    return CheckSpec(
        name,
        run,
        tuple(spec.get("groups", base.groups)),
        tuple(spec.get("requires", base.requires)),
        float(spec.get("timeout", base.timeout)),
        tuple(spec.get("extras", base.extras)),
        tuple(spec.get("pythons", base.pythons)),
    )


def _index(name: str, spec: dict[str, Any]) -> IndexSpec:
    return IndexSpec(
        name,
        spec["simple-url"],
        spec.get("upload-url"),
        spec.get("token-env"),
        bool(spec.get("trusted-publishing", False)),
        bool(spec.get("attestations", True)),
    )


def check_schema() -> None:
    """Raise SchemaError unless the shipped schema is itself a valid JSON Schema: the `schema`
    check asks; reading settings does not (20 ms of every command, for the file we ship)."""
    from jsonschema.validators import validator_for

    validator_for(schema()).check_schema(schema())


@cache
def _validator() -> Validator:
    from jsonschema.validators import validator_for

    return validator_for(schema())(schema())
