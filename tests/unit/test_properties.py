"""Bad input never escapes as a traceback: every parser gives a result or a ReleaseError.

For any input — version-like strings, arbitrary text, TOML- and JSON-shaped data of the wrong
types, arbitrary bytes — each parser either returns a value of the promised type or raises a
ReleaseError with a message and a hint, which the CLI prints as one line and exit code 2.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import pytest
import tomlkit
from hypothesis import example, given, settings
from hypothesis import strategies as st

from release.config import layout
from release.config.project import load_config, read_lock_version
from release.config.settings import parse_settings
from release.core.errors import ConfigError, ReleaseError, VersionMismatch
from release.github.events import TriggerFlags, read_payload, trigger_from
from release.pipeline.plan import Event, Trigger, make_plan
from release.pipeline.stages import Target
from release.versioning.check import VersionSources, pick_head_tag, verify
from release.versioning.consumed import consumed_from_tags
from release.versioning.fixforward import parse_base, parse_consumed
from release.versioning.versions import (
    is_tag_ref,
    loose_version,
    parse_tag,
    parse_version,
    strip_ref,
)

T = TypeVar("T")
# Deterministic (the same examples every run, as the project's rule on flaky tests asks) and no
# example database written into the working tree.
FAST = settings(max_examples=100, deadline=None, derandomize=True, database=None)
SHORT = 300  # characters: a message about a huge input still fits on a terminal line or two
HUGE = "1" * 5000  # past Python's int-conversion limit (4300 digits)
PYTHONS = ("3.11", "3.12", "3.13")


def outcome(call: Callable[[], T]) -> T | ReleaseError:
    """The result of `call`, or the ReleaseError it raised (anything else fails the test)."""
    try:
        result: T | ReleaseError = call()
    except ReleaseError as error:
        result = error
    if isinstance(result, ReleaseError):
        assert result.message
        assert result.hint  # every refusal says what to do next
    return result


def short(error: ReleaseError) -> bool:
    """The CLI prints message and hint one line each, and they stay short for a huge input."""
    texts = (error.message, error.hint or "")
    return all(len(text) <= SHORT and "\n" not in text for text in texts)


# --- strategies -------------------------------------------------------------------------------

# Numbers of every length: small, around the 100-digit bound, past Python's 4300-digit limit.
NUMBERS = st.one_of(
    st.integers(0, 30).map(str),
    st.sampled_from(["00", "01", "007"]),
    st.builds(lambda digit, n: digit * n, st.sampled_from("19"), st.integers(95, 105)),
    st.builds(lambda digit, n: digit * n, st.sampled_from("19"), st.integers(4290, 6000)),
)
SUFFIXES = st.sampled_from(["", "rc", "RC", "-rc", "c", "a", "b", ".post", "post", "-", ".dev"])
PREFIXES = st.sampled_from(["", "v", "V", "refs/tags/", "refs/tags/v", "v1!", "refs/heads/"])


@st.composite
def version_like(draw: st.DrawFn) -> str:
    """Strings shaped like versions and tags, right and wrong, with numbers of any length."""
    text = ".".join(draw(st.lists(NUMBERS, min_size=1, max_size=5)))
    suffix = draw(SUFFIXES)
    if suffix:
        text += suffix + draw(st.one_of(st.just(""), NUMBERS))
    text += draw(st.sampled_from(["", "", "+local", "+1.2", " ", "\n"]))
    return draw(PREFIXES) + text


VERSIONISH = st.one_of(version_like(), st.text(max_size=30))
REFS = st.one_of(
    VERSIONISH,
    st.sampled_from(["", "refs/tags/", "refs/heads/main", "refs/pull/1/merge", "main"]),
)

# Keys and strings the configuration uses, mixed with arbitrary ones, so that generated data
# reaches the real code paths (a check named "tests" with a timeout) and not only "unknown key".
KEYS = st.one_of(
    st.sampled_from(
        [
            "pythons", "import", "checks", "check", "dependency-index", "indexes", "wait-budget",
            "run", "groups", "requires", "timeout", "simple-url", "upload-url", "token-env",
            "tests", "compile", "lint", "pypi", "local", "mine",
        ]
    ),
    st.text(max_size=8),
)  # fmt: skip
WORDS = st.one_of(
    st.sampled_from(["3.11", "3.12", "tests", "lint", "pkg", "ruff", "https://x.invalid/s", "TOK"]),
    st.text(max_size=12),
)
NUMBERS_ANY = st.one_of(
    st.integers(),
    st.floats(),
    st.sampled_from([0, -1, 10**400, 1e308, float("nan"), float("inf")]),
)
JSON_SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS_ANY, WORDS)
TOML_SCALARS = st.one_of(st.booleans(), NUMBERS_ANY, WORDS, st.dates(), st.times())


def trees(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nested arrays and tables (objects) over `scalars`, with the configuration's keys."""
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
        max_leaves=12,
    )


