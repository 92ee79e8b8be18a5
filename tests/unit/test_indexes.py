"""Index profiles: public or local mode, the trusted dependency index, upload credentials.

Index addresses are never spelled out in this repository: the public ones are compared with
twine's own constants.
"""

from __future__ import annotations

import pytest
from twine import repository, utils

from release.config.settings import IndexSpec, Settings
from release.core.errors import ConfigError, CredentialMissing
from release.index.profiles import (
    MODE_ENV,
    Index,
    LocalEndpoints,
    Mode,
    credentials,
    dependencies,
    publishing,
    read_mode,
)

LOCAL = LocalEndpoints("http://127.0.0.1:3141/")
MIRROR = IndexSpec(
    "mirror",
    "https://mirror.example.invalid/simple",
    "https://mirror.example.invalid/upload/",
    "MIRROR_TOKEN",
)
CUSTOM = Settings(indexes={"mirror": MIRROR})
TOKEN = "pypi-canary-3b9e"

MODES = [
    # (flag, environment, mode)
    (None, {}, Mode.PUBLIC),
    ("local", {}, Mode.LOCAL),
    (None, {MODE_ENV: "local"}, Mode.LOCAL),
    ("public", {MODE_ENV: "local"}, Mode.PUBLIC),
    ("local", {MODE_ENV: "public"}, Mode.LOCAL),
    (None, {MODE_ENV: ""}, Mode.PUBLIC),
]


@pytest.mark.parametrize(("flag", "env", "mode"), MODES)
def test_read_mode(flag: str | None, env: dict[str, str], mode: Mode) -> None:
    assert read_mode(flag, env) is mode


