"""A check's `run` in the placeholder dialect of the E2E table: an unknown name, or one that
stands for several arguments left inside a longer one, is refused when the settings are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from release.config import placeholders
from release.config.project import load_config
from release.config.settings import BUILTIN, parse_settings
from release.core.errors import EXIT_BAD_INPUT, ConfigError


def lint(*run: str) -> dict[str, object]:
    return {"check": {"lint": {"run": list(run)}}}


def test_an_unknown_placeholder_names_the_check_and_offers_the_close_one() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(lint("ruff", "check", "{instaled}"))
    assert caught.value.message == (
        "[tool.staged-release.check.lint] run uses the placeholder {instaled}, "
        "which is not known there"
    )
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert str(caught.value.hint).startswith("did you mean {installed}? known there: {installed}")
    for name in placeholders.CHECK:
        assert f"{{{name}}}" in str(caught.value.hint)


def test_an_unknown_placeholder_inside_an_argument_is_refused_too() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(lint("ruff", "--cache-dir={tmp}/{cache}"))
    assert "{cache}" in caught.value.message
    assert "write {{cache}} for a literal {cache}" in str(caught.value.hint)


def test_a_builtin_check_given_a_run_is_held_to_the_same_names() -> None:
    with pytest.raises(ConfigError, match=r"check\.tests\] run .* \{test\}"):
        parse_settings({"check": {"tests": {"run": ["pytest", "{test}"]}}})


def test_an_argument_list_placeholder_must_be_a_whole_argument() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(lint("mypy", "--files={sources}"))
    assert caught.value.message == (
        "[tool.staged-release.check.lint] run uses {sources} inside the argument "
        "'--files={sources}'"
    )
    assert "argument of its own" in str(caught.value.hint)


def test_every_known_placeholder_and_literal_braces_pass() -> None:
    run = (
        "{python}", "-m", "tool", "--rootdir={tmp}", "{pytest-config}", "{tests}", "{installed}",
        "{sources}", "{project}/pyproject.toml", "--first={tests}", "{{literal}}", '{"a": 1}',
        "${HOME}",
    )  # fmt: skip
    settings = parse_settings(lint(*run))
    assert settings.checks[-1].run == run  # expanded only when the check runs
    assert BUILTIN["tests"].run == settings.checks[2].run  # the built-in one passes its own rule


def test_load_config_refuses_it_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1.0.0rc1"\n\n'
        '[tool.staged-release.check.lint]\nrun = ["ruff", "check", "{source}"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"\{source\}") as caught:
        load_config(tmp_path)
    assert str(caught.value.hint).startswith("did you mean {sources}?")


def test_every_check_placeholder_is_documented() -> None:
    readme = Path(__file__).parents[2] / "README.md"
    if not readme.is_file():
        pytest.skip("the tests run from a copy without the README")
    text = readme.read_text(encoding="utf-8")
    assert [n for n in placeholders.CHECK if f"`{{{n}}}`" not in text] == []
