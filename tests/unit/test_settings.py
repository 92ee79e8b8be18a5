"""[tool.staged-release]: defaults, schema errors with "did you mean", typed checks and indexes."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import pytest

from release.config import _checked
from release.config.project import load_config
from release.config.settings import (
    BUILTIN,
    DEFAULT_WAIT_BUDGET,
    CheckSpec,
    IndexSpec,
    parse_settings,
    schema,
    validate,
)
from release.core.errors import ConfigError


def write_pyproject(root: Path, tool: str) -> Path:
    text = '[project]\nname = "proxbox-api"\nversion = "1.4.0rc1"\n\n' + tool
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def test_empty_table_gives_the_defaults() -> None:
    settings = parse_settings({})
    assert [c.name for c in settings.checks] == ["compile", "import", "tests"]
    assert settings.imports == ()
    assert settings.dependency_index == "pypi"
    assert settings.indexes == {}
    assert settings.wait_budget == DEFAULT_WAIT_BUDGET


def test_load_config_with_an_empty_table_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(write_pyproject(tmp_path, "[tool.staged-release]\n"))
    assert (config.name, config.version) == ("proxbox-api", "1.4.0rc1")
    assert [c.name for c in config.settings.checks] == ["compile", "import", "tests"]
    assert config.settings.dependency_index == "pypi"


def test_load_config_reads_pythons_and_checks(tmp_path: Path) -> None:
    tool = """[tool.staged-release]
pythons = ["3.12", "3.13"]
import = ["proxbox_api"]
checks = ["import", "lint"]
wait-budget = 60