@pytest.mark.parametrize(("flag", "env"), [("remote", {}), (None, {MODE_ENV: "LOCAL"})])
def test_unknown_mode_is_bad_input(flag: str | None, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        read_mode(flag, env)
    assert caught.value.exit_code == 2
    assert MODE_ENV in str(caught.value.hint)


PUBLIC = [
    # (name, web root, upload address, token variable)
    ("testpypi", repository.TEST_WAREHOUSE, utils.TEST_REPOSITORY, "TESTPYPI_API_TOKEN"),
    ("pypi", repository.WAREHOUSE_WEB, utils.DEFAULT_REPOSITORY, "PYPI_API_TOKEN"),
]


@pytest.mark.parametrize(("name", "web", "upload", "token_env"), PUBLIC)
def test_public_publishing_indexes(name: str, web: str, upload: str, token_env: str) -> None:
    index = publishing(name, Mode.PUBLIC, Settings())
    assert index.name == name
    assert index.simple_url.startswith("https://")
    assert index.simple_url.startswith(web)
    assert index.simple_url.endswith("/simple/")
    assert (index.upload_url, index.token_env, index.local) == (upload, token_env, False)


def test_staging_and_release_are_different_indexes() -> None:
    staging = publishing("testpypi", Mode.PUBLIC, Settings())
    release = publishing("pypi", Mode.PUBLIC, Settings())
    assert staging.simple_url != release.simple_url
    assert staging.upload_url != release.upload_url


@pytest.mark.parametrize("name", ["testpypi", "pypi"])
def test_local_mode_moves_publishing_onto_the_stand_ins(name: str) -> None:
    index = publishing(name, Mode.LOCAL, Settings(), LOCAL)
    assert index.local
    assert index.simple_url.startswith(LOCAL.base_url)
    assert index.simple_url.endswith("/")
    assert index.upload_url is not None
    assert index.upload_url.startswith(LOCAL.base_url)
    assert name in index.name


def test_local_stand_ins_are_separate() -> None:
    staging = publishing("testpypi", Mode.LOCAL, Settings(), LOCAL)
    release = publishing("pypi", Mode.LOCAL, Settings(), LOCAL)
    assert staging.simple_url != release.simple_url


@pytest.mark.parametrize("mode", list(Mode))
def test_custom_index_gets_a_trailing_slash_and_ignores_the_mode(mode: Mode) -> None:
    index = publishing("mirror", mode, CUSTOM, LOCAL)
    assert index == Index(
        "mirror",
        "https://mirror.example.invalid/simple/",
        "https://mirror.example.invalid/upload/",
        "MIRROR_TOKEN",
    )


def test_unknown_publishing_index_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        publishing("pypy", Mode.PUBLIC, CUSTOM)
    assert "'pypy'" in caught.value.message
    assert caught.value.hint == "use one of: testpypi, pypi, mirror"


def test_dependencies_come_from_pypi_the_local_stand_in_or_a_configured_index() -> None:
    assert dependencies("pypi", CUSTOM) == publishing("pypi", Mode.PUBLIC, CUSTOM)
    assert dependencies("local", CUSTOM, LOCAL) == publishing("pypi", Mode.LOCAL, CUSTOM, LOCAL)
    assert dependencies("mirror", CUSTOM).simple_url == "https://mirror.example.invalid/simple/"


@pytest.mark.parametrize("name", ["testpypi", "nowhere"])
def test_dependencies_never_come_from_testpypi_or_an_unknown_index(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        dependencies(name, CUSTOM, LOCAL)
    assert repr(name) in caught.value.message
    assert "TestPyPI is never trusted" in str(caught.value.hint)


def test_local_index_uses_no_user_secret() -> None:
    env = {"TWINE_USERNAME": "me", "TWINE_PASSWORD": TOKEN, "TESTPYPI_API_TOKEN": TOKEN}
    found = credentials(publishing("testpypi", Mode.LOCAL, Settings(), LOCAL), env)
    assert TOKEN not in found.values()
    assert "me" not in found.values()


CREDENTIALS = [
    # (index, environment, expected TWINE_* variables)
    ("testpypi", {"TESTPYPI_API_TOKEN": TOKEN}, ("__token__", TOKEN)),
    (
        "pypi",
        {"PYPI_API_TOKEN": TOKEN, "TWINE_USERNAME": "me", "TWINE_PASSWORD": "pw"},
        ("__token__", TOKEN),
    ),
    ("pypi", {"TWINE_USERNAME": "me", "TWINE_PASSWORD": "pw"}, ("me", "pw")),
    (
        "pypi",
        {"TESTPYPI_API_TOKEN": TOKEN, "TWINE_USERNAME": "me", "TWINE_PASSWORD": "pw"},
        ("me", "pw"),
    ),
    ("mirror", {"MIRROR_TOKEN": TOKEN}, ("__token__", TOKEN)),
    ("mirror", {"TWINE_USERNAME": "me", "TWINE_PASSWORD": "pw"}, ("me", "pw")),
]


@pytest.mark.parametrize(("name", "env", "expected"), CREDENTIALS)
def test_credentials(name: str, env: dict[str, str], expected: tuple[str, str]) -> None:
    found = credentials(publishing(name, Mode.PUBLIC, CUSTOM), env)
    assert (found["TWINE_USERNAME"], found["TWINE_PASSWORD"]) == expected


MISSING = [
    ("testpypi", {}, "TESTPYPI_API_TOKEN"),
    ("pypi", {"TESTPYPI_API_TOKEN": TOKEN}, "PYPI_API_TOKEN"),
    ("pypi", {"TWINE_PASSWORD": "pw"}, "PYPI_API_TOKEN"),
    ("pypi", {"PYPI_API_TOKEN": ""}, "PYPI_API_TOKEN"),
    ("mirror", {"TWINE_USERNAME": "me"}, "MIRROR_TOKEN"),
]


@pytest.mark.parametrize(("name", "env", "variable"), MISSING)
def test_no_credential_is_bad_input_naming_the_token_variable(
    name: str, env: dict[str, str], variable: str
) -> None:
    with pytest.raises(CredentialMissing) as caught:
        credentials(publishing(name, Mode.PUBLIC, CUSTOM), env)
    assert caught.value.exit_code == 2
    assert name in caught.value.message
    assert variable in str(caught.value.hint)
    assert TOKEN not in f"{caught.value.message} {caught.value.hint}"


def test_no_credential_for_an_index_without_a_token_variable_names_twine_variables() -> None:
    readonly = Settings(indexes={"ro": IndexSpec("ro", "https://ro.example.invalid/simple/")})
    with pytest.raises(CredentialMissing) as caught:
        credentials(publishing("ro", Mode.PUBLIC, readonly), {})
    assert str(caught.value.hint).startswith("set TWINE_USERNAME and TWINE_PASSWORD")