JSON = trees(JSON_SCALARS)
TOML = trees(TOML_SCALARS)
SETTINGS = st.dictionaries(KEYS, JSON, max_size=5)


def write(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- versions and tags ------------------------------------------------------------------------


@FAST
@given(VERSIONISH)
@example(HUGE)  # the known bug: ValueError from int() inside packaging
@example("1.0." + HUGE)
@example("1.0.0rc" + "9" * 4300)
@example("1.0.0.post" + "0" * 5000 + "1")
def test_parse_version_accepts_only_canonical_versions(text: str) -> None:
    result = outcome(lambda: parse_version(text))
    if isinstance(result, ReleaseError):
        assert short(result), result
    else:
        assert str(result) == text
        assert result.tag == f"v{text}"


@FAST
@given(st.one_of(version_like(), REFS))
@example("v" + HUGE)
@example("refs/tags/v1.0.0rc" + HUGE)
@example("V" + HUGE)
@example("v1.0." + "0" * 5000)
def test_parse_tag_gives_a_tag_or_one_short_error(tag: str) -> None:
    result = outcome(lambda: parse_tag(tag))
    if isinstance(result, ReleaseError):
        assert short(result), result
    else:
        assert result.tag == strip_ref(tag)


@FAST
@given(st.lists(VERSIONISH, max_size=4))
@example(["v" + HUGE, "1.0.0rc1"])
def test_tags_and_consumed_versions_are_read_leniently(texts: list[str]) -> None:
    consumed = consumed_from_tags(texts)  # never raises: a tag that is no version consumes nothing
    assert len(consumed) <= len(texts)
    result = outcome(lambda: parse_consumed(texts))
    if isinstance(result, ReleaseError):
        assert short(result), result
        assert len(consumed) < len(texts)
    else:
        assert result == consumed == {loose_version(t) for t in texts}


@FAST
@given(VERSIONISH)
@example(HUGE)
@example("1.0.0rc" + HUGE)
def test_base_is_a_final_or_one_short_error(text: str) -> None:
    result = outcome(lambda: parse_base(text))
    if isinstance(result, ReleaseError):
        assert short(result), result
    else:
        assert str(result) == text


# --- refs and triggers ------------------------------------------------------------------------


@FAST
@given(REFS)
def test_a_tag_ref_is_exactly_what_strip_ref_shortens(ref: str) -> None:
    assert is_tag_ref(ref) == (strip_ref(ref) != ref)


@FAST
@given(st.lists(REFS, max_size=4))
def test_head_tag_is_one_of_the_tags_or_an_error(tags: list[str]) -> None:
    result = outcome(lambda: pick_head_tag(tags))
    assert result is None or isinstance(result, ReleaseError) or result in tags


@FAST
@given(version_like(), st.none() | REFS)
@example("1.0." + HUGE, None)
@example("1.0.0", "v" + HUGE)
def test_verify_gives_the_version_or_an_error(pyproject: str, tag: str | None) -> None:
    # uv.lock and expected_version are compared by version_check itself, see below
    result = outcome(lambda: verify(VersionSources("pkg", pyproject, "1.0.0", tag, None)))
    assert isinstance(result, ReleaseError) or str(result) == pyproject


@pytest.mark.parametrize("field", ["lock", "expected"])
def test_verify_with_a_huge_lock_or_expected_version(field: str) -> None:
    texts = {"lock": "1.0.0", "expected": None} | {field: HUGE}
    sources = VersionSources("pkg", "1.0.0", texts["lock"], None, texts["expected"])
    assert isinstance(outcome(lambda: verify(sources)), VersionMismatch)


TRIGGERS = st.builds(
    Trigger,
    event=st.sampled_from(Event),
    ref=st.none() | REFS,
    publish_target=st.none() | st.sampled_from(Target),
    source_ref=st.none() | REFS,
    expected_version=st.none() | st.sampled_from(["1.0.0", "1.0.0rc1", "1.0", "x"]),
)


@FAST
@given(TRIGGERS, st.sampled_from(["1.0.0", "1.0.0rc1", "1.0.0.post1"]), st.none() | REFS)
@example(Trigger(Event.PUSH, "refs/tags/v" + HUGE), "1.0.0", None)
@example(Trigger(Event.LOCAL), "1.0.0", "v1.0." + HUGE)
@example(Trigger(Event.DISPATCH, None, None, "v" + HUGE), "1.0.0", None)
def test_any_trigger_gives_a_plan_or_an_error(
    trigger: Trigger, version: str, head_tag: str | None
) -> None:
    sources = VersionSources("pkg", version, version)
    result = outcome(lambda: make_plan(trigger, sources, PYTHONS, head_tag))
    assert isinstance(result, ReleaseError) or str(result.version) == version


# --- uv.lock ----------------------------------------------------------------------------------


def lock_version(tmp: Path, text: str) -> str | ReleaseError | None:
    write(tmp, "uv.lock", text)
    return outcome(lambda: read_lock_version(tmp, "My_Pkg"))


@FAST
@given(st.text())
@example("package = 1")
@example("package = [1]")
@example('package = "ab"')
@example('[[package]]\nname = ["my-pkg"]\nversion = "1"')
@example('[[package]]\nname = "my-pkg"\nversion = 1')
@example("a = " + "[" * 5000 + "]" * 5000)  # tomllib recurses: RecursionError
@example("a = " + HUGE)  # tomllib lets Python's int-conversion ValueError escape
def test_any_lock_text_gives_a_version_or_an_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    result = lock_version(tmp_path_factory.mktemp("lock"), text)
    assert isinstance(result, ReleaseError | str | None)


PACKAGES = st.lists(
    st.fixed_dictionaries({}, optional={"name": st.just("my-pkg") | TOML, "version": TOML}),
    max_size=3,
)


@FAST
@given(st.dictionaries(st.just("package") | KEYS, TOML | PACKAGES, max_size=3))
@example({"package": [{"name": "my-pkg", "version": "1.0.0"}]})
@example({"package": [{"name": "my-pkg", "version": [1]}]})
@example({"package": {"name": "my-pkg"}})
@example({"package": [{"name": "my-pkg"}]})  # uv's entry for a dynamic version
def test_any_lock_data_gives_a_version_or_an_error(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    result = lock_version(tmp_path_factory.mktemp("lock"), tomlkit.dumps(data))
    if data.get("package") == [{"name": "my-pkg", "version": "1.0.0"}]:
        assert result == "1.0.0"
    if data.get("package") == [{"name": "my-pkg"}]:
        assert result is None
    assert isinstance(result, ReleaseError | str | None)


# --- [tool.staged-release] and pyproject.toml -------------------------------------------------


@FAST
@given(SETTINGS)
@example({"wait-budget": float("nan")})  # NaN passed the schema: no wait at all
@example({"wait-budget": 10**400})  # float() overflowed
@example({"pythons": [10**5000]})  # the validator's message could not print the number
@example({"check": {"tests": {"timeout": float("inf")}}})
@example({"import": ["x" * 10_000]})
@example({"checks": ["y" * 10_000]})
@example({"check": {"a\nb": {"run": 1}}})
@example({"checks": ["a\nb"]})
@example({"check": {"a\nb": {}}})
def test_any_settings_give_settings_or_an_error(table: dict[str, Any]) -> None:
    result = outcome(lambda: parse_settings(table))
    if isinstance(result, ReleaseError):
        assert short(result), result
    else:
        assert result.wait_budget > 0
        assert all(check.timeout > 0 for check in result.checks)


CLASSIFIERS = st.lists(
    st.sampled_from(["Programming Language :: Python :: 3.12", "Framework :: Pytest"]) | WORDS,
    max_size=3,
)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` or `bad` even odds: one bad field at a time, behind good ones, gets reached."""
    return st.booleans().flatmap(lambda ok: good if ok else bad)


PROJECT_TABLES = st.fixed_dictionaries(
    {"name": mostly(st.just("my-pkg"), TOML)},
    optional={
        "version": mostly(version_like(), TOML),
        "dynamic": mostly(st.lists(st.sampled_from(["version", "readme"])), TOML),
        "classifiers": mostly(CLASSIFIERS, TOML),
    },
)
PYPROJECTS = st.fixed_dictionaries(
    {"project": mostly(PROJECT_TABLES, TOML)},
    optional={"tool": mostly(st.fixed_dictionaries({}, optional={"staged-release": TOML}), TOML)},
)
PROJECT = '[project]\nname = "p"\nversion = "1.0.0"\n'
WRONG_TYPES = [
    # (pyproject.toml, what the message names)
    (PROJECT + "dynamic = 5", "[project].dynamic"),
    (PROJECT + 'dynamic = "version"', "[project].dynamic"),
    (PROJECT + 'classifiers = "x"', "[project].classifiers"),
    (PROJECT + "classifiers = [5]", "[project].classifiers"),
    ("[project]\nname = 3", "[project].name in pyproject.toml is an integer"),
    ('[project]\nname = ""', "[project].name in pyproject.toml is empty"),
    ('[project]\nname = "p"\nversion = 1.0', "[project].version in pyproject.toml is a float"),
    ("project = []", "[project] in pyproject.toml is an array"),
    (PROJECT + "[tool]\nstaged-release = 1", "[tool.staged-release] in pyproject.toml is an"),
    ('tool = "x"\n' + PROJECT, "[tool] in pyproject.toml is a string"),
    (PROJECT + "[tool.staged-release]\nwait-budget = nan", "wait-budget] is not a usable number"),
    (PROJECT + "[tool.staged-release]\nwait-budget = " + "9" * 400, "not a usable number"),
    (PROJECT + "x = " + "9" * 5000, "cannot read"),
    (PROJECT + "x = " + "[" * 5000 + "]" * 5000, "nests too deeply"),
]


def config_of(tmp: Path, text: str) -> Any:
    write(tmp, "pyproject.toml", text)
    return outcome(lambda: load_config(tmp))


@pytest.mark.parametrize(("text", "says"), WRONG_TYPES)
def test_wrong_types_in_pyproject_are_config_errors(tmp_path: Path, text: str, says: str) -> None:
    error = config_of(tmp_path, text)
    assert isinstance(error, ConfigError), error
    assert says in error.message
    assert short(error), error


@FAST
@given(PYPROJECTS)
@example({"project": {"name": "p", "version": "1.0.0", "dynamic": 5}})
@example({"project": {"name": "p", "version": "1.0.0", "classifiers": "x"}})
@example({"project": {"name": 3}})
@example({"project": {"name": "p", "version": "1.0.0"}, "tool": {"staged-release": 1}})
def test_any_pyproject_gives_a_config_or_an_error(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    config = config_of(tmp_path_factory.mktemp("pyproject"), tomlkit.dumps(data))
    if not isinstance(config, ReleaseError):
        assert isinstance(config.name, str)
        assert isinstance(config.version, str | None)
        assert config.pythons
        assert all(isinstance(p, str) for p in config.pythons)


# --- GitHub event payloads --------------------------------------------------------------------

PAYLOAD_KEYS = st.sampled_from(
    ["inputs", "release", "publish_target", "source_ref", "expected_version", "tag_name"]
)
PAYLOADS = st.recursive(
    JSON_SCALARS | REFS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(PAYLOAD_KEYS, inner, max_size=4),
    max_leaves=10,
).filter(lambda p: isinstance(p, dict))
ENVS = st.fixed_dictionaries(
    {},
    optional={
        "GITHUB_EVENT_NAME": st.sampled_from([*Event, "pull_request"]) | st.text(max_size=8),
        "GITHUB_REF": REFS,
    },
)
FLAGS = st.builds(
    TriggerFlags,
    event=st.none() | st.sampled_from([*Event, "schedule"]),
    ref=st.none() | REFS,
    publish_target=st.none() | st.sampled_from([*Target, "prod"]) | st.text(max_size=5),
    source_ref=st.none() | REFS,
)


@FAST
@given(ENVS, PAYLOADS, FLAGS)
@example({}, {"inputs": "str"}, TriggerFlags())
@example({}, {"release": []}, TriggerFlags())
@example({}, {"release": "v1.0.0"}, TriggerFlags())
@example({}, {"inputs": {"publish_target": 5}}, TriggerFlags())
@example({"GITHUB_EVENT_NAME": "workflow_dispatch"}, {"inputs": {"source_ref": 5}}, TriggerFlags())
@example({}, {"inputs": {"publish_target": "x" * 10_000}}, TriggerFlags(event="workflow_dispatch"))
def test_any_payload_gives_a_trigger_or_an_error(
    env: dict[str, str], payload: dict[str, Any], flags: TriggerFlags
) -> None:
    trigger = outcome(lambda: trigger_from(env, payload, flags))
    if isinstance(trigger, ReleaseError):
        assert short(trigger), trigger
        return
    for text in (trigger.ref, trigger.source_ref, trigger.expected_version):
        assert text is None or isinstance(text, str)
    # what the trigger holds is fit for planning: a plan or an error, nothing else
    outcome(lambda: make_plan(trigger, VersionSources("pkg", "1.0.0", "1.0.0"), PYTHONS, None))


@FAST
@given(st.binary() | st.builds(lambda p: json.dumps(p).encode(), JSON))
@example(b"[" * 100_000)  # json recurses: RecursionError
@example(b"1" * 5000)  # an integer past Python's int-conversion limit
@example(b"\xff\xfe")
@example(b"[]")
@example(b'{"inputs": []}')
def test_any_payload_file_gives_a_payload_or_an_error(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    path = write(tmp_path_factory.mktemp("event"), "event.json", content)
    payload = outcome(lambda: read_payload({"GITHUB_EVENT_PATH": str(path)}))
    assert isinstance(payload, ReleaseError | dict)


@given(st.sampled_from([name for name, _ in layout.PYTEST_FILES]), st.text())
@example("pyproject.toml", "[tool.pytest.ini_options]\ntestpaths = 3\n")
@example("pyproject.toml", "tool = 3\n")
@example("pyproject.toml", '[tool]\npytest = "x"\n')
@example("pyproject.toml", "[tool.pytest]\nini_options = [1]\n")
@example("tox.ini", "[pytest]\ntestpaths = a\ntestpaths = b\n")
@FAST
def test_any_pytest_configuration_gives_testpaths(name: str, text: str) -> None:
    # Arbitrary text names no testpaths, mostly: what is found is checked just below.
    assert isinstance(layout.testpaths(name, text), list)


# A path as a configuration writes it: no whitespace (an ini file's testpaths splits on it).
PATH_TEXT = st.text(st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=12)


@st.composite
def pytest_configurations(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """A pytest configuration file of any kind naming one or more testpaths, beside addopts."""
    name = draw(st.sampled_from([name for name, _ in layout.PYTEST_FILES]))
    paths = draw(st.lists(PATH_TEXT, min_size=1, max_size=4))
    addopts = draw(PATH_TEXT)
    if name == "pyproject.toml":
        table = draw(st.sampled_from(["tool.pytest.ini_options", "tool.pytest"]))  # pytest 9
        lines = [f"[{table}]", f"addopts = {as_toml(addopts)}", f"testpaths = {as_toml(paths)}"]
    else:
        section = "tool:pytest" if name == "setup.cfg" else "pytest"
        lines = [f"[{section}]", f"addopts = {addopts}", f"testpaths = {' '.join(paths)}"]
    return name, "\n".join([*lines, ""]), paths


def as_toml(value: str | list[str]) -> str:
    """A JSON string or array of strings, unescaped beyond quotes and backslashes, is TOML's."""
    return json.dumps(value, ensure_ascii=False)


@given(pytest_configurations())
@FAST
def test_the_testpaths_a_configuration_names_are_found(case: tuple[str, str, list[str]]) -> None:
    name, text, paths = case
    assert layout.testpaths(name, text) == paths  # never empty: every case names one at least


@given(TOML)
@FAST
def test_any_tool_table_gives_the_generated_files(tool: object) -> None:
    # Arbitrary tables name no version file, mostly: what is found is checked just below.
    assert isinstance(layout.generated_files({"tool": tool}), list)


# Where each build backend's configuration names the version file it writes.
VERSION_FILES = [
    ("setuptools_scm", "version_file"), ("setuptools_scm", "write_to"),
    ("hatch", "build", "hooks", "vcs", "version-file"), ("pdm", "version", "write_to"),
    ("versioningit", "write", "file"),
]  # fmt: skip


@st.composite
def tool_tables(draw: st.DrawFn) -> tuple[dict[str, Any], list[PurePosixPath]]:
    """An arbitrary [tool] table in which one or more backends name their version file."""
    drawn = copy.deepcopy(draw(TOML))
    tool: dict[str, Any] = drawn if isinstance(drawn, dict) else {}
    named = []
    for *tables, key in draw(st.lists(st.sampled_from(VERSION_FILES), min_size=1, unique=True)):
        table = tool
        for name in tables:
            if not isinstance(table.get(name), dict):
                table[name] = {}
            table = table[name]
        table[key] = draw(PATH_TEXT)
        named.append(PurePosixPath(table[key]))
    return tool, named


@given(tool_tables())
@FAST
def test_every_version_file_a_backend_names_is_found(
    case: tuple[dict[str, Any], list[PurePosixPath]],
) -> None:
    tool, named = case
    found = layout.generated_files({"tool": tool})
    assert set(named) <= set(found)  # so `found` is never empty here
    assert all(isinstance(p, PurePosixPath) for p in found)