[tool.staged-release.check.lint]
run = ["ruff", "check", "{installed}"]
groups = ["lint"]
"""
    config = load_config(write_pyproject(tmp_path, tool))
    assert config.pythons == ("3.12", "3.13")
    assert config.settings.imports == ("proxbox_api",)
    assert config.settings.checks == (
        BUILTIN["import"],
        CheckSpec("lint", ("ruff", "check", "{installed}"), ("lint",), ()),
    )
    assert config.settings.wait_budget == 60.0


UNKNOWN_KEYS = [
    # (pyproject.toml text, where, the unknown key, the hint)
    (
        '[tool.staged-release]\npythonz = ["3.12"]\n',
        "[tool.staged-release]",
        "pythonz",
        "did you mean 'pythons'?",
    ),
    (
        '[tool.staged-release.check.lint]\nrn = ["ruff"]\n',
        "[tool.staged-release.check.lint]",
        "rn",
        "did you mean 'run'?",
    ),
    (
        '[tool.staged-release.check.lint]\nrun = ["ruff"]\ngrups = ["lint"]\n',
        "[tool.staged-release.check.lint]",
        "grups",
        "did you mean 'groups'?",
    ),
    (
        '[tool.staged-release.indexes.mine]\nsimple-url = "https://x.invalid/"\ntokenenv = "T"\n',
        "[tool.staged-release.indexes.mine]",
        "tokenenv",
        "did you mean 'token-env'?",
    ),
]


@pytest.mark.parametrize(("tool", "where", "key", "hint"), UNKNOWN_KEYS)
def test_unknown_keys_get_a_did_you_mean(
    tmp_path: Path, tool: str, where: str, key: str, hint: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_pyproject(tmp_path, tool))
    assert caught.value.message == f"{where}: unknown key {key!r}"
    assert caught.value.hint == hint
    assert caught.value.exit_code == 2


def test_an_unknown_key_with_nothing_close_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"zzzzzz": 1})
    assert caught.value.hint is not None
    assert "pythons" in caught.value.hint
    assert "wait-budget" in caught.value.hint


WRONG_VALUES: list[tuple[dict[str, Any], str]] = [
    ({"pythons": "3.12"}, "[tool.staged-release.pythons]"),
    ({"pythons": []}, "[tool.staged-release.pythons]"),
    ({"pythons": ["3.x"]}, "[tool.staged-release.pythons.0]"),
    ({"wait-budget": "soon"}, "[tool.staged-release.wait-budget]"),
    ({"wait-budget": 0}, "[tool.staged-release.wait-budget]"),
    ({"checks": ["compile", "compile"]}, "[tool.staged-release.checks]"),
    ({"check": {"lint": {"run": "ruff check"}}}, "[tool.staged-release.check.lint.run]"),
    ({"check": {"lint": {"groups": ["lint"]}}}, "[tool.staged-release.check.lint]"),
    ({"indexes": {"mine": {"simple-url": "ftp://x"}}}, "[tool.staged-release.indexes.mine"),
]


@pytest.mark.parametrize(("table", "where"), WRONG_VALUES)
def test_wrong_values_name_the_key_path(table: dict[str, Any], where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(table)
    assert caught.value.message.startswith(where)


def test_wrong_type_in_pyproject_names_the_key_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_pyproject(tmp_path, '[tool.staged-release]\nwait-budget = "soon"\n'))
    assert caught.value.message.startswith("[tool.staged-release.wait-budget]:")


UNDEFINED_CHECKS: list[tuple[dict[str, Any], str]] = [
    ({"checks": ["imprt"]}, "did you mean 'import'?"),
    ({"checks": ["test"]}, "did you mean 'tests'?"),
    ({"checks": ["lnit"], "check": {"lint": {"run": ["ruff"]}}}, "did you mean 'lint'?"),
    ({"checks": ["zzzzz"]}, "define it under [tool.staged-release.check.zzzzz] with run = [...]"),
]


@pytest.mark.parametrize(("table", "hint"), UNDEFINED_CHECKS)
def test_checks_naming_an_undefined_check(table: dict[str, Any], hint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(table)
    assert repr(table["checks"][0]) in caught.value.message
    assert caught.value.hint == hint


@pytest.mark.parametrize("name", ["pypi", "testpypi", "local"])
def test_a_custom_index_may_not_take_a_builtin_name(name: str) -> None:
    table = {"indexes": {name: {"simple-url": "https://mirror.example.invalid/simple/"}}}
    with pytest.raises(ConfigError) as caught:
        parse_settings(table)
    assert caught.value.message.startswith("[tool.staged-release.indexes]")
    assert repr(name) in caught.value.message


def test_custom_check_and_index_are_typed() -> None:
    settings = parse_settings(
        {
            "checks": ["smoke", "compile"],
            "check": {
                "smoke": {
                    "run": ["{python}", "-m", "proxbox_api", "--version"],
                    "requires": ["rich"],
                },
            },
            "dependency-index": "mirror",
            "indexes": {
                "mirror": {
                    "simple-url": "https://mirror.example.invalid/simple/",
                    "upload-url": "https://mirror.example.invalid/upload/",
                    "token-env": "MIRROR_TOKEN",
                },
                "readonly": {"simple-url": "http://ro.example.invalid/simple"},
            },
        }
    )
    assert settings.checks == (
        CheckSpec("smoke", ("{python}", "-m", "proxbox_api", "--version"), (), ("rich",)),
        BUILTIN["compile"],
    )
    assert settings.dependency_index == "mirror"
    assert settings.indexes == {
        "mirror": IndexSpec(
            "mirror",
            "https://mirror.example.invalid/simple/",
            "https://mirror.example.invalid/upload/",
            "MIRROR_TOKEN",
        ),
        "readonly": IndexSpec("readonly", "http://ro.example.invalid/simple"),
    }


def test_a_defined_check_overrides_the_builtin_of_that_name() -> None:
    settings = parse_settings({"check": {"tests": {"run": ["pytest", "-x", "{tests}"]}}})
    # What it does not say (its tools) it keeps from the built-in check.
    assert settings.checks[2] == CheckSpec("tests", ("pytest", "-x", "{tests}"), (), ("pytest",))


def test_every_check_has_a_time_budget_and_a_builtin_one_can_take_just_that() -> None:
    settings = parse_settings({"check": {"tests": {"timeout": 60}, "lint": {"run": ["ruff"]}}})
    budgets = {c.name: c.timeout for c in settings.checks}
    assert budgets == {"compile": 1800, "import": 1800, "tests": 60, "lint": 1800}
    assert settings.checks[2].run == BUILTIN["tests"].run


@pytest.mark.parametrize("timeout", [0, -5, "60"])
def test_a_time_budget_must_be_a_positive_number(timeout: object) -> None:
    with pytest.raises(ConfigError, match=r"\[tool.staged-release.check.tests.timeout\]"):
        parse_settings({"check": {"tests": {"timeout": timeout}}})


def test_a_check_that_is_not_built_in_needs_a_run() -> None:
    with pytest.raises(ConfigError, match="has no run") as caught:
        parse_settings({"check": {"lint": {"timeout": 60}}})
    assert caught.value.hint is not None
    assert "run = [" in caught.value.hint


def test_the_shipped_schema_is_a_valid_json_schema() -> None:
    from jsonschema.validators import validator_for

    validator_for(schema()).check_schema(schema())


def test_without_a_checks_list_defined_checks_run_after_the_builtin_ones() -> None:
    settings = parse_settings({"check": {"lint": {"run": ["ruff", "check"]}}})
    assert [c.name for c in settings.checks] == ["compile", "import", "tests", "lint"]


def test_a_valid_table_is_remembered_and_any_other_one_checked_again(tmp_path: Path) -> None:
    """A project with a state directory remembers the digest of a table jsonschema found valid
    (no second import of jsonschema for the same table and schema); an edited table is checked
    again, and an invalid one is never remembered."""
    pyproject = tmp_path / "pyproject.toml"
    head = '[project]\nname = "demo"\nversion = "1.0.0rc1"\n[tool.staged-release]\n'
    pyproject.write_text(head + 'checks = ["compile"]\n', encoding="utf-8")
    record = tmp_path / ".staged-release" / "settings-valid"
    load_config(tmp_path)
    assert not record.exists()  # no state directory: nothing is made by reading settings
    record.parent.mkdir()
    load_config(tmp_path)
    remembered = record.read_text(encoding="ascii")
    assert len(remembered.strip()) == 64
    pyproject.write_text(head + "checks = [1]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"checks\.0\]: 1 is not of type 'string'"):
        load_config(tmp_path)  # checked again, beside the remembered verdict of the other table
    assert record.read_text(encoding="ascii") == remembered


def test_a_verdict_of_one_jsonschema_is_not_trusted_under_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade of jsonschema may judge the same table otherwise: the table is checked again,
    and the new verdict remembered in place of the old one."""
    record, table = tmp_path / "settings-valid", {"checks": ["compile"]}
    validate(table, record)
    before = record.read_text(encoding="ascii")
    assert _checked.known_valid(record, _checked.digest(schema(), table))
    installed = importlib.metadata.version
    monkeypatch.setattr(  # as after `uv sync` brought another jsonschema
        "importlib.metadata.version",
        lambda name: "0.0.1" if name == "jsonschema" else installed(name),
    )
    assert not _checked.known_valid(record, _checked.digest(schema(), table))
    validate(table, record)
    assert record.read_text(encoding="ascii") not in ("", before)
